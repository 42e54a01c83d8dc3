"""What interop keeps itself: the column mappings users save for their own spreadsheets."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accord.core.models import AccordModel


class ImportMapping(AccordModel):
    """How the columns of a user's own file become the columns of a kind of record, saved by name for the next
    file of the same shape: which source column fills which field, constants for every row, cells split into
    several values, and the columns that identify a record (interop.mapping reads and applies it)."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("records"), max_length=32)
    # {"columns": {source header: target key}, "constants": {target key: value},
    #  "split": {source header: separator}, "dedup": [target key, ...]}
    definition = models.JSONField(_("definition"), default=dict)

    class Meta:
        verbose_name = pgettext_lazy("record kind", "import mapping")
        verbose_name_plural = pgettext_lazy("record kind", "import mappings")
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="importmapping_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"

    def as_file(self) -> dict[str, Any]:
        """The mapping as the file `accord mapping export` writes and `accord import --map FILE` reads."""
        return {"accord_mapping": 1, "name": self.name, "kind": self.kind, **self.definition}
