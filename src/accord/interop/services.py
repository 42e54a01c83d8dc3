"""Import and export of records as CSV, XLSX and JSON: the functions the CLI, the API and the pages call.

    import_file(kind, data, filename, dry_run=False) -> ImportReport     (raises ImportRefused)
    export_stream(kind, fmt, user=None, filters=export_filters(kind, {...})) -> Iterator[bytes]
    template(kind, fmt, language=...) -> bytes

An import is all or nothing: every row is read, matched and validated (the models' rules, uniqueness and the
services' own rules) before anything is written, and every problem is reported with its row and column.
The writes go through core.bulk (audited, one transaction). A dry run stops before writing.
"""

from __future__ import annotations

import contextlib
import copy
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, cast

from django.db import models, transaction
from django.db.models import Count, Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accord.agreements.models import AgreementParty
from accord.core import services as records
from accord.core.bulk import (
    Change,
    NewRows,
    create_many,
    create_rows,
    insert_rows,
    prepare_rows,
    update_many,
    validate_many,
)
from accord.core.errors import DomainError, Forbidden, ValidationFailed
from accord.core.filters import Filters
from accord.core.localized import normalize_tag
from accord.core.permissions import acting_user
from accord.core.visibility import inherit_from_parents, principal
from accord.interop.columns import CellError, Column, PartyList, TextList
from accord.interop.limits import limit
from accord.interop.lookup import Lookup, as_uid
from accord.interop.models import ImportMapping
from accord.interop.readers import Cell, Table, read_table
from accord.interop.report import ImportRefused, ImportReport, Preview, Problem
from accord.interop.sources import fingerprint
from accord.interop.specs import SPECS, Spec
from accord.interop.writers import FORMATS, stream_csv, stream_json, stream_xlsx, template_bytes
from accord.programmes.services import open_for_change

if TYPE_CHECKING:
    from accord.interop.mapping import Mapping as ColumnMapping

KINDS: list[str] = list(SPECS)
__all__ = ["FORMATS", "KINDS", "export_filters", "export_rows", "export_stream", "import_file", "spec_for", "template"]

# A text cell an export neutralised against formula injection: the apostrophe is taken off again on import.
_NEUTRALISED = re.compile(r"^'(?=[=+\-@\t\r])")
_LOCALIZED_HEADER = re.compile(r"^(?P<base>.*?)\s*\[\s*(?P<tag>[^\]]+?)\s*\]$")


def spec_for(kind: str) -> Spec:
    try:
        return SPECS[kind]
    except KeyError:
        raise DomainError(
            _("unknown kind of record “%(kind)s”; one of: %(kinds)s") % {"kind": kind, "kinds": ", ".join(KINDS)},
            code="unknown_kind",
        ) from None


# --- import --------------------------------------------------------------------------------------------

# What a file import's fingerprint covers beside the file: the code that reads the file and turns rows into records.
# (accord.interop.encoding: how a text file is decoded; readers imports it.)
_CODE_READ = (__name__, CellError.__module__, Lookup.__module__, read_table.__module__, Spec.__module__)
_FINGERPRINTED = tuple(sys.modules[name] for name in (*_CODE_READ, "accord.interop.encoding"))


@dataclass
class _Slot:
    """Where a column's cells are in the file: one index, or one per language."""

    column: Column
    header: str  # as written in the file, for messages
    index: int | None = None
    languages: dict[str, int] = field(default_factory=dict)


class _Problems:
    def __init__(self, filename: str):
        self.filename = filename
        self.items: list[Problem] = []
        self.total = 0
        self.cap = limit("ACCORD_IMPORT_MAX_PROBLEMS")

    def add(self, reason: str, row: int | None = None, column: str | None = None) -> None:
        self.total += 1
        if len(self.items) < self.cap:
            self.items.append(Problem(reason, row=row, column=column, file=self.filename))

    def refuse_if_any(self) -> None:
        if self.total:
            more = self.total - len(self.items)
            note = _("%(count)s more problems are not listed") % {"count": more} if more else None
            raise ImportRefused(self.items, limit_note=note, total=self.total)


def _header_names(spec: Spec) -> dict[str, Column]:
    """Every name a header cell may use for a column: its key, or its label in any interface language."""
    names: dict[str, Column] = {}
    for language in ("en", "zh-hans", "ru"):
        with translation.override(language):
            for col in spec.columns:
                names.setdefault(" ".join(str(col.label).split()).casefold(), col)
    for col in spec.columns:
        names[col.key.casefold()] = col
    return names


