"""How much an import reads before it refuses: read from settings at call time, so tests and sites can lower them."""

from __future__ import annotations

from django.conf import settings

DEFAULTS = {
    "ACCORD_IMPORT_MAX_BYTES": 100 * 1024 * 1024,
    "ACCORD_IMPORT_MAX_COLUMNS": 200,
    "ACCORD_IMPORT_MAX_CELL_CHARS": 32767,  # Excel's own limit for one cell
    "ACCORD_IMPORT_MAX_ROWS": 1_000_000,
    "ACCORD_IMPORT_MAX_PROBLEMS": 1000,
    # An XLSX is a ZIP: what its members may expand to, in total and relative to their packed size.
    "ACCORD_IMPORT_MAX_UNPACKED_BYTES": 1024 * 1024 * 1024,
    "ACCORD_IMPORT_MAX_PACKING_RATIO": 200,
}


def limit(name: str) -> int:
    return int(getattr(settings, name, DEFAULTS[name]))
