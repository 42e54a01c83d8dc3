"""Shared parts of the signing commands: finding records by id or uid, reading passphrases and texts."""

from __future__ import annotations

import getpass
import uuid
from pathlib import Path
from typing import TypeVar

from django.core.management.base import CommandError
from django.db import models

from accord.directory.models import Person
from accord.programmes.models import Plan

M = TypeVar("M", bound=models.Model)


def lookup(model: type[M], ref: str, what: str) -> M:
    """The record whose id (a number) or global id (a UUID) is `ref`."""
    ref = ref.strip()
    query: dict[str, object]
    if ref.isdigit():
        query = {"pk": int(ref)}
    else:
        try:
            query = {"uid": uuid.UUID(ref)}
        except ValueError:
            raise CommandError(f"{ref!r} is neither the id nor the uid of a {what}") from None
    obj = model._default_manager.filter(**query).first()
    if obj is None:
        raise CommandError(f"no {what} with {'id' if 'pk' in query else 'uid'} {ref}")
    return obj


def plan(ref: str) -> Plan:
    return lookup(Plan, ref, "plan")


def person(ref: str) -> Person:
    return lookup(Person, ref, "person")


def read_passphrase(path: str | None, *, confirm: bool = False) -> str:
    """From a file (its first line, without the line ending) or typed twice at a hidden prompt."""
    if path:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise CommandError(f"cannot read the passphrase file: {exc.strerror} ({path})") from None
        return lines[0] if lines else ""
    first = getpass.getpass("Passphrase: ")
    if confirm and getpass.getpass("Passphrase again: ") != first:
        raise CommandError("the two passphrases differ; nothing was changed")
    return first


def pairs(values: list[str] | None, what: str) -> dict[str, str]:
    """LANG=VALUE options as a mapping (each language once)."""
    out: dict[str, str] = {}
    for value in values or []:
        lang, sep, rest = value.partition("=")
        if not sep or not lang.strip():
            raise CommandError(f"{what} must look like LANG=VALUE, not {value!r}")
        if lang.strip() in out:
            raise CommandError(f"{what}: {lang.strip()} is given twice")
        out[lang.strip()] = rest
    return out


def read_texts(values: list[str] | None) -> dict[str, bytes]:
    texts: dict[str, bytes] = {}
    for lang, path in pairs(values, "--text").items():
        try:
            texts[lang] = Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read the {lang} text: {exc.strerror} ({path})") from None
    return texts