def _map_header(spec: Spec, header: list[str], problems: _Problems) -> dict[str, _Slot]:
    names = _header_names(spec)
    slots: dict[str, _Slot] = {}
    seen: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = " ".join(raw.split())
        if not name:
            continue
        col = names.get(name.casefold())
        tag = None
        if col is None or col.localized:
            match = _LOCALIZED_HEADER.match(name)
            base = names.get(match.group("base").casefold()) if match else None
            if match and base is not None and base.localized:
                col = base
                try:
                    tag = normalize_tag(match.group("tag"))
                except ValueError:
                    problems.add(_("“%(tag)s” is not a BCP 47 language tag") % {"tag": match.group("tag")}, 1, raw)
                    continue
            elif col is not None:  # a localized column without its language
                problems.add(_("give the language in brackets, e.g. %(key)s[en]") % {"key": col.key}, 1, raw)
                continue
        if col is None:
            problems.add(_("unknown column; the template of %(kind)s lists the columns") % {"kind": spec.kind}, 1, raw)
            continue
        ident = f"{col.key}[{tag}]" if tag else col.key
        if ident in seen:
            problems.add(_("repeats column %(number)s") % {"number": seen[ident] + 1}, 1, raw)
            continue
        seen[ident] = index
        slot = slots.setdefault(col.key, _Slot(col, raw))
        if tag:
            slot.languages[tag] = index
        else:
            slot.index = index
    for col in spec.columns:
        if col.required and col.key not in slots:
            problems.add(_("the required column “%(column)s” is missing") % {"column": col.key}, 1, None)
    return slots


@dataclass
class _Row:
    number: int
    fields: dict[str, Any]
    values: dict[str, Any]  # every column read, by key (helper columns too)
    uid: Any = None
    stored: models.Model | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    parties: list[Any] = field(default_factory=list)  # agreements: parties to add
    new: dict[str, Any] | None = None  # a new record of a kind written by columns (Spec.by_rows): its values
    new_id: Any = None  # and its id once written


def _cell(cells: list[Cell], index: int | None) -> Cell:
    if index is None or index >= len(cells):
        return ""
    value = cells[index]
    if isinstance(value, list):
        return value
    return _NEUTRALISED.sub("", value.strip())


def _read_row(
    spec: Spec, slots: dict[str, _Slot], number: int, cells: list[Cell], lookup: Lookup, problems: _Problems
) -> _Row | None:
    headers = {s.index: s.header for s in slots.values() if s.index is not None}
    headers.update({i: f"{s.column.key}[{tag}]" for s in slots.values() for tag, i in s.languages.items()})
    max_chars = limit("ACCORD_IMPORT_MAX_CELL_CHARS")
    ok = True
    for index, value in enumerate(cells):
        text = "".join(value) if isinstance(value, list) else value
        if index not in headers and text.strip():
            problems.add(_("a value in a column without a (known) header: “%(value)s”") % {"value": text[:40]}, number)
            ok = False
        elif len(text) > max_chars:
            problems.add(
                _("the cell is longer than %(limit)s characters") % {"limit": max_chars}, number, headers.get(index)
            )
            ok = False
    values: dict[str, Any] = {}
    fields: dict[str, Any] = {}
    for col in spec.columns:
        slot = slots.get(col.key)
        if slot is None:
            continue
        try:
            if col.localized:
                texts = {tag: str(_cell(cells, i)) for tag, i in slot.languages.items()}
                value = col.parse_languages(texts)  # type: ignore[attr-defined]
                empty = not any(value.values())
            else:
                raw = _cell(cells, slot.index)
                if isinstance(raw, list) and not isinstance(col, TextList):
                    raise CellError(_("expects one value, not a list"))
                empty = not raw
                value = col.empty() if empty else col.parse(raw, lookup, values)
            if empty and col.required:
                raise CellError(_("is required"))
        except CellError as exc:
            problems.add(exc.message, number, slot.header)
            ok = False
            continue
        values[col.key] = value
        if col.field:
            fields[col.field] = value
    if spec.derive is not None and ok:
        try:
            spec.derive(fields, values, lookup)
        except CellError as exc:
            problems.add(exc.message, number, slots["project"].header if "project" in slots else None)
            ok = False
    if not ok:
        return None
    uid = None
    if values.get("uid"):
        uid = as_uid(values["uid"])
        if uid is None:
            problems.add(_("“%(value)s” is not a global id (UUID)") % {"value": values["uid"]}, number, "uid")
            return None
    fields.pop("uid", None)
    return _Row(number, fields, values, uid=uid)


