from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import template
from django.utils import translation

from accord.core.localized import text_for

register = template.Library()


@register.filter
def loc(value: Mapping[str, str] | None, fallbacks: Iterable[str] | str | None = None) -> str:
    """Localized text in the interface language, then the given fallback languages, then any."""
    if isinstance(fallbacks, str):
        fallbacks = [t.strip() for t in fallbacks.split(",") if t.strip()]
    return text_for(value, translation.get_language(), fallbacks or ())


@register.filter
def get_item(mapping: Mapping[str, Any] | None, key: str) -> Any:
    return (mapping or {}).get(key)
