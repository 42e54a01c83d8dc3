"""What the published-data importers share: reading the files, country codes, parties, and the upsert.

The upsert keys every record by its external id: one query per chunk finds the stored ones, each is
then created, updated (only when a value differs) or counted unchanged, and the writes go through
core.bulk, which validates and audits every record.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from django.db import models

from accord.core.bulk import (
    Change,
    RecordsInvalid,
    build,
    create_many,
    create_rows,
    parent_by,
    stored_instances,
    update_many,
    values_by_key,
)
from accord.directory.models import Party
from accord.interop.report import ImportRefused, ImportReport, Problem

M = TypeVar("M", bound=models.Model)

CHUNK = 2000

# --- reading ---------------------------------------------------------------------------------------


WORKBOOK_SUFFIXES = (".xlsx", ".ods")
TABLE_SUFFIXES = (".csv", ".csv.gz", ".tsv", *WORKBOOK_SUFFIXES)


class Table:
    """A CSV file (plain or gzip; `,` or `;`) or a workbook (XLSX, ODS) read as rows of named cells.

    A CSV's encoding is decided from the whole file (accord.interop.encoding) or named; a workbook is read
    from its sheet `DATA` (as CORDIS publishes them) or else its first, every cell whatever dimension it
    declares. Rows are numbered as a spreadsheet shows them: the header is row 1. A row whose cell count
    differs from the header's, an unterminated quote or a cut-off gzip stream becomes a Problem, not a crash.
    """

    def __init__(self, path: Path, *, missing: Sequence[str] = ("",), encoding: str | None = None, sheet: str = "DATA"):
        self.path = path
        self.name = path.name
        self.missing = frozenset(missing)
        self.problems: list[Problem] = []
        self.header: list[str] = []
        self.encoding = encoding
        self.sheet = sheet
        self.read_as = ""
        self.count = 0  # data rows read so far

    @property
    def is_workbook(self) -> bool:
        return self.name.lower().endswith(WORKBOOK_SUFFIXES)

    def _text(self) -> io.TextIOBase:
        from accord.interop.encoding import EncodingRefused, decode, label
        from accord.interop.readers import place_of

        raw = self.path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            try:
                raw = gzip.decompress(raw)
            except (EOFError, OSError, zlib.error) as exc:
                problem = Problem(f"the compressed file is cut off or damaged ({exc})", file=self.name)
                raise ImportRefused([problem]) from None
        try:
            decoded = decode(raw, self.encoding)
        except EncodingRefused as exc:
            row, column = place_of(exc.text, exc.offset) if exc.offset is not None else (exc.line, None)
            raise ImportRefused([Problem(exc.reason, row=row, column=column, file=self.name)]) from None
        self.read_as = f"{self.name}: CSV, {label(decoded.encoding)}"
        return io.StringIO(decoded.text.lstrip("\ufeff"), newline="")

    def _workbook_rows(self) -> Iterator[tuple[int, dict[str, str | None]]]:
        from accord.interop.readers import _xlsx_text, read_bytes, workbook_rows, workbook_sheet

        fmt = self.name.lower().rsplit(".", 1)[-1]
        raw = read_bytes(self.path.read_bytes(), self.name)
        name, _names, sheet = workbook_sheet(raw, self.name, fmt, self.sheet, or_first=True)
        self.read_as = f"{self.name}: {fmt.upper()}, sheet {name}"
        values = workbook_rows(sheet, self.name, fmt)
        first = next(values, None)
        self.header = [_xlsx_text(h).strip() for h in first[1]] if first else []
        while self.header and not self.header[-1]:
            self.header.pop()
        if not self.header:
            self.problems.append(Problem("the sheet is empty", file=self.name))
            return
        width = len(self.header)
        missing = self.missing
        for number, cells in values:
            texts = [_xlsx_text(c) for c in cells]
            if not any(t.strip() for t in texts):
                continue
            if any(t.strip() for t in texts[width:]):
                self.problems.append(
                    Problem(f"has values beyond the header's {width} columns", row=number, file=self.name)
                )
                continue
            texts = (texts + [""] * width)[:width]
            self.count += 1
            yield number, {h: (None if c in missing else c) for h, c in zip(self.header, texts, strict=True)}

    def rows(self) -> Iterator[tuple[int, dict[str, str | None]]]:
        """(row number, {column: value or None when missing}) for each data row."""
        if self.is_workbook:
            yield from self._workbook_rows()
            return
        stream = self._text()
        first = stream.readline()
        stream.seek(0)
        delimiter = ";" if first.count(";") > first.count(",") else ","
        reader = csv.reader(stream, delimiter=delimiter, strict=True)
        try:
            self.header = [h.strip() for h in next(reader)]
        except StopIteration:
            self.problems.append(Problem("the file is empty", file=self.name))
            return
        except csv.Error as exc:
            self.problems.append(Problem(f"cannot read the header: {exc}", row=1, file=self.name))
            return
        width = len(self.header)
        missing = self.missing
        row_no = 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                self.problems.append(Problem(f"{exc} (is the file cut off?)", row=row_no + 1, file=self.name))
                return
            row_no += 1
            if not cells:
                continue
            if len(cells) != width:
                self.problems.append(
                    Problem(
                        f"has {len(cells)} cells where the header has {width} (is the file cut off?)",
                        row=row_no,
                        file=self.name,
                    )
                )
                continue
            self.count += 1
            yield row_no, {h: (None if c in missing else c) for h, c in zip(self.header, cells, strict=True)}

    def require(self, *columns: str) -> bool:
        """Whether the header has these columns; a Problem naming the missing ones if not."""
        absent = [c for c in columns if c not in self.header]
        if absent:
            self.problems.append(Problem(f"missing column(s): {', '.join(absent)}", row=1, file=self.name))
        return not absent


def header_of(path: Path, *, encoding: str | None = None) -> list[str]:
    """The header cells of a CSV file or workbook (for telling formats apart); a damaged file is refused here."""
    table = Table(path, encoding=encoding)
    next(table.rows(), None)
    return table.header


def stable_key(prefix: str, *parts: str) -> str:
    """A readable external id, or a hashed one when the parts would not fit the 200-character column."""
    key = f"{prefix}:{':'.join(parts)}"
    if len(key) <= 200:
        return key
    return f"{prefix}:sha1:{hashlib.sha1(':'.join(parts).encode()).hexdigest()}"


def normalise_name(name: str) -> str:
    """Upper case, single spaces, no trailing dots: 'Tsinghua  University.' and 'TSINGHUA UNIVERSITY' match."""
    return re.sub(r"\s+", " ", name).strip().rstrip(".").upper()


# --- countries and parties -------------------------------------------------------------------------

# CORDIS writes Greece as EL and the United Kingdom as UK (EU usage); ISO 3166 says GR and GB.
_CORDIS_TO_ISO = {"EL": "GR", "UK": "GB"}
# Kosovo has no ISO code; XK is the code the EU and CORDIS use for it.
_EXTRA_CODES = {"XK": "Kosovo"}

EU_CODE = "EU"
UNKNOWN_CODE = "ZZ"  # a participant whose country the source leaves empty (ZZ: "unknown" in CLDR)


def iso_country(code: str) -> str | None:
    """The ISO 3166 alpha-2 code for a CORDIS country code, None if it is not a country code at all."""
    code = _CORDIS_TO_ISO.get(code.strip().upper(), code.strip().upper())
    if code in _EXTRA_CODES:
        return code
    import pycountry  # where it is used: every process loads this module, few read a country

    if pycountry.countries.get(alpha_2=code) or pycountry.historic_countries.get(alpha_2=code):
        return code
    return None


def country_name(code: str) -> str:
    if code in _EXTRA_CODES:
        return _EXTRA_CODES[code]
    import pycountry

    country = pycountry.countries.get(alpha_2=code) or pycountry.historic_countries.get(alpha_2=code)
    return str(getattr(country, "common_name", None) or country.name) if country else code


# Historical codes CLDR has reassigned or does not know, and the organisations met in the sources.
_LANGUAGES = {
    "CS": ["cs", "sk"],
    "YU": ["sr", "hr", "sl", "mk"],
    "DD": ["de"],
    "SU": ["ru"],
    EU_CODE: [
        "bg",
        "cs",
        "da",
        "de",
        "el",
        "en",
        "es",
        "et",
        "fi",
        "fr",
        "ga",
        "hr",
        "hu",
        "it",
        "lt",
        "lv",
        "mt",
        "nl",
        "pl",
        "pt",
        "ro",
        "sk",
        "sl",
        "sv",
    ],
    "UN": ["ar", "zh", "en", "fr", "ru", "es"],
}


def party_languages(code: str) -> list[str]:
    """The party's languages: a small table for organisations and dissolved states, else CLDR's likely
    language of the territory; English (the language the sources name it in) when neither knows."""
    if code in _LANGUAGES:
        return list(_LANGUAGES[code])
    if re.fullmatch(r"[A-Z]{2}", code) and code != UNKNOWN_CODE:
        from langcodes import Language  # here: its tables cost a tenth of a second at every command's start

        language = Language.get(f"und-{code}").maximize().language
        if language and language != "und":
            return [language]
    return ["en"]


@dataclass(frozen=True)
class PartySpec:
    code: str
    kind: str
    name_en: str


def ensure_parties(specs: Sequence[PartySpec], report: ImportReport) -> dict[str, Party]:
    """The parties by code: stored ones are reused as they are (their names may be richer), new ones created."""
    wanted = {s.code: s for s in specs}
    found = {p.code: p for p in Party.objects.filter(code__in=list(wanted))}
    report.unchanged["party"] += len(found)
    new = [
        Party(code=s.code, kind=s.kind, name={"en": s.name_en}, languages=party_languages(s.code))
        for code, s in wanted.items()
        if code not in found
    ]
    # A state the checker does not know (XK) is still a side; Party.clean only accepts ISO codes for states.
    for p in new:
        if p.kind == Party.Kind.STATE and p.code in _EXTRA_CODES:
            p.kind = Party.Kind.INSTITUTION
    try:
        create_many(Party, new)
    except RecordsInvalid as exc:
        raise ImportRefused(
            [Problem(f"party {new[i].code}: {_messages(e)}") for i, e in sorted(exc.errors.items())]
        ) from None
    report.created["party"] += len(new)
    found.update({p.code: p for p in new})
    return found


# --- upsert ----------------------------------------------------------------------------------------


@dataclass
class Wanted:
    """One record as the source gives it: its external id, its field values, and where it was read."""

    key: str
    fields: dict[str, Any]
    file: str | None = None
    row: int | None = None


def _messages(errors: dict[str, list[str]]) -> str:
    return "; ".join(f"{f}: {', '.join(m)}" if f != "__all__" else ", ".join(m) for f, m in errors.items())


def _problems(
    exc: RecordsInvalid, origins: Sequence[Wanted | WantedRow], columns: dict[str, str], what: str
) -> list[Problem]:
    problems = []
    for i, errors in sorted(exc.errors.items()):
        w = origins[i]
        for fname, messages in errors.items():
            column = columns.get(fname)
            for message in messages:
                reason = f"{what} {w.key}: {message}" if column else f"{what} {w.key}: {fname}: {message}"
                problems.append(Problem(reason, row=w.row, column=column, file=w.file))
    return problems


def upsert(
    model: type[M],
    wanted: Sequence[Wanted],
    report: ImportReport,
    kind: str,
    *,
    columns: dict[str, str],
    related: Callable[[M], models.Model | None] | None = None,
    prepare: Callable[[M], None] | None = None,
    describe: Callable[[M], str] | None = None,
    keep_unchanged: bool = True,
) -> dict[str, M]:
    """Create, update or leave each wanted record; the stored instances by external id.

    `columns` names the source column of each field, so a refused record points at its cell.
    `prepare` is called on each stored instance that is read (to hand it related objects already in
    memory, so validation does not read them back one by one). `describe` gives str() of a new record
    more cheaply, for its audit entry. Without `keep_unchanged` the result holds only the records written
    (for a caller that needs none of them: an unchanged record is then compared without being made).

    The stored records are compared by the wanted fields' columns alone, read as plain values; only those
    that differ are read whole. An unchanged record kept for the result holds those columns (the rest are
    deferred: read on first use).
    """
    meta = model._meta
    fk = {f.name: f.attname for f in meta.concrete_fields if f.is_relation}
    names = list(dict.fromkeys(n for w in wanted for n in w.fields))
    attnames = [fk.get(n) or meta.get_field(n).attname for n in names]  # type: ignore[union-attr]
    # A kept record holds its identity as well (its uid names it in other keys), then the compared columns.
    identity = [a for a in ("uid", "version") if keep_unchanged and a in {f.attname for f in meta.concrete_fields}]
    loaded = ["external_id", meta.pk.attname, *identity, *attnames]
    first = 2 + len(identity)
    manager = model._default_manager
    stored = {row[0]: row for row in values_by_key(model, "external_id", [w.key for w in wanted], loaded, chunk=CHUNK)}
    by_key: dict[str, M] = {}
    kept: list[tuple[str, tuple[Any, ...]]] = []
    new_fields: list[dict[str, Any]] = []
    new_origin: list[Wanted] = []
    differing: list[tuple[Wanted, Any]] = []
    for w in wanted:
        row = stored.get(w.key)
        if row is None:
            new_fields.append({"external_id": w.key, **w.fields})
            new_origin.append(w)
            continue
        fields = w.fields
        same = True
        for i, name in enumerate(names, first):
            if name not in fields:
                continue
            value = fields[name]
            if name in fk:
                value = value.pk if value is not None else None
            if row[i] != value:
                same = False
                break
        if same:
            report.unchanged[kind] += 1
            if keep_unchanged:
                kept.append((w.key, row))
        else:
            differing.append((w, row[1]))
    if kept:
        instances = stored_instances(model, loaded, [row for _, row in kept], manager.db)
        by_key.update(zip([k for k, _ in kept], instances, strict=True))
    changes: list[Change] = []
    change_origin: list[Wanted] = []
    if differing:
        whole = manager.in_bulk([pk for _, pk in differing])
        for w, pk in differing:
            obj: M = whole[pk]
            by_key[w.key] = obj
            diff: dict[str, Any] = {}
            for name, value in w.fields.items():
                if name in fk:
                    if getattr(obj, fk[name]) != (value.pk if value is not None else None):
                        diff[name] = value
                elif getattr(obj, name) != value:
                    diff[name] = value
            for name in fk:  # the related objects in memory, so validation reads none of them back
                if name in w.fields:
                    setattr(obj, name, w.fields[name])
            if prepare is not None:
                prepare(obj)
            changes.append(Change(obj, diff))
            change_origin.append(w)
    new = build(model, new_fields)
    try:
        create_many(model, new, related=related, describe=describe)
    except RecordsInvalid as exc:
        raise ImportRefused(_problems(exc, new_origin, columns, kind)) from None
    try:
        written = update_many(changes, related=related)  # type: ignore[arg-type]
    except RecordsInvalid as exc:
        raise ImportRefused(_problems(exc, change_origin, columns, kind)) from None
    report.created[kind] += len(new)
    report.updated[kind] += len(written)
    report.unchanged[kind] += len(changes) - len(written)
    for obj in new:
        by_key[obj.external_id] = obj  # type: ignore[attr-defined]
    return by_key


@dataclass(slots=True)
class WantedRow:
    """One record as the source gives it, as plain values: its external id, its values in the order of
    upsert_rows' columns (a foreign key as the id it holds), and where it was read."""

    key: str
    values: tuple[Any, ...]
    file: str | None = None
    row: int | None = None


