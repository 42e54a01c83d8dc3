"""Full-text search over projects, organisations, agreements and people, in every language at once.

The index (core.models.SearchEntry, table search_entry) holds one row per searchable record: its texts in
every language, normalised (NFKC, casefolded, accents folded: NIÑEZ as ninez, ё as е) and joined, plus "grams"
for short queries. A model's search_fields may name texts of its parts ("positions__title": a person is found by
the posts they held); a write of a part re-indexes the record it belongs to. The
services keep it in step: every audited write calls index_changed() in its transaction, so a rolled-back
write leaves no trace here either. It is derived data: not audited, rebuilt by `accord search-index rebuild`.

Matching, the same on both databases:
- a query is split on spaces; every term must match (AND);
- a Russian word is looked up by its stem (Snowball's Russian stemmer: "сотрудничества" asks "сотрудничеств", which
  "сотрудничество" contains): the stemmer only strips endings, so a stem is found wherever a form of its word is;
- a term of 3+ characters matches anywhere in the text (SQLite: FTS5 trigram; PostgreSQL: LIKE on a
  pg_trgm GIN index), so 合作计划, академи and ceram all find their records;
- a term of 1-2 characters (Chinese names are often two: 武衡) cannot use trigrams; it matches a gram:
  any one or two consecutive Han/kana/Hangul characters, or the first one or two letters of any other
  word (so "AI" finds "AI research" without also finding every word with "ai" inside).

search(queryset, q) narrows a queryset of a searchable model, so the caller's visibility filter stays
where it was: visible(search(qs, q), user) or search(visible(qs, user), q). A caller that reads only the first
matches in an order an index serves (a list page) says how many (`reads`): a common query is then served record by
record instead of from the index's list of every match (see "Two ways to serve a query" below).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import Case, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan

M = TypeVar("M", bound=models.Model)

# Pads a gram to three characters so that, on SQLite, it is exactly one trigram of the FTS5 index.
# A private-use character: normalise() removes it from texts, so it never occurs in a body or a query.
PAD = "\ue000"
QUERY_MAX = 200
_CHUNK = 1000  # rows per INSERT: 4 parameters each, far below SQLite's limit

_CJK = (
    "\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
)
_CJK_RUN = re.compile(f"[{_CJK}]+")
_WORD = re.compile(r"\w+")
# A word's runs of CJK characters (group 1) and of other word characters (group 2), in order: what _runs gives for
# each of _WORD's words, since a run never crosses a word's end.
_WORD_RUNS = re.compile(f"((?:(?=[{_CJK}])\\w)+)|((?:(?![{_CJK}])\\w)+)")
# Combining marks (accents, cedillas, umlauts) as NFKD leaves them after their letter.
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_SHORT_I = "\ue001"  # stands for й while accents are folded: in Russian it is a letter of its own, not и + breve
# A Russian word, or a compound's last word ("научно-техническое"): the part whose ending changes.
_CYRILLIC_WORD = re.compile(r"((?:[\u0430-\u044f]+-)*)([\u0430-\u044f]{4,})")
STEM_MIN = 3  # a shorter stem would find too much: the term is kept as typed


def _localized(value: Any) -> list[str]:
    # By tag: the order a dict was written in is lost in PostgreSQL's jsonb, and a rebuild must match.
    return [v for _, v in sorted((value or {}).items()) if isinstance(v, str)]


def texts_of(obj: Any, fields: Sequence[str]) -> list[str]:
    """The record's searchable texts: each of its model's search_fields, a text, a localized text or a list of texts."""
    out: list[str] = []
    for name in fields:
        if "__" in name:  # a text of the record's parts: read in bulk by _part_texts
            continue
        _add_texts(out, getattr(obj, name))
    return out


def _add_texts(out: list[str], value: Any) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        out += _localized(value)
    elif isinstance(value, list):
        out += [v for v in value if isinstance(v, str)]


_labels: dict[type, str | None] = {}


def _label(model: type[models.Model]) -> str | None:
    """The model's label if it is searchable (declares search_fields), else None; cached so the write hook costs
    one dict lookup."""
    try:
        return _labels[model]
    except KeyError:
        concrete = model._meta.concrete_model or model
        _labels[model] = found = concrete._meta.label_lower if getattr(concrete, "search_fields", ()) else None
        return found


def _fields(label: str) -> tuple[str, ...]:
    from django.apps import apps

    return apps.get_model(label).search_fields


def _own(fields: Sequence[str]) -> list[str]:
    return [f for f in fields if "__" not in f]


def _parts_of(fields: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(f.split("__", 1)[0] for f in fields if "__" in f))


_parents: dict[str, list[tuple[type[models.Model], str]]] | None = None


def _parents_of(label: str) -> list[tuple[type[models.Model], str]]:
    """(searchable model, foreign key attname) for each searchable record a `label` record is a part of: a
    position's person, a dated name's organisation."""
    global _parents
    if _parents is None:
        found: dict[str, list[tuple[type[models.Model], str]]] = {}
        for model in searchable_models():
            for rel in _parts_of(model.search_fields):  # type: ignore[attr-defined]
                remote = model._meta.get_field(rel).remote_field  # the part's foreign key to the record
                part = model._meta.get_field(rel).related_model
                found.setdefault(part._meta.label_lower, []).append((model, remote.attname))  # type: ignore[union-attr]
        _parents = found
    return _parents.get(label, [])


# --- text ------------------------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Accents off (niñez as ninez, Universität as universitat, ç as c), й kept: what a reader types on a keyboard
    without them finds the text with them, and the other way round."""
    if text.isascii():
        return text
    if unicodedata.is_normalized("NFD", text):  # nothing composed (Chinese, most Russian): only loose marks to drop
        return _MARKS.sub("", text) if _MARKS.search(text) else text
    text = unicodedata.normalize("NFD", text.replace("й", _SHORT_I))
    return unicodedata.normalize("NFC", _MARKS.sub("", text)).replace(_SHORT_I, "й")


