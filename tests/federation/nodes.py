"""Two real installations as two nodes, for the tests that run `accord serve` and `accord` processes: China's node
a copy of the demo installation on SQLite, the Soviet node an empty installation on PostgreSQL (a database of its
own) whenever a PostgreSQL server is at hand, on SQLite otherwise (see `su_server`); and what the tests do with
them: trust each other, carry the messages across (HTTP or files), read their rows, call their API."""

from __future__ import annotations

import functools
import os
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from tests.processes import fresh_installation
from tests.reliability.conftest import Instance, _pg_admin, _pg_params

HANDOVER = {"ACCORD_FEDERATION_HANDOVER": "1"}  # a fresh node taking over its side's records (docs/federation.md)


def _su_server_url() -> str:
    """The URL whose server holds the Soviet node's database: the suite's own when it runs on PostgreSQL, else the
    one ACCORD_TEST_POSTGRES_URL names (scripts/test sets it for its SQLite pass, where these modules run)."""
    own = os.environ.get("ACCORD_DATABASE_URL", "")
    return own if _pg_params(own) else os.environ.get("ACCORD_TEST_POSTGRES_URL", "")


@functools.cache
def su_server() -> dict[str, Any] | None:
    """Connection parameters of the PostgreSQL server the Soviet node's database goes on, or None: SQLite, when no
    server is named or the one named does not answer. Under ACCORD_REQUIRE_POSTGRES=1 (CI) that is a failure."""
    url = _su_server_url()
    params = _pg_params(url)
    required = os.environ.get("ACCORD_REQUIRE_POSTGRES") == "1"
    if params is None:
        assert not required, (
            "ACCORD_REQUIRE_POSTGRES=1: the Soviet node must be on PostgreSQL; set ACCORD_TEST_POSTGRES_URL "
            "(scripts/test does)"
        )
        return None
    try:
        _pg_admin({**params, "connect_timeout": 3}, "SELECT 1")
    except Exception as exc:  # any failure to reach the server: psycopg's OperationalError, a refused socket
        assert not required, f"ACCORD_REQUIRE_POSTGRES=1: PostgreSQL at {url} does not answer: {exc}"
        return None
    return params


def su_vendor() -> str:
    """The database the Soviet node of `two_nodes` is on."""
    return "postgresql" if su_server() else "sqlite"


def _scratch_name() -> str:
    """A database name beside the one the server's URL names (h_<helper>... on a shared server; "accord" for the
    maintenance database), unique to this run."""
    import dj_database_url

    base = dj_database_url.parse(_su_server_url()).get("NAME") or "accord"
    return f"{'accord' if base == 'postgres' else base}_fed_{secrets.token_hex(4)}"


EMPTY_NODE_STEPS = (("migrate", "-v0"), ("createcachetable",))  # what `accord serve --no-demo` does to an empty one


@contextmanager
def empty_node_template(root: Path) -> Iterator[Instance]:
    """An installation as `accord serve --no-demo` leaves a new one (migrated, the cache table made, no records) on
    the Soviet node's database (`su_server`), built once in `root` and copied for each Soviet node (`two_nodes`): a
    data directory, and on PostgreSQL a database that each node's is created from (CREATE DATABASE ... TEMPLATE).
    Migrating from nothing costs a process 11 s of CPU, a minute and more of a busy machine; a copy, under a second.
    Dropped at the end."""
    pg = su_server()
    template = Instance(root / "empty-node", _scratch_name() if pg else None, pg)
    template.data_dir.mkdir(parents=True)
    if pg is not None:
        _pg_admin(pg, "CREATE DATABASE {}", template.database or "")
    try:
        for step in EMPTY_NODE_STEPS:
            template.accord(*step)
        yield template
    finally:
        if pg is not None:
            _pg_admin(pg, "DROP DATABASE IF EXISTS {} WITH (FORCE)", template.database or "")


@contextmanager
def two_nodes(tmp_path: Path, china: Path, empty_node: Instance) -> Iterator[tuple[Instance, Instance]]:
    """China's node (a copy of `china`: the installation template, the demo on SQLite, or a module's own copy of it
    made once) and the Soviet node (a copy of `empty_node`: no records; PostgreSQL when a server is at hand:
    `su_server`). At the end the Soviet node's processes have used its database only (no SQLite file beside it on
    PostgreSQL)."""
    cn = Instance(fresh_installation(china, tmp_path / "cn"))
    su = Instance(fresh_installation(empty_node.data_dir, tmp_path / "su"))
    pg = empty_node.pg
    if pg is not None:
        su = Instance(su.data_dir, _scratch_name(), pg)
        _pg_admin(pg, "CREATE DATABASE {} TEMPLATE {}", su.database or "", empty_node.database or "")
    try:
        yield cn, su
        assert (su.data_dir / "accord.sqlite3").exists() == (su.vendor == "sqlite"), "the Soviet node's database"
    finally:
        if pg is not None and su.database:
            _pg_admin(pg, "DROP DATABASE IF EXISTS {} WITH (FORCE)", su.database)


