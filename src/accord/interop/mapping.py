"""A user's own spreadsheet, mapped onto a kind's columns without a script.

    propose(kind, data, filename) -> Proposal            which source column fills which field, and why
    preview(mapping, data, filename) -> Preview          20 rows as Accord would store them, and a dry run
    import_mapped(mapping, data, filename, dry_run=...)  the import itself (all or nothing, as import_file)
    services.save_mapping(...) / delete_mapping(...)     stored by name (ImportMapping: audited, exportable)

A mapping says, for one kind of record: which source column fills which target column (`title[zh]`,
`number`, ...; unmapped columns are left out), constants for every row ("agreement = 1958-protocol"), source
cells to split at a separator (into a list for list columns such as parties, else into one row per value),
and the target columns that identify a record (dedup keys): the import gives each row the external id made
of those values, so next month's file updates the records this month's created instead of adding them again.

The mapped rows become a plain table with the kind's own headers and go through `services.import_file`: the
same reading, matching, validation and audited writes as any import. Its problems are reported back in the
user's terms: the file's own row numbers (header = row 1) and the file's own column headers.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accord.core.errors import DomainError, ValidationFailed
from accord.core.localized import normalize_tag
from accord.interop.columns import LANGUAGES, CellError, Column, Date, PartyList, PartyRef, TextList
from accord.interop.limits import limit
from accord.interop.lookup import Lookup
from accord.interop.models import ImportMapping
from accord.interop.readers import Cell, Table, read_table, size_of
from accord.interop.report import ImportRefused, ImportReport, Problem
from accord.interop.services import delete_mapping, import_file, require_importer, save_mapping, spec_for
from accord.interop.sources.common import stable_key
from accord.interop.specs import Spec

__all__ = ["Mapping", "delete_mapping", "import_mapped", "preview", "propose", "require_importer", "save_mapping"]

PREVIEW_ROWS = 20
SAMPLE_ROWS = 200  # rows read to propose a mapping by content
_SEPARATORS = (";", ",", "/", "|", "\n", "、", "；", "，")

# Other names people give a column, in English, Chinese and Russian (compared case- and space-insensitively).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "title": (
        "title",
        "name",
        "project title",
        "project name",
        "subject",
        "topic",
        "标题",
        "题目",
        "名称",
        "项目名称",
        "课题",
        "课题名称",
        "项目",
        "название",
        "наименование",
        "тема",
        "название проекта",
        "заглавие",
    ),
    "short_title": ("short title", "abbreviation", "acronym", "简称", "缩写", "краткое название", "сокращение"),
    "name": (
        "name",
        "full name",
        "organisation name",
        "organization name",
        "institution",
        "名称",
        "姓名",
        "机构名称",
        "单位名称",
        "名字",
        "имя",
        "название",
        "наименование",
        "фио",
        "полное название",
    ),
    "number": (
        "no",
        "no.",
        "nr",
        "number",
        "project number",
        "project no",
        "code",
        "ref",
        "reference number",
        "№",
        "编号",
        "序号",
        "项目编号",
        "号",
        "номер",
        "номер проекта",
        "шифр",
        "код",
    ),
    "start_on": (
        "start",
        "start date",
        "begin",
        "beginning",
        "from",
        "starts",
        "开始",
        "开始日期",
        "起始日期",
        "开始时间",
        "起",
        "начало",
        "дата начала",
        "с",
        "начат",
    ),
    "end_on": (
        "end",
        "end date",
        "until",
        "to",
        "finish",
        "ends",
        "结束",
        "结束日期",
        "截止日期",
        "完成日期",
        "止",
        "окончание",
        "дата окончания",
        "по",
        "завершение",
    ),
    "signed_on": ("signed", "date of signature", "signature date", "签署日期", "签订日期", "дата подписания"),
    "agreement": (
        "agreement",
        "protocol",
        "programme",
        "program",
        "treaty",
        "协定",
        "协议",
        "议定书",
        "计划",
        "соглашение",
        "протокол",
        "программа",
        "договор",
    ),
    "parties": ("parties", "countries", "partner countries", "缔约方", "各方", "国家", "стороны", "страны"),
    "party": ("party", "country", "side", "国家", "一方", "方", "сторона", "страна"),
    "side": ("side", "party", "country", "方", "一方", "сторона", "страна"),
    "field": (
        "field",
        "field of science",
        "discipline",
        "subject area",
        "area",
        "领域",
        "学科",
        "学科领域",
        "область",
        "отрасль",
        "область науки",
        "дисциплина",
    ),
    "organisation": (
        "organisation",
        "organization",
        "institution",
        "institute",
        "partner",
        "participant",
        "beneficiary",
        "机构",
        "单位",
        "组织",
        "参与单位",
        "организация",
        "учреждение",
        "участник",
        "институт",
    ),
    "project": ("project", "project number", "项目", "项目编号", "проект", "номер проекта"),
    "plan": ("plan", "work plan", "计划", "年度计划", "план"),
    "role": ("role", "function", "角色", "作用", "职责", "роль", "функция"),
    "kind": ("type", "kind", "category", "类型", "类别", "种类", "тип", "вид", "категория"),
    "status": ("status", "state", "状态", "进展状态", "статус", "состояние"),
    "external_id": ("external id", "source id", "id in source", "外部编号", "来源编号", "внешний идентификатор"),
    "uid": ("accord id", "global id", "uuid"),
    "objectives": ("objectives", "goals", "aims", "tasks", "目标", "任务", "内容", "цели", "задачи", "содержание"),
    "ror": ("ror", "ror id"),
    "orcid": ("orcid", "orcid id"),
    "languages": ("languages", "language", "语言", "языки", "язык"),
    "modality": ("modality", "form of cooperation", "合作方式", "形式", "форма сотрудничества"),
    "visibility": ("visibility", "access", "公开", "可见性", "доступ", "видимость"),
}

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_DATE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{4})( 00:00:00)?$")
_ORCID = re.compile(r"^(https?://orcid\.org/)?\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
_ROR = re.compile(r"^(https?://ror\.org/)?0[a-z0-9]{6}\d{2}$")


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[\s_\-:：()（）\[\]]+", " ", text).split())


# --- the mapping -----------------------------------------------------------------------------------------


def targets(spec: Spec) -> list[tuple[str, str]]:
    """Every target column a source column may fill: (key, label in the active language)."""
    found: list[tuple[str, str]] = []
    for col in spec.columns:
        if col.localized:
            found.extend((f"{col.key}[{tag}]", f"{col.label} [{tag}]") for tag in LANGUAGES)
        else:
            found.append((col.key, str(col.label)))
    return found


def _target_column(spec: Spec, key: str) -> Column | None:
    match = re.fullmatch(r"(?P<base>[a-z_]+)\[(?P<tag>[^\]]+)\]", key)
    if match:
        col = spec.column(match.group("base"))
        if col is None or not col.localized:
            return None
        try:
            normalize_tag(match.group("tag"))
        except ValueError:
            return None
        return col
    col = spec.column(key)
    return None if col is None or col.localized else col


@dataclass
class Mapping:
    kind: str
    columns: dict[str, str] = field(default_factory=dict)  # source header -> target key ("" = left out)
    constants: dict[str, str] = field(default_factory=dict)  # target key -> value for every row
    split: dict[str, str] = field(default_factory=dict)  # source header -> separator
    dedup: list[str] = field(default_factory=list)  # target keys that identify a record
    name: str = ""

    @property
    def spec(self) -> Spec:
        return spec_for(self.kind)

    def definition(self) -> dict[str, Any]:
        return {"columns": self.columns, "constants": self.constants, "split": self.split, "dedup": self.dedup}

    def as_file(self) -> dict[str, Any]:
        return {"accord_mapping": 1, "name": self.name, "kind": self.kind, **self.definition()}

    @classmethod
    def from_dict(cls, data: Any, *, kind: str | None = None) -> Mapping:
        """A mapping from its JSON form (a file, the API, the page), every part checked; ValidationFailed names
        the part that is wrong."""
        if not isinstance(data, dict):
            raise ValidationFailed({"mapping": [_("a mapping is a JSON object")]})
        kind = kind or data.get("kind")
        if not isinstance(kind, str):
            raise ValidationFailed({"kind": [_("the mapping names no kind of record")]})
        spec_for(kind)
        if data.get("kind") and data["kind"] != kind:
            raise ValidationFailed(
                {"kind": [_("the mapping is for %(theirs)s, not %(ours)s") % {"theirs": data["kind"], "ours": kind}]}
            )
        parts: dict[str, Any] = {}
        for name, shape in (("columns", dict), ("constants", dict), ("split", dict), ("dedup", list)):
            value = data.get(name) or shape()
            if (
                not isinstance(value, shape)
                or any(not isinstance(v, str) for v in value)
                or (isinstance(value, dict) and any(not isinstance(v, str) for v in value.values()))
            ):
                raise ValidationFailed({name: [_("has the wrong shape (texts expected)")]})
            parts[name] = value
        mapping = cls(kind, name=str(data.get("name") or ""), **parts)
        mapping.check()
        return mapping

    def check(self) -> None:
        """Refuse a mapping that cannot be applied, naming the column at fault."""
        spec = self.spec
        errors: dict[str, list[str]] = {}
        filled: dict[str, str] = {}
        for source, target in self.columns.items():
            if not target:
                continue
            if _target_column(spec, target) is None:
                errors.setdefault(source, []).append(
                    _("“%(target)s” is no column of %(kind)s") % {"target": target, "kind": self.kind}
                )
            elif target in filled:
                errors.setdefault(source, []).append(
                    _("fills “%(target)s”, as column “%(other)s” already does")
                    % {"target": target, "other": filled[target]}
                )
            else:
                filled[target] = source
        for target in self.constants:
            if _target_column(spec, target) is None:
                errors.setdefault(target, []).append(
                    _("“%(target)s” is no column of %(kind)s") % {"target": target, "kind": self.kind}
                )
            elif target in filled:
                errors.setdefault(target, []).append(
                    _("is given as a constant and by column “%(other)s”") % {"other": filled[target]}
                )
        exploded = []
        for source, separator in self.split.items():
            if not self.columns.get(source):
                errors.setdefault(source, []).append(_("is split but fills no column"))
            elif not separator:
                errors.setdefault(source, []).append(_("is split at an empty separator"))
            elif not isinstance(_target_column(spec, self.columns[source]), TextList):
                exploded.append(source)
        if len(exploded) > 1:
            errors.setdefault(exploded[1], []).append(
                _("only one column can be split into several rows (“%(first)s” is)") % {"first": exploded[0]}
            )
        for key in self.dedup:
            if key not in filled and key not in self.constants:
                errors.setdefault("dedup", []).append(
                    _("the key “%(key)s” is filled by no column and no constant") % {"key": key}
                )
        if self.dedup and ("external_id" in filled or "external_id" in self.constants):
            errors.setdefault("dedup", []).append(_("the file gives the external id already: it is the key"))
        if errors:
            raise ValidationFailed(errors)

    def required_missing(self) -> list[str]:
        covered = {t.split("[")[0] for t in [*self.columns.values(), *self.constants] if t}
        if self.dedup:
            covered.add("external_id")
        return [c.key for c in self.spec.columns if c.required and c.key not in covered]


# --- proposing -------------------------------------------------------------------------------------------


@dataclass
class Proposal:
    mapping: Mapping
    reasons: dict[str, str]  # source header -> why its target was chosen (or why none was)
    header: list[str]
    samples: dict[str, list[str]]  # source header -> first values


def _script_language(values: list[str]) -> str:
    text = "".join(values)
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    cyrillic = sum(1 for ch in text if "\u0400" <= ch <= "\u04ff")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    best = max((cjk, "zh"), (cyrillic, "ru"), (latin, "en"))
    return best[1] if best[0] else "en"


def _names(spec: Spec) -> dict[str, str]:
    """Normalised header -> column key: keys, labels in en/zh/ru, then synonyms (the first claim wins)."""
    names: dict[str, str] = {}
    for col in spec.columns:
        names.setdefault(_norm(col.key), col.key)
    for language in ("en", "zh-hans", "ru"):
        with translation.override(language):
            for col in spec.columns:
                names.setdefault(_norm(str(col.label)), col.key)
    for col in spec.columns:
        for synonym in SYNONYMS.get(col.key, ()):
            names.setdefault(_norm(synonym), col.key)
    return names


def _by_content(spec: Spec, values: list[str], taken: set[str], lookup: Lookup) -> str | None:
    """A column key the values look like (all of those sampled), among those not taken yet."""
    values = [v for v in values if v][:50]
    if not values:
        return None
    free = [c for c in spec.columns if c.key not in taken]

    def first(test: Any) -> str | None:
        return next((c.key for c in free if test(c)), None)

    if all(_UUID.match(v) for v in values):
        return first(lambda c: c.key == "uid")
    if all(_DATE.match(v) for v in values):
        return first(lambda c: isinstance(c, Date))
    if all(_ORCID.match(v) for v in values):
        return first(lambda c: c.key == "orcid")
    if all(_ROR.match(v) for v in values):
        return first(lambda c: c.key == "ror")
    codes = [p.strip() for v in values for p in re.split(r"[;,/、]", v) if p.strip()]
    if codes and all(re.fullmatch(r"[A-Z]{2,3}", c) for c in codes):
        if any(lookup.party(code) is None for code in set(codes)):
            return None
        if any(re.search(r"[;,/、]", v) for v in values):
            return first(lambda c: isinstance(c, PartyList))
        return first(lambda c: isinstance(c, PartyRef) and not isinstance(c, PartyList))
    return None


def propose(kind: str, data: bytes | IO[bytes], filename: str) -> Proposal:
    """Read the file's header and first rows and propose which column fills which field: by header (key,
    label or a usual name, in English, Chinese or Russian; a close spelling too), then by content (dates,
    party codes, global ids, ORCID and ROR ids). A localized field gets the language its values are written in."""
    spec = spec_for(kind)
    table = read_table(data, filename)
    samples: dict[str, list[str]] = {h: [] for h in table.header if h.strip()}
    for count, (_number, cells) in enumerate(table.rows):
        if count >= SAMPLE_ROWS:
            break
        for header, cell in zip(table.header, cells, strict=False):
            if header in samples and len(samples[header]) < 50:
                text = "; ".join(cell) if isinstance(cell, list) else cell.strip()
                if text:
                    samples[header].append(text)
    names = _names(spec)
    localized = {c.key for c in spec.columns if c.localized}
    mapping = Mapping(kind)
    reasons: dict[str, str] = {}
    taken: set[str] = set()
    lookup = Lookup()

    def claim(header: str, key: str, reason: str, tag: str | None = None) -> bool:
        if key in localized:
            tag = tag or _script_language(samples[header])
            key = f"{key}[{tag}]"
        if key in taken:
            return False
        taken.add(key)
        mapping.columns[header] = key
        reasons[header] = reason
        return True

    pending: list[str] = []
    for header in samples:
        name = _norm(header)
        bracket = re.fullmatch(r"(?P<base>.+?)\s*[\[(（](?P<tag>[a-zA-Z-]+)[\])）]", header.strip())
        if bracket and _norm(bracket.group("base")) in names and names[_norm(bracket.group("base"))] in localized:
            key = names[_norm(bracket.group("base"))]
            try:
                tag = normalize_tag(bracket.group("tag"))
            except ValueError:
                tag = None
            if tag and claim(header, key, _("by its header"), tag):
                continue
        if name in names and claim(header, names[name], _("by its header")):
            continue
        close = difflib.get_close_matches(name, list(names), n=1, cutoff=0.85)
        if close and claim(header, names[close[0]], _("by a similar header (“%(name)s”)") % {"name": close[0]}):
            continue
        pending.append(header)
    for header in pending:
        found = _by_content(spec, samples[header], {t.split("[")[0] for t in taken}, lookup)
        if found and claim(header, found, _("by its content")):
            continue
        mapping.columns[header] = ""
        reasons[header] = _("no field recognised: left out unless you choose one")
    for header, target in mapping.columns.items():
        col = _target_column(spec, target) if target else None
        if isinstance(col, TextList) and any(";" not in v and "," in v for v in samples[header]):
            mapping.split[header] = ","
    return Proposal(mapping, reasons, [h for h in table.header if h.strip()], samples)


# --- applying --------------------------------------------------------------------------------------------


@dataclass
class _Mapped:
    header: list[str]  # target keys
    rows: Iterator[tuple[int, list[Cell]]]  # (source row number, cells), read as the import asks for them
    sources: dict[str, str]  # target key -> the source header (or "key (constant)") it comes from
    table: Table  # the source file as read (its encoding, sheet, how far it has been read)


def _split(value: str, separator: str) -> list[str]:
    separator = separator.replace("\\n", "\n")
    return [part.strip() for part in value.split(separator) if part.strip()]


def _apply(mapping: Mapping, data: bytes | IO[bytes], filename: str, *, limit_rows: int | None = None) -> _Mapped:
    """The file's rows through the mapping, one at a time: a large CSV given as a file is read as it streams,
    so applying a mapping holds a row, not the file (the rows are never gathered in a list)."""
    mapping.check()
    table = read_table(data, filename)
    spec = mapping.spec
    index = {h: i for i, h in enumerate(table.header) if h.strip()}
    problems = [
        Problem(_("the mapping names this column, which the file does not have"), row=1, column=source, file=filename)
        for source, target in mapping.columns.items()
        if target and source not in index
    ]
    missing = mapping.required_missing()
    problems += [
        Problem(
            _("the required field “%(field)s” is filled by no column and no constant") % {"field": key}, file=filename
        )
        for key in missing
    ]
    if problems:
        raise ImportRefused(problems)
    used = [(source, target) for source, target in mapping.columns.items() if target]
    header = [target for _source, target in used] + list(mapping.constants)
    sources = {target: source for source, target in used}
    sources.update({target: _("%(field)s (constant)") % {"field": target} for target in mapping.constants})
    if mapping.dedup:
        header.append("external_id")
        sources["external_id"] = _("key: %(keys)s") % {"keys": ", ".join(sources.get(k, k) for k in mapping.dedup)}
    dedup_at = [header.index(key) for key in mapping.dedup]

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        dedup_problems: list[Problem] = []
        given = 0
        for number, cells in table.rows:
            values: list[Cell] = []
            exploded: tuple[int, list[str]] | None = None
            for position, (source, target) in enumerate(used):
                i = index[source]
                cell = cells[i] if i < len(cells) else ""
                if source in mapping.split and isinstance(cell, str):
                    parts = _split(cell, mapping.split[source])
                    if isinstance(_target_column(spec, target), TextList):
                        cell = parts
                    elif len(parts) > 1:
                        exploded = (position, parts)
                values.append(cell)
            values.extend(mapping.constants.values())
            if not any((v if isinstance(v, str) else "".join(v)).strip() for v in values[: len(used)]):
                continue  # an empty row of the source stays out, as the readers leave it out
            expanded = [values]
            if exploded is not None:
                expanded = [[*values[: exploded[0]], part, *values[exploded[0] + 1 :]] for part in exploded[1]]
            for row in expanded:
                if mapping.dedup:
                    keys = []
                    for key, at in zip(mapping.dedup, dedup_at, strict=True):
                        value = row[at]
                        text = "; ".join(value) if isinstance(value, list) else value.strip()
                        if not text and len(dedup_problems) < limit("ACCORD_IMPORT_MAX_PROBLEMS"):
                            dedup_problems.append(
                                Problem(_("a key column is empty"), row=number, column=sources[key], file=filename)
                            )
                        keys.append(text)
                    row = [*row, _external_id(mapping, keys)]
                given += 1
                yield number, row
            if limit_rows is not None and given >= limit_rows:
                break
        if dedup_problems:  # a row without its key cannot be told from the others: nothing is imported
            raise ImportRefused(dedup_problems)

    return _Mapped(header, rows(), sources, table)


def _external_id(mapping: Mapping, keys: list[str]) -> str:
    return stable_key(f"map:{mapping.kind}", *keys)


def _in_user_terms(refused: ImportRefused, mapped: _Mapped, filename: str) -> ImportRefused:
    """The import's problems with the source file's column headers (the rows are the source's already)."""
    problems = []
    for p in refused.problems:
        column = p.column
        if column is not None:
            column = mapped.sources.get(column, mapped.sources.get(column.split("[")[0], column))
        problems.append(Problem(p.reason, row=p.row, column=column, file=filename))
    out = ImportRefused(problems, limit_note=refused.limit_note, total=refused.total)
    out.read_as, out.preview = refused.read_as, refused.preview
    return out


def import_mapped(
    mapping: Mapping,
    data: bytes | IO[bytes],
    filename: str,
    *,
    dry_run: bool = False,
    progress: Callable[[float | None, int], None] | None = None,
) -> ImportReport:
    """Import `data` through `mapping`: all or nothing, problems named by the file's own rows and columns.

    The mapped rows go straight into import_file as they are read (no intermediate file): a large CSV given as a
    file streams, and memory is bounded by a batch as for any import."""
    mapped = _apply(mapping, data, filename)
    table = dataclasses.replace(mapped.table, header=mapped.header, rows=mapped.rows)
    try:
        return import_file(mapping.kind, table, filename, dry_run=dry_run, progress=progress)
    except ImportRefused as refused:
        raise _in_user_terms(refused, mapped, filename) from None


# --- preview ---------------------------------------------------------------------------------------------


@dataclass
class Preview:
    header: list[tuple[str, str]]  # (target key, the source it comes from)
    rows: list[tuple[int, list[tuple[str, str]]]]  # (source row, [(value as stored, problem)])
    report: ImportReport | None = None
    problems: list[Problem] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # source columns not imported
    dry_run_as_job: bool = False  # the file is too large to dry-run within a request: run it as a job


def _shown(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, list):
        return "; ".join(_shown(v) for v in value)
    if hasattr(value, "code") and hasattr(value, "kind"):  # a party
        return str(value.code)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def preview(mapping: Mapping, data: bytes | IO[bytes], filename: str, *, rows: int = PREVIEW_ROWS) -> Preview:
    """The first `rows` rows as Accord would store them (each cell read by its column, or why it cannot be),
    and a dry run of the whole file: what would be created, updated and left alone, or every problem.

    A file larger than ACCORD_IMPORT_INLINE_MAX_BYTES is not dry-run here (a request would hold a server process
    for minutes): `dry_run_as_job` says so, and the caller offers the dry run as a job (the imports worker)."""
    start = None if isinstance(data, bytes) else data.tell()
    try:
        mapped = _apply(mapping, data, filename, limit_rows=rows)
        first = list(mapped.rows)
    except ImportRefused as refused:
        return Preview([], [], problems=refused.problems)
    spec = mapping.spec
    lookup = Lookup()
    shown_rows = []
    for number, cells in first[:rows]:
        values: dict[str, Any] = {}
        shown = []
        for key, cell in zip(mapped.header, cells, strict=True):
            col = _target_column(spec, key)
            text = cell if isinstance(cell, list) else cell.strip()
            if col is None or not text:
                shown.append((_shown(text), ""))
                continue
            try:
                value = col.parse_languages({"_": text})["_"] if col.localized else col.parse(text, lookup, values)  # type: ignore[attr-defined]
                values[col.key] = value
                shown.append((_shown(value), ""))
            except CellError as exc:
                shown.append((_shown(text), exc.message))
        shown_rows.append((number, shown))
    result = Preview([(k, mapped.sources.get(k, "")) for k in mapped.header], shown_rows)
    result.left_out = [s for s, t in mapping.columns.items() if not t]
    if start is not None:
        data.seek(start)  # type: ignore[union-attr]
    size = size_of(data)
    if size is None or size > limit("ACCORD_IMPORT_INLINE_MAX_BYTES"):
        result.dry_run_as_job = True
        return result
    try:
        with transaction.atomic():
            result.report = import_mapped(mapping, data, filename, dry_run=True)
    except ImportRefused as refused:
        result.problems = refused.problems
    return result


# --- stored mappings -------------------------------------------------------------------------------------


def stored_mapping(kind: str, name: str) -> Mapping:
    found = ImportMapping.objects.filter(kind=kind, name=name).first()
    if found is None:
        known = ", ".join(ImportMapping.objects.filter(kind=kind).values_list("name", flat=True)[:10])
        raise DomainError(
            _("no mapping “%(name)s” is stored for %(kind)s; stored: %(known)s")
            % {"name": name, "kind": kind, "known": known or "—"},
            code="unknown_mapping",
        )
    return Mapping.from_dict({**found.definition, "name": found.name}, kind=kind)


def mappings_of(kind: str | None = None) -> Iterator[ImportMapping]:
    rows = ImportMapping.objects.all()
    return iter(rows.filter(kind=kind) if kind else rows)
