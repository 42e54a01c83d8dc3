from django.urls import path

from accord.core.pages.records import record_urls
from accord.documents import views
from accord.documents.pages import DOCUMENTS

app_name = "documents"
urlpatterns = [
    *record_urls(DOCUMENTS),
    path("documents/<int:pk>/files/<int:file_pk>/", views.document_file, name="document-file"),
]