def normalise(text: str) -> str:
    """NFKC (full-width forms, compatibility ideographs), casefold, accents folded, ё as е (Russian often writes е),
    one space."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е").replace(PAD, "")
    return " ".join(fold(text).split())


_stemmer: Any = None


def stem(term: str) -> str:
    """A normalised Russian word's stem (Snowball), or the term as typed when it is not one or the stem is short."""
    global _stemmer
    word = _CYRILLIC_WORD.fullmatch(term)
    if word is None:
        return term
    if _stemmer is None:
        import snowballstemmer

        _stemmer = snowballstemmer.stemmer("russian")
    found = _stemmer.stemWord(word.group(2))
    return word.group(1) + found if len(found) >= STEM_MIN else term


def body_of(texts: Iterable[str | None]) -> str:
    """The record's searchable text: each distinct normalised text once, one per line."""
    seen: dict[str, None] = {}
    for t in texts:
        if t:
            n = normalise(t)
            if n:
                seen.setdefault(n, None)
    return "\n".join(seen)


def _runs(word: str) -> Iterator[tuple[str, bool]]:
    """A word split into runs of CJK characters (True) and of other characters (False)."""
    pos = 0
    for m in _CJK_RUN.finditer(word):
        if m.start() > pos:
            yield word[pos : m.start()], False
        yield m.group(), True
        pos = m.end()
    if pos < len(word):
        yield word[pos:], False


def grams(body: str) -> str:
    """The padded grams a 1-2 character term can match, space-separated, in a stable order."""
    out: dict[str, None] = {}
    # The runs of every word in order, found by one regex (a word's CJK and other runs, as _runs splits them):
    # the Python loop then sees a run, not a character, except within a CJK run, where every character counts.
    for cjk, other in _WORD_RUNS.findall(body):
        if other:
            out[other[:1]] = None
            if len(other) > 1:
                out[other[:2]] = None
            continue
        for i in range(len(cjk)):
            out[cjk[i]] = None
            if i + 1 < len(cjk):
                out[cjk[i : i + 2]] = None
    return " ".join(g.ljust(3, PAD) for g in out)


