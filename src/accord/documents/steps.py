"""The document steps: generate a plan text, communiqué, minutes or review report in the background; approve
a document's text for a party; publish it once every party has approved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accord.core.pages.forms import ConfirmForm, language_choices
from accord.core.pages.steps import Step, add, chosen_party, names, waiting_first
from accord.directory.models import Party
from accord.documents import forms as f
from accord.documents.agreed_minutes import minutes_languages
from accord.documents.communique import communique_languages
from accord.documents.models import Document
from accord.documents.review_report import review_languages
from accord.documents.services import approve_document, approving_parties, missing_approvals, publish_document
from accord.jobs.services import enqueue
from accord.meetings.models import Meeting, Minutes, Review
from accord.programmes.models import Plan

# --- documents (generated in the background) -------------------------------------------------------

DOCUMENT_NAMES = {
    "communique": gettext_lazy("communiqué"),
    "plan_text": gettext_lazy("text"),
    "review_report": gettext_lazy("review report"),
    "minutes": gettext_lazy("minutes"),
}


def _document_languages(kind: str) -> Callable[[Any], dict[str, Any]]:
    def kwargs(record: Any) -> dict[str, Any]:
        if kind == "plan_text":
            tags = list(record.agreement.authentic_languages or [])
            choices = [("authentic", "+".join(tags) or "authentic"), *language_choices([*tags, "en"])]
            return {"languages": choices}

        offered: dict[str, Callable[[Any], list[str]]] = {
            "communique": communique_languages,
            "review_report": review_languages,
            "minutes": minutes_languages,
        }
        return {"languages": language_choices(offered[kind](record))}

    return kwargs


def _describe_document(kind: str) -> Callable[[Any, Any], str]:
    def describe(record: Any, form: Any) -> str:
        return _(
            "Generate the %(what)s of “%(record)s” from the records as they are now, in the language and format "
            "you choose, and store it as a draft with its hash: it becomes public only when every party has approved "
            "it and it is published. It runs in the background: the next page "
            "shows its progress and offers the file to download."
        ) % {"what": DOCUMENT_NAMES[kind], "record": record}

    return describe


def _generate(kind: str) -> Callable[[Any, Any, Any], str]:
    def perform(request: Any, record: Any, form: Any) -> str:
        data = form.cleaned_data
        job = enqueue(
            "document",
            {"kind": kind, "ref": record.pk, "language": data["language"], "format": data["format"]},
            user=request.user,
            title=_("%(what)s of “%(record)s” (%(language)s, %(format)s)")
            % {"what": DOCUMENT_NAMES[kind], "record": record, "language": data["language"], "format": data["format"]},
        )
        return reverse("jobs:detail", args=[job.pk])

    return perform


def _document_step(slug: str, model: type[Model], kind: str, label: Any) -> Step:
    # Generating stores a Document (an audited record), so it is the coordinators' work, like proposing.
    return add(
        Step(
            slug,
            "generate-" + kind.replace("_", "-"),
            model,
            label,
            "propose",
            f.DocumentForm,
            _describe_document(kind),
            _generate(kind),
            form_kwargs=_document_languages(kind),
            kind="secondary",
        )
    )


# --- documents: approval and publication ---------------------------------------------------------------


def _document_page(document: Document) -> str:
    return reverse("documents:documents-detail", args=[document.pk])


def _awaiting(document: Document) -> list[Party]:
    return [] if document.is_published else missing_approvals(document)


def _approving_parties(document: Document) -> dict[str, Any]:
    return waiting_first(_awaiting(document), approving_parties(document))


def _describe_approve(document: Document, form: Any) -> str:
    return _(
        "Approve the text of “%(document)s” as it is now (%(languages)s) on behalf of %(party)s. Still to approve: "
        "%(missing)s. A change to the text afterwards needs everyone's approval again; once every party has "
        "approved, the document can be published."
    ) % {
        "document": document,
        "languages": ", ".join(document.texts.values_list("language", flat=True)) or "—",
        "party": chosen_party(form),
        "missing": names(_awaiting(document)) or "—",
    }


def _approve_document(request: Any, document: Document, form: Any) -> str:
    data = form.cleaned_data
    approve_document(
        document,
        data["party"],
        expected_version=form.expected_version(),
        content_sha256=data.get("content_sha256") or None,
    )
    return _document_page(document)


def _describe_publish_document(document: Document, form: Any) -> str:
    return _(
        "Publish “%(document)s”: it becomes public with its texts and files, on the portal, through OAI-PMH and "
        "for anyone to download, and never changes again (a new text would be a new draft)."
    ) % {"document": document}


def _publish_document(request: Any, document: Document, form: Any) -> str:
    publish_document(document, expected_version=form.expected_version())
    return _document_page(document)


add(
    Step(
        "documents",
        "approve",
        Document,
        gettext_lazy("Approve this text"),
        "approve",
        f.ApproveDocumentForm,
        _describe_approve,
        _approve_document,
        ready=lambda d: not d.is_published,
        form_kwargs=_approving_parties,
        pending_parties=_awaiting,
    )
)
add(
    Step(
        "documents",
        "publish",
        Document,
        gettext_lazy("Publish"),
        "publish",
        ConfirmForm,
        _describe_publish_document,
        _publish_document,
        ready=lambda d: not d.is_published and not _awaiting(d),
    )
)


_document_step("plans", Plan, "plan_text", gettext_lazy("Generate the plan text"))
_document_step("meetings", Meeting, "communique", gettext_lazy("Generate the communiqué"))
_document_step("minutes", Minutes, "minutes", gettext_lazy("Generate the minutes document"))
_document_step("reviews", Review, "review_report", gettext_lazy("Generate the review report"))
