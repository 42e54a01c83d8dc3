"""The matrix records, made once for the module inside a transaction that is rolled back at its end.

Each test still runs in its own (nested) transaction, so a change one test makes is gone for the next.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, override_settings

from accord.core.actor import Actor, acting_as
from tests.permissions import matrix


@dataclass
class World:
    records: dict[tuple[str, str], Any] = field(default_factory=dict)
    files: dict[tuple[str, str], Any] = field(default_factory=dict)
    cache: dict[tuple[str, ...], Any] = field(default_factory=dict)  # responses shared by cases
    sessions: dict[str, str] = field(default_factory=dict)  # role -> session key, signed in once
    tokens: dict[str, str] = field(default_factory=dict)  # role -> read-write API token, issued once

    def record(self, kind: str, slot: str) -> Any:
        return self.records[(kind, slot)]


def _build() -> World:
    from django.contrib.auth import get_user_model

    from accord.accounts import services as accounts
    from accord.agreements.services import create_agreement
    from accord.core import services as core
    from accord.demo.seed import seed_handles
    from accord.directory.services import create_organisation, create_party
    from accord.documents.models import DocumentFile
    from accord.documents.services import create_document
    from accord.programmes import services as programmes

    seed = seed_handles()
    gb = create_party(code="GB", name={"en": "United Kingdom"}, languages=["en"])
    parties = {"CN": seed.cn, "SU": seed.su, "GB": gb}
    gb_su = create_agreement(
        parties=[gb, seed.su],
        kind="agreement",
        title={"en": f"UK–USSR agreement {matrix.COMMON_TOKEN} {matrix.token('agreements', 'gb-su')}"},
        visibility="bilateral",
    )
    agreements = {"protocol": seed.protocol, "gb-su": gb_su}
    outsider = get_user_model().objects.create_user(username="gb-coordinator", password="x", email="")
    accounts.grant(outsider, gb, "coordinator")

    world = World()
    world.records[("agreements", "gb-su")] = gb_su
    for n, slot in enumerate(matrix.SLOTS):
        spec = matrix.SLOT_SPECS[slot]
        owner = parties[spec.owner] if spec.owner else None
        agreement = agreements[spec.agreement]
        common: dict[str, Any] = {"visibility": spec.visibility, "owner_party": owner}

        def text(kind: str, what: str, slot: str = slot) -> dict[str, str]:
            return {"en": f"{what} {matrix.COMMON_TOKEN} {matrix.token(kind, slot)}"}

        if slot != "gb-su":
            made = create_agreement(
                parties=[seed.cn, seed.su],
                kind="agreement",
                title=text("agreements", "Matrix agreement"),
                visibility="bilateral" if spec.visibility == "internal" else spec.visibility,
                owner_party=owner,
            )
            if spec.visibility == "internal":  # its party rows stay bilateral (they name no owner)
                made = core.update(made, expected_version=made.version, visibility="internal")
            world.records[("agreements", slot)] = made
        plan = programmes.create_plan(
            agreement=agreement,
            title=text("plans", "Matrix plan"),
            kind="annual",
            period_start=dt.date(1961 + n, 1, 1),
            period_end=dt.date(1961 + n, 12, 31),
            **common,
        )
        project = programmes.create_project(
            agreement=agreement,
            number=f"MX-{n}",
            title=text("projects", "Matrix project"),
            modality="joint",
            start_on=dt.date(1961, 1, 1),
            **common,
        )
        item = programmes.add_plan_item(plan, project, objectives=text("plan-items", "Matrix objectives"), **common)
        sender = parties[spec.owner] if spec.owner else (gb if slot == "gb-su" else seed.cn)
        exchange = programmes.record_exchange(
            agreement=agreement,
            kind="data_transfer",
            description=text("exchanges", "Matrix exchange"),
            from_party=sender,
            to_party=seed.su if sender != seed.su else seed.cn,
            **common,
        )
        org_owner_code = matrix.OWNER_OVERRIDES.get(("organisations", slot), spec.owner)
        org_party = parties[org_owner_code] if org_owner_code else seed.cn
        organisation = create_organisation(
            party=org_party,
            kind="institute",
            name=text("organisations", "Matrix institute"),
            visibility=spec.visibility,
            owner_party=parties[org_owner_code] if org_owner_code else None,
        )
        document = _document_as_slot(
            create_document(
                texts={"en": "Matrix communiqué text."},
                kind="communique",
                title=text("documents", "Matrix communiqué"),
                agreement=agreement,
                issued_on=dt.date(2100, 1, 1 + n),
                party=owner,
            ),
            spec.visibility,
        )
        body = f"<p>{matrix.token('documents', slot)}</p>".encode()
        rendering = core.create(
            DocumentFile,
            related=document,
            document=document,
            languages="en",
            format="html",
            file=ContentFile(body, name=f"matrix-{n}.html"),
            sha256="0" * 64,
            size=len(body),
            **common,
        )
        world.records.update(
            {
                ("plans", slot): plan,
                ("projects", slot): project,
                ("plan-items", slot): item,
                ("exchanges", slot): exchange,
                ("organisations", slot): organisation,
                ("documents", slot): document,
            }
        )
        world.files[("documents", slot)] = rendering
    for role in matrix.ROLES:
        if role != "anonymous":
            browser = Client()
            browser.force_login(get_user_model().objects.get(username=role))
            world.sessions[role] = browser.cookies[settings.SESSION_COOKIE_NAME].value
            user = get_user_model().objects.get(username=role)
            world.tokens[role] = accounts.issue_token(user, "matrix", scope="read-write")[1]
    return world


def _document_as_slot(document: Any, visibility: str) -> Any:
    """A document starts as its party's draft (internal) or the parties' (bilateral): its owner's approval shares
    it; every party's approval and publishing make it public."""
    from accord.documents import services as documents

    if visibility == "internal":
        return document
    if document.owner_party is not None:
        documents.approve_document(document, document.owner_party)
    if visibility == "public":
        for party in documents.missing_approvals(document):
            documents.approve_document(document, party)
        documents.publish_document(document)
    document.refresh_from_db()
    assert document.visibility == visibility, (document, document.visibility, visibility)
    return document


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("matrix-media")))
    media.enable()
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            with acting_as(Actor(None, "tester", "test-setup", system=True)):
                built = _build()
            yield built
            transaction.set_rollback(True)
    finally:
        media.disable()