class _Stored:
    """The stored records a batch of rows names by uid or external id, read in two queries per batch (not one
    or two per row); rows known by neither are matched by the kind's natural key, one query each."""

    BATCH = 2000

    def __init__(self, spec: Spec):
        self.manager = spec.model._default_manager
        self.has_external_id = any(f.name == "external_id" for f in spec.model._meta.concrete_fields)
        self.by_uid: dict[Any, models.Model] = {}
        self.by_external_id: dict[str, models.Model] = {}
        self.with_parties = spec.kind == "agreements"
        self.parties: dict[Any, set[Any]] = {}  # an agreement's parties, for the agreements prefetched

    def prefetch(self, rows: list[_Row]) -> None:
        self.by_uid = {}
        self.by_external_id = {}
        uids = [r.uid for r in rows if r.uid is not None]
        if uids:
            self.by_uid = {obj.uid: obj for obj in self.manager.filter(uid__in=uids)}  # type: ignore[attr-defined]
        ids = [r.fields["external_id"] for r in rows if r.fields.get("external_id")]
        if ids and self.has_external_id:
            self.by_external_id = {
                obj.external_id: obj  # type: ignore[attr-defined]
                for obj in self.manager.filter(external_id__in=ids)
            }
        self.parties = {}
        if self.with_parties:
            pks = [o.pk for o in (*self.by_uid.values(), *self.by_external_id.values())]
            for agreement_id, party_id in AgreementParty.objects.filter(agreement_id__in=pks).values_list(
                "agreement_id", "party_id"
            ):
                self.parties.setdefault(agreement_id, set()).add(party_id)
            for pk in pks:
                self.parties.setdefault(pk, set())

    def parties_of(self, agreement_id: Any) -> set[Any]:
        if agreement_id not in self.parties:  # matched by its natural key: not prefetched
            self.parties[agreement_id] = set(
                AgreementParty.objects.filter(agreement_id=agreement_id).values_list("party_id", flat=True)
            )
        return self.parties[agreement_id]


def _match(spec: Spec, row: _Row, lookup: Lookup, stored: _Stored) -> models.Model | Q | None:
    """The stored record the row describes, or None; a Q when the natural key matches several."""
    if row.uid is not None:
        found = stored.by_uid.get(row.uid)
        if found is not None:
            return found
    if row.fields.get("external_id"):
        found = stored.by_external_id.get(row.fields["external_id"])
        if found is not None:
            return found
    if row.uid is not None or row.fields.get("external_id"):
        return None  # a new record known by its ids: the natural key does not merge it into another
    q = spec.natural(row.fields, lookup)
    if q is None:
        return None
    matches = list(stored.manager.filter(q)[:2])
    if len(matches) > 1:
        return q
    return matches[0] if matches else None


def _differs(model_field: models.Field, stored: Any, new: Any) -> bool:
    if isinstance(model_field, models.ForeignKey):
        return stored != (new.pk if new is not None else None)
    return bool(stored != new)


def _model_field(spec: Spec, name: str) -> models.Field[Any, Any]:
    return cast("models.Field[Any, Any]", spec.model._meta.get_field(name))


def _skip_empty(spec: Spec, name: str, value: Any) -> bool:
    """An empty cell for a field that cannot be blank but has a default: left as stored (or the default)."""
    if value not in ("", None):
        return False
    f = _model_field(spec, name)
    return not f.blank and f.has_default()


