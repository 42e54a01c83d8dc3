"""Mounted at /oai by the project's urls.py."""

from django.urls import path

from accord.interop.standards.oai import endpoint

urlpatterns = [path("", endpoint, name="oai")]
