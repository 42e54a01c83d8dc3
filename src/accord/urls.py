from django.contrib import admin
from django.urls import include, path

from accord.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("oai", include("accord.interop.standards.urls")),
    path("dashboard/", include("accord.dashboard.urls")),
    path("workflow/", include("accord.workflow.urls")),
    path("jobs/", include("accord.jobs.urls")),
    path("", include("accord.web.urls")),
]

admin.site.site_header = "Accord administration"
admin.site.site_title = "Accord"

handler400 = "accord.core.errorpages.bad_request"
