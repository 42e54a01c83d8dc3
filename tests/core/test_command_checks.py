"""A verb's start-up runs Django's system checks but the URL ones, which import every view and the whole API;
`accord serve` runs them all."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.checks.registry import registry

from accord.core.management.commands.verify import Command as Verify
from accord.web.management.commands.serve import Command as Serve


def _probes() -> tuple[list[str], Any, Any]:
    ran: list[str] = []

    def url_probe(app_configs: Any, **kwargs: Any) -> list[Any]:
        ran.append("urls")
        return []

    def other_probe(app_configs: Any, **kwargs: Any) -> list[Any]:
        ran.append("other")
        return []

    checks.register(url_probe, checks.Tags.urls)
    checks.register(other_probe)
    return ran, url_probe, other_probe


def test_a_verb_runs_every_check_but_the_url_ones_and_serve_runs_them_too() -> None:
    ran, url_probe, other_probe = _probes()
    try:
        Verify().check()
        assert ran == ["other"]
        assert registry.get_checks.__func__ is type(registry).get_checks  # put back as it was
        ran.clear()
        Serve().check()
        assert sorted(ran) == ["other", "urls"]
    finally:
        registry.registered_checks.discard(url_probe)
        registry.registered_checks.discard(other_probe)
