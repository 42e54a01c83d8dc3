"""The agreements CSV import writes new agreements and their parties by columns (core.bulk.create_rows): the same
records, chain entries, search rows and refusals as through model instances (the path it took before, still taken
with Spec.by_rows off)."""

from __future__ import annotations

import pytest

from accord.agreements.models import Agreement, AgreementParty
from accord.core import bulk
from accord.core.audit import canonical, snapshot
from accord.core.models import ChangeRecord, SearchEntry
from accord.core.verify import verify
from accord.interop import specs
from accord.interop.models import ImportFingerprint
from accord.interop.report import ImportRefused
from accord.interop.services import import_file

pytestmark = pytest.mark.django_db

HEADER = (
    "external_id,kind,title[en],title[zh],title[ru],short_title[en],reference,parties,signed_on,entry_into_force_on,"
    "end_on,signed_at[en],status,authentic_languages,visibility,owner_party\n"
)


def _good(prefix: str) -> bytes:
    rows = [
        f"{prefix}:1,agreement,Agreement on wheat,小麦协定,Соглашение о пшенице,,{prefix}/1,CN; SU,1958-01-18,"
        "1958-03-01,1963-01-01,Moscow,in_force,zh; ru,public,",
        f"{prefix}:2,protocol,Protocol on rice,,Протокол о рисе,Rice,{prefix}/2,SU,1959-05-02,,,Beijing,signed,"
        "ru,bilateral,",
        f"{prefix}:3,memorandum,Memorandum on maps,地图备忘录,,,,,,,,,draft,,internal,CN",
        f"{prefix}:4,programme,Programme on “space”,,,,,CN; SU,1960-02-02,,,,expired,en; zh-hans; EN,public,",
    ]
    return (HEADER + "\n".join(rows) + "\n").encode()


def _import(data: bytes, *, by_rows: bool, monkeypatch, dry_run: bool = False):
    monkeypatch.setattr(specs.AGREEMENTS, "by_rows", by_rows)
    return import_file("agreements", data, "agreements.csv", dry_run=dry_run)


def _stored(prefix: str) -> list[tuple]:
    """Each imported agreement and its parties as stored, without what differs between two imports (ids, times)."""
    skip = {"id", "uid", "external_id", "reference", "created_at", "updated_at", "agreement_id"}
    out = []
    for a in Agreement.objects.filter(external_id__startswith=f"{prefix}:").order_by("external_id"):
        links = [
            {k: v for k, v in snapshot(link).items() if k not in skip}
            for link in AgreementParty.objects.filter(agreement=a).order_by("position")
        ]
        out.append(({k: v for k, v in snapshot(a).items() if k not in skip}, links))
    return out


def _search(prefix: str) -> list[str]:
    ids = [
        str(pk) for pk in Agreement.objects.filter(external_id__startswith=f"{prefix}:").values_list("pk", flat=True)
    ]
    bodies = SearchEntry.objects.filter(model="agreements.agreement", object_id__in=ids).order_by("object_id")
    return [b.replace(prefix, "P").lower() for b in bodies.values_list("body", flat=True)]


def test_a_good_file_gives_what_the_instances_gave(seed, monkeypatch) -> None:
    entries: list = []
    real = bulk.append

    def spy(batch, **kwargs):
        entries.extend(batch)
        return real(batch, **kwargs)

    monkeypatch.setattr(bulk, "append", spy)
    by_rows = _import(_good("rows"), by_rows=True, monkeypatch=monkeypatch)
    by_objs = _import(_good("objs"), by_rows=False, monkeypatch=monkeypatch)
    assert by_rows.created == by_objs.created and by_rows.created["agreement"] == 4
    assert _stored("rows") == _stored("objs")
    rows = _stored("rows")
    assert rows[0][0]["title"] == {"en": "Agreement on wheat", "zh": "小麦协定", "ru": "Соглашение о пшенице"}
    assert rows[3][0]["authentic_languages"] == ["en", "zh-Hans"]  # rewritten as clean() rewrites it
    assert [len(links) for _, links in rows] == [2, 1, 0, 2]
    # The text each entry hashed is the stored record's canonical snapshot, byte for byte.
    texts = {(e.object_type, e.object_id): e for e in entries}
    for a in Agreement.objects.filter(external_id__startswith="rows:"):
        e = texts[("agreements.agreement", str(a.pk))]
        assert e.after == canonical(snapshot(a)) and e.object_repr == str(a)[:300] and e.related_type == ""
        for link in AgreementParty.objects.filter(agreement=a):
            e = texts[("agreements.agreementparty", str(link.pk))]
            assert e.after == canonical(snapshot(link)) and e.object_repr == str(link)
            assert (e.related_type, e.related_id) == ("agreements.agreement", str(a.pk))
    assert _search("rows") == _search("objs") and len(_search("rows")) == 4
    assert "小麦协定" in _search("rows")[0]
    assert verify().ok
    # Imported again: nothing new, nothing written, counted as the instances' import counts it (row 4's languages
    # as written differ from the stored, rewritten ones: a change that writes nothing). Both compared record by
    # record: the fingerprints of the first imports are forgotten (with them the second "objs" import would take
    # the shortcut, its file unchanged and nothing changed since: tests/interop/test_import_fingerprint.py).
    ImportFingerprint.objects.all().delete()
    chain = ChangeRecord.objects.count()
    again = _import(_good("rows"), by_rows=True, monkeypatch=monkeypatch)
    again_objs = _import(_good("objs"), by_rows=False, monkeypatch=monkeypatch)
    assert again.created["agreement"] == 0 and again.unchanged["agreement"] >= 3
    assert (again.created, again.updated, again.unchanged) == (
        again_objs.created,
        again_objs.updated,
        again_objs.unchanged,
    )
    assert ChangeRecord.objects.count() == chain