def import_file(
    kind: str,
    data: bytes | IO[bytes] | Table,
    filename: str,
    *,
    dry_run: bool = False,
    encoding: str | None = None,
    sheet: str | None = None,
    progress: Callable[[float | None, int], None] | None = None,
) -> ImportReport:
    """Import one file of records of `kind`; all or nothing. Raises ImportRefused listing every problem.

    `encoding` names a text file's encoding (else it is decided from the whole file, or the file is refused as
    ambiguous); `sheet` a workbook's sheet (else the first). The report says how the file was read and
    previews decoded rows from across the file.

    Rows are matched, checked and written a batch at a time inside the one transaction, so memory is bounded by
    a batch, not by the file: once a problem is found nothing more is written, every later row is still checked,
    and the refusal rolls back what earlier batches wrote. `progress(share of the file read or None, rows read)`
    is called after each batch (a job's progress bar; it may raise to cancel, which rolls back too)."""
    spec = spec_for(kind)
    # The same file imported before, with nothing it reads or writes changed since: nothing to read or compare.
    # (A Table, rows through a column mapping, is compared as it streams: the mapping is not fingerprinted.)
    src = None
    if not isinstance(data, Table):
        src = fingerprint.upload_source(
            f"file:{spec.kind}",
            filename,
            data,
            code=_FINGERPRINTED,
            encoding=encoding,
            kinds=_reads_and_writes(spec),
            options=[f"sheet={sheet or ''}"],
        )
        seen = fingerprint.unchanged(src, dry_run=dry_run) if src is not None else None
        if seen is not None:
            if progress is not None:
                progress(1.0, seen.records)
            return seen
    problems = _Problems(filename)
    # A Table: rows already read (a file through a column mapping, accord.interop.mapping), as they stream.
    table = data if isinstance(data, Table) else read_table(data, filename, encoding=encoding, sheet=sheet)
    slots = _map_header(spec, table.header, problems)
    problems.refuse_if_any()
    report = ImportReport(dry_run=dry_run, read_as=table.describe())
    preview = Preview(table.header)
    # A dry run only reads: outside a transaction it does not hold SQLite's one write lock while it checks.
    with contextlib.nullcontext() if dry_run else transaction.atomic():
        if not dry_run and src is not None:
            fingerprint.lock_chain()  # what is compared stays as read until the fingerprint is kept
        lookup = Lookup()
        claimed = _Claims()
        state: dict[Any, int] = {}
        plans: dict[Any, Any] = {}  # plan items' plans, reopened once at the end
        max_rows = limit("ACCORD_IMPORT_MAX_ROWS")
        stored = _Stored(spec)
        batch: list[_Row] = []
        count = 0

        def settle_batch() -> None:
            stored.prefetch(batch)
            new: list[_Row] = []
            changed: list[_Row] = []
            for row in batch:
                if _place(spec, row, lookup, claimed, problems, slots, stored):
                    if row.stored is None:
                        _build_new(spec, row, state)
                        new.append(row)
                    elif row.changes or row.parties:
                        changed.append(row)
                    else:
                        report.unchanged[spec.noun] += 1
            batch.clear()
            prepared = _validate(spec, new, changed, problems, slots)
            if new:
                report.created[spec.noun] += len(new)
            if changed:
                report.updated[spec.noun] += len(changed)
            if not dry_run and not problems.total:
                _write(spec, new, changed, prepared)
                for row in new:  # a later row matching the record by its natural key is a duplicate too
                    if row.uid is None and not row.fields.get("external_id"):  # (its ids are claimed already)
                        pk = row.new_id if row.stored is None else row.stored.pk
                        claimed[("pk", pk)] = row.number
                if spec.kind == "plan-items":
                    plans.update({r.stored.plan.pk: r.stored.plan for r in new + changed})  # type: ignore[union-attr]
            if progress is not None:
                progress(table.position() if table.position is not None else None, count)

        for number, cells in table.rows:
            if count >= max_rows:
                problems.add(_("the file has more than %(limit)s rows") % {"limit": max_rows}, number)
                break
            if _repeats_header(table.header, cells):
                problems.add(_("repeats the header row (two files joined?)"), number)
                continue
            preview.add(number, cells)
            row = _read_row(spec, slots, number, cells, lookup, problems)
            if row is None:
                continue
            count += 1
            batch.append(row)
            if len(batch) >= _Stored.BATCH:
                settle_batch()
        settle_batch()
        report.preview = preview.rows()
        try:
            problems.refuse_if_any()
        except ImportRefused as refused:  # how the file read: a wrong encoding shows in the values
            refused.read_as, refused.preview = report.read_as, report.preview
            raise
        if not dry_run and plans:
            _reopen_plans(set(plans.values()), report)
        if not dry_run and src is not None and report.records:  # (a file of no records has nothing to skip)
            fingerprint.remember(src, report, valid_until=None, keep_notes=False)  # no value here follows the day
    return report


def _reads_and_writes(spec: Spec) -> list[type[models.Model]]:
    """The kinds of record whose change may change what a file of `spec` gives: its own, those its columns name
    (parties, agreements, organisations, plans, projects: what the lookups read and new records inherit from), and
    an agreement's parties."""
    meta = spec.model._meta
    kinds: list[type[models.Model]] = [spec.model, AgreementParty] if spec.kind == "agreements" else [spec.model]
    for f in [*meta.fields, *meta.many_to_many]:
        if f.related_model is not None and isinstance(f.related_model, type):
            kinds.append(f.related_model)
    return kinds


class _Claims:
    """Which row claimed each key (a stored record, an id, a natural or unique key), to refuse a second row for the
    same record. Kept for the whole file, so kept small: one dict per kind of key, keyed by the bare value, no
    tuple per row (a 300,000-row file's claims are tens of MB, not hundreds)."""

    def __init__(self) -> None:
        self.by_kind: dict[str, dict[Any, int]] = {}

    @staticmethod
    def _split(key: tuple[Any, ...]) -> tuple[str, Any]:
        return key[0], key[1] if len(key) == 2 else key[1:]

    def __contains__(self, key: tuple[Any, ...]) -> bool:
        kind, value = self._split(key)
        return value in self.by_kind.get(kind, ())

    def __getitem__(self, key: tuple[Any, ...]) -> int:
        kind, value = self._split(key)
        return self.by_kind[kind][value]

    def __setitem__(self, key: tuple[Any, ...], row: int) -> None:
        kind, value = self._split(key)
        self.by_kind.setdefault(kind, {})[value] = row


def _repeats_header(header: list[str], cells: list[Cell]) -> bool:
    texts = [c.strip().lstrip("\ufeff").strip() if isinstance(c, str) else None for c in cells]
    while texts and not texts[-1]:
        texts.pop()
    return texts == header


