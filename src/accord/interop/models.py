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


class ImportFingerprint(models.Model):
    """What a published-data import read (the SHA-256 of its files, as decompressed, and of the importer's own
    code) and where the audit chain stood when it was committed: so a re-import of the same files can tell,
    with one query on the chain, that nothing it would compare has changed since, and write nothing.

    Deliberately not audited (not an AccordModel), like core's VerifyCheckpoint and SearchEntry: it records
    an import, not a change to the record, and `accord verify` does not walk it. It only ever saves work:
    without it (deleted, or never written) a re-import compares every record with what is stored, as it did
    before; it never decides what is written. It is written in the import's own transaction, so a refused or
    dry-run import leaves none.
    """

    importer = models.CharField(max_length=32)  # "cordis"
    # SHA-256 over the importer's code, the encoding asked for, and each file's name and decompressed bytes.
    digest = models.CharField(max_length=64)
    files = models.JSONField(default=list)  # [{"name", "sha256", "bytes"}], for people reading the table
    # The id of the newest audit chain entry when the import was committed (its own entries included).
    through = models.BigIntegerField()
    rows = models.BigIntegerField()  # data rows read
    records = models.JSONField(default=dict)  # {kind: records the file gives}, as the import counted them
    notes = models.JSONField(default=list)  # the import's notes on the file (repeats merged, ...)
    read_as = models.TextField(blank=True)
    # The last day the same file gives the same records (a programme's status turns expired after its end).
    valid_until = models.DateField(null=True, blank=True)
    at = models.DateTimeField()

    objects: models.Manager[ImportFingerprint] = models.Manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["importer", "digest"], name="importfingerprint_unique")]

    def __str__(self) -> str:
        return f"{self.importer} {self.digest[:12]} through #{self.through}"
