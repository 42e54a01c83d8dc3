from django.urls import path

from accord.web import auth, data, mapping, views
from accord.web.records import RECORD_TYPES

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("health", views.health, name="health"),
    path("search/", views.search, name="search"),
    path("data/", data.data, name="data"),
    path("data/map/", mapping.mapping_page, name="data-map"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("documents/<int:pk>/files/<int:file_pk>/", views.document_file, name="document-file"),
]
# One set of pages per kind of record, at plain paths (/projects/, /projects/7/, /projects/7/edit/).
for rt in RECORD_TYPES:
    kind = {"kind": rt.kind}
    urlpatterns += [
        path(f"{rt.kind}/", views.record_list, kind, name=f"{rt.kind}-list"),
        path(f"{rt.kind}/new/", views.record_create, kind, name=f"{rt.kind}-create"),
        path(f"{rt.kind}/<int:pk>/", views.record_detail, kind, name=f"{rt.kind}-detail"),
        path(f"{rt.kind}/<int:pk>/edit/", views.record_edit, kind, name=f"{rt.kind}-edit"),
        path(f"{rt.kind}/<int:pk>/journal/", views.journal_add, kind, name=f"{rt.kind}-journal"),
    ]
