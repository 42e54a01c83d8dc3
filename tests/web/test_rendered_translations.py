"""Every page of the demo, rendered in Chinese and in Russian for a signed-in coordinator, shows no interface
string left in English.

The catalogue test (tests/test_catalogues.py) checks that every marked string has a translation; this one
catches what it cannot: a string never marked (a literal in a template or a __str__), a raw value shown
instead of its label (`public`, `delayed`), a field name taken from the database. Each page is rendered
in English and in the other language; a run of Latin words in the translated page is untranslated when it
also appears in the English page, is not record data (a project's English title, an organisation's name, a
code) and is not a technical name every language writes alike (PDF, ORCID, UTC).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import translation

from accord.core.actor import Actor, acting_as
from accord.core.pages.records import NewSpec, frozen_reason, record_types
from accord.core.pages.steps import STEPS
from accord.core.permissions import can
from accord.core.visibility import visible
from accord.jobs.models import Job
from accord.jobs.services import enqueue
from accord.programmes.models import Plan

pytestmark = pytest.mark.django_db

LANGUAGES = ("zh-hans", "ru")

# Names every language writes alike: formats, standards, identifiers, the product's own name.
TECHNICAL = {
    "accord", "api", "bcp", "cerif", "cordis", "csv", "docx", "ed25519", "html", "htmx", "iati", "id", "iso",
    "json", "oai", "oecd", "orcid", "pdf", "pmh", "raid", "ror", "sha", "smtp", "svg", "totp", "unts", "url",
    "utc", "uuid", "xlsx", "xml", "zh", "ru", "en", "ok", "ussr", "su", "cn", "prc", "ti", "ai", "kb", "mb", "gb",
    "kdf", "javascript", "ods", "nonce", "rfc", "qr", "mn",  # mn: a language tag given as an example
}  # fmt: skip
# Commands are typed as written, whatever the interface language.
_COMMAND = re.compile(
    r"\baccord [a-z-]+( [a-z-]+)*"  # a command
    r"|[\w-]+\.(?:csv|xlsx|ods|json|pdf|docx|html)\b"  # a file name
    r"|\b[A-Za-z]+[-/]?\d[\w/.-]*"  # a code or reference: CAS-60/003, UNTS-4417, S-77
)

# Text of these elements is not read by people; inputs' values are what they typed (or record data).
_SKIPPED = {"script", "style", "textarea", "option", "code", "pre", "kbd", "samp", "svg"}
_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z'’\-]*(?:[ ,:;/.()-]+[A-Za-z][A-Za-z'’\-]*)*")
_HEX = re.compile(
    r"\b[0-9a-fA-F]{8,}\b|\b[0-9a-f]*…|\b[0-9A-F]{2,4}(?:[ :][0-9A-F]{2,4}){3,}\b|[0-9a-f]+(?:-[0-9a-f]+){2,}"
)
_WORD = re.compile(r"[A-Za-z]{2,}")


class _Texts(HTMLParser):
    """The text a reader sees (and the attributes a screen reader says), one string per text node."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skip += 1
        for name, value in attrs:
            if name in _ATTRIBUTES and value:
                self.texts.append(value)
        if tag == "input" and dict(attrs).get("type") in ("submit", "button"):
            self.texts.append(dict(attrs).get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def visible_texts(html: str) -> list[str]:
    parser = _Texts()
    parser.feed(html)
    return parser.texts


# Not record data a page shows as such: the audit trail's raw before/after (History must show them readably),
# derived tables, sessions and jobs.
_NOT_DATA = {"core.changerecord", "core.searchentry", "sessions.session", "jobs.job", "admin.logentry"}


def data_values() -> tuple[set[str], str]:
    """Every text the records hold (any language), casefolded: each value whole, and all of them joined. Coded
    values (a field with choices: `public`, `delayed`) are not data: a page shows their labels."""
    parts: list[str] = []
    for model in apps.get_models():
        if model._meta.label_lower in _NOT_DATA:
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField) and not f.choices
        ]
        if fields:
            for row in model._base_manager.values_list(*fields)[:5000]:
                for value in row:
                    parts += _flatten(value)
    values = {" ".join(p.split()).casefold() for p in parts if p}
    return values, "\n".join(values)


