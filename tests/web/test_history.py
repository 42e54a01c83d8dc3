"""History reads as "who changed what from what to what", in the reader's language, with names instead of ids."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accord.core import services
from accord.core.models import Visibility
from accord.core.pages.history import history_entries
from accord.directory.models import Organisation
from accord.programmes.models import Project

pytestmark = pytest.mark.django_db


def changes_of(record: Any, user: Any = None, lang: str = "en") -> dict[str, tuple[str, str]]:
    """The latest entry's changes about `record` itself: {label: (before, after)} as the page shows them."""
    with translation.override(lang):
        entry = next(e for e in history_entries(record, user) if e.own)
        return {c.label: (str(c.before), str(c.after)) for c in entry.changes}


@pytest.fixture
def admin() -> Any:
    return get_user_model().objects.get(username="admin")


def test_field_names_choice_labels_and_references_in_the_readers_language(seed: Any, admin: Any) -> None:
    org = services.create(Organisation, party=seed.cn, name={"en": "Institute of Geology", "zh": "地质研究所"})
    org = services.update(org, expected_version=org.version, kind=Organisation.Kind.ACADEMY, parent=seed.cas)
    en = changes_of(org, admin)
    assert en["Kind"] == ("Research institute", "Academy")  # labels, not "institute" / "academy"
    assert en["Parent"] == ("—", str(seed.cas))  # the parent's name, not its id
    zh = changes_of(org, admin, "zh-hans")
    assert set(zh) == {"类型", "上级单位"} or all(not label.isascii() for label in zh), zh
    with translation.override("zh-hans"):
        assert zh[next(k for k in zh if zh[k][1] == str(seed.cas))][1] == str(seed.cas)  # 中国科学院
    ru = changes_of(org, admin, "ru")
    assert all(not label.isascii() for label in ru), ru
    assert ("Научно-исследовательский институт", "Академия") in ru.values() or all(
        not before.isascii() for before, _ in ru.values()
    )


def test_a_created_record_shows_its_values_readably(seed: Any, admin: Any) -> None:
    project = services.create(
        Project,
        agreement=seed.protocol,
        number="H-1",
        title={"en": "Permafrost survey", "zh": "冻土调查", "ru": "Изучение мерзлоты"},
        visibility=Visibility.PUBLIC,
    )
    en = changes_of(project, admin)
    assert en["Visibility"] == ("—", "Public (the portal)")
    assert en["Agreement"][1] == str(seed.protocol)
    assert 'lang="en">Permafrost survey' in en["Title"][1]
    ru = changes_of(project, admin, "ru")
    title = next(v for v in ru.values() if "мерзлоты" in v[1])
    assert 'lang="ru">Изучение мерзлоты' in title[1] and "Permafrost" not in title[1]  # the reader's language only
    assert "Публично" in str(ru) or "портал" in str(ru)


def test_a_change_in_another_language_shows_that_language_too(seed: Any, admin: Any) -> None:
    org = services.create(Organisation, party=seed.cn, name={"en": "Institute of Botany"})
    org = services.update(org, expected_version=org.version, name={"en": "Institute of Botany", "zh": "植物研究所"})
    before, after = changes_of(org, admin)["Name"]
    assert "植物研究所" not in before and 'zh: <span lang="zh">植物研究所</span>' in after


def test_json_is_summarised(seed: Any, admin: Any) -> None:
    org = services.create(
        Organisation,
        party=seed.cn,
        name={"en": "Institute of Metals"},
        identifiers={"ror": "https://ror.org/034t30j35", "national": "12100000400000", "grid": "grid.410726.6"},
        aliases=["IMR", "金属所"],
    )
    en = changes_of(org, admin)
    assert en["Identifiers"] == ("—", "a set of 3 values")
    assert en["Aliases"] == ("—", "IMR, 金属所")
    assert "一组" in str(changes_of(org, admin, "zh-hans")) or "3个值" in str(changes_of(org, admin, "zh-hans"))


def test_names_are_read_in_bulk_one_query_per_referenced_model(seed: Any, admin: Any) -> None:
    import datetime as dt

    from accord.programmes.services import add_plan_item, create_plan

    projects = list(seed.protocol.projects.order_by("id")[:8])

    def queries(n: int) -> int:
        plan = create_plan(
            agreement=seed.protocol,
            title={"en": f"plan of {n}"},
            period_start=dt.date(1970 + n, 1, 1),
            period_end=dt.date(1970 + n, 12, 31),
        )
        for project in projects[:n]:
            add_plan_item(plan, project, objectives={"en": "Survey"})
        with CaptureQueriesContext(connection) as ctx:
            entries = history_entries(plan, admin)
        assert sum(not e.own for e in entries) == n
        named = {c.after for e in entries for c in e.changes if c.name == "project_id"}
        assert named == {str(p) for p in projects[:n]}  # names, not ids
        return len(ctx.captured_queries)

    queries(1)  # warms the caches a first page fills (content types)
    assert queries(2) == queries(8)  # the same queries for 2 items or 8: one per referenced model


def test_a_reference_the_reader_may_not_see_is_not_named(seed: Any, users: Any) -> None:
    hidden = services.create(
        Project,
        agreement=seed.protocol,
        number="H-2",
        title={"en": "A Soviet-only topic"},
        visibility=Visibility.INTERNAL,
        owner_party=seed.su,
    )
    from accord.programmes.models import Exchange

    exchange = Exchange.objects.filter(agreement=seed.protocol).order_by("pk").first()
    assert exchange is not None
    exchange = services.update(exchange, expected_version=exchange.version, project=hidden)
    shown = changes_of(exchange, users.cn_observer)
    assert "A Soviet-only topic" not in str(shown)
    assert "A Soviet-only topic" in str(changes_of(exchange, users.su_coordinator))


def test_a_signature_names_the_plan_it_signs(seed: Any, admin: Any) -> None:
    from accord.agreements.models import Signature

    signature = Signature.objects.order_by("pk").first()
    assert signature is not None
    entries = history_entries(seed.plan_1959 if signature.target_id == seed.plan_1959.pk else seed.plan_1960, admin)
    named = {c.after for e in entries for c in e.changes if c.name == "target_id"}
    assert named and all(not a.isdigit() for a in named), named


def test_job_titles_follow_the_readers_language(seed: Any, admin: Any) -> None:
    from accord.jobs.services import enqueue

    job = enqueue("export", {"kind": "projects", "format": "csv", "filters": {}}, user=admin, title="Export")
    with translation.override("en"):
        assert str(job) == "Export of projects (CSV)"
    with translation.override("ru"):
        assert str(job).startswith("Экспорт") and "CSV" in str(job)
    job = enqueue("import", {"kind": "organisations", "filename": "orgs.csv", "dry_run": True}, user=admin)
    with translation.override("zh-hans"):
        assert str(job).startswith("试导入orgs.csv")


def test_a_running_jobs_message_is_shown_in_the_readers_language(admin: Any) -> None:
    from django.template.loader import render_to_string

    from accord.jobs.models import Job
    from accord.jobs.services import enqueue

    job = enqueue("export", {"kind": "projects", "format": "csv", "filters": {}}, user=admin)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, progress=10, message="Exporting")
    job.refresh_from_db()
    with translation.override("ru"):
        assert "Экспорт" in render_to_string("jobs/_progress.html", {"job": job})
    with translation.override("zh-hans"):
        assert "正在导出" in render_to_string("jobs/_progress.html", {"job": job})