def _terms(q: str) -> tuple[list[str], list[str]]:
    """(substring terms of 3+ characters, padded grams for the shorter ones)."""
    subs: list[str] = []
    short: list[str] = []
    for term in normalise(q[:QUERY_MAX]).split():
        if len(term) >= 3:
            subs.append(stem(term))
            continue
        for word in _WORD.findall(term):  # punctuation alone ("-", "№") narrows nothing
            for run, _cjk in _runs(word):
                short.append(run.ljust(3, PAD))
    return list(dict.fromkeys(subs)), list(dict.fromkeys(short))


# --- querying --------------------------------------------------------------------------------------------


def _fts_phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def match_sql(label: str, q: str, vendor: str) -> tuple[str, list[Any]] | None:
    """SQL selecting the object ids of `label` whose entry matches `q`; None when `q` has nothing to match."""
    return _match_sql(label, *_terms(q), vendor)


def _match_sql(label: str, subs: list[str], short: list[str], vendor: str) -> tuple[str, list[Any]] | None:
    if not subs and not short:
        return None
    if vendor == "sqlite":
        expr = " AND ".join([f"body : {_fts_phrase(t)}" for t in subs] + [f"grams : {_fts_phrase(g)}" for g in short])
        # "+model": not by the (model, object_id) index, which SQLite (no statistics) would otherwise walk whole,
        # testing each of a model's entries against the match list (14 ms at 100,000 projects for 78 matches);
        # the matches' rowids are looked up one by one instead (1 ms).
        sql = (
            "SELECT object_id FROM search_entry WHERE +model = %s AND id IN "
            "(SELECT rowid FROM search_entry_fts WHERE search_entry_fts MATCH %s)"
        )
        return sql, [label, expr]
    if vendor == "postgresql":
        where = ["model = %s"]
        params: list[Any] = [label]
        for t in subs:
            where.append("body LIKE %s")  # both sides are casefolded already; LIKE is what the trgm index serves
            params.append(_like(t))
        if short:
            where.append("string_to_array(grams, ' ') @> %s::text[]")
            params.append(short)
        return "SELECT object_id FROM search_entry WHERE " + " AND ".join(where), params
    raise NotImplementedError(f"search is not implemented for {vendor}")


# Two ways to serve a query:
# - by the index: the full-text index gives the list of the matching ids. Its cost grows with the matches: SQLite's
#   FTS5 and PostgreSQL's GIN gather every match before the first row is returned (a substring in a third of a
#   million titles costs that third, ~0.5 s).
# - record by record: the page reads the records in its own order and tests each one's entry (found by its unique
#   key) with a plain substring test, stopping when it has what it shows; the index is not asked. Its cost grows
#   with the records it reads before it has enough: about (matches it reads) / (their share of what it reads).
# Only a caller that reads a bounded number of matches in an order an index serves can stop early (`reads`); for
# it, the way is chosen per query from a sample of the entries spread over the model's ids (SLICES runs of PER
# entries: a few milliseconds), read through the caller's own filters (visibility, the list's filters) when it
# has any, since a record it may not see is read and passed over too.
SLICES = 64
PER = 19
# What gathering one match from the index costs against reading and testing one record, per database (`python -m
# bench.search --both-ways`: each query timed each way at 100,000 and 1,000,000 projects): on SQLite ~2.9 µs a match
# against ~3.5 µs a record; on PostgreSQL a match costs 2-3 record reads at 100,000 and up to 20 at 1,000,000
# (every candidate is re-read from the table to test it, and the trigrams of common words have long posting lists).
GATHER_PER_PROBE = {"sqlite": 1.2, "postgresql": 8.0}


@dataclass(frozen=True)
class Sample:
    """What a sample of a kind's entries says of a query: the share of all entries that match, the share of the
    caller's records that match, the share of the records the caller keeps, and how many entries there are."""

    share: float
    kept_share: float
    kept: float
    entries: float


def _contains_sql(vendor: str) -> str:
    # POSITION's cost on PostgreSQL (above) matters less here: a sample is 1,216 entries
    return "instr({}, %s) > 0" if vendor == "sqlite" else "strpos({}, %s) > 0"


