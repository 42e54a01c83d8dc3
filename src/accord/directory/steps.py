"""The steps that complete the directory in the pages: an organisation's later or earlier names and its
predecessors and successors, a person's positions. Each calls the directory's services, which decide who may
(the coordinators of the record's party)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accord.core.pages.steps import Step, add
from accord.directory import forms as f
from accord.directory.models import Organisation, Person
from accord.directory.services import add_organisation_name, add_position, record_succession, rename_organisation


def organisation_page(org: Organisation) -> str:
    return reverse("directory:organisations-detail", args=[org.pk])


def _describe_rename(org: Organisation, form: Any) -> str:
    return _(
        "Give “%(org)s” a new name from the date below. The name it bore until then is kept as a dated name "
        "ending the day before, and documents of earlier dates keep showing it."
    ) % {"org": org}


def _rename(request: Any, org: Organisation, form: Any) -> str:
    rename_organisation(org, form.texts("name"), form.cleaned_data["valid_from"])
    return organisation_page(org)


def _describe_dated_name(org: Organisation, form: Any) -> str:
    return _(
        "Record a name “%(org)s” bore over a period (an earlier name, for documents of that time). Periods of "
        "its names must not overlap."
    ) % {"org": org}


def _dated_name(request: Any, org: Organisation, form: Any) -> str:
    data = form.cleaned_data
    add_organisation_name(org, form.texts("name"), data["valid_from"], data["valid_to"])
    return organisation_page(org)


def _describe_succession(org: Organisation, form: Any) -> str:
    return _(
        "Record that “%(org)s” was continued by another organisation of its party (renamed, merged, split off, "
        "succeeded), or continues one. Both organisations' pages show the link."
    ) % {"org": org}


def _succession(request: Any, org: Organisation, form: Any) -> str:
    data = form.cleaned_data
    other = data["other"]
    before, after = (org, other) if data["direction"] == "successor" else (other, org)
    record_succession(before, after, data["kind"], on=data["on"])
    return organisation_page(org)


def _describe_position(person: Person, form: Any) -> str:
    return _("Record a position %(person)s held: the organisation, the title in each language, from and to.") % {
        "person": person
    }


def _position(request: Any, person: Person, form: Any) -> str:
    data = form.cleaned_data
    add_position(person, data["organisation"], form.texts("title"), start_on=data["start_on"], end_on=data["end_on"])
    return reverse("directory:people-detail", args=[person.pk])


for name, label, form, describe, perform in (
    ("rename", gettext_lazy("Add a later name"), f.RenameForm, _describe_rename, _rename),
    ("dated-name", gettext_lazy("Add an earlier name"), f.DatedNameForm, _describe_dated_name, _dated_name),
    (
        "succession",
        gettext_lazy("Record a predecessor or successor"),
        f.SuccessionForm,
        _describe_succession,
        _succession,
    ),
):
    add(Step("organisations", name, Organisation, label, "change", form, describe, perform, kind="secondary"))

add(
    Step(
        "people",
        "position",
        Person,
        gettext_lazy("Add a position"),
        "change",
        f.PositionForm,
        _describe_position,
        _position,
        kind="secondary",
    )
)
