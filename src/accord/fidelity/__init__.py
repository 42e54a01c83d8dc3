"""Multilingual fidelity: the language versions of an official text must say the same thing.

    from accord.fidelity import check_versions, check_localized, Directory

check_versions({"zh": ..., "en": ...}) compares numbers (digits, Chinese numerals, number words), dates
(every form, days read against the document's date), percentages, amounts with currencies, reference
codes and, with a Directory, the names of people, organisations, parties and places, and returns a list
of Finding. Pure functions over texts; only `directory_from_database()` reads Accord's records.
See docs/fidelity.md.
"""

from accord.fidelity.checker import Finding, check_localized, check_versions
from accord.fidelity.names import Directory, Entry, directory_from_database

__all__ = ["Directory", "Entry", "Finding", "check_localized", "check_versions", "directory_from_database"]
