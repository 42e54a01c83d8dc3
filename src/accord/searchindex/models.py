"""The search index table. Derived data: written by accord.core.search, never through the services."""

from __future__ import annotations

from django.db import models


class SearchEntry(models.Model):
    """One searchable record: its normalised text in every language, and the short grams for 1-2 character queries.

    Deliberately not an AccordModel: it is not audited and `accord verify` does not walk it.
    """

    id = models.BigAutoField(primary_key=True)
    model = models.CharField(max_length=64)  # "programmes.project"
    object_id = models.BigIntegerField()
    body = models.TextField()  # every language and code, NFKC + casefold, one per line
    grams = models.TextField()  # space-separated padded 1-2 character grams (see core.search.grams)

    class Meta:
        db_table = "search_entry"
        constraints = [models.UniqueConstraint(fields=["model", "object_id"], name="search_entry_unique_object")]

    def __str__(self) -> str:
        return f"{self.model}:{self.object_id}"
