from django.urls import path

from accord.federation import views

app_name = "federation"
urlpatterns = [
    path("", views.peers, name="peers"),
    path("v1/node", views.node, name="node"),
    path("v1/push", views.push, name="push"),
    path("v1/pull", views.pull, name="pull"),
    path("v1/resend", views.resend, name="resend"),
]
