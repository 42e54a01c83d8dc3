"""Schemathesis against a running `accord serve`: every operation of the OpenAPI schema, with generated valid and
invalid requests, as the demo admin (read-write token), a read-only token and anonymously.

Whatever it sends, the API must answer without a server error, with a status the schema declares for the
operation, and with a body that matches the schema declared for that status.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from tests.reliability.conftest import Live, Server, server_errors

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("reliability-live")]  # one worker: the module shares a server

# gunicorn refuses a request line or headers too large for it (414, 431) before Accord sees the request:
# an HTTP server's limit, not an answer of the API, so its schema does not declare them.
SERVER_LIMITS = frozenset({414, 431})


def _from_the_api(check: Any) -> Any:
    def checked(ctx: Any, response: Any, case: Any) -> Any:
        if response.status_code in SERVER_LIMITS:
            return None
        return check(ctx, response, case)

    checked.__name__ = check.__name__
    return checked


CHECKS = [not_a_server_error, _from_the_api(status_code_conformance), _from_the_api(response_schema_conformance)]
# CI-sized: a few examples per operation and mode; ACCORD_FUZZ_EXAMPLES raises it for a longer hunt.
EXAMPLES = int(os.environ.get("ACCORD_FUZZ_EXAMPLES", "4"))


def _fuzz(schema: Any, base_url: str, headers: dict[str, str], modes: list[GenerationMode], examples: int) -> list[str]:
    """Run every operation in every mode; return one line per operation and mode that failed a check."""
    failures: list[str] = []
    session = requests.Session()
    session.headers.update(headers)
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in modes:
            for path_parameters in _path_variants(operation):
                test = _test_for(operation, mode, path_parameters, base_url, session, examples)
                try:
                    test()
                except (Exception, BaseExceptionGroup) as exc:  # schemathesis reports failures in a group
                    where = f"{operation.method.upper()} {operation.path} ({mode.value}, {path_parameters or 'any'})"
                    failures.append(f"{where}: {type(exc).__name__}: {str(exc)[:1500]}")
    return failures


def _path_variants(operation: Any) -> list[dict[str, Any] | None]:
    """Generated path values mostly name no record; also aim at a record that exists (the first of its kind)."""
    if "{ref}" in operation.path:
        return [None, {"ref": "1"}]
    if "{kind}" in operation.path:
        return [None, {"kind": "projects"}]
    return [None]


def _test_for(
    operation: Any,
    mode: GenerationMode,
    path_parameters: dict[str, Any] | None,
    base_url: str,
    session: requests.Session,
    examples: int,
) -> Callable[[], None]:
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=False,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the report names the request as sent
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        headers: dict[str, str] = {}
        if path_parameters and case.method.upper() in ("PATCH", "POST", "DELETE"):
            # Name the current version, so writes to a real record get past If-Match into the services.
            headers = _if_match(session, base_url, case) or {}
        case.call_and_validate(base_url=base_url, session=session, headers=headers, checks=CHECKS)

    return run


def _if_match(session: requests.Session, base_url: str, case: Any) -> dict[str, str] | None:
    path = case.operation.path
    if "{ref}" not in path:
        return None
    # /plans/{ref}, /plans/{ref}/sign, /plan-items/{ref}/carry-over: the record is the path up to {ref}.
    record = f"{base_url}{path[: path.index('{ref}')]}{case.path_parameters['ref']}"
    tag = session.get(record, timeout=30).headers.get("ETag")
    return {"If-Match": tag} if tag else None


def _load(server: Server, headers: dict[str, str]) -> Any:
    return schemathesis.openapi.from_url(f"{server.url}/api/v1/openapi.json", headers=headers, timeout=30)


def test_every_operation_as_admin_with_a_read_write_token(live: Live) -> None:
    srv = live.server
    headers = {"Authorization": f"Bearer {live.tokens['admin']}"}
    failures = _fuzz(
        _load(srv, headers), srv.url, headers, [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], EXAMPLES
    )
    assert failures == [], "\n\n".join(failures)
    assert server_errors(srv.log_text()) == []


def test_every_operation_with_a_read_only_token(live: Live) -> None:
    srv = live.server
    headers = {"Authorization": f"Bearer {live.tokens['admin-read']}"}
    failures = _fuzz(_load(srv, headers), srv.url, headers, [GenerationMode.POSITIVE], max(2, EXAMPLES // 2))
    assert failures == [], "\n\n".join(failures)
    assert server_errors(srv.log_text()) == []


def test_every_operation_anonymously(live: Live) -> None:
    srv = live.server
    failures = _fuzz(_load(srv, {}), srv.url, {}, [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], 2)
    assert failures == [], "\n\n".join(failures)
    assert server_errors(srv.log_text()) == []
