"""Compare the language versions of a text and report what they do not say alike.

    check_versions({"zh": zh_text, "en": en_text}, context_date=date(1960, 2, 26), directory=names)

For each pair of versions: cut both into segments, align them, and within each aligned group match the
facts of one side to the other's (a fact matches when its value agrees: 122 = 一百二十二 = сто двадцать
два; 24日 = the 24th = 24 February 1960 on a document of 26 February 1960). A hard fact left without a
match is a finding, paired with what the other version says at that place. Facts left over in one group
that match a leftover of another group are reported as moved when both groups are otherwise confirmed
by matching facts; if either group was paired on length alone, the alignment is not trusted and nothing
is said. Names are compared as sets per group: a version may repeat a name the other says once.

Findings from several pairs that point at the same span are merged, so with three versions an error in
one of them is one finding naming all three.

Nothing here reads the database: pass `directory` (see names.py) to compare names.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from accord.fidelity import lang as langs
from accord.fidelity.align import Group, Segment, align, segments
from accord.fidelity.extract import Fact, extract, resolve_relative
from accord.fidelity.names import Directory
from accord.fidelity.numerals import normal

FAMILY = {
    "number": "number",
    "percent": "number",
    "amount": "number",
    "code": "number",
    "date": "date",
    "time": "date",
    "weekday": "date",
    "name": "name",
}
KIND_WORD = {
    "number": "number",
    "percent": "percentage",
    "amount": "amount",
    "code": "reference",
    "date": "date",
    "time": "time of day",
    "name": "name",
}


@dataclass(frozen=True)
class Finding:
    """A disagreement between versions (severity "error") or a problem with the input ("warning").

    kind: number, percent, amount, code, date, name (what disagrees), moved (the same value in different
    places), or empty, language, mixed-script (input). `says` maps each version involved to what it says
    there ("" when it says nothing); `spans` to the (start, end) character offsets in that version's text;
    `segments` to the 1-based paragraph/item number."""

    kind: str
    message: str
    versions: tuple[str, ...]
    says: Mapping[str, str] = field(default_factory=dict)
    spans: Mapping[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    segments: Mapping[str, int] = field(default_factory=dict)
    severity: str = "error"

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "message": self.message,
            "versions": list(self.versions),
            "says": dict(self.says),
            "spans": {k: [list(s) for s in v] for k, v in self.spans.items()},
            "segments": dict(self.segments),
        }


@dataclass
class _Version:
    tag: str
    lang: str  # the language the text is read as
    text: str
    segs: list[Segment]
    facts: list[list[Fact]]  # per segment

    @property
    def starts(self) -> list[int]:
        if self._starts is None:
            self._starts = [s.start for s in self.segs]
        return self._starts

    _starts: list[int] | None = None


def check_localized(
    value: Mapping[str, str] | None,
    *,
    context_date: dt.date | None = None,
    directory: Directory | None = None,
) -> list[Finding]:
    """Check a localized text ({"zh": ..., "ru": ..., "en": ...}). Languages not filled in are skipped
    (a missing translation is not a disagreement); fewer than two filled in: nothing to compare."""
    texts = {tag: text for tag, text in (value or {}).items() if isinstance(text, str) and text.strip()}
    if len(texts) < 2:
        return []
    return check_versions(texts, context_date=context_date, directory=directory)


def check_versions(
    texts: Mapping[str, str],
    *,
    context_date: dt.date | None = None,
    directory: Directory | None = None,
) -> list[Finding]:
    """Compare two or more language versions of one text ({language tag: text}); see the module doc.

    context_date: the document's date, for days given alone ("24日", "the 24th"); when None, a date line
    in a version's header (the first lines) is taken. Never raises on bad text: empty versions, texts in
    another language than their tag, and mixed scripts come back as warnings."""
    findings: list[Finding] = []
    versions: list[_Version] = []
    for tag, text in texts.items():
        tag = str(tag)
        if not isinstance(text, str) or not text.strip():
            findings.append(Finding("empty", f"the {tag} version is empty", (tag,), severity="warning"))
            continue
        read_as, notes = _language(tag, text)
        findings.extend(notes)
        extracted = extract(text, read_as, directory)
        segs = segments(text)
        versions.append(_Version(tag, read_as, text, segs, _by_segment(segs, extracted)))
    if len(versions) < 2:
        return findings
    context = context_date or _context_date(versions)
    if context is not None:
        for v in versions:
            v.facts = [[resolve_relative(f, context) for f in fs] for fs in v.facts]
    pair_findings: list[Finding] = []
    for i, a in enumerate(versions):
        for b in versions[i + 1 :]:
            pair_findings.extend(_compare(a, b))
    return findings + _merge(pair_findings)


# --- input -------------------------------------------------------------------------------------------


def _language(tag: str, text: str) -> tuple[str, list[Finding]]:
    """The language to read `text` as, and warnings about it."""
    notes: list[Finding] = []
    declared = langs.primary(tag)
    prof = langs.profile(text)
    detected = langs.detect(text, prof)
    weighted = {s: n * (3 if s == "Han" else 1) for s, n in prof.counts.items()}
    total = sum(weighted.values())
    if total >= 20:
        ordered = sorted(weighted.items(), key=lambda kv: -kv[1])
        if len(ordered) > 1 and ordered[1][1] / total >= 0.25:
            notes.append(
                Finding(
                    "mixed-script",
                    f"the {tag} version mixes scripts ({ordered[0][0]} {ordered[0][1] * 100 // total}%, "
                    f"{ordered[1][0]} {ordered[1][1] * 100 // total}%)",
                    (tag,),
                    severity="warning",
                )
            )
    if declared in langs.SUPPORTED:
        if detected in langs.SUPPORTED and detected != declared:
            notes.append(
                Finding(
                    "language",
                    f"the {tag} version is written in {langs.SCRIPT_OF[detected]} script; read as {detected}",
                    (tag,),
                    severity="warning",
                )
            )
            return detected, notes
        if detected == "und":
            notes.append(
                Finding(
                    "language",
                    f"the {tag} version does not look like {declared}: only digits, codes and names are compared",
                    (tag,),
                    severity="warning",
                )
            )
        return declared, notes
    read_as = detected if detected in langs.SUPPORTED else declared
    notes.append(
        Finding(
            "language",
            f"{tag} is not a language the checker reads (zh, ru, en): read by its script"
            + (f" as {read_as}" if read_as in langs.SUPPORTED else "")
            + "; numbers in words and dates with month names may be missed",
            (tag,),
            severity="warning",
        )
    )
    return read_as, notes


def _by_segment(segs: list[Segment], facts: list[Fact]) -> list[list[Fact]]:
    out: list[list[Fact]] = [[] for _ in segs]
    if not segs:
        return out
    k = 0
    for f in facts:
        while k + 1 < len(segs) and f.start >= segs[k].end:
            k += 1
        out[k].append(f)
    return out


_DATE_LABEL = re.compile(r"^\s*(?:date|dated|日期|时间|дата|от)?\s*[:：]?\s*$", re.IGNORECASE)


def _context_date(versions: Sequence[_Version]) -> dt.date | None:
    """The date on a header line of its own ("Date: 1960-02-26", "1960-02-26"), in the first lines."""
    for v in versions:
        for seg, facts in list(zip(v.segs, v.facts, strict=True))[:6]:
            dates = [f for f in facts if f.kind == "date" and None not in f.key[1:]]
            if len(dates) != 1:
                continue
            f = dates[0]
            rest = v.text[seg.start : f.start] + v.text[f.end : seg.end]
            if _DATE_LABEL.match(rest):
                return dt.date(f.key[1], f.key[2], f.key[3])
    return None


# --- matching ----------------------------------------------------------------------------------------


def _dedupe_names(facts: Sequence[Fact]) -> list[Fact]:
    seen: set[Any] = set()
    out = []
    for f in facts:
        if f.kind == "name" and f.hard:
            # (soft names are counted: where one version names the Council twice and the other names it once
            # and another body once, the other body is the difference)
            if f.key in seen:
                continue
            seen.add(f.key)
        out.append(f)
    return out


def match(a: Sequence[Fact], b: Sequence[Fact]) -> tuple[list[tuple[Fact, Fact]], list[Fact], list[Fact]]:
    """Pair facts of two lists that agree, one to one: (pairs, left over in a, left over in b).

    Equal keys pair first; the rest (partial dates, days read as ordinals, amounts against bare numbers)
    by augmenting paths, hard facts first so that a soft fact is spent where it answers a hard one."""
    pairs: list[tuple[Fact, Fact]] = []
    by_key_a: dict[Any, list[Fact]] = defaultdict(list)
    by_key_b: dict[Any, list[Fact]] = defaultdict(list)
    for f in a:
        by_key_a[f.key].append(f)
    for f in b:
        by_key_b[f.key].append(f)
    rest_a: list[Fact] = []
    rest_b: list[Fact] = []
    for key, xs in by_key_a.items():
        ys = by_key_b.pop(key, [])
        # the shorter list is matched whole; of the longer, the hard facts first, so a soft one is left over
        xs = sorted(xs, key=lambda f: not f.hard)
        ys = sorted(ys, key=lambda f: not f.hard)
        pairs.extend(zip(xs, ys, strict=False))
        rest_a.extend(xs[len(ys) :])
        rest_b.extend(ys[len(xs) :])
    for ys in by_key_b.values():
        rest_b.extend(ys)
    if rest_a and rest_b:
        more, rest_a, rest_b = _augment(rest_a, rest_b)
        pairs.extend(more)
    return pairs, sorted(rest_a, key=lambda f: f.start), sorted(rest_b, key=lambda f: f.start)


_MAX_PATH = 200  # an augmenting path longer than this is not searched (pathological input stays fast)


def _augment(a: list[Fact], b: list[Fact]) -> tuple[list[tuple[Fact, Fact]], list[Fact], list[Fact]]:
    # Who agrees with whom, through indexes rather than all pairs: two unrelated 1,000-item texts leave
    # thousands of facts over.
    answering: dict[Any, list[int]] = defaultdict(list)  # key -> b facts that answer it
    owning: dict[Any, list[int]] = defaultdict(list)  # key -> b facts whose own key it is
    for j, g in enumerate(b):
        owning[g.key].append(j)
        for k in g.keys:
            answering[k].append(j)
    adj: list[list[int]] = []
    for f in a:
        near = set(answering.get(f.key, ()))
        for k in f.keys:
            near.update(owning.get(k, ()))
        adj.append(sorted(near))
    radj: list[list[int]] = [[] for _ in b]
    for i, js in enumerate(adj):
        for j in js:
            radj[j].append(i)
    match_a: list[int | None] = [None] * len(a)
    match_b: list[int | None] = [None] * len(b)

    def try_a(i: int, seen: set[int], depth: int = 0) -> bool:
        if depth > _MAX_PATH:
            return False
        for j in sorted(adj[i], key=lambda j: not b[j].hard):
            if j in seen:
                continue
            seen.add(j)
            partner = match_b[j]
            if partner is None or try_a(partner, seen, depth + 1):
                match_a[i], match_b[j] = j, i
                return True
        return False

    def try_b(j: int, seen: set[int], depth: int = 0) -> bool:
        # the same search from b's side: every fact matched before stays matched (its partner may change)
        if depth > _MAX_PATH:
            return False
        for i in sorted(radj[j], key=lambda i: not a[i].hard):
            if i in seen:
                continue
            seen.add(i)
            partner = match_a[i]
            if partner is None or try_b(partner, seen, depth + 1):
                match_a[i], match_b[j] = j, i
                return True
        return False

    for i in sorted(range(len(a)), key=lambda i: not a[i].hard):
        if a[i].hard:
            try_a(i, set())
    for j in range(len(b)):
        if b[j].hard and match_b[j] is None:
            try_b(j, set())
    for i in range(len(a)):
        if match_a[i] is None:
            try_a(i, set())
    pairs = [(a[i], b[j]) for i, j in enumerate(match_a) if j is not None]
    return pairs, [a[i] for i, j in enumerate(match_a) if j is None], [b[j] for j, i in enumerate(match_b) if i is None]


# --- one pair of versions ----------------------------------------------------------------------------


def _compare(a: _Version, b: _Version) -> list[Finding]:
    groups = align(a.segs, a.facts, b.segs, b.facts)
    findings: list[Finding] = []
    left_a: list[tuple[int, Fact]] = []  # (group index, fact)
    left_b: list[tuple[int, Fact]] = []
    confirmed: set[int] = set()
    per_group: list[tuple[list[Fact], list[Fact]]] = []
    echoes: set[int] = set()  # ids of soft names left over that the other side's group names too
    for g, (ia, ib) in enumerate(groups):
        facts_a = _dedupe_names([f for i in ia for f in a.facts[i]])
        facts_b = _dedupe_names([f for j in ib for f in b.facts[j]])
        pairs, ra, rb = match(facts_a, facts_b)
        for mine, theirs in ((ra, facts_b), (rb, facts_a)):
            names = {f.key for f in theirs if f.kind == "name"}
            echoes.update(id(f) for f in mine if f.kind == "name" and not f.hard and f.key in names)
        if any(x.hard or y.hard for x, y in pairs):
            confirmed.add(g)
        # A figure the other version says too, only once fewer times ("the post-2015 agenda ... in 2015" where
        # the other says 2015 once): a repetition, not a discrepancy; noted once, not reported as an error.
        said_a = {x.key for x, _ in pairs} | {k for _, y in pairs for k in y.keys}
        said_b = {y.key for _, y in pairs} | {k for x, _ in pairs for k in x.keys}
        # (the year of a date both say, said again alone: "the first Prize in 2015 ... September 2015")
        said_a |= {("number", normal(x.key[1])) for x, _ in pairs if x.kind == "date" and x.key[1]}
        said_b |= {("number", normal(y.key[1])) for _, y in pairs if y.kind == "date" and y.key[1]}
        repeats = [(a, f) for f in ra if f.hard and f.kind != "name" and f.key in said_a and not _opposite(f, rb)]
        repeats += [(b, f) for f in rb if f.hard and f.kind != "name" and f.key in said_b and not _opposite(f, ra)]
        for version, f in repeats:
            other = b if version is a else a
            findings.append(
                Finding(
                    "repeated",
                    f"could not compare: {_show(f)} is said more often in {version.tag} than in {other.tag} "
                    f"({_group_label(version, groups[g][0] if version is a else groups[g][1])})",
                    (version.tag, other.tag),
                    {version.tag: f.text, other.tag: ""},
                    {version.tag: ((f.start, f.end),)},
                    {version.tag: _segment_of(version, f)},
                    severity="warning",
                )
            )
        if repeats:
            gone = {id(f) for _, f in repeats}
            ra = [f for f in ra if id(f) not in gone]
            rb = [f for f in rb if id(f) not in gone]
        if ra or rb:
            # names are sets: a leftover name said anywhere else in the group is no disagreement
            per_group.append((ra, rb))
        else:
            per_group.append(([], []))
        left_a.extend((g, f) for f in ra)
        left_b.extend((g, f) for f in rb)
    # Leftovers that agree across groups: moved (both groups confirmed) or a doubtful alignment (silent).
    moved_a: set[int] = set()
    moved_b: set[int] = set()
    # an ordinal that stands against another ordinal in its own group ("第二届" where the other says "First")
    # differs there; a like word elsewhere (一名主席, "a president") does not excuse it
    facing = {g for g, (ra, rb) in enumerate(per_group) if any(f.ordinal for f in ra) and any(f.ordinal for f in rb)}
    left_a = [(g, f) for g, f in left_a if not (f.ordinal and g in facing)] if facing else left_a
    left_b = [(g, f) for g, f in left_b if not (f.ordinal and g in facing)] if facing else left_b
    # Likewise a soft name that stands against another of its sort in its own group (马里 where the other
    # version names Turkey): the same name said elsewhere in the text (土耳其 against "Turkish" further on)
    # does not excuse it.
    faced = _facing_names(per_group, echoes)
    if faced:
        left_a = [(g, f) for g, f in left_a if (g, id(f)) not in faced]
        left_b = [(g, f) for g, f in left_b if (g, id(f)) not in faced]
    if left_a and left_b:
        across, _, _ = match([f for _, f in left_a], [f for _, f in left_b])
        where_a = {id(f): g for g, f in left_a}
        where_b = {id(f): g for g, f in left_b}
        for fa, fb in across:
            ga, gb = where_a[id(fa)], where_b[id(fb)]
            moved_a.add(id(fa))
            moved_b.add(id(fb))
            if ga != gb and ga in confirmed and gb in confirmed and (fa.hard or fb.hard):
                findings.append(_moved(a, b, groups, ga, gb, fa, fb))
    for g, (ra, rb) in enumerate(per_group):
        ra = [f for f in ra if id(f) not in moved_a]
        rb = [f for f in rb if id(f) not in moved_b]
        # a paragraph numbered in one version only ("16. Place and date" against 会议地点和日期): layout, not
        # a figure that differs; said once as a note. Two numbers that differ are still reported.
        # (only when the rest of the numbered paragraph is accounted for: a paragraph missing whole is reported)
        # (a paragraph the other version numbers too, with another number, is numbered differently: reported)
        marks_a = [
            f for f in ra if _is_item_mark(a, f) and _alone(a, f, ra) and not _numbered(b, groups[g][1], groups[g])
        ]
        marks_b = [
            f for f in rb if _is_item_mark(b, f) and _alone(b, f, rb) and not _numbered(a, groups[g][0], groups[g])
        ]
        if bool(marks_a) != bool(marks_b) and groups[g][0] and groups[g][1]:
            only, version, other = (marks_a, a, b) if marks_a else (marks_b, b, a)
            for f in only:
                findings.append(
                    Finding(
                        "numbering",
                        f"could not compare the numbering: "
                        f"{_group_label(version, groups[g][0 if version is a else 1])} is numbered {_show(f)} "
                        f"in {version.tag} only, not in {other.tag}",
                        (version.tag, other.tag),
                        {version.tag: f.text, other.tag: ""},
                        {version.tag: ((f.start, f.end),)},
                        {version.tag: _segment_of(version, f)},
                        severity="warning",
                    )
                )
            ra = [f for f in ra if f not in marks_a]
            rb = [f for f in rb if f not in marks_b]
        names_a, names_b = any(f.kind == "name" for f in ra), any(f.kind == "name" for f in rb)
        ordinals = any(f.ordinal for f in ra) and any(f.ordinal for f in rb)
        labels = any(f.kind == "code" for f in ra) and any(f.kind == "code" for f in rb)
        if any(f.hard for f in ra) or any(f.hard for f in rb) or (names_a and names_b) or ordinals or labels:
            findings.extend(_differences(a, b, groups[g], ra, rb, echoes))
    return findings


def _facing_names(per_group: Sequence[tuple[list[Fact], list[Fact]]], echoes: set[int]) -> set[tuple[int, int]]:
    """(group, id of fact) of each soft name left over where the other side's leftovers of the same group
    name another of its sort, one of the two at least not named by the other side at all (a version that
    names Korea twice and the United States once, against the other's once and twice, is not facing)."""
    out: set[tuple[int, int]] = set()
    for g, (ra, rb) in enumerate(per_group):
        soft_a = [f for f in ra if f.kind == "name" and not f.hard]
        soft_b = [f for f in rb if f.kind == "name" and not f.hard]
        for sort in {_sort(f) for f in soft_a} & {_sort(f) for f in soft_b}:
            xs = [f for f in soft_a if _sort(f) == sort]
            ys = [f for f in soft_b if _sort(f) == sort]
            if any(id(f) not in echoes for f in (*xs, *ys)):
                out.update((g, id(f)) for f in (*xs, *ys))
    return out


_ITEM_MARK_AFTER = re.compile(r"[.)．、]\s")


def _is_item_mark(version: _Version, fact: Fact) -> bool:
    """The number that numbers a paragraph ("16. ...", "3) ..."), at its very start."""
    if fact.kind != "number":
        return False
    i = _segment_of(version, fact) - 1
    return i >= 0 and fact.start == version.segs[i].start and bool(_ITEM_MARK_AFTER.match(version.text, fact.end))


_ITEM_MARK_AT_START = re.compile(r"\s*\d{1,3}[.)．、]\s")


def _numbered(version: _Version, indexes: Sequence[int], group: Group) -> bool:
    """Paragraphs aligned one to one, and the other's starts with a number that numbers it ("16. ...")?"""
    if len(group[0]) != 1 or len(group[1]) != 1:
        return False
    return any(_ITEM_MARK_AT_START.match(version.text, version.segs[i].start) for i in indexes)


def _alone(version: _Version, fact: Fact, leftovers: Sequence[Fact]) -> bool:
    """No other hard fact of the fact's paragraph is left over."""
    n = _segment_of(version, fact)
    return not any(f is not fact and f.hard and _segment_of(version, f) == n for f in leftovers)


def _segment_of(version: _Version, fact: Fact) -> int:
    i = bisect.bisect_right(version.starts, fact.start) - 1
    if 0 <= i < len(version.segs) and fact.start < version.segs[i].end:
        return i + 1
    return 0


def _place(version: _Version, fact: Fact) -> float:
    """Where a fact stands in its paragraph, from 0 (its start) to 1 (its end)."""
    n = _segment_of(version, fact)
    if not n:
        return 0.0
    seg = version.segs[n - 1]
    return (fact.start - seg.start) / max(1, seg.end - seg.start)


def _group_label(version: _Version, indexes: Sequence[int]) -> str:
    if not indexes:
        return "no paragraph"
    nums = [i + 1 for i in indexes]
    return f"paragraph {nums[0]}" if len(nums) == 1 else f"paragraphs {nums[0]}–{nums[-1]}"


def _show(f: Fact) -> str:
    shown = f'"{f.text}"'
    canonical = f.label
    if canonical and canonical.replace(" ", "") != f.text.replace(" ", ""):
        shown += f" ({canonical})"
    return shown


def _differences(
    a: _Version,
    b: _Version,
    group: Group,
    ra: list[Fact],
    rb: list[Fact],
    echoes: frozenset[int] | set[int] = frozenset(),
) -> list[Finding]:
    """Leftover facts of one aligned group as findings: same-family leftovers of the two sides are paired
    in text order ("en says 112 where zh says 一百二十二"); the rest are missing from the other side."""
    out: list[Finding] = []
    by_family_a: dict[str, list[Fact]] = defaultdict(list)
    by_family_b: dict[str, list[Fact]] = defaultdict(list)
    for f in ra:
        by_family_a[FAMILY[f.kind]].append(f)
    for f in rb:
        by_family_b[FAMILY[f.kind]].append(f)
    where_a, where_b = _group_label(a, group[0]), _group_label(b, group[1])
    for family in sorted(set(by_family_a) | set(by_family_b)):
        xs, ys = by_family_a.get(family, []), by_family_b.get(family, [])
        # soft facts only stand in for what the other side says; they are never reported on their own
        hard_x, hard_y = [f for f in xs if f.hard], [f for f in ys if f.hard]
        soft_x, soft_y = [f for f in xs if not f.hard], [f for f in ys if not f.hard]
        pairs: list[tuple[Fact | None, Fact | None]] = []
        pairs.extend(zip(hard_x, hard_y, strict=False))
        # a hard fact left alone faces the soft one most like it (as many digits), then at the nearest place
        for hx in hard_x[len(hard_y) :]:
            pairs.append((hx, _nearest(soft_y, b, hx, _place(a, hx))))
        for hy in hard_y[len(hard_x) :]:
            pairs.append((_nearest(soft_x, a, hy, _place(b, hy)), hy))
        if family == "name":
            # soft names (parties, countries, bodies) are not missed when left out, but one named where the other
            # names another of the same sort is (a country for a country, a body for a body)
            # (a name the other side names too is a repetition: it stands against a new name, never against
            # another repetition)
            for sort in dict.fromkeys(_sort(f) for f in soft_x):
                xs = sorted((f for f in soft_x if _sort(f) == sort), key=lambda f: id(f) in echoes)
                ys = sorted((f for f in soft_y if _sort(f) == sort), key=lambda f: id(f) in echoes)
                pairs.extend((x, y) for x, y in zip(xs, ys, strict=False) if id(x) not in echoes or id(y) not in echoes)
        else:
            # "the second session" where the other version says 第三届: an ordinal said where the other says
            # another ordinal is a disagreement, though either alone might be a word ("first of all")
            ord_x, ord_y = [f for f in soft_x if f.ordinal], [f for f in soft_y if f.ordinal]
            if len(ord_x) != len(ord_y) and ord_x and ord_y:
                # more ordinals on one side (第四委员会 ... 第二届 against "the Committee ... second"): each of
                # the fewer faces the one at the nearest place in its paragraph, not merely the first
                few, many, fv, mv = (ord_x, ord_y, a, b) if len(ord_x) < len(ord_y) else (ord_y, ord_x, b, a)
                chosen = []
                for f in few:
                    near = min(many, key=lambda o: abs(_place(mv, o) - _place(fv, f)))
                    many = [o for o in many if o is not near]
                    chosen.append((f, near))
                pairs.extend((f, o) if few is ord_x else (o, f) for f, o in chosen)
            else:
                pairs.extend(zip(ord_x, ord_y, strict=False))
            # two labels that differ in their letters or in their figure alone (UF6 where the other says UF4),
            # though either alone might be spelt out
            labels_y = [f for f in soft_y if f.kind == "code"]
            for label in (f for f in soft_x if f.kind == "code"):
                akin = next((f for f in labels_y if _akin(label.label, f.label)), None)
                if akin is not None:
                    labels_y.remove(akin)
                    pairs.append((label, akin))
        for x, y in pairs:
            if x is not None and y is not None:
                kind = x.kind if x.kind == y.kind else family
            else:
                only = x or y
                assert only is not None
                kind = only.kind
            word = KIND_WORD.get(kind, kind)
            says: dict[str, str] = {a.tag: x.text if x else "", b.tag: y.text if y else ""}
            spans: dict[str, tuple[tuple[int, int], ...]] = {}
            segs: dict[str, int] = {}
            if x:
                spans[a.tag] = ((x.start, x.end),)
                segs[a.tag] = _segment_of(a, x)
            if y:
                spans[b.tag] = ((y.start, y.end),)
                segs[b.tag] = _segment_of(b, y)
            if x and y:
                message = f"{word} differs: {a.tag} says {_show(x)} ({where_a}), {b.tag} says {_show(y)} ({where_b})"
            elif x:
                message = f"{word} {_show(x)} in {a.tag} ({where_a}) is not in {b.tag} ({where_b})"
            else:
                assert y is not None
                message = f"{word} {_show(y)} in {b.tag} ({where_b}) is not in {a.tag} ({where_a})"
            out.append(Finding(kind, message, (a.tag, b.tag), says, spans, segs))
    return out


def _nearest(facts: list[Fact], version: _Version, like: Fact, place: float) -> Fact | None:
    """The fact of `facts` most like `like` and nearest to `place` in its paragraph, taken out of the list."""
    if not facts:
        return None
    digits = len(re.sub(r"\D", "", like.label))
    near = min(facts, key=lambda f: (abs(len(re.sub(r"\D", "", f.label)) - digits), abs(_place(version, f) - place)))
    facts.remove(near)
    return near


def _akin(a: str, b: str) -> bool:
    """Two labels with the same letters or the same figures (UF6, UF4; P-4, С-4)."""
    split = re.compile(r"\d+")
    return split.sub("", a).strip("-") == split.sub("", b).strip("-") or split.findall(a) == split.findall(b)


def _opposite(f: Fact, others: Sequence[Fact]) -> bool:
    """Is there a leftover of the same kind on the other side (then the two differ, and it is no repeat)?"""
    return any(FAMILY.get(o.kind) == FAMILY.get(f.kind) and (o.hard or o.ordinal) for o in others)


def _sort(f: Fact) -> str:
    """The sort of a name's entry: country, body, party, person, ... (the prefix of its id)."""
    return str(f.key[1]).split(":", 1)[0]


def _moved(a: _Version, b: _Version, groups: list[Group], ga: int, gb: int, fa: Fact, fb: Fact) -> Finding:
    word = KIND_WORD.get(fa.kind, fa.kind)
    where_a, where_b = _group_label(a, groups[ga][0]), _group_label(b, groups[gb][1])
    message = (
        f"{word} {_show(fa)} is in {where_a} of {a.tag} but in {where_b} of {b.tag} "
        f"({_show(fb)}); the paragraphs that correspond differ"
    )
    return Finding(
        "moved",
        message,
        (a.tag, b.tag),
        {a.tag: fa.text, b.tag: fb.text},
        {a.tag: ((fa.start, fa.end),), b.tag: ((fb.start, fb.end),)},
        {a.tag: _segment_of(a, fa), b.tag: _segment_of(b, fb)},
    )


# --- several versions --------------------------------------------------------------------------------


def _merge(findings: list[Finding]) -> list[Finding]:
    """Join pairwise findings that point at the same span of a version (an error in one of three versions
    shows in two pairs)."""
    if len(findings) < 2:
        return findings
    parent = list(range(len(findings)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple[str, tuple[int, int]], int] = {}
    for i, f in enumerate(findings):
        for tag, tag_spans in f.spans.items():
            for span in tag_spans:
                key = (tag, span)
                if key in owner:
                    parent[root(i)] = root(owner[key])
                else:
                    owner[key] = i
    groups: dict[int, list[Finding]] = defaultdict(list)
    for i, f in enumerate(findings):
        groups[root(i)].append(f)  # dicts keep insertion order: groups come in the order of their first finding
    out: list[Finding] = []
    for members in groups.values():
        if len(members) == 1:
            out.append(members[0])
            continue
        versions: list[str] = []
        says: dict[str, str] = {}
        spans: dict[str, tuple[tuple[int, int], ...]] = {}
        segs: dict[str, int] = {}
        for f in members:
            for tag in f.versions:
                if tag not in versions:
                    versions.append(tag)
            for tag, text in f.says.items():
                if text or tag not in says:
                    says[tag] = text
            for tag, sp in f.spans.items():
                spans[tag] = tuple(dict.fromkeys([*spans.get(tag, ()), *sp]))
            segs.update(f.segments)
        kinds = {f.kind for f in members}
        kind = members[0].kind if len(kinds) == 1 else "moved" if "moved" in kinds else members[0].kind
        word = KIND_WORD.get(kind, kind)
        parts = [
            (f'{tag} says "{says[tag]}"' if says.get(tag) else f"{tag} says nothing")
            + (f" (paragraph {segs[tag]})" if segs.get(tag) else "")
            for tag in versions
        ]
        message = f"{word} differs: " + "; ".join(parts)
        out.append(Finding(kind, message, tuple(versions), says, spans, segs))
    return out
