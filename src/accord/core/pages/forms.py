"""Page forms: the localized-text editor, record forms built from the model's fields, journal notes.

Forms only parse what was typed; the rules are the services'. A refusal from a service (ValidationFailed,
TransitionRefused, StaleVersion) is put back on the form, next to the field it names.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Model
from django.forms.models import fields_for_model, model_to_dict
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accord.core.errors import DomainError, StaleVersion, ValidationFailed
from accord.core.localized import LocalizedText, LocalizedTextField
from accord.core.models import Visibility
from accord.core.pages.languages import language_name
from accord.core.pages.lookup import bound_choices


class LocalizedTextWidget(forms.Widget):
    """One labelled input (or textarea) per language; posted as `<name>__<tag>`."""

    template_name = "web/widgets/localized.html"

    def __init__(self, languages: list[str] | None = None, *, multiline: bool = False, attrs: Any = None):
        super().__init__(attrs)
        self.languages = list(languages or ["en"])
        self.multiline = multiline

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        value = value if isinstance(value, dict) else {}
        base_id = (attrs or {}).get("id") or f"id_{name}"
        context["widget"]["parts"] = [
            {
                "tag": tag,
                "name": f"{name}__{tag}",
                "id": f"{base_id}_{tag}",
                "label": language_name(tag),
                "value": value.get(tag, ""),
            }
            for tag in self.languages
        ]
        context["widget"]["multiline"] = self.multiline
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> dict[str, str]:
        return {tag: data.get(f"{name}__{tag}", "") for tag in self.languages if f"{name}__{tag}" in data}

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return not any(f"{name}__{tag}" in data for tag in self.languages)

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_{self.languages[0]}" if id_ and self.languages else id_


class LocalizedTextFormField(forms.Field):
    """Cleans into the {tag: text} dict a LocalizedTextField stores; empty languages are dropped."""

    widget = LocalizedTextWidget
    is_localized = True  # templates render it as a fieldset, one input per language

    def __init__(self, *, languages: list[str] | None = None, multiline: bool = False, **kwargs: Any):
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        kwargs.pop("max_length", None)
        kwargs["widget"] = LocalizedTextWidget(languages, multiline=multiline)
        super().__init__(**kwargs)

    def set_languages(self, languages: list[str]) -> None:
        self.widget.languages = list(languages)

    def prepare_value(self, value: Any) -> Any:
        return value if isinstance(value, dict) else {}

    def to_python(self, value: Any) -> LocalizedText:
        if not isinstance(value, dict):
            return LocalizedText()
        kept = {tag: text.strip() for tag, text in value.items() if isinstance(text, str)}
        return LocalizedText({tag: text for tag, text in kept.items() if text})

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise forms.ValidationError(_("Give the text in at least one language."), code="required")

    def has_changed(self, initial: Any, data: Any) -> bool:
        return dict(initial or {}) != dict(self.to_python(data))


_MULTILINE = {"objectives", "description", "narrative", "decision", "text"}


# What an <input type="date"> holds and sends whatever the interface language: the browser shows it in the
# reader's own format, but refuses any other value ("01.01.1962" leaves the field empty in Russian).
ISO_DATE = "%Y-%m-%d"
ISO_DATETIME = "%Y-%m-%dT%H:%M"


def machine_inputs(form: forms.BaseForm) -> forms.BaseForm:
    """Make every date, time and number field of `form` speak the browser's own format in every language.

    Dates render as <input type="date"> with an ISO value (and datetimes as datetime-local) and accept ISO
    first, then the language's own formats (typed by a script or an older browser); numbers are never
    localized ("1 234,5" is not a number to <input type="number">). Choices send their values, not labels,
    already. Called on every page and step form (RecordForm, StepForm, Step.make_form), so a new form gets it.
    """
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput | forms.MultipleHiddenInput):
            continue
        if isinstance(field, forms.DateTimeField):
            field.widget = forms.DateTimeInput(attrs={**widget.attrs, "type": "datetime-local"}, format=ISO_DATETIME)
            field.input_formats = [ISO_DATETIME, *_listed(field.input_formats)]
        elif isinstance(field, forms.DateField):
            field.widget = forms.DateInput(attrs={**widget.attrs, "type": "date"}, format=ISO_DATE)
            field.input_formats = [ISO_DATE, *_listed(field.input_formats)]
        elif isinstance(field, forms.IntegerField | forms.FloatField | forms.DecimalField):
            field.localize = False
            widget.is_localized = False
    return bound_choices(form)  # and a choice among many records: the first few and a search box


def _listed(formats: Any) -> list[str]:
    return [f for f in list(formats) if f not in (ISO_DATE, ISO_DATETIME)]


def _formfield(db_field: Any, **kwargs: Any) -> Any:
    if isinstance(db_field, LocalizedTextField):
        return LocalizedTextFormField(
            label=capfirst(db_field.verbose_name),
            required=not db_field.blank,
            help_text=db_field.help_text,
            multiline=db_field.name in _MULTILINE,
        )
    return db_field.formfield(**kwargs)


def _fields(model: type[Model], names: tuple[str, ...]) -> dict[str, forms.Field]:
    fields = fields_for_model(model, fields=list(names), formfield_callback=_formfield)
    # Foreign keys a form may set are kept to small, relevant lists by the form itself.
    return {name: f for name, f in fields.items() if f is not None}


class RecordForm(forms.Form):
    """Edit `fields` of `record`; the version the user saw travels with the form."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(
        self,
        *args: Any,
        model: type[Model],
        fields: tuple[str, ...],
        record: Model | None = None,
        languages: list[str],
        party_ids: set[int] | None = None,
        **kwargs: Any,
    ):
        if record is not None and "initial" not in kwargs:
            kwargs["initial"] = {**model_to_dict(record, fields=list(fields)), "version": record.version}  # type: ignore[attr-defined]
        super().__init__(*args, **kwargs)
        if record is None:
            del self.fields["version"]
        for name, field in _fields(model, fields).items():
            if isinstance(field, LocalizedTextFormField):
                value = getattr(record, name, None) or {}
                field.set_languages([*languages, *(t for t in value if t not in languages)])
            if isinstance(field, forms.ModelChoiceField) and party_ids is not None:
                from accord.directory.models import Party

                if field.queryset is not None and field.queryset.model is Party:
                    field.queryset = Party.objects.filter(pk__in=party_ids)
            self.fields[name] = field
        self.model = model
        self.field_names = fields
        machine_inputs(self)

    def changes(self, record: Model | None) -> dict[str, Any]:
        """What the user changed (every field when creating)."""
        out: dict[str, Any] = {}
        for name in self.field_names:
            if name not in self.cleaned_data:
                continue
            value = self.cleaned_data[name]
            if record is None or _differs(getattr(record, name), value):
                out[name] = value
        return out

    def apply_error(self, exc: DomainError) -> None:
        """Show a service's refusal on the form: each message beside the field it names."""
        if isinstance(exc, StaleVersion):
            self.add_error(None, stale_message(exc))
            return
        if isinstance(exc, ValidationFailed):
            for name, messages in exc.errors.items():
                target = name if name in self.fields else _field_for_column(name, self.fields)
                for message in messages:
                    # A rule on a field the form does not show still names it.
                    shown = message if target or name == "__all__" else f"{name}: {message}"
                    self.add_error(target, shown)
            return
        target = exc.field if exc.field in self.fields else None
        self.add_error(target, exc.message)


