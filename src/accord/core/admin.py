"""Admin for Accord's records: every save and delete goes through the audited core services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from accord.core import services
from accord.core.errors import DomainError, StaleVersion
from accord.core.localized import LocalizedTextField
from accord.core.models import ChangeRecord, JournalEntry


class VersionedAdminForm(forms.ModelForm):
    """Carries the version the editor opened, so a save over someone else's change is refused."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        expected = data.get("expected_version")
        if self.instance.pk and expected is not None:
            try:
                services.ensure_version(self.instance, expected)
            except StaleVersion as stale:
                raise forms.ValidationError(stale.message) from None
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
    form = VersionedAdminForm
    readonly_fields: ClassVar[list[str] | tuple[str, ...]] = (
        "uid",
        "version",
        "created_at",
        "updated_at",
        "is_illustrative",
    )

    def save_model(self, request: HttpRequest, obj: Model, form: forms.ModelForm, change: bool) -> None:
        # The request's actor is already set by AuditContextMiddleware.
        if change:
            concrete = {f.name: f.attname for f in obj._meta.concrete_fields}
            changes = {concrete[name]: getattr(obj, concrete[name]) for name in form.changed_data if name in concrete}
            expected = form.cleaned_data.get("expected_version") or obj.version  # type: ignore[attr-defined]
            services.update(obj, expected_version=expected, **changes)
        else:
            values = {
                f.attname: getattr(obj, f.attname)
                for f in obj._meta.concrete_fields
                if f.editable and not f.primary_key
            }
            created = services.create(type(obj), **values)
            for f in obj._meta.concrete_fields:
                setattr(obj, f.attname, getattr(created, f.attname))

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

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        services.delete(obj)

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            services.delete(obj)


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
    list_display = ("occurred_on", "author_name", "target_type", "target_id", "visibility")
    list_filter = ("visibility",)
