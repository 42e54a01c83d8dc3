"""Helpers shared by Accord's management commands: the base command, finding records by id or uid, parsing dates."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.core.checks import Tags
from django.core.checks.registry import registry
from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from django.db.models import Model

from accord.core.refs import NotFound, find
from accord.core.text import for_terminal

M = TypeVar("M", bound=Model)


class TerminalSafeOutput(OutputWrapper):
    """A command's stdout or stderr that escapes control characters and direction overrides (core.text
    .for_terminal): record text reaches an operator's terminal as text, never as escape sequences that move the
    cursor, rewrite a line or change the title. Files a command writes (exports, documents) do not go through it."""

    def write(self, msg: str = "", style_func: Any = None, ending: str | None = None) -> None:  # type: ignore[override]
        super().write(for_terminal(msg), style_func, ending)

    @classmethod
    def wrapping(cls, output: Any) -> TerminalSafeOutput:
        if isinstance(output, cls):
            return output
        if isinstance(output, OutputWrapper):
            wrapped: Any = output
            safe = cls(wrapped._out, wrapped.ending)
            vars(safe)["_style_func"] = vars(wrapped)["_style_func"]
            return safe
        return cls(output)


class AccordCommand(BaseCommand):
    """Every Accord command's base: whatever it prints to stdout and stderr is escaped for the terminal, the
    one place that does it (Django's own output, CommandError messages included, goes through the same)."""

    # A verb that serves no page skips the URL checks: they import every view and the whole API (1.5 s of CPU at
    # each command's start, measured on `accord verify`). `accord serve` sets this; `accord check` runs them all.
    serves_urls = False

    def check(self, *args: Any, **kwargs: Any) -> None:
        if self.serves_urls:
            return super().check(*args, **kwargs)
        every = registry.get_checks

        def without_urls(include_deployment_checks: bool = False) -> list[Any]:
            return [c for c in every(include_deployment_checks) if Tags.urls not in getattr(c, "tags", ())]

        registry.get_checks = without_urls  # type: ignore[method-assign]
        try:
            super().check(*args, **kwargs)
        finally:
            del registry.get_checks

    @property  # type: ignore[override]
    def stdout(self) -> TerminalSafeOutput:
        return self._safe_stdout

    @stdout.setter
    def stdout(self, value: Any) -> None:
        self._safe_stdout = TerminalSafeOutput.wrapping(value)

    @property  # type: ignore[override]
    def stderr(self) -> TerminalSafeOutput:
        return self._safe_stderr

    @stderr.setter
    def stderr(self, value: Any) -> None:
        self._safe_stderr = TerminalSafeOutput.wrapping(value)


def get_record(model: type[M], ref: str, what: str | None = None) -> M:
    """The record whose numeric id or global uid is `ref`; a one-line CommandError otherwise."""
    try:
        return find(model._default_manager.all(), ref, what or str(model._meta.verbose_name))
    except NotFound as exc:
        raise CommandError(exc.message) from None


def parse_date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: {value!r} is not a date (YYYY-MM-DD)") from None
