from django.contrib import admin
from django.urls import include, path

from accord.accounts.views import LoginView, set_language
from accord.api import api

urlpatterns = [
    # The admin signs in on the site's own page: the same throttle and second factor as every other way in.
    path("admin/login/", LoginView.as_view(), name="admin-login"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),  # Django's, remembering a signed-in person's choice
    path("oai", include("accord.interop.standards.urls")),
    path("dashboard/", include("accord.web.dashboard.urls")),
    path("jobs/", include("accord.jobs.urls")),
    path("federation/conflicts/", include("accord.federation.conflict_urls")),  # shared records both sides changed
    path("federation/", include("accord.federation.urls")),  # the peers page and the node-to-node endpoints
    # Each domain app's record pages, at plain paths (/agreements/, /plans/7/, /people/3/edit/).
    path("", include("accord.agreements.urls")),
    path("", include("accord.programmes.urls")),
    path("", include("accord.directory.urls")),
    path("", include("accord.meetings.urls")),
    path("", include("accord.documents.urls")),
    path("", include("accord.accounts.urls")),
    path("", include("accord.web.urls")),
]

admin.site.site_header = "Accord administration"
admin.site.site_title = "Accord"

handler400 = "accord.core.errorpages.bad_request"
