"""Importers and exporters that live in other apps (published data sets, research-information standards).

They are looked up when asked for, so the commands work, and say clearly what is missing, before those apps land.
"""

from __future__ import annotations

import importlib
from typing import Any

from accord.core.errors import DomainError

# accord import KIND PATH: import_xxx(Path, dry_run=...) -> ImportReport
SOURCES = {
    "cordis": ("accord.interop.sources.cordis", "import_cordis"),
    "treaties": ("accord.interop.sources.treaties", "import_treaties"),
    "iati": ("accord.interop.standards.iati", "import_iati"),
}
# accord export KIND -o FILE: write_xxx(binary file)
STANDARDS = {
    "cerif": ("accord.interop.standards.cerif", "write_cerif"),
    "raid": ("accord.interop.standards.raid", "write_raid"),
    "iati": ("accord.interop.standards.iati", "write_iati"),
}


def load(table: dict[str, tuple[str, str]], kind: str) -> Any:
    module, function = table[kind]
    try:
        found = importlib.import_module(module)
    except ImportError as exc:
        if exc.name and module.startswith(exc.name):
            raise DomainError(f"{kind} is not available in this installation (no module {module})") from None
        raise
    if not hasattr(found, function):
        raise DomainError(f"{kind} is not available in this installation ({module} has no {function})")
    return getattr(found, function)
