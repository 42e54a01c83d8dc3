"""The HTTP baseline: a bare WSGI application answering GET /projects/<id> with the project's row as JSON.

No Django, no middleware, no authentication: one driver connection per worker process and the SELECT the
API's project detail reads (the columns of programmes.api.ProjectOut). bench.http_load serves it with the
same gunicorn and worker count as `accord serve`, so the ratio between the two rates is what Accord's own
request handling costs. Reads the database from ACCORD_DATABASE_URL, or the SQLite file in ACCORD_DATA_DIR.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any

COLUMNS = (
    "id, uid, version, agreement_id, number, title, field, modality, provider_party_id, recipient_party_id, "
    "start_on, end_on, visibility, is_illustrative"
)
_conn: Any = None
_mark = "?"


def _connect() -> Any:
    global _conn, _mark
    if _conn is None:
        url = os.environ.get("ACCORD_DATABASE_URL", "")
        if url.startswith("postgres"):
            import psycopg

            _conn = psycopg.connect(url, autocommit=True)
            _mark = "%s"
        else:
            path = os.path.join(os.environ["ACCORD_DATA_DIR"], "accord.sqlite3")
            _conn = sqlite3.connect(path, check_same_thread=False)
    return _conn


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    parts = environ.get("PATH_INFO", "").strip("/").split("/")
    if len(parts) != 2 or parts[0] != "projects" or not parts[1].isdigit():
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    conn = _connect()
    cur = conn.cursor()
    cur.execute(f"SELECT {COLUMNS} FROM programmes_project WHERE id = {_mark}", (int(parts[1]),))
    row = cur.fetchone()
    if row is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    names = [c.strip() for c in COLUMNS.split(",")]
    body = json.dumps(dict(zip(names, row, strict=True)), default=str, ensure_ascii=False).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
