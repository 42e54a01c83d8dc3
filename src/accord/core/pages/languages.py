"""Which languages a record's texts are edited in, and what each language is called."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf.locale import LANG_INFO
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from accord.core.localized import normalize_tag
from accord.core.permissions import agreement_id_of
from accord.core.visibility import agreement_languages

# The languages cooperation records are most often written in; others fall back to Django's table.
_NAMES = {
    "en": _("English"),
    "zh": _("Chinese"),
    "ru": _("Russian"),
    "fr": _("French"),
    "de": _("German"),
    "es": _("Spanish"),
    "ar": _("Arabic"),
    "ja": _("Japanese"),
    "ko": _("Korean"),
    "vi": _("Vietnamese"),
    "mn": _("Mongolian"),
}


def language_name(tag: str) -> str:
    """'zh' -> 'Chinese', 'zh-Hans' -> 'Chinese (zh-Hans)'; an unknown tag names itself."""
    primary = tag.split("-", 1)[0].lower()
    name = _NAMES.get(primary) or LANG_INFO.get(primary, {}).get("name")
    if not name:
        return tag
    return str(name) if tag == primary else f"{name} ({tag})"


def editor_languages(record: Model | None, *, agreement_id: int | None = None, extra: Iterable[str] = ()) -> list[str]:
    """The parties' languages (agreement order), then English, then any language the record already has.

    Languages already present are kept so that editing never drops a translation someone else added.
    """
    tags: list[str] = []
    if agreement_id is None and record is not None:
        agreement_id = agreement_id_of(record)
    tags += agreement_languages(agreement_id) if agreement_id is not None else []
    party = getattr(record, "party", None) if record is not None else None
    if party is not None and hasattr(party, "languages"):
        tags += list(party.languages or [])
    tags.append("en")
    tags += list(extra)
    seen: list[str] = []
    for tag in tags:
        try:
            tag = normalize_tag(tag)
        except ValueError:
            continue
        if tag not in seen:
            seen.append(tag)
    return seen
