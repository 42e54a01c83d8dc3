"""People's notes on records, apart from the machine audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from accord.core import services as records
from accord.core.actor import current_actor
from accord.core.errors import ValidationFailed
from accord.core.models import JournalEntry


def add_journal_entry(
    target: models.Model, *, text: str, occurred_on: dt.date | None = None, **fields: Any
) -> JournalEntry:
    if not text.strip():
        raise ValidationFailed({"text": ["write the note"]})
    actor = current_actor()
    return records.create(
        JournalEntry,
        related=target,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        author_id=actor.user_id,
        author_name=actor.name,
        occurred_on=occurred_on or dt.date.today(),
        text=text.strip(),
        **fields,
    )


def journal_of(target: models.Model) -> models.QuerySet[JournalEntry]:
    return JournalEntry.objects.filter(target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk))
