from django.urls import path

from accord.workflow import views

app_name = "workflow"
urlpatterns = [
    path("", views.index, name="index"),
    path("plans/<int:pk>/", views.plan, name="plan"),
    path("<slug:slug>/<int:pk>/<slug:name>/", views.step, name="step"),
]
