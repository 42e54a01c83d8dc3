"""The documents' own view: downloading a stored rendering (HTML, DOCX, PDF) of a document."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accord.core.visibility import visible
from accord.documents.models import DocumentFile


@require_GET
def document_file(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    """Download a stored rendering of a document, if the user may read it."""
    rendering = get_object_or_404(
        visible(DocumentFile.objects.filter(document_id=pk), request.user).select_related("document"), pk=file_pk
    )
    try:
        handle = rendering.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("The file is no longer stored; generate the document again.")) from None
    name = f"{rendering.document.kind}-{rendering.languages}.{rendering.format}"
    return FileResponse(handle, as_attachment=True, filename=name)
