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
    # A workbook's shared strings (every distinct text) are held in memory whole while its cells are read.
    "ACCORD_IMPORT_MAX_SHARED_STRINGS_BYTES": 128 * 1024 * 1024,
    # A CSV larger than this, given as a file, is read as it streams (memory bounded by a chunk and a batch of
    # rows); a JSON file larger than this is refused (it is parsed whole).
    "ACCORD_IMPORT_STREAM_BYTES": 8 * 1024 * 1024,
    # An upload through the API larger than this is imported as a background job (202 and the job's URL).
    "ACCORD_IMPORT_INLINE_MAX_BYTES": 2 * 1024 * 1024,
    # A failed import's upload is kept this many hours (0: deleted when the job ends), then swept.
    "ACCORD_IMPORT_KEEP_FAILED_HOURS": 0,
    # An upload no job refers to (a mapping session left) is swept after this many hours.
    "ACCORD_IMPORT_ORPHAN_HOURS": 24,
}


def limit(name: str) -> int:
    return int(getattr(settings, name, DEFAULTS[name]))
