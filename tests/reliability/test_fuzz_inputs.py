"""Hypothesis against a running `accord serve`, aimed where schemathesis' generated requests rarely reach: crafted
list cursors, import file names and import bodies. Whatever is sent, the answer is never a server error, and a
refusal is the API's JSON error shape.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reliability.conftest import Live, server_errors

EXAMPLES = int(os.environ.get("ACCORD_FUZZ_EXAMPLES", "4")) * 10
SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
)


def _refusal_shape(response: requests.Response) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:500])
    if response.status_code >= 400 and response.status_code not in (414, 431):  # gunicorn's own limits
        try:
            body = response.json()
        except ValueError:
            raise AssertionError(f"not the JSON error shape: {response.status_code} {response.text[:300]!r}") from None
        assert isinstance(body, dict) and isinstance(body.get("code"), str) and isinstance(body.get("message"), str)


_VALUES = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(max_size=30),
    st.sampled_from(["true", "false", "1", "0", "", "nan", "1e309", "-0", "0x10"]),
)
_CURSOR_TEXT = st.dictionaries(st.sampled_from(["p", "o", "r", "x"]), st.lists(_VALUES, min_size=1, max_size=2))


def _encode(fields: dict[str, list[str]]) -> str:
    query = "&".join(f"{k}={v}" for k, values in fields.items() for v in values)
    return base64.b64encode(query.encode("utf-8", "surrogatepass")).decode()


CURSORS = st.one_of(_CURSOR_TEXT.map(_encode), st.text(max_size=60), st.binary(max_size=40).map(base64.b64encode))


def test_crafted_cursors(live: Live) -> None:
    session = requests.Session()

    @SETTINGS
    @given(cursor=CURSORS, kind=st.sampled_from(["projects", "plans", "exchanges", "agreements"]))
    def check(cursor: Any, kind: str) -> None:
        value = cursor.decode() if isinstance(cursor, bytes) else cursor
        _refusal_shape(session.get(f"{live.server.url}/api/v1/{kind}", params={"cursor": value}, timeout=60))

    check()
    assert not server_errors(live.server.log_text())


def _nested(depth: int, leaf: str) -> str:
    return "[" * depth + json.dumps(leaf) + "]" * depth


NAMES = st.one_of(
    st.tuples(st.text(min_size=0, max_size=400), st.sampled_from([".json", ".csv", ".xlsx", "", ".JSON", "."])).map(
        "".join
    ),
    st.integers(min_value=200, max_value=2000).map(lambda n: "n" * n + ".json"),
)
BODIES = st.one_of(
    st.integers(min_value=1, max_value=200_000).map(lambda d: _nested(d, "x").encode()),
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20)),
        lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
        max_leaves=30,
    ).map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200),
)


def test_import_file_names_and_bodies(live: Live) -> None:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {live.tokens['admin']}"

    @SETTINGS
    @given(name=NAMES, body=BODIES)
    def check(name: str, body: bytes) -> None:
        files = {"file": (name, body, "application/octet-stream")}
        response = session.post(f"{live.server.url}/api/v1/imports/projects?dry_run=true", files=files, timeout=120)
        _refusal_shape(response)

    check()
    assert not server_errors(live.server.log_text())
