from django.urls import path

from accord.core.pages.lookup import lookup
from accord.core.pages.views import step
from accord.web import auth, data, mapping, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("health", views.health, name="health"),
    path("search/", views.search, name="search"),
    path("lookup/", lookup, name="lookup"),  # the search box beside a choice among many records
    path("data/", data.data, name="data"),
    path("data/map/", mapping.mapping_page, name="data-map"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    # The account's work, and the confirmation page of each workflow step (declared in the apps' steps.py).
    path("workflow/", views.workflow, name="workflow"),
    path("workflow/plans/<int:pk>/", views.plan_workflow, name="plan-workflow"),
    path("workflow/<slug:slug>/<int:pk>/<slug:name>/", step, name="step"),
]
