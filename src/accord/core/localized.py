"""Localized text: one value per BCP 47 language tag, with display fallbacks.

A title such as {"zh": "武衡", "ru": "У Хэн", "en": "Wu Heng"} is stored as one JSON object. Display picks
the interface language first, then the parties' languages, then any value, so a record is never blank
just because it was not translated.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core import exceptions
from django.db import models
from django.utils import translation


def normalize_tag(tag: str) -> str:
    """Return the canonical form of a BCP 47 tag ('zh-hans' -> 'zh-Hans') or raise ValueError."""
    if not isinstance(tag, str) or not tag or "_" in tag or tag != tag.strip():
        raise ValueError(f"{tag!r} is not a BCP 47 language tag")
    import langcodes  # here, not at the top: its tables cost a tenth of a second at every command's start

    if not langcodes.tag_is_valid(tag):
        raise ValueError(f"{tag!r} is not a valid BCP 47 language tag")
    # standardize_tag would also rewrite deprecated subtags; we only fix the letter case so that the
    # stored key is the tag the user chose.
    parts = tag.split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())  # script
        elif len(part) == 2 and part.isalpha():
            out.append(part.upper())  # region
        else:
            out.append(part.lower())
    return "-".join(out)


def _primary(tag: str) -> str:
    return tag.split("-", 1)[0].lower()


class LocalizedText(dict):
    """A dict {language tag: text}. `str()` gives the text for the active interface language."""

    def get_text(self, language: str | None = None, fallbacks: Iterable[str] = ()) -> str:
        """The best value for `language`, then each of `fallbacks`, then any value ('' if empty).

        A tag matches exactly first, then by primary language ('zh-Hans' asks, 'zh' answers, and back).
        """
        if not self:
            return ""
        lowered = {k.lower(): k for k in self}
        for tag in [t for t in [language, *fallbacks] if t]:
            key = lowered.get(tag.lower())
            if key is not None and self[key]:
                return self[key]
            # The same language in another script or region form ('zh-Hans' asked, 'zh' stored) comes
            # before the next preferred language.
            primary = _primary(tag)
            for key in sorted(self):
                if _primary(key) == primary and self[key]:
                    return self[key]
        # No preferred language: English if present, else the first by tag order so it is stable.
        if self.get("en"):
            return self["en"]
        return next((self[k] for k in sorted(self) if self[k]), "")

    def __str__(self) -> str:
        return self.get_text(translation.get_language())

    def languages(self) -> list[str]:
        return sorted(k for k, v in self.items() if v)


def clean_localized(value: Any, *, required: bool = True) -> LocalizedText:
    """Validate and normalise a localized value; raise ValidationError naming the bad tag or text."""
    if value is None or value == "":
        value = {}
    if not isinstance(value, Mapping):
        raise exceptions.ValidationError(
            'Expected an object of language tag to text, e.g. {"en": "..."}.', code="invalid"
        )
    result = LocalizedText()
    for raw_tag, text in value.items():
        try:
            tag = normalize_tag(raw_tag)
        except ValueError as exc:
            raise exceptions.ValidationError(str(exc), code="invalid_language") from None
        if tag in result:
            raise exceptions.ValidationError(f"language {tag!r} is given twice", code="duplicate_language")
        if not isinstance(text, str):
            raise exceptions.ValidationError(f"the {tag} text must be a string", code="invalid")
        text = text.strip()
        if text:
            result[tag] = text
    if required and not result:
        raise exceptions.ValidationError("Give the text in at least one language.", code="required")
    return result


class LocalizedTextField(models.JSONField):
    """A JSON object of BCP 47 tag -> text, read back as LocalizedText."""

    description = "Text in several languages"

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("default", dict)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        value = super().from_db_value(value, expression, connection)
        return LocalizedText(value) if isinstance(value, dict) else value

    def to_python(self, value: Any) -> Any:
        if isinstance(value, dict) and not isinstance(value, LocalizedText):
            return LocalizedText(value)
        return value

    def clean(self, value: Any, model_instance: Any) -> Any:
        # Normalise tags and trim values before the usual checks; full_clean stores what this returns.
        return super().clean(clean_localized(value, required=not self.blank), model_instance)

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if isinstance(value, dict) and not isinstance(value, LocalizedText):
            value = LocalizedText(value)
            setattr(model_instance, self.attname, value)
        return value


def text_for(value: Mapping[str, str] | None, language: str | None = None, fallbacks: Iterable[str] = ()) -> str:
    """Display helper for any mapping (e.g. a value from .values())."""
    if not value:
        return ""
    lt = value if isinstance(value, LocalizedText) else LocalizedText(value)
    return lt.get_text(language or translation.get_language(), fallbacks)