def _unique_keys(spec: Spec, row: _Row) -> list[tuple[Any, ...]]:
    """The row's values of the model's unique fields and constraints other than its ids (Party.code, a project's
    agreement and number, Person.orcid when not empty). The bulk validation checks them against stored records and
    within a batch only, so two rows sharing one in different batches would be caught only once the first is
    written, never in a dry run: they are claimed here for the whole file. Records are kept by their primary key,
    not as instances, so the claims hold no rows."""
    keys: list[tuple[Any, ...]] = []
    groups: list[tuple[tuple[str, ...], bool]] = [
        ((f.name,), False)
        for f in spec.model._meta.concrete_fields
        if f.unique and not f.primary_key and f.name not in ("uid", "external_id")
    ]
    for constraint in spec.model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields and not constraint.expressions:
            groups.append((tuple(constraint.fields), constraint.condition is not None))
    for names, conditional in groups:
        values = tuple(_claim_value(row.fields.get(name)) for name in names)
        if any(v is None for v in values) or (conditional and any(v == "" for v in values)):
            continue  # NULLs are never equal; a conditional constraint (orcid when not empty) skips the empty
        keys.append(("unique", names, values))
    return keys


def _claim_value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    return value


def _place(
    spec: Spec,
    row: _Row,
    lookup: Lookup,
    claimed: _Claims,
    problems: _Problems,
    slots: dict[str, _Slot],
    stored: _Stored,
) -> bool:
    """Match the row to a stored record (or none), refuse a second row for the same record, compute changes."""
    found = _match(spec, row, lookup, stored)
    where = slots["external_id"].header if "external_id" in slots else None
    if isinstance(found, Q):
        problems.add(_("matches several stored records; give the external id or the Accord id"), row.number, where)
        return False
    keys: list[Any] = []
    if found is not None:
        keys.append(("pk", found.pk))
    if row.uid is not None:
        keys.append(("uid", row.uid))
    if row.fields.get("external_id"):
        keys.append(("external_id", row.fields["external_id"]))
    if found is None and row.uid is None and not row.fields.get("external_id"):
        q = spec.natural(row.fields, lookup)
        if q is not None:
            keys.append(("natural", repr(q)))
    for key in keys:
        if key in claimed:
            problems.add(
                _("describes the same record as row %(row)s (duplicate key in the file)") % {"row": claimed[key]},
                row.number,
                where if key[0] != "uid" else "uid",
            )
            return False
    for key in _unique_keys(spec, row):
        if key in claimed:
            field_name = key[1][-1]
            problems.add(
                _("has the same %(field)s as row %(row)s") % {"field": ", ".join(key[1]), "row": claimed[key]},
                row.number,
                _column_name(spec, field_name, slots),
            )
            return False
        keys.append(key)
    for key in keys:
        claimed[key] = row.number
    row.stored = found
    if found is None:
        return True
    for name, value in row.fields.items():
        if _skip_empty(spec, name, value):
            continue
        col = spec.column_for_field(name)
        model_field = _model_field(spec, name)
        stored_value = getattr(found, model_field.attname)
        new_value = col.merge(stored_value, value) if col is not None else value
        if _differs(model_field, stored_value, new_value):
            row.changes[name] = new_value
    if isinstance(spec.column("parties"), PartyList) and row.values.get("parties"):
        have = stored.parties_of(found.pk)
        row.parties = [p for p in row.values["parties"] if p.pk not in have]
    return True


def _build_new(spec: Spec, row: _Row, state: dict[Any, int]) -> None:
    fields = {k: v for k, v in row.fields.items() if not _skip_empty(spec, k, v)}
    for name, value in list(fields.items()):
        col = spec.column_for_field(name)
        if col is not None:
            f = _model_field(spec, name)
            fields[name] = col.merge(f.get_default() if f.has_default() else None, value)
    for name, value in spec.defaults(fields).items():
        if fields.get(name) in (None, "") or fields.get(name) == []:
            fields[name] = value
    inherit_from_parents(spec.model, fields)  # a part's visibility and flag from its parent, as a service would
    if spec.model._meta.label_lower == "programmes.planitem" and fields.get("plan") and not fields.get("position"):
        plan = fields["plan"]
        if plan.pk not in state:
            state[plan.pk] = plan.items.order_by("-position").values_list("position", flat=True).first() or 0
        state[plan.pk] += 1
        fields["position"] = state[plan.pk]
    row.parties = list(row.values.get("parties") or [])
    if spec.by_rows:
        row.new = _by_attname(spec.model, fields)
        if row.uid is not None:
            row.new["uid"] = row.uid
        return
    obj = spec.model(**fields)
    if row.uid is not None:
        obj.uid = row.uid  # type: ignore[attr-defined]
    row.stored = obj


def _by_attname(model: type[models.Model], fields: dict[str, Any]) -> dict[str, Any]:
    """A new record's fields by attname, a related record by its id: the values core.bulk.create_rows takes."""
    out: dict[str, Any] = {}
    for name, value in fields.items():
        f = model._meta.get_field(name)
        if f.is_relation and name != f.attname:  # type: ignore[union-attr]
            value = value.pk if isinstance(value, models.Model) else value
        out[f.attname] = value  # type: ignore[union-attr]
    return out


