"""Template helpers for the record pages: localized text with its language, record links, query strings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from django import template
from django.db.models import Model
from django.http import QueryDict
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from accord.core.localized import normalize_tag, text_for
from accord.core.pages.languages import language_name as _language_name
from accord.core.pages.records import url_of

register = template.Library()


def _fallbacks(value: Iterable[str] | str | None) -> list[str]:
    if isinstance(value, str):
        return [t.strip() for t in value.split(",") if t.strip()]
    return list(value or [])


@register.filter
def loctext(value: Mapping[str, str] | None, fallbacks: Iterable[str] | str | None = None) -> str:
    """The text for the interface language (then fallbacks) in a span that says which language it is in."""
    text = text_for(value, translation.get_language(), _fallbacks(fallbacks))
    if not text or not value:
        return ""
    tag = next((k for k in sorted(value) if value[k] == text), "")
    return format_html('<span lang="{}">{}</span>', tag, text)


_CHOICE_LABELS: dict[tuple[str, str, str], dict[Any, str]] = {}


@register.filter
def choice(record: Model, name: str) -> str:
    """What record.get_<name>_display() says, from a table per field and language: Django's own rebuilds and
    translates every choice on each call, most of a 50-row list page's time."""
    key = (record._meta.label_lower, name, translation.get_language() or "")
    labels = _CHOICE_LABELS.get(key)
    if labels is None:
        labels = _CHOICE_LABELS[key] = {k: str(v) for k, v in record._meta.get_field(name).flatchoices}  # type: ignore[union-attr]
    value = getattr(record, name)
    return labels.get(value, value)


@register.simple_tag
def select_options(options: Iterable[tuple[str, str]], chosen: str) -> SafeString:
    """A filter's <option>s in one pass: a list page has a few hundred of them (agreements, plans, parties),
    and as a template loop (or format_html per option) they cost more than the rest of the page."""
    return mark_safe(  # every value and label is escaped here
        "".join(
            f'<option value="{escape(str(v))}"{" selected" if v == chosen else ""}>{escape(str(label))}</option>'
            for v, label in options
        )
    )


@register.filter
def language_name(tag: str) -> str:
    """'zh' -> 'Chinese', in the interface language."""
    return _language_name(tag)


@register.filter
def record_url(record: Model | None) -> str:
    return url_of(record) if record is not None else ""


@register.simple_tag(takes_context=True)
def query(context: Any, **changes: Any) -> str:
    """The current query string with `changes` applied (None or '' removes a key); page resets unless given."""
    params: QueryDict = context["request"].GET.copy()
    if "page" not in changes:
        params.pop("page", None)
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = str(value)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def query_page(context: Any, key: str, number: int) -> str:
    """The current query string with page `number` of the list whose page parameter is `key` (a page of
    several paged lists: each keeps its own)."""
    return query(context, page=context["request"].GET.get("page"), **{key: number})


def _is_tag(key: object) -> bool:
    try:
        return isinstance(key, str) and normalize_tag(key) == key
    except ValueError:
        return False


@register.filter
def display_value(value: Any) -> str:
    """A stored (audit) value as a person reads it: localized texts as 'en: …; zh: …'."""
    if value is None or value == "" or value == {} or value == []:
        return "—"
    if isinstance(value, dict):
        if value and all(_is_tag(k) and isinstance(v, str) for k, v in value.items()):
            # a localized text: each part says its language, so a screen reader voices it right (WCAG 3.1.2)
            return format_html_join("; ", '{}: <span lang="{}">{}</span>', ((k, k, value[k]) for k in sorted(value)))
        return "; ".join(f"{k}: {value[k]}" for k in sorted(value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


@register.filter(name="language_name")
def language_name_filter(tag: str) -> str:
    """'zh' -> 'Chinese' in the reader's language."""
    from accord.core.pages.languages import language_name

    return language_name(str(tag))
