from django.urls import path

from accord.federation import conflict_views as views

app_name = "federation-conflicts"

urlpatterns = [
    path("", views.conflict_list, name="list"),
    path("<int:pk>/decide/", views.conflict_decide, name="decide"),
]