def _prepare_new(spec: Spec, new: list[_Row]) -> NewRows:
    """The new records of a kind written by columns, validated by column (core.bulk.prepare_rows); a column a row
    does not give takes the field's default, as a new instance would."""
    columns = list(dict.fromkeys(name for row in new for name in row.new or ()))
    defaults = {c: next(f for f in spec.model._meta.concrete_fields if f.attname == c) for c in columns}
    rows = [
        tuple(row.new[c] if c in row.new else defaults[c].get_default() for c in columns)  # type: ignore[index, operator]
        for row in new
    ]
    return prepare_rows(spec.model, columns, rows)


def _validate(
    spec: Spec, new: list[_Row], changed: list[_Row], problems: _Problems, slots: dict[str, _Slot]
) -> NewRows | None:
    """Report every broken rule of the batch's new and changed records at its row and column. A kind written by
    columns (Spec.by_rows) has its new records validated by column: they are returned, for _write."""
    prepared = None
    if spec.by_rows:
        prepared = _prepare_new(spec, new)
        _report(spec, new, prepared.errors, problems, slots)
        new = []  # a kind written by columns has no per-kind check (Spec.by_rows)
    rows = new + changed
    objs: list[models.Model] = []
    for row in new:
        assert row.stored is not None
        objs.append(row.stored)
    for row in changed:
        candidate = copy.copy(row.stored)
        for name, value in row.changes.items():
            setattr(candidate, name, value)
        objs.append(candidate)  # type: ignore[arg-type]
    errors = validate_many(objs)
    for i, obj in enumerate(objs):
        is_new = i < len(new)
        if is_new or rows[i].changes:
            for name, message in spec.check(obj, None if is_new else rows[i].changes):
                if name not in errors.get(i, {}):  # a cell the model's own rules refused is reported once
                    errors.setdefault(i, {}).setdefault(name, []).append(message)
    _report(spec, rows, errors, problems, slots)
    return prepared


def _report(
    spec: Spec, rows: list[_Row], errors: dict[int, dict[str, list[str]]], problems: _Problems, slots: dict[str, _Slot]
) -> None:
    """Each error of the records validated together (`rows`, in that order) at its row and column."""
    for i, by_field in sorted(errors.items()):
        for name, messages in by_field.items():
            for message in messages:
                message = re.sub(
                    r"record #(\d+)", lambda m: _("row %(row)s") % {"row": rows[int(m.group(1))].number}, message
                )
                problems.add(message, rows[i].number, _column_name(spec, name, slots))


def _column_name(spec: Spec, name: str, slots: dict[str, _Slot]) -> str | None:
    if name in ("__all__", ""):
        return None
    col = spec.column_for_field(name) or spec.column(name)
    if col is None:
        return name
    slot = slots.get(col.key)
    return slot.header if slot else col.key


def _write(spec: Spec, new: list[_Row], changed: list[_Row], prepared: NewRows | None) -> None:
    if prepared is not None:  # a kind written by columns (Spec.by_rows)
        columns = prepared.columns
        describe, language = spec.describe, translation.get_language()
        ids = insert_rows(
            prepared,
            describe=(lambda values: describe(dict(zip(columns, values, strict=True)), language)) if describe else None,
        )
        for row, pk in zip(new, ids, strict=True):
            row.new_id = pk
        visibility = prepared.column("visibility")
        links = [(pk, visibility[i], r.parties) for i, (pk, r) in enumerate(zip(ids, new, strict=True))]
    else:
        created = create_many(
            spec.model, [r.stored for r in new if r.stored is not None], validate=False, related=spec.related
        )
        links = [(o.pk, getattr(o, "visibility", None), r.parties) for o, r in zip(created, new, strict=True)]
    update_many(
        [Change(r.stored, r.changes, r.stored.version) for r in changed if r.changes],  # type: ignore[union-attr, arg-type]
        related=spec.related,
    )
    stored = [(r.stored.pk, getattr(r.stored, "visibility", None), r.parties) for r in changed]  # type: ignore[union-attr]
    _add_agreement_parties([link for link in links if link[2]], [link for link in stored if link[2]])


def _add_agreement_parties(new: list[tuple[Any, Any, list[Any]]], stored: list[tuple[Any, Any, list[Any]]]) -> None:
    """Each agreement's (id, visibility, parties to add) as its parties, after those it has: a new agreement's
    first. Written by columns (core.bulk.create_rows), each link's entry filed under its agreement."""
    # How many parties each stored agreement has already, in one query for the batch (not one per agreement).
    counts = (
        dict(
            AgreementParty.objects.filter(agreement_id__in=[pk for pk, _, _ in stored])
            .values("agreement_id")
            .annotate(n=Count("id"))
            .values_list("agreement_id", "n")
        )
        if stored
        else {}
    )
    rows = []
    names: dict[Any, str] = {}
    for agreement_id, visibility, parties in new + stored:
        position = counts.get(agreement_id, 0)
        for party in parties:
            position += 1
            rows.append((agreement_id, party.pk, position, visibility))
            if party.pk not in names:
                names[party.pk] = str(party)
    # AgreementParty.__str__: the party and its role's label (each link takes the default role), the label
    # looked up once for the batch.
    role = str(AgreementParty.Role(AgreementParty._meta.get_field("role").get_default()).label)
    create_rows(
        AgreementParty,
        ["agreement_id", "party_id", "position", "visibility"],
        rows,
        related="agreement_id",
        describe=lambda values: f"{names[values[1]]} ({role})",
    )


