"""Services are the only writers: no module but an app's services.py calls core.services.create/update/delete.

The generic writes in `accord.core.services` are private machinery of the apps' services. This test reads the
source (ast, no import) of every module under src/accord and fails on any module outside the allowed places
that calls them, refers to them (e.g. hands `records.update` to someone), or imports them by name.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "accord"
CORE_SERVICES = "accord.core.services"
WRITES = frozenset({"create", "update", "delete"})

# Where the machinery may be called: each app's services.py (core's own included) and core's journal, which is
# core's service for its own JournalEntry records.
ALLOWED = {"accord/core/journal.py"}
# The federation's services for what a peer sends: a received change is a record's new state, checked there
# (the sender owns it, its base version is ours, joint acts complete), then written through this machinery as
# the peer's actor, whose rights core.permissions holds to its own party; conflicts decided likewise.
ALLOWED |= {"accord/federation/apply.py", "accord/federation/conflicts.py"}
# core.bulk is the bulk form of the same machinery (imports): it validates and appends through core.validation
# and core.audit.append, the engines the single-record writes use. (The benchmark generator lives in bench/.)
EXCLUDED_FOR_NOW = ("accord/core/bulk.py",)


def _allowed(relative: str) -> bool:
    parts = relative.split("/")
    if "migrations" in parts or relative in ALLOWED or relative.startswith(EXCLUDED_FOR_NOW):
        return True
    # An app's services.py, or the modules of its services/ package (meetings: meetings, minutes, reviews).
    return parts[-1] == "services.py" or (len(parts) == 4 and parts[2] == "services")


def generic_writes(source: str) -> list[tuple[int, str]]:
    """(line, what) for each use of core.services.create/update/delete in `source`."""
    tree = ast.parse(source)
    modules: set[str] = set()  # names bound to the accord.core.services module
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "accord.core":
            modules.update(a.asname or a.name for a in node.names if a.name == "services")
        elif isinstance(node, ast.ImportFrom) and node.module == CORE_SERVICES:
            for alias in node.names:
                if alias.name in WRITES or alias.name == "*":
                    found.append((node.lineno, f"from {CORE_SERVICES} import {alias.name}"))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == CORE_SERVICES and alias.asname:
                    modules.add(alias.asname)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in WRITES:
            owner = ast.unparse(node.value)
            if owner in modules or owner == CORE_SERVICES:
                found.append((node.lineno, f"{owner}.{node.attr}"))
    return sorted(found)


def test_the_scan_finds_each_way_of_reaching_the_generic_writes():
    assert generic_writes("from accord.core import services as records\nrecords.update(x, expected_version=1)")
    assert generic_writes("from accord.core import services\nWrites(update=services.create)")
    assert generic_writes("import accord.core.services\naccord.core.services.delete(x)")
    assert generic_writes("import accord.core.services as s\ns.create(M)")
    assert generic_writes("from accord.core.services import update as change\n")
    # reads and other modules' functions are fine
    assert not generic_writes("from accord.core.services import ensure_version\nensure_version(x, 1)")
    assert not generic_writes("from accord.programmes import services\nservices.update_plan(p, expected_version=1)")
    assert not generic_writes("from accord.core import bulk\nbulk.update(x)\nd = {}\nd.update(a=1)")


def test_the_allowed_places():
    assert _allowed("accord/programmes/services.py") and _allowed("accord/core/services.py")
    assert _allowed("accord/meetings/services/minutes.py") and not _allowed("accord/meetings/views.py")
    assert _allowed("accord/programmes/migrations/0001_initial.py")
    assert not _allowed("accord/core/admin.py") and not _allowed("accord/web/views.py")
    assert not _allowed("accord/demo/seed.py") and not _allowed("accord/programmes/api.py")


def test_only_the_apps_services_use_the_generic_writes():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if _allowed(relative):
            continue
        for line, what in generic_writes(path.read_text(encoding="utf-8")):
            offenders.append(f"{relative}:{line}: {what}")
    assert not offenders, "write through the owning app's services instead:\n" + "\n".join(offenders)
