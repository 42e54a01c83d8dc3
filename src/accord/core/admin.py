"""Admin for Accord's records: a window onto the records that writes only through the apps' services.

Each ModelAdmin names the domain services it saves through (`writes = Writes(create=..., update=...,
delete=...)`); an action without a service is not offered (no add / change / delete permission), so the admin
can never do what the pages and the API refuse. A refusal (DomainError) writes nothing and is shown where the
change was asked: a change or add form, or a delete confirmation, is shown again with the record and the reason
as its error, answering the status the API and the pages give (409 refused or stale, 403 forbidden, 422
invalid); a list action redirects back to the list with them as an error message.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict

from accord.core.errors import DomainError, http_status
from accord.core.localized import LocalizedTextField
from accord.core.models import ChangeRecord, JournalEntry


@dataclass(frozen=True)
class Writes:
    """The domain services an admin page saves through. None: the admin does not offer that action.

    create(*[value of each create_args field], **other entered fields) -> the new record
    update(record, expected_version=..., **changed fields) -> the record
    delete(record, expected_version=...)
    """

    create: Callable[..., Model] | None = None
    create_args: tuple[str, ...] = ()  # fields passed positionally, in order (the parents: plan, project)
    update: Callable[..., Model] | None = None
    delete: Callable[..., Any] | None = None


class Refused(Exception):
    """A service refused an admin write: carries the message shown to the editor."""

    def __init__(self, record: str, error: DomainError):
        super().__init__(f"“{record}”: {error} — nothing was saved.")
        self.message = str(self)
        self.status = http_status(error)


class VersionedAdminForm(forms.ModelForm):
    """Carries the version the editor opened: the service refuses a save over someone else's change (StaleVersion)."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    refusal: ClassVar[str | None] = None  # set when the service refused the last save: shown as the form's error

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.refusal:
            self.add_error(None, self.refusal)
        return data


def domain_action(operation: Callable[[Any], Any], description: str) -> Callable[..., None]:
    """An admin action that runs a domain operation on each selected record, all or none.

    A refusal (DomainError) rolls back the whole batch and is shown with the record it concerns.
    """

    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        done = 0
        try:
            with transaction.atomic():
                for obj in queryset:
                    current = obj
                    operation(obj)
                    done += 1
        except DomainError as exc:
            modeladmin.message_user(request, f"“{current}”: {exc} — nothing was changed.", messages.ERROR)
            return
        modeladmin.message_user(request, f"{description}: {done} done.", messages.SUCCESS)

    action.short_description = description  # type: ignore[attr-defined]
    action.__name__ = operation.__name__
    return action


# What disagrees between the language versions of each localized text (one list of messages per text),
# registered at start-up by the app that checks them (fidelity), so core imports none.
_language_check: Callable[[list[Any]], list[list[str]]] | None = None


def register_language_check(check: Callable[[list[Any]], list[list[str]]]) -> None:
    global _language_check
    _language_check = check


class AuditedModelAdmin(admin.ModelAdmin):
    """Saves and deletes through `writes`, the owning app's services; read-only where it names none."""

    form = VersionedAdminForm
    writes: ClassVar[Writes] = Writes()
    add_fields: ClassVar[tuple[str, ...] | None] = None  # the add form's fields, when the service takes fewer
    readonly_fields: ClassVar[list[str] | tuple[str, ...]] = (
        "uid",
        "version",
        "created_at",
        "updated_at",
        "is_illustrative",
    )

    # --- what the admin offers: what the services do ------------------------------------------------------

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.writes.create is not None and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.writes.update is not None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.writes.delete is not None and super().has_delete_permission(request, obj)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None and self.add_fields is not None:
            return self.add_fields
        return super().get_fields(request, obj)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "_accord_refusal", None)
        if refusal is None:
            return form
        return type(form.__name__, (form,), {"refusal": refusal})

    # --- writes ------------------------------------------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Model, form: forms.ModelForm, change: bool) -> None:
        # The request's actor is already set by AuditContextMiddleware; the service audits the change.
        names = {f.name for f in obj._meta.concrete_fields}
        entered = {name: form.cleaned_data[name] for name in form.changed_data if name in names}
        try:
            if change:
                if not entered:
                    return  # nothing changed, nothing written
                assert self.writes.update is not None
                expected = form.cleaned_data.get("expected_version")
                if expected is None:  # a form without the version it was opened at (not the admin's own)
                    expected = obj.version  # type: ignore[attr-defined]
                stored = type(obj)._default_manager.get(pk=obj.pk)
                saved = self.writes.update(stored, expected_version=expected, **entered)
            else:
                assert self.writes.create is not None
                for name in self.writes.create_args:
                    entered.setdefault(name, form.cleaned_data.get(name))
                args = [entered.pop(name) for name in self.writes.create_args]
                saved = self.writes.create(*args, **entered)
        except DomainError as exc:
            record = str(type(obj)._default_manager.get(pk=obj.pk)) if change else f"new {obj._meta.verbose_name}"
            raise Refused(record, exc) from exc
        for f in obj._meta.concrete_fields:
            setattr(obj, f.attname, getattr(saved, f.attname))

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        assert self.writes.delete is not None
        try:
            self.writes.delete(obj, expected_version=obj.version)  # type: ignore[attr-defined]
        except DomainError as exc:
            raise Refused(str(obj), exc) from exc

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    # --- refusals: shown where the change was asked, nothing written --------------------------------------

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except Refused as refused:  # its transaction is rolled back; show the form again with the reason
            request._accord_refusal = refused.message  # type: ignore[attr-defined]
            response = super().changeform_view(request, object_id, form_url, extra_context)
            response.status_code = refused.status
            return response

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except Refused as refused:  # rolled back; show the confirmation page again with the reason
            self.message_user(request, refused.message, messages.ERROR)
            again = copy.copy(request)
            again.method, again.POST = "GET", QueryDict()
            response = super().delete_view(again, object_id, extra_context)
            response.status_code = refused.status
            return response

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        try:
            return super().changelist_view(request, extra_context)
        except Refused as refused:  # the bulk delete action: rolled back, back to the list with the reason
            self.message_user(request, refused.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        self.warn_about_language_versions(request, form)

    def warn_about_language_versions(self, request: HttpRequest, form: forms.ModelForm) -> None:
        """A localized text whose language versions disagree (numbers, dates, names) is saved, with a warning."""
        changed = [
            f
            for f in form.instance._meta.concrete_fields
            if isinstance(f, LocalizedTextField) and f.name in form.changed_data
        ]
        if not changed or _language_check is None:
            return
        values = [getattr(form.instance, field.attname) for field in changed]
        for field, problems in zip(changed, _language_check(values), strict=True):
            for problem in problems:
                self.message_user(request, f"{field.verbose_name}: {problem}", messages.WARNING)


class ReadOnlyMixin:
    """Listed and viewable only: records of acts (the chain, signatures, revisions) are made by services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyMixin, AuditedModelAdmin):
    pass


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    """Children shown under their parent, every field read-only."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields or ()


@admin.register(ChangeRecord)
class ChangeRecordAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The audit chain is read-only, everywhere."""

    list_display = ("id", "at", "actor_name", "action", "object_type", "object_id", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "actor_name", "request_id", "object_uid")


@admin.register(JournalEntry)
class JournalEntryAdmin(AuditedModelAdmin):
    """Notes are added on the record's own page (core.journal.add_journal_entry); here they are read."""

    list_display = ("occurred_on", "author_name", "target_type", "target_id", "visibility")
    list_filter = ("visibility",)
