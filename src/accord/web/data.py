"""The import and export page: download what you may read, fill in a template, and (administrators)
import a file in the background, with a dry run first."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accord.core.visibility import principal
from accord.interop.encoding import CHOICES, label
from accord.interop.jobs import store_upload
from accord.interop.limits import limit
from accord.interop.services import KINDS, spec_for
from accord.jobs.services import enqueue

FORMATS = ("csv", "xlsx", "json")
IMPORTABLE = (*FORMATS, "ods", "tsv", "txt")


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Records"))
    file = forms.FileField(label=gettext_lazy("File (CSV, XLSX, ODS or JSON)"))
    encoding = forms.ChoiceField(
        label=gettext_lazy("Encoding of a CSV or JSON file"),
        required=False,
        help_text=gettext_lazy(
            "Automatic: decided from the whole file; a file that could be read two ways is refused until you "
            "choose. The dry run shows decoded rows from across the file."
        ),
    )
    sheet = forms.CharField(
        label=gettext_lazy("Sheet of a workbook"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Empty: the first sheet."),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: show what would be created, updated and left alone, and write nothing"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(k, str(spec_for(k).model._meta.verbose_name_plural).capitalize()) for k in KINDS]
        encoding = self.fields["encoding"]
        assert isinstance(encoding, forms.ChoiceField)
        encoding.choices = [("", _("Automatic")), *((name, label(name)) for name in CHOICES)]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        most = limit("ACCORD_IMPORT_MAX_BYTES")
        if upload.size > most:
            raise forms.ValidationError(
                _("The file is %(size)s MB; at most %(most)s MB can be imported at once.")
                % {"size": upload.size // 2**20, "most": most // 2**20}
            )
        if not upload.name.lower().endswith(tuple(f".{f}" for f in IMPORTABLE)):
            raise forms.ValidationError(_("Only .csv, .xlsx, .ods and .json files can be imported."))
        return upload


@login_required
@require_http_methods(["GET", "POST"])
def data(request: HttpRequest) -> HttpResponse:
    """Exports and templates for everyone signed in; the import form for administrators."""
    may_import = principal(request.user).is_admin
    form = ImportForm(request.POST or None, request.FILES or None) if may_import else None
    if request.method == "POST":
        if form is None:
            return render(request, "403.html", status=403)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            # Kept where the job can read it (the media root, outside the static files), under a fresh name of
            # our own: the client's name is only a label (a 300-character one made the file system refuse it).
            # Deleted when its job ends (accord.interop.jobs.import_ended), or swept after a crash.
            stored = store_upload(upload, upload.name)
            kind, dry_run = form.cleaned_data["kind"], form.cleaned_data["dry_run"]
            job = enqueue(
                "import",
                {
                    "kind": kind,
                    "stored_name": stored,
                    "filename": upload.name[-200:],
                    "dry_run": dry_run,
                    "encoding": form.cleaned_data["encoding"] or None,
                    "sheet": form.cleaned_data["sheet"].strip() or None,
                },
                user=request.user,
                title=(_("Dry run of importing %(file)s") if dry_run else _("Importing %(file)s"))
                % {"file": Truncator(upload.name).chars(80)},
            )
            return redirect("jobs:detail", job.pk)
    kinds = [(k, str(spec_for(k).model._meta.verbose_name_plural).capitalize()) for k in KINDS]
    return render(
        request,
        "web/data.html",
        {"kinds": kinds, "formats": FORMATS, "form": form},
        status=400 if form is not None and form.errors else 200,
    )