def upsert_rows(
    model: type[M],
    columns: Sequence[str],
    wanted: Sequence[WantedRow],
    report: ImportReport,
    kind: str,
    *,
    sources: dict[str, str],
    related: str | None = None,
    prepare: Callable[[list[M]], None] | None = None,
    describe: Callable[[Sequence[Any]], str] | None = None,
) -> dict[str, Any]:
    """upsert() of records given as plain values in `columns` (attnames: a foreign key by its id); their ids by
    external id.

    A new record goes in as its values (core.bulk.create_rows: validated by column, no model instance each; its
    audit entry's repr from `describe(values)`, the values led by the external id). A stored one is compared by
    these columns; one that differs is read whole and updated through update_many, as upsert() does (`prepare`
    gets those instances together, to hand them related records in memory). `sources` names the source column
    of each field (by name), so a refused record points at its cell; `related` the foreign key (attname) whose
    record each audit entry names as the parent.
    """
    meta = model._meta
    loaded = ["external_id", meta.pk.attname, *columns]
    stored = {row[0]: row for row in values_by_key(model, "external_id", [w.key for w in wanted], loaded, chunk=CHUNK)}
    ids: dict[str, Any] = {}
    new: list[WantedRow] = []
    differing: list[tuple[WantedRow, Any]] = []
    for w in wanted:
        row = stored.get(w.key)
        if row is None:
            new.append(w)
        elif tuple(row[2:]) == w.values:
            report.unchanged[kind] += 1
            ids[w.key] = row[1]
        else:
            differing.append((w, row[1]))
    try:
        created = create_rows(
            model, ["external_id", *columns], [(w.key, *w.values) for w in new], related=related, describe=describe
        )
    except RecordsInvalid as exc:
        raise ImportRefused(_problems(exc, new, sources, kind)) from None
    ids.update(zip([w.key for w in new], created, strict=True))
    changes: list[Change] = []
    change_origin: list[WantedRow] = []
    if differing:
        whole = model._default_manager.in_bulk([pk for _, pk in differing])
        for w, pk in differing:
            obj = whole[pk]
            diff = {c: v for c, v in zip(columns, w.values, strict=True) if getattr(obj, c) != v}
            changes.append(Change(obj, diff))
            change_origin.append(w)
            ids[w.key] = pk
        if prepare is not None:
            prepare([c.obj for c in changes])  # type: ignore[misc]
    try:
        written = update_many(changes, related=parent_by(model, related) if related is not None else None)
    except RecordsInvalid as exc:
        raise ImportRefused(_problems(exc, change_origin, sources, kind)) from None
    report.created[kind] += len(created)
    report.updated[kind] += len(written)
    report.unchanged[kind] += len(changes) - len(written)
    return ids


def remember_parties(agreement: models.Model, party_ids: set[int]) -> None:
    """Hand an agreement in memory the ids of its parties, as just written in this transaction.

    Participation.clean() asks `project.agreement.party_ids()` for every record, one query each; during an
    import the answer is known, so the instance answers from memory (the method is shadowed on this one
    object only, which is discarded when the import ends).
    """
    ids = frozenset(party_ids)
    agreement.__dict__["party_ids"] = lambda: set(ids)
