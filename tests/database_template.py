"""Each pytest-xdist worker's test database cloned from one built once per run, instead of every worker
migrating and loading the seed itself (about 26 s of CPU a worker on SQLite, more on PostgreSQL: on two cores
the workers' set-ups were as long as a whole module of tests).

The first worker to need its test database builds the template (Django's own test database creation: migrate,
the cache table, then the seed) under a file lock the workers share; every worker then gets a copy:
- PostgreSQL: `CREATE DATABASE test_<name>_gw<n> TEMPLATE test_<name>_template`; the controller drops the
  template when the run ends (`drop_postgres_template`);
- SQLite (an in-memory test database per worker, as Django makes it): the template is a file in the run's
  shared temporary directory, copied into the worker's in-memory database with SQLite's backup API.

The copy is the database a worker would have built: the same migrations, the same seed (the seed writes no
files), the same test database name, dropped at the end by pytest-django as before. Without xdist, with
--reuse-db, or with a file for the SQLite test database (ACCORD_TEST_SQLITE_NAME), each process builds its
own as before (`template_applies`); ACCORD_TEST_DB_TEMPLATE=0 asks for that under xdist too.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.processes import file_lock, shared_dir


def template_applies(keepdb: bool) -> bool:
    from django.db import connections

    if not os.environ.get("PYTEST_XDIST_WORKER") or keepdb or os.environ.get("ACCORD_TEST_DB_TEMPLATE") == "0":
        return False
    connection = connections["default"]
    if connection.vendor == "postgresql":
        return True
    return connection.vendor == "sqlite" and connection.creation._get_test_db_name() == (
        "file:memorydb_default?mode=memory&cache=shared"
    )


def postgres_template_name(database_name: str) -> str:
    return f"test_{database_name}_template"


def install(tmp_path_factory: pytest.TempPathFactory, load_seed: Callable[[], object]) -> None:
    """Make the default connection's `create_test_db` (called by pytest-django's `setup_databases`) clone the
    run's template, building it first if no worker has."""
    from django.db import connections

    connection = connections["default"]
    creation = connection.creation
    build = creation.create_test_db  # Django's own: create, migrate, cache table
    root = shared_dir(tmp_path_factory)

    def create_test_db(verbosity: int = 1, autoclobber: bool = False, serialize: bool = True, **_: Any) -> str:
        test_name = creation._get_test_db_name()
        with file_lock(root / "test-database-template.lock"):
            done = root / f"test-database-template-{connection.vendor}.complete"
            if not done.exists():
                _build_template(connection, build, load_seed, root, verbosity)
                done.write_text("")
            if connection.vendor == "postgresql":
                _clone_postgres(connection, test_name)
        if connection.vendor == "sqlite":
            _clone_sqlite(connection, root)
        if serialize:
            connection._test_serialized_contents = creation.serialize_db_to_string()
        return test_name

    creation.create_test_db = create_test_db  # type: ignore[method-assign]


def _template_path(root: Path) -> Path:
    return root / "test-database-template.sqlite3"


def _build_template(
    connection: Any, build: Callable[..., str], load_seed: Callable[[], object], root: Path, verbosity: int
) -> None:
    from django.conf import settings

    test_settings = connection.settings_dict.setdefault("TEST", {})
    worker_test_name = test_settings.get("NAME")
    original_name = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        test_settings["NAME"] = postgres_template_name(original_name)
    else:
        test_settings["NAME"] = str(_template_path(root))
    try:
        build(verbosity=verbosity, autoclobber=True, serialize=False, keepdb=False)
        load_seed()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:  # one file, no -wal beside it, for the copies
                cursor.execute("PRAGMA journal_mode=DELETE")
        connection.close()  # CREATE DATABASE ... TEMPLATE needs the template without connections
    finally:
        test_settings["NAME"] = worker_test_name
        settings.DATABASES[connection.alias]["NAME"] = original_name
        connection.settings_dict["NAME"] = original_name


def _clone_postgres(connection: Any, test_name: str) -> None:
    from django.conf import settings

    template = postgres_template_name(connection.settings_dict["NAME"])
    quote = connection.ops.quote_name
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(test_name)}")
        cursor.execute(f"CREATE DATABASE {quote(test_name)} TEMPLATE {quote(template)}")
    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = test_name
    connection.settings_dict["NAME"] = test_name


def _clone_sqlite(connection: Any, root: Path) -> None:
    from django.conf import settings

    test_name = connection.creation._get_test_db_name()
    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = test_name
    connection.settings_dict["NAME"] = test_name
    connection.ensure_connection()  # the in-memory database lives as long as this connection
    source = sqlite3.connect(_template_path(root))
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def drop_postgres_template() -> None:
    """In the controller at the end of an xdist run on PostgreSQL: the workers' template goes."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        return
    import psycopg

    params = {"host": db["HOST"] or None, "port": db["PORT"] or None, "user": db["USER"] or None}
    params |= {"password": db["PASSWORD"] or None, "dbname": "postgres", "autocommit": True}
    template = postgres_template_name(db["NAME"])
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