def _reopen_plans(plans: set[Any], report: ImportReport) -> None:
    """As for any change of a plan's items (the plan's own rule): a proposed or agreed plan goes back to draft."""
    for plan in plans:
        if open_for_change(plan, "its items"):
            report.notes.append(_("“%(plan)s” went back to draft: its items changed") % {"plan": plan})


# --- export --------------------------------------------------------------------------------------------


def export_header(spec: Spec) -> list[str]:
    header: list[str] = []
    for col in spec.columns:
        header.extend(col.headers() if col.localized else [col.key])  # type: ignore[attr-defined]
    return header


def export_filters(kind: str, filters: Mapping[str, Any] | None = None, *, user: Any = None) -> Filters:
    """The kind's filters (those of its list page and API list) bound to `filters`, checked: a value refused or a
    name that is no filter of the kind raises ValidationFailed naming it. `user` None (the CLI): every record."""
    bound = spec_for(kind).filters(filters or {}, user, everything=user is None, strict=True)
    bound.check()
    return bound


@dataclass(frozen=True)
class ExportPlan:
    """How an export is given, by its cost: `total` records; `cap` the most given now (None: all); `as_job`
    when it is too large to stream in a request and is made in the background instead."""

    total: int
    cap: int | None = None
    as_job: bool = False

    @property
    def truncated(self) -> bool:
        return self.cap is not None and self.total > self.cap


def export_plan(kind: str, *, user: Any, filters: Filters | None = None) -> ExportPlan:
    """The cost bound of an export: anonymous clients get at most ACCORD_EXPORT_ANONYMOUS_MAX_ROWS records (and
    are told so); a signed-in account's export of more than ACCORD_EXPORT_INLINE_MAX_ROWS becomes a background
    job, so no request holds a server process for a whole large table. `user` None (the CLI): all, now."""
    from django.conf import settings

    from accord.core.visibility import visible

    if user is None:
        return ExportPlan(total=-1)
    spec = spec_for(kind)
    queryset = spec.model._default_manager.all()
    if spec.has_visibility:
        queryset = visible(queryset, user)
    if filters is not None:
        queryset = filters.apply(queryset)
    total = queryset.count()
    if not getattr(user, "is_authenticated", False):
        return ExportPlan(total=total, cap=settings.ACCORD_EXPORT_ANONYMOUS_MAX_ROWS)
    return ExportPlan(total=total, as_job=total > settings.ACCORD_EXPORT_INLINE_MAX_ROWS)


def truncated_note(plan: ExportPlan) -> str:
    return _(
        "Only the first %(cap)s of %(total)s records: exports without signing in are limited. "
        "Sign in to export them all, or narrow the export with filters."
    ) % {"cap": plan.cap, "total": plan.total}


def export_rows(
    kind: str,
    *,
    user: Any = None,
    full_text: bool = False,
    filters: Filters | None = None,
    limit: int | None = None,
) -> tuple[list[str], Iterator[list[Any]]]:
    """The header and the rows (cells as Python values) of every record of `kind` that `user` may read,
    narrowed by `filters` (export_filters).

    `user` None is the CLI or the system: every record. `full_text` gives localized cells as whole dicts
    (for JSON) instead of one cell per language.
    """
    from accord.core.visibility import visible

    spec = spec_for(kind)
    queryset = spec.model._default_manager.order_by("pk")
    if user is not None and spec.has_visibility:
        queryset = visible(queryset, user)
    if filters is not None:
        queryset = filters.apply(queryset)
    if limit is not None:
        queryset = queryset[:limit]
    paths: list[str] = []
    slices: list[tuple[Column, int, int]] = []
    for col in spec.columns:
        these = ["pk"] if isinstance(col, PartyList) else ([col.path] if col.localized else col.export_paths())
        slices.append((col, len(paths), len(paths) + len(these)))
        paths.extend(these)
    parties = _agreement_parties() if spec.column("parties") is not None else {}

    def rows() -> Iterator[list[Any]]:
        for values in queryset.values_list(*paths).iterator(chunk_size=2000):
            out: list[Any] = []
            for col, start, end in slices:
                if col.localized:
                    value = values[start] or {}
                    out.append(dict(value) if full_text else None)
                    if not full_text:
                        out.pop()
                        out.extend(col.export_cells(value))  # type: ignore[attr-defined]
                elif isinstance(col, PartyList):
                    found = parties.get(values[start], [])
                    out.append(found if full_text else "; ".join(found))
                elif full_text and col.__class__.__name__ in ("TextList", "Languages"):
                    out.append(list(values[start] or []))
                else:
                    out.append(col.export(values[start:end]))
            yield out

    header = [c.key for c in spec.columns] if full_text else export_header(spec)
    return header, rows()