def sample(queryset: models.QuerySet[Any], label: str, subs: Sequence[str], short: Sequence[str]) -> Sample | None:
    """The query's sample over `label`'s entries, read through `queryset`'s filters; None when there is none."""
    conn = connections[queryset.db]
    contains = _contains_sql(conn.vendor)
    tests = [contains.format("body") for _ in subs] + [contains.format("grams") for _ in short]
    if not tests:
        return None
    with conn.cursor() as cur:
        # Two lookups at the ends of the (model, object_id) index; MIN and MAX in one SELECT would scan it on SQLite.
        cur.execute(
            "SELECT (SELECT MIN(object_id) FROM search_entry WHERE model = %s), "
            "(SELECT MAX(object_id) FROM search_entry WHERE model = %s)",
            [label, label],
        )
        low, high = cur.fetchone()
        if low is None:
            return None
        step = max(1, (high - low + 1) // SLICES)
        hit = f"CASE WHEN {' AND '.join(tests)} THEN 1 ELSE 0 END"
        if conn.vendor == "postgresql":  # one plan for every run (a UNION of 64 took 8 ms to plan and run, this 2)
            cur.execute(
                f"SELECT run, r.object_id, r.hit FROM generate_series(0, {SLICES - 1}) AS run, LATERAL "
                f"(SELECT object_id, {hit} AS hit FROM search_entry WHERE model = %s AND object_id >= %s + run * %s "
                f"ORDER BY object_id LIMIT {PER}) AS r",
                [*subs, *short, label, low, step],
            )
        else:
            runs = " UNION ALL ".join(
                f"SELECT * FROM (SELECT {i} AS run, object_id, {hit} AS hit FROM search_entry "
                f"WHERE model = %s AND object_id >= %s ORDER BY object_id LIMIT {PER}) AS r{i}"
                for i in range(SLICES)
            )
            params: list[Any] = []
            for i in range(SLICES):
                params += [*subs, *short, label, low + i * step]
            cur.execute(runs, params)
        rows = cur.fetchall()
    kept_ids: set[Any] | None = None
    if queryset.query.where:  # the caller's filters, asked once for every entry sampled
        sampled = {object_id for _run, object_id, _hit in rows}
        kept_ids = set(queryset.filter(pk__in=sampled).order_by().values_list("pk", flat=True))
    by_run: dict[int, list[tuple[Any, int]]] = {}
    for run, object_id, hit in rows:
        by_run.setdefault(run, []).append((object_id, hit))
    # Each run stands for the ids from its start to the next run's, with the density it found (entries per id from
    # its start to its last entry): where ids are sparse (a gap, a lone record far from the others) a run covers
    # many ids with few entries and weighs little, rather than counting its entries as if they were everywhere.
    weight = matched = kept = kept_matched = 0.0
    for run, found in by_run.items():
        density = len(found) / (max(object_id for object_id, _hit in found) - (low + run * step) + 1)
        keep = [hit for object_id, hit in found if kept_ids is None or object_id in kept_ids]
        weight += density
        matched += density * sum(hit for _object_id, hit in found) / len(found)
        kept += density * len(keep) / len(found)
        kept_matched += density * sum(keep) / len(found)
    return Sample(
        share=matched / weight,
        kept_share=kept_matched / kept if kept else 0.0,
        kept=kept / weight,
        entries=(high - low + 1) * weight / len(by_run),
    )


def _contains(vendor: str, column: str, text: str) -> Any:
    if vendor == "postgresql":
        return GreaterThan(Case(When(**{f"{column}__contains": text}, then=Value(1)), default=Value(0)), 0)
    return GreaterThan(StrIndex(column, Value(text)), 0)


def record_by_record(
    queryset: models.QuerySet[Any], label: str, subs: Sequence[str], short: Sequence[str], reads: int
) -> bool:
    """Whether reading the caller's records in its order and testing each, until `reads` of them matched, is
    cheaper than gathering every match from the index."""
    found = sample(queryset, label, subs, short)
    if found is None or found.kept_share == 0.0 or found.share == 0.0:
        return False  # none in the sample: few matches, which the index lists at once
    read = min(found.entries, reads / (found.kept_share * found.kept))
    return read < found.share * found.entries * GATHER_PER_PROBE[connections[queryset.db].vendor]


def search(queryset: models.QuerySet[M], q: str, *, reads: int | None = None) -> models.QuerySet[M]:
    """`queryset` narrowed to the records matching `q` (unchanged when `q` is blank or only punctuation).

    `reads`: how many matching records the caller reads at most, in an order an index serves (a list page's count
    cap or its page's end, whichever is further): then a common query may be served record by record. None: the
    caller may read every match, or sorts them otherwise: the index's list of matches."""
    label = _label(queryset.model)
    if label is None:
        raise TypeError(f"{queryset.model._meta.label_lower} is not searchable (its model declares no search_fields)")
    vendor = connections[queryset.db].vendor
    subs, short = _terms(q)  # once: normalising and stemming are the per-query work
    found = _match_sql(label, subs, short, vendor)
    if found is None:
        return queryset
    if reads is not None and record_by_record(queryset, label, subs, short, reads):
        from accord.core.models import SearchEntry

        # A plain substring test which no index serves, so that the planner reads the records in the page's order
        # and probes each one's entry by its unique key, as meant: INSTR on SQLite; on PostgreSQL LIKE inside a CASE
        # (STRPOS counts characters to the match: 3x slower than LIKE on Cyrillic text; a bare LIKE would let the
        # planner gather from the trigram index again). Both sides are normalised, and a padded gram is a whole
        # token of `grams` (each is three characters between spaces).
        tests: list[Any] = [_contains(vendor, "body", t) for t in subs] + [_contains(vendor, "grams", g) for g in short]
        entries = SearchEntry.objects.using(queryset.db).filter(*tests, model=label, object_id=models.OuterRef("pk"))
        return queryset.filter(models.Exists(entries))
    sql, params = found
    if vendor == "postgresql":
        # OFFSET 0 keeps the planner from folding the list into the page's own plan, where, for a query it thinks
        # common, it would probe the records one by one with LIKE: the way chosen above, not this one.
        sql += " OFFSET 0"
    return queryset.filter(pk__in=RawSQL(sql, params))


def search_ids(
    model: type[models.Model], q: str, *, limit: int | None = None, using: str = DEFAULT_DB_ALIAS
) -> list[int]:
    """The index query alone (no model rows, no visibility): the baseline the benchmark compares search() to."""
    label = _label(model)
    if label is None:
        raise TypeError(f"{model._meta.label_lower} is not searchable")
    conn = connections[using]
    found = match_sql(label, q, conn.vendor)
    if found is None:
        return []
    sql, params = found
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return [row[0] for row in cur.fetchall()]


# --- keeping the index in step -----------------------------------------------------------------------------

_UPSERT = (
    "INSERT INTO search_entry (model, object_id, body, grams) VALUES {rows} "
    "ON CONFLICT (model, object_id) DO UPDATE SET body = excluded.body, grams = excluded.grams "
    # An update that changed no searched field rewrites nothing (and on SQLite fires no FTS trigger).
    "WHERE search_entry.body <> excluded.body OR search_entry.grams <> excluded.grams"
)


def _part_texts(
    model: type[models.Model], fields: Sequence[str], ids: Sequence[Any], leave_out: Iterable[Any] = ()
) -> dict[Any, list[str]]:
    """The texts of the records' parts that `fields` name ("positions__title"), by record id: one query per kind of
    part, plain values (no model instances), without the parts in `leave_out` (being deleted)."""
    out: dict[Any, list[str]] = {}
    for rel in _parts_of(fields):
        link = model._meta.get_field(rel)
        part = link.related_model
        texts = [f.split("__", 1)[1] for f in fields if f.startswith(rel + "__")]
        fk = link.remote_field.attname  # type: ignore[union-attr]
        leave = list(leave_out)
        if not leave and all(type(i) is int for i in ids):
            found: Iterable[Sequence[Any]] = _part_rows(part, fk, tuple(texts), ids)  # type: ignore[arg-type]
        else:
            rows = part._base_manager.using(DEFAULT_DB_ALIAS).filter(**{f"{fk}__in": ids})  # type: ignore[union-attr]
            found = rows.exclude(pk__in=leave).order_by("pk").values_list(fk, *texts)
        for row in found:
            for value in row[1:]:
                if isinstance(value, str):
                    out.setdefault(row[0], []).append(value)
                elif isinstance(value, dict):
                    out.setdefault(row[0], []).extend(_localized(value))
    return out


_part_queries: dict[tuple[Any, ...], tuple[Any, str] | None] = {}


def _part_rows(
    part: type[models.Model], fk: str, texts: tuple[str, ...], ids: Sequence[int]
) -> Iterable[Sequence[Any]]:
    """part.objects.filter(<fk>__in=ids).order_by("pk").values_list(fk, *texts), the SQL compiled once per number
    of ids (every audited write of a record with parts asks this; building the ORM query cost more than running it)."""
    key = (part, fk, texts, len(ids))
    if key not in _part_queries:
        placeholder = list(range(-len(ids), 0))  # distinct ints: the IN list keeps its length
        qs = part._base_manager.using(DEFAULT_DB_ALIAS).filter(**{f"{fk}__in": placeholder})
        compiler = qs.order_by("pk").values_list(fk, *texts).query.get_compiler(using=DEFAULT_DB_ALIAS)
        sql, params = compiler.as_sql()
        _part_queries[key] = (compiler, sql) if list(params) == placeholder else None
    compiled = _part_queries[key]
    if compiled is None:
        qs = part._base_manager.using(DEFAULT_DB_ALIAS).filter(**{f"{fk}__in": ids})
        return qs.order_by("pk").values_list(fk, *texts)
    compiler, sql = compiled
    with connections[DEFAULT_DB_ALIAS].cursor() as cur:
        cur.execute(sql, list(ids))
        rows = cur.fetchall()
    return list(compiler.results_iter(results=[rows], tuple_expected=True))


def _write(cur: Any, label: str, objs: Sequence[Any], leave_out: Iterable[Any] = (), *, new: bool = False) -> None:
    fields = _fields(label)
    # A record just created has no parts yet (a part names its record, which did not exist before): none to read.
    has_parts = not new and any("__" in f for f in fields)
    for start in range(0, len(objs), _CHUNK):
        chunk = objs[start : start + _CHUNK]
        params: list[Any] = []
        parts = _part_texts(type(chunk[0]), fields, [o.pk for o in chunk], leave_out) if has_parts else {}
        for o in chunk:
            body = body_of(texts_of(o, fields) + parts.get(o.pk, []))
            params += [label, o.pk, body, grams(body)]
        cur.execute(_UPSERT.format(rows=", ".join(["(%s, %s, %s, %s)"] * len(chunk))), params)


def index_changed(objs: Sequence[models.Model], *, deleted: bool = False, created: bool = False) -> None:
    """Bring the index in line with `objs`, just written (or deleted) by a service; a no-op for other models.

    `created`: the records were just inserted (so they have no parts to read texts from yet).
    Runs on the primary inside the caller's transaction, so the index commits or rolls back with the write.
    """
    if not objs:
        return
    _reindex_parents(objs, deleted=deleted)
    by_label: dict[str, list[models.Model]] = {}
    for o in objs:
        label = _label(type(o))
        if label is not None:
            by_label.setdefault(label, []).append(o)
    if not by_label:
        return
    with connections[DEFAULT_DB_ALIAS].cursor() as cur:
        for label, group in by_label.items():
            if deleted:
                for start in range(0, len(group), _CHUNK):
                    ids = [o.pk for o in group[start : start + _CHUNK]]
                    cur.execute(
                        f"DELETE FROM search_entry WHERE model = %s AND object_id IN ({', '.join(['%s'] * len(ids))})",
                        [label, *ids],
                    )
            else:
                _write(cur, label, group, new=created)


def _reindex_parents(objs: Sequence[models.Model], *, deleted: bool) -> None:
    """Index again the records `objs` are searchable parts of (a position written: its person)."""
    by_label: dict[str, list[models.Model]] = {}
    for o in objs:
        by_label.setdefault(o._meta.label_lower, []).append(o)
    for label, group in by_label.items():
        gone = {o.pk for o in group} if deleted else set()

        def ids_of(attname: str, group: list[models.Model] = group) -> set[Any]:
            return {getattr(o, attname) for o in group}

        _reindex_parent_ids(label, ids_of, gone)


def _reindex_parent_ids(label: str, ids_of: Callable[[str], set[Any]], gone: set[Any]) -> None:
    """Index again the searchable records that `label` records name by a foreign key (ids_of(attname): the ids)."""
    parents = _parents_of(label)
    if not parents:
        return
    with connections[DEFAULT_DB_ALIAS].cursor() as cur:
        for model, attname in parents:
            ids = ids_of(attname) - {None}
            if not ids:
                continue
            fields: Sequence[str] = model.search_fields  # type: ignore[attr-defined]
            records = list(model._base_manager.using(DEFAULT_DB_ALIAS).only(*_own(fields)).filter(pk__in=ids))
            if records:
                _write(cur, model._meta.label_lower, records, gone)


def index_created_rows(model: type[models.Model], ids: Sequence[Any], columns: Mapping[str, Sequence[Any]]) -> None:
    """index_changed(objs, created=True) for new records given as columns ({attname: values} in the order of `ids`):
    the same index rows, read from the values."""
    if not ids:
        return
    _reindex_parent_ids(model._meta.label_lower, lambda attname: set(columns[attname]), set())
    label = _label(model)
    if label is None:
        return
    own = _own(_fields(label))  # a record just created has no parts yet
    values = [columns[name] for name in own]
    with connections[DEFAULT_DB_ALIAS].cursor() as cur:
        for start in range(0, len(ids), _CHUNK):
            params: list[Any] = []
            for i in range(start, min(start + _CHUNK, len(ids))):
                texts: list[str] = []
                for column in values:
                    _add_texts(texts, column[i])
                body = body_of(texts)
                params += [label, ids[i], body, grams(body)]
            cur.execute(_UPSERT.format(rows=", ".join(["(%s, %s, %s, %s)"] * (len(params) // 4))), params)


def searchable_models() -> list[type[models.Model]]:
    """The models that declare search_fields, as the app registry lists them."""
    from django.apps import apps

    return [m for m in apps.get_models() if getattr(m, "search_fields", ())]


def rebuild_index() -> dict[str, int]:
    """Empty the index and fill it again from the records; returns the rows indexed per model."""
    counts: dict[str, int] = {}
    with transaction.atomic(using=DEFAULT_DB_ALIAS), connections[DEFAULT_DB_ALIAS].cursor() as cur:
        cur.execute("DELETE FROM search_entry")
        for model in searchable_models():
            label = model._meta.label_lower
            fields = model.search_fields  # type: ignore[attr-defined]
            rows = model._base_manager.using(DEFAULT_DB_ALIAS).only(*_own(fields)).order_by("pk")
            batch: list[Any] = []
            counts[label] = 0
            for obj in rows.iterator(chunk_size=_CHUNK):
                batch.append(obj)
                if len(batch) >= _CHUNK:
                    _write(cur, label, batch)
                    counts[label] += len(batch)
                    batch = []
            if batch:
                _write(cur, label, batch)
                counts[label] += len(batch)
        if connections[DEFAULT_DB_ALIAS].vendor == "sqlite":
            # Merge the FTS segments the bulk insert left behind: fewer b-trees for every later query.
            cur.execute("INSERT INTO search_entry_fts(search_entry_fts) VALUES ('optimize')")
    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        # The planner's figures for the table are from before the rebuild: it took 100,000 entries for 1,273 and
        # chose to filter every entry for a common word (until autovacuum came round to the table).
        with connections[DEFAULT_DB_ALIAS].cursor() as cur:
            cur.execute("ANALYZE search_entry")
    return counts
