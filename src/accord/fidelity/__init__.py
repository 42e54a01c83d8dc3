"""Multilingual fidelity: the language versions of an official text must say the same thing.

    from accord.fidelity import check_versions, check_localized, Directory

check_versions({"zh": ..., "en": ...}) compares numbers (digits, Chinese numerals, number words), dates
(every form, days read against the document's date), percentages, amounts with currencies, reference
codes and, with a Directory, the names of people, organisations, parties and places, and returns a list
of Finding. Pure functions over texts; only `directory_from_database()` reads Accord's records.
See docs/fidelity.md.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accord.fidelity.checker import Finding, check_localized, check_versions
    from accord.fidelity.names import Directory, Entry, directory_from_database

__all__ = ["Directory", "Entry", "Finding", "check_localized", "check_versions", "directory_from_database"]

# Imported when first asked for, not with the package: every `accord` process loads the package at start-up
# (the apps register their checks with it), and the checker's patterns and tables cost a tenth of a second.
_HOME = {
    "Finding": "checker",
    "check_localized": "checker",
    "check_versions": "checker",
    "Directory": "names",
    "Entry": "names",
    "directory_from_database": "names",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOME[name]}"), name)