def _agreement_parties() -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for agreement_id, code in AgreementParty.objects.order_by("agreement_id", "position", "id").values_list(
        "agreement_id", "party__code"
    ):
        found.setdefault(agreement_id, []).append(code)
    return found


def export_withheld(kind: str, *, user: Any = None, filters: Filters | None = None) -> int:
    """How many records of `kind` are parts of a composite `user` reads (items of a plan they see) but hidden
    from them: the export leaves them out and says how many. `user` None (the CLI) reads everything.
    With `filters`, of the parts the filters select (the items of one plan)."""
    from accord.core.visibility import parent_model, visibility_parents, visible, withheld

    spec = spec_for(kind)
    parents = visibility_parents(spec.model)
    if user is None or not spec.has_visibility or not parents:
        return 0
    composite = parent_model(spec.model, parents[0])
    readable = visible(composite._default_manager.all(), user)
    parts = spec.model._default_manager.filter(**{f"{parents[0]}__in": readable})
    return withheld(filters.narrow(parts) if filters is not None else parts, user)


def withheld_note(count: int) -> str:
    return ngettext(
        "%(n)s record not shown: you may not see it.", "%(n)s records not shown: you may not see them.", count
    ) % {"n": count}


def export_stream(
    kind: str,
    fmt: str,
    *,
    user: Any = None,
    withheld: int = 0,
    filters: Filters | None = None,
    plan: ExportPlan | None = None,
) -> Iterator[bytes]:
    """The records of `kind` as a stream of bytes in `fmt` (csv, xlsx, json), in constant memory.

    `withheld` records left out (see export_withheld) are named on a second XLSX sheet; a CSV or JSON file
    stays a table that imports back, so the API says it in a response header instead.
    """
    if fmt not in FORMATS:
        raise DomainError(_("unknown format “%(fmt)s”; one of: csv, xlsx, json") % {"fmt": fmt}, code="unknown_format")
    limit = plan.cap if plan is not None and plan.truncated else None
    header, rows = export_rows(kind, user=user, full_text=fmt == "json", filters=filters, limit=limit)
    if fmt == "csv":
        return stream_csv(header, rows)
    if fmt == "xlsx":
        notes = [withheld_note(withheld)] if withheld else []
        if plan is not None and plan.truncated:
            notes.append(truncated_note(plan))
        return stream_xlsx(header, rows, title=kind, note=" ".join(notes))
    return stream_json(header, rows)


def template(kind: str, fmt: str, *, language: str) -> bytes:
    """An empty file of `kind` with the headers in `language`; the XLSX has a second sheet explaining each column."""
    spec = spec_for(kind)
    if fmt not in FORMATS:
        raise DomainError(_("unknown format “%(fmt)s”; one of: csv, xlsx, json") % {"fmt": fmt}, code="unknown_format")
    with translation.override(language):
        columns = []
        for col in spec.columns:
            label = str(col.label)
            headers = [f"{label} [{tag}]" for tag in _languages()] if col.localized else [label]
            keys = col.headers() if col.localized else [col.key]  # type: ignore[attr-defined]
            for header, key in zip(headers, keys, strict=True):
                columns.append(
                    {
                        "header": header,
                        "key": key,
                        "required": col.required,
                        "help": " ".join(p for p in (str(col.help), col.describe()) if p),
                    }
                )
        return template_bytes(fmt, kind, columns)


def _languages() -> tuple[str, ...]:
    from accord.interop.columns import LANGUAGES

    return LANGUAGES


# --- stored column mappings (accord.interop.mapping) ------------------------------------------------------


def require_importer() -> None:
    """Mappings serve imports, which reach across parties' records: administrators only (as imports)."""
    user = acting_user()
    if user is not None and not principal(user).is_admin:
        raise Forbidden(_("imports and their mappings are for administrators"))


def save_mapping(name: str, mapping: ColumnMapping, *, expected_version: int | None = None) -> ImportMapping:
    """Store `mapping` under `name` for its kind: a new record, or a new version of the one of that name
    (`expected_version` guards against overwriting someone else's change). Audited like every record."""
    require_importer()
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed({"name": [_("give the mapping a name")]})
    mapping.check()
    stored = ImportMapping.objects.filter(kind=mapping.kind, name=name).first()
    mapping.name = name
    with transaction.atomic():
        if stored is None:
            return records.create(ImportMapping, name=name, kind=mapping.kind, definition=mapping.definition())
        return records.update(
            stored,
            expected_version=stored.version if expected_version is None else expected_version,
            definition=mapping.definition(),
        )


def delete_mapping(stored: ImportMapping, *, expected_version: int) -> None:
    require_importer()
    records.delete(stored, expected_version=expected_version)