def _public_key(init_output: str) -> str:
    return next(line.split()[-1] for line in init_output.splitlines() if line.startswith("public key"))


def trust_each_other(cn: Instance, su: Instance, cn_url: str = "", su_url: str = "") -> None:
    """`node init` on both, and each adds the other as a peer (with its address when it has one)."""
    cn_key = _public_key(cn.accord("node", "init", "--party", "CN", *(("--url", cn_url) if cn_url else ())).stdout)
    su_key = _public_key(su.accord("node", "init", "--party", "SU", *(("--url", su_url) if su_url else ())).stdout)
    cn.accord("peer", "add", "su", *(("--url", su_url) if su_url else ()), "--key", su_key, "--party", "SU")
    su.accord("peer", "add", "cn", *(("--url", cn_url) if cn_url else ()), "--key", cn_key, "--party", "CN")


def carry_by_files(sender: Instance, receiver: Instance, peer: str, outfile: Path, **env: str) -> str:
    """`outbox export` on the sender, `inbox import` on the receiver; what the import printed."""
    sender.accord("outbox", "export", peer, "-o", str(outfile))
    return receiver.accord("inbox", "import", str(outfile), env=env or None).stdout


def uid_text(value: Any) -> str:
    """A global id as the dashed text, whichever database it was read from."""
    return str(uuid.UUID(str(value)))


def head(instance: Instance) -> tuple[int, str]:
    (row,) = instance.sql("SELECT id, hash FROM core_changerecord ORDER BY id DESC LIMIT 1")
    return int(row[0]), str(row[1])


def tables_with(instance: Instance, *columns: str) -> list[str]:
    """The tables that have all of `columns`, on either database."""
    if instance.database is None:
        rows = instance.sql(
            "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'"
        )
    else:
        rows = instance.sql(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"
        )
    found: dict[str, set[str]] = {}
    for table, column in rows:
        found.setdefault(table, set()).add(column)
    return sorted(t for t, have in found.items() if set(columns) <= have)


def internal_uids(instance: Instance) -> dict[str, set[str]]:
    """The global ids of the internal records each table of `instance` holds."""
    return {
        table: {uid_text(u) for (u,) in instance.sql(f"SELECT uid FROM {table} WHERE visibility = 'internal'")}
        for table in tables_with(instance, "uid", "visibility")
    }


def add_account(instance: Instance, username: str, party: str, role: str, *, may_sign: bool = False) -> str:
    """An account of `party` on this node only (account administration, not a record that travels), and a
    read-write token of it (one process: each costs seconds on a busy machine)."""
    out = instance.accord(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model\n"
        "from accord.accounts import services\n"
        "from accord.core.actor import Actor, acting_as\n"
        "from accord.directory.models import Party\n"
        "with acting_as(Actor(None, 'cli:operator', 'accounts', system=True)):\n"
        f"    user = get_user_model().objects.create_user(username={username!r}, password=None)\n"
        f"    services.grant(user, Party.objects.get(code={party!r}), {role!r}, may_sign={may_sign!r})\n"
        "    issued = services.issue_token(user, 'federation-test', scope='read-write')\n"
        "print('TOKEN', issued[1])\n",
    ).stdout
    return next(line.split()[1] for line in out.splitlines() if line.startswith("TOKEN "))


class HttpApi:
    """A node's JSON API over HTTP with a token, as an integrator calls it: If-Match from the record's ETag."""

    def __init__(self, url: str, token: str):
        self.url = url.rstrip("/") + "/api/v1"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def _check(self, r: requests.Response, status: int, what: str) -> requests.Response:
        assert r.status_code == status, (what, r.status_code, r.text[:800])
        return r

    def get(self, path: str, status: int = 200, **params: Any) -> Any:
        return self._check(self.session.get(self.url + path, params=params, timeout=120), status, path).json()

    def etag(self, path: str) -> str:
        return self._check(self.session.get(self.url + path, timeout=120), 200, path).headers["ETag"]

    def post(self, path: str, body: Any = None, status: int = 201, *, if_match_of: str | None = None) -> Any:
        headers = {"If-Match": self.etag(if_match_of)} if if_match_of else {}
        r = self.session.post(self.url + path, json=body or {}, headers=headers, timeout=300)
        return self._check(r, status, path).json()

    def patch(self, path: str, body: Any, status: int = 200) -> Any:
        r = self.session.patch(self.url + path, json=body, headers={"If-Match": self.etag(path)}, timeout=300)
        return self._check(r, status, path).json()

    def all(self, path: str, **params: Any) -> list[dict[str, Any]]:
        page = self.get(path, limit=500, **params)
        found = list(page["results"])
        while page["next"]:
            page = self._check(self.session.get(page["next"], timeout=120), 200, page["next"]).json()
            found += page["results"]
        return found