def test_parties_added_to_a_stored_agreement_follow_its_own(seed, monkeypatch) -> None:
    _import(
        HEADER.encode() + b"keep:1,agreement,Kept,,,,,CN,,,,,draft,,public,\n", by_rows=True, monkeypatch=monkeypatch
    )
    data = (
        HEADER
        + "keep:1,agreement,Kept,,,,,CN; SU,,,,,draft,,public,\nkeep:2,agreement,New,,,,,SU; CN,,,,,draft,,public,\n"
    )
    report = _import(data.encode(), by_rows=True, monkeypatch=monkeypatch)
    assert report.created["agreement"] == 1 and report.updated["agreement"] == 1
    kept = AgreementParty.objects.filter(agreement__external_id="keep:1").order_by("position")
    assert [(p.party.code, p.position) for p in kept] == [("CN", 1), ("SU", 2)]
    new = AgreementParty.objects.filter(agreement__external_id="keep:2").order_by("position")
    assert [(p.party.code, p.position) for p in new] == [("SU", 1), ("CN", 2)]


BAD = [
    # (cells after the external id, the column the problem names)
    ("agreement,T,,,,,,1958-01-18,1957-01-01,,,in_force,,public,", "entry_into_force_on"),
    ("agreement,T,,,,,,1958-01-18,,1957-01-01,,in_force,,public,", "end_on"),
    ("agreement,T,,,,,,1958-01-18,1959-01-01,1958-06-01,,in_force,,public,", "end_on"),
    ("agreement,T,,,,,,,,,,signed,,public,", "signed_on"),
    ("agreement,T,,,,,,,,,,in_force,,public,", "signed_on"),
    ("agreement,T,,,,,,,,,,draft,en; klingon-xx-yy-zz,public,", "authentic_languages"),  # the cell's own check
    ("agreement,T,,,,,,,,,,draft,,internal,", "owner_party"),
    ("agreement,T,,,," + "R" * 101 + ",,,,,,draft,,public,", "reference"),
]


@pytest.mark.parametrize("by_rows", [True, False])
def test_a_bad_file_is_refused_at_each_row_and_column_alike_and_nothing_is_written(
    seed, monkeypatch, unchanged, by_rows
) -> None:
    good = "agreement,Good,,,,,,1958-01-18,,,,in_force,zh,public,"
    lines = [f"bad:0,{good}"]
    for n, (cells, _column) in enumerate(BAD, start=1):
        lines += [f"bad:{n},{cells}", f"ok:{n},{good}"]
    data = (HEADER + "\n".join(lines) + "\n").encode()
    check = unchanged(Agreement)
    links = AgreementParty.objects.count()
    with pytest.raises(ImportRefused) as caught:
        _import(data, by_rows=by_rows, monkeypatch=monkeypatch)
    check()
    assert AgreementParty.objects.count() == links
    found = [(p.row, p.column, p.reason) for p in caught.value.problems]
    # Row n's bad record is on spreadsheet row 2n + 1 (the header is row 1, "bad:0" row 2): one problem each, and
    # none for the good rows around it.
    assert sorted((row, column) for row, column, _ in found) == [(2 * n + 1, c) for n, (_, c) in enumerate(BAD, 1)]
    monkeypatch.setattr(specs.AGREEMENTS, "by_rows", not by_rows)
    with pytest.raises(ImportRefused) as other:
        import_file("agreements", data, "agreements.csv")
    assert [(p.row, p.column, p.reason) for p in other.value.problems] == found  # the same messages both ways
    check()


def test_a_dry_run_checks_by_column_and_writes_nothing(seed, monkeypatch, unchanged) -> None:
    check = unchanged(Agreement)
    report = _import(_good("dry"), by_rows=True, monkeypatch=monkeypatch, dry_run=True)
    assert report.created["agreement"] == 4
    check()


def test_records_the_columns_vouch_for_skip_clean(seed, monkeypatch) -> None:
    """Agreement.clean_rows vouches for the good records (clean() is not run on them); the others see clean()."""
    cleaned: list[str] = []
    real = Agreement.clean

    def counting(self):
        cleaned.append(self.external_id)
        return real(self)

    monkeypatch.setattr(Agreement, "clean", counting)
    _import(_good("vouch"), by_rows=True, monkeypatch=monkeypatch)
    # Row 4's languages are rewritten by clean() ("EN" twice, "zh-hans"): only it goes one by one.
    assert cleaned == ["vouch:4"]


def test_a_kind_with_a_service_check_or_a_parent_is_not_written_by_columns() -> None:
    """Spec.by_rows skips the per-instance `check` and files entries under no parent: refused where either is set."""
    with pytest.raises(ValueError, match="instances"):
        specs.Spec("x", "x", Agreement, [], by_rows=True, check=lambda obj, changes: [("x", "no")])
    with pytest.raises(ValueError, match="instances"):
        specs.Spec("x", "x", AgreementParty, [], by_rows=True, related=lambda link: link.agreement)
    assert specs.AGREEMENTS.by_rows and not specs.PROJECTS.by_rows