class NewRecordForm(RecordForm):
    """A new record made on its own (core.pages.records.NewSpec): the model's fields, the parties offered being
    those the account coordinates (all for an administrator); a kind's own form adds what the model's fields
    cannot say and returns it from `changes`."""

    def __init__(
        self, *args: Any, user: Any, model: type[Model], fields: tuple[str, ...], languages: list[str], **kw: Any
    ):
        from accord.core.visibility import principal

        who = principal(user)
        self.user = user
        super().__init__(
            *args,
            model=model,
            fields=fields,
            languages=languages,
            party_ids=None if who.is_admin else set(who.coordinates),
            **kw,
        )


def _field_for_column(column: str, fields: dict[str, Any]) -> str | None:
    name = column.removesuffix("_id")
    return name if name in fields else None


def _differs(current: Any, new: Any) -> bool:
    if isinstance(current, dict) or isinstance(new, dict):
        return dict(current or {}) != dict(new or {})
    if isinstance(current, Model) or isinstance(new, Model):
        return getattr(current, "pk", None) != getattr(new, "pk", None)
    if current in (None, "") and new in (None, ""):
        return False
    return current != new


def stale_message(exc: StaleVersion) -> str:
    from django.utils import formats
    from django.utils.translation import gettext

    fields = ", ".join(exc.fields) or gettext("unknown fields")
    when = formats.date_format(exc.changed_at, "DATETIME_FORMAT") if exc.changed_at else gettext("an unknown time")
    return gettext(
        "This record was changed by %(who)s at %(when)s after you opened it; changed: %(fields)s. "
        "Your input is kept below: check it against the current values and save again to apply it."
    ) % {"who": exc.changed_by or gettext("someone"), "when": when, "fields": fields}


class JournalForm(forms.Form):
    occurred_on = forms.DateField(label=_("Date"), initial=dt.date.today)
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    visibility = forms.ChoiceField(label=_("Visible to"), choices=Visibility.choices, initial=Visibility.INTERNAL)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        machine_inputs(self)


# --- the workflow steps' forms: each asks only what its service needs, and carries the version seen ---


def language_choices(tags: list[str]) -> list[tuple[str, str]]:
    return [(t, language_name(t)) for t in tags]


class StepForm(forms.Form):
    """Base of every step's form: the record's version when the page was opened, to refuse stale changes."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: Any, record: Model, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        self.record = record
        self.fields["version"].initial = getattr(record, "version", None)
        machine_inputs(self)

    def expected_version(self) -> int:
        given = self.cleaned_data.get("version")
        return int(given) if given is not None else int(getattr(self.record, "version", 0))


class ConfirmForm(StepForm):
    pass