def _flatten(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [t for v in value.values() for t in _flatten(v)]
    if isinstance(value, list):
        return [t for v in value for t in _flatten(v)]
    return [] if value is None else [str(value)]


# A run this long found inside some record's text is that text (a title cut at a parenthesis); a shorter one
# must be a whole value ("Partner" is a role's label, not the word inside some project's title).
_DATA_RUN = 15


def untranslated(translated: str, english: str, data: tuple[set[str], str]) -> list[str]:
    """Runs of Latin words in `translated` that the English page has too and that are neither data nor technical."""
    values, blob = data
    english_texts = " \n ".join(visible_texts(english))
    found: list[str] = []
    for text in visible_texts(translated):
        if " ".join(text.split()).casefold() in values:  # a value as stored (a name, a key)
            continue
        text = _COMMAND.sub(" ", _HEX.sub(" ", text))  # hashes, fingerprints and commands are not words
        for run in _LATIN_RUN.findall(text):
            run = run.strip(" ,:;/.()-")
            words = [w.casefold() for w in _WORD.findall(run)]
            if not words or all(w in TECHNICAL for w in words):
                continue
            folded = run.casefold()
            if folded in values or (len(run) >= _DATA_RUN and folded in blob):
                continue
            if run in english_texts:
                found.append(run)
    return sorted(set(found))


def _first(qs: Any, user: Any, ok: Any) -> Any:
    return next((r for r in visible(qs, user).order_by("pk")[:200] if ok(r)), None)


# Pages without parameters found in the URL configuration are rendered too (a page another change adds is checked
# without being listed here), except these: not pages people read, or not for a signed-in coordinator.
_NOT_PAGES = ("admin/", "api/", "i18n/", "oai", "health", "logout/", "login/", "password-reset/", "static/", "media/")


def parameterless_pages() -> Iterator[str]:
    """The GET paths of the URL configuration that take no parameter."""

    def walk(patterns: Any, prefix: str) -> Iterator[str]:
        for p in patterns:
            route = str(p.pattern)
            if hasattr(p, "url_patterns"):
                yield from walk(p.url_patterns, prefix + route)
            elif "<" not in route and "(" not in route and "^" not in route:
                yield "/" + prefix + route

    for path in walk(get_resolver().url_patterns, ""):
        if not path.lstrip("/").startswith(_NOT_PAGES):
            yield path


def pages(user: Any) -> Iterator[tuple[str, bool]]:
    """Every kind of page the demo has, with whether it must answer 200: the shell's pages, each kind's list,
    detail, edit and create forms, each workflow step offered to `user` on a record, and any other page without
    parameters (those may redirect or refuse: they are checked when they answer)."""
    yield reverse("web:home"), True
    yield reverse("web:workflow"), True
    yield reverse("web:data"), True
    yield reverse("web:search") + "?q=1959", True
    yield reverse("web:search") + "?q=Wu", True
    yield reverse("dashboard:index"), True
    yield reverse("jobs:list"), True
    for job in Job.objects.filter(requested_by=user).order_by("pk"):
        yield reverse("jobs:detail", args=[job.pk]), True
    for rt in record_types():
        yield reverse(rt.url_name("list")), True
        first = visible(rt.detail_qs(), user).order_by("pk").first()
        if first is None:
            continue
        yield reverse(rt.url_name("detail"), args=[first.pk]), True
        if rt.edit is not None:
            editable = _first(rt.detail_qs(), user, lambda r, rt=rt: can(user, "change", r) and not rt.frozen(r))
            if editable is not None:
                yield reverse(rt.url_name("edit"), args=[editable.pk]), True
        if isinstance(rt.create, NewSpec):  # a record made under no parent (an agreement, a person)
            if rt.create.offered(user):
                yield reverse(rt.url_name("create")), True
        elif rt.create is not None:
            parent = _first(
                rt.create.parent_model._default_manager.all(),
                user,
                lambda r: can(user, "change", r) and not frozen_reason(r),  # a signed plan takes no new item
            )
            if parent is not None:
                yield f"{reverse(rt.url_name('create'))}?{rt.create.parent_param}={parent.pk}", True
    for step in STEPS.values():
        record = _first(step.model._default_manager.all(), user, lambda r, s=step: s.offered(user, r))
        if record is not None:
            yield step.url(record), True
    for path in parameterless_pages():
        yield path, False


def _draft_plan() -> None:
    """A draft plan with an item beside the demo's signed ones, so the steps of a plan being drafted (propose,
    agree, add an item) are offered and rendered too."""
    import datetime as dt

    from accord.programmes.services import add_plan_item, create_plan

    signed = Plan.objects.order_by("pk").first()
    plan = create_plan(
        agreement=signed.agreement,
        title={"en": "1962 plan", "zh": "1962年计划", "ru": "План на 1962 год"},
        period_start=dt.date(1962, 1, 1),
        period_end=dt.date(1962, 12, 31),
    )
    project = signed.agreement.projects.order_by("pk").first()
    add_plan_item(plan, project, objectives={"en": "Survey", "zh": "调查", "ru": "Обследование"})


# Each language is read by the coordinator of the side that speaks it: the steps each side is offered differ.
READERS = {"zh-hans": "cn-coordinator", "ru": "su-coordinator"}


@pytest.fixture(scope="module")
def rendered(django_db_setup: Any, django_db_blocker: Any) -> dict[str, Any]:
    """{language: {url: (english html, translated html)}}, rendered once for the module; and the data values."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.test.utils import override_settings

    out: dict[str, Any] = {}
    plain = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    # Rolled back at the end: signing in writes a session, and the module's tests must leave the database as found.
    with django_db_blocker.unblock(), override_settings(STORAGES=plain), transaction.atomic():
        with acting_as(Actor(None, "test-setup", "rendered-pages", system=True)):
            _draft_plan()
        for lang, username in READERS.items():
            user = get_user_model().objects.get(username=username)
            client = Client()
            client.force_login(user)
            # One job of each kind a coordinator asks for, so the jobs pages have titles to show.
            enqueue("export", {"kind": "projects", "format": "csv", "filters": {}}, user=user, title="Export")
            enqueue("import", {"kind": "organisations", "filename": "orgs.csv", "stored_name": "x"}, user=user)
            plan = Plan.objects.order_by("pk").first()
            enqueue("document", {"kind": "plan_text", "ref": plan.pk, "language": "zh", "format": "pdf"}, user=user)
            out[lang] = {}
            for url, required in dict.fromkeys(pages(user)):
                if url in out[lang]:
                    continue
                both = []
                for shown in ("en", lang):
                    client.cookies["django_language"] = shown
                    response = client.get(url)
                    if required:
                        assert response.status_code == 200, f"{url} in {shown}: {response.status_code}"
                    elif response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                        break
                    both.append(response.content.decode())
                if len(both) == 2:
                    out[lang][url] = tuple(both)
        out["__data__"] = data_values()
        transaction.set_rollback(True)
    translation.activate("en")
    return out


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_english_left_on_any_page(rendered: dict[str, Any], lang: str) -> None:
    data = rendered["__data__"]
    problems = {}
    for url, (english, translated) in rendered[lang].items():
        left = untranslated(translated, english, data)
        if left:
            problems[url] = left
    assert len(rendered[lang]) > 40, sorted(rendered[lang])  # every kind of page was rendered
    assert not problems, "\n".join(f"{url}: {left}" for url, left in problems.items())


def test_the_check_sees_an_untranslated_string() -> None:
    english = "<p>Days overdue</p><td>Tsinghua University</td>"
    chinese = "<p>Days overdue</p><td>Tsinghua University</td>"
    data = ({"tsinghua university"}, "tsinghua university")
    assert untranslated(chinese, english, data) == ["Days overdue"]
    assert untranslated("<p>逾期天数</p>", english, data) == []
