"""Cutting a version into segments (paragraphs, items, header lines) and pairing the segments of two versions.

Segments: blocks between blank lines; inside a block, a line starts a new segment when it is indented,
starts with an item mark (1. / (1) / 一、/ 第1项 / - ), is a "Label: value" line, or follows a line that
ended a sentence or was short. Hard-wrapped paragraphs stay one segment.

Alignment is a dynamic programme over the two segment lists (the Gale–Church way): segments may pair
1–1, 2–1, 1–2, or stand alone, and the cost of a pairing is how far the segments' shares of their text
lengths differ plus how little their anchors agree. Anchors are the facts both versions must share
anyway: numbers, dates, codes, names. Item numbers are numbers, so numbered items pair by number.
For long texts only a band around the diagonal is searched.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from accord.fidelity.extract import Fact, Key

_ITEM_MARK = re.compile(
    r"^\s*(?:\(?\d{1,4}[.)、．]|\(\d{1,4}\)|[一二三四五六七八九十百]+、|（[一二三四五六七八九十]+）|第[\d一二三四五六七八九十百]+[项条章节款]|"
    r"[-•*·–—]\s|#+\s|[IVXLC]+\.\s)"
)
_LABEL = re.compile(r"^\s*[\w][\w .]{0,24}[:：](?:\s|$)")
_SENTENCE_END = re.compile(r"[.!?。！？:：;；)）\]」』\"”]\s*$")


@dataclass(frozen=True)
class Segment:
    """A paragraph, item or header line of one version: its span in the version's text."""

    index: int
    start: int
    end: int


def segments(text: str) -> list[Segment]:
    """The segments of `text`, in order, spans trimmed of surrounding white space."""
    spans: list[tuple[int, int]] = []
    lines: list[tuple[int, int]] = []  # current block
    pos = 0
    for raw in text.splitlines(keepends=True):
        start, end = pos, pos + len(raw.rstrip("\r\n"))
        pos += len(raw)
        if not text[start:end].strip():
            spans.extend(_split_block(text, lines))
            lines = []
        else:
            lines.append((start, end))
    spans.extend(_split_block(text, lines))
    out: list[Segment] = []
    for start, end in spans:
        chunk = text[start:end]
        lead = len(chunk) - len(chunk.lstrip())
        trail = len(chunk) - len(chunk.rstrip())
        if end - trail > start + lead:
            out.append(Segment(len(out), start + lead, end - trail))
    return out


def _split_block(text: str, lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    if not lines:
        return []
    longest = max(e - s for s, e in lines)
    out = [list(lines[0])]
    for (ps, pe), (s, e) in itertools.pairwise(lines):
        prev, line = text[ps:pe], text[s:e]
        continues = (
            longest >= 40
            and (pe - ps) >= 0.6 * longest
            and not _SENTENCE_END.search(prev)
            and not line[:1].isspace()
            and not line.startswith("\u3000")
            and not _ITEM_MARK.match(line)
            and not _LABEL.match(line)
        )
        if continues:
            out[-1][1] = e
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


# --- alignment ---------------------------------------------------------------------------------------


@dataclass
class _Side:
    """Per segment: share of the text's length, anchor keys (own and all they answer), count of hard facts."""

    share: list[float]
    own: list[frozenset[Key]]
    answers: list[frozenset[Key]]
    hard: list[int]


def _side(segs: Sequence[Segment], facts: Sequence[Sequence[Fact]]) -> _Side:
    total = sum(s.end - s.start for s in segs) or 1
    share = [(s.end - s.start) / total for s in segs]
    # Soft facts (一 in 进一步, "two" in "the two countries") say too little to pair paragraphs on.
    own = [frozenset(f.key for f in fs if f.hard) for fs in facts]
    answers = [frozenset(k for f in fs for k in f.keys) for fs in facts]
    hard = [sum(f.hard for f in fs) for fs in facts]
    return _Side(share, own, answers, hard)


def _agreement(own_a: frozenset[Key], ans_a: frozenset[Key], own_b: frozenset[Key], ans_b: frozenset[Key]) -> float:
    """Share of the two groups' anchors that the other group answers (1.0: all agree)."""
    n = len(own_a) + len(own_b)
    if not n:
        return -1.0
    hit = sum(1 for k in own_a if k in ans_b) + sum(1 for k in own_b if k in ans_a)
    if hit < n:
        # an anchor may also be answered the other way round (a partial date against a full one)
        hit = sum(1 for k in own_a if k in ans_b or k in own_b) + sum(1 for k in own_b if k in ans_a or k in own_a)
    return hit / n


SKIP = 1.2
SKIP_BARE = 0.3
MERGE = 0.6


def _pair_cost(a: _Side, ia: Sequence[int], b: _Side, ib: Sequence[int]) -> float:
    share_a = sum(a.share[i] for i in ia)
    share_b = sum(b.share[j] for j in ib)
    cost = abs(math.log((share_a + 0.003) / (share_b + 0.003)))
    if len(ia) == 1 and len(ib) == 1:
        own_a, ans_a, own_b, ans_b = a.own[ia[0]], a.answers[ia[0]], b.own[ib[0]], b.answers[ib[0]]
    else:
        own_a = frozenset().union(*(a.own[i] for i in ia))
        ans_a = frozenset().union(*(a.answers[i] for i in ia))
        own_b = frozenset().union(*(b.own[j] for j in ib))
        ans_b = frozenset().union(*(b.answers[j] for j in ib))
    agreement = _agreement(own_a, ans_a, own_b, ans_b)
    if agreement < 0:
        cost += 0.1  # neither has anchors: only the lengths speak
    elif not own_a or not own_b:
        cost += 2.0
    else:
        cost += 2.0 * (1.0 - agreement)
    if len(ia) + len(ib) > 2:
        cost += MERGE
    return cost


def _skip_cost(side: _Side, i: int) -> float:
    # A short line with nothing to compare (a heading, "专栏：") may well have no counterpart.
    if not side.own[i]:
        return SKIP_BARE + 2.0 * side.share[i]
    return SKIP + 0.6 * side.hard[i] + 8.0 * side.share[i]


Group = tuple[tuple[int, ...], tuple[int, ...]]


def align(
    segs_a: Sequence[Segment],
    facts_a: Sequence[Sequence[Fact]],
    segs_b: Sequence[Segment],
    facts_b: Sequence[Sequence[Fact]],
) -> list[Group]:
    """Pair the segments of two versions: a list of (segments of A, segments of B), in order; one side of a
    group may be empty (a segment with no counterpart)."""
    a, b = _side(segs_a, facts_a), _side(segs_b, facts_b)
    n, m = len(segs_a), len(segs_b)
    if n == m and n and _diagonal_is_good(a, b, n):
        return [((i,), (i,)) for i in range(n)]
    # The band follows the proportional diagonal; wide enough for extra segments gathered at one end
    # (headers), capped so that very unequal versions stay fast (they are reported as such anyway).
    width = min(abs(n - m), 60) + 8
    inf = float("inf")
    cost: dict[tuple[int, int], float] = {(0, 0): 0.0}
    back: dict[tuple[int, int], tuple[int, int]] = {}

    def in_band(i: int, j: int) -> bool:
        centre = i * m / n if n else 0
        return abs(j - centre) <= width

    for i in range(n + 1):
        centre = round(i * m / n) if n else 0
        for j in range(max(0, centre - width), min(m, centre + width) + 1):
            if (i, j) == (0, 0):
                continue
            best, step = inf, (0, 0)
            for di, dj in ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2)):
                pi, pj = i - di, j - dj
                if pi < 0 or pj < 0:
                    continue
                prev = cost.get((pi, pj))
                if prev is None or prev >= best:
                    continue
                if di and dj:
                    c = _pair_cost(a, range(pi, i), b, range(pj, j))
                elif di:
                    c = _skip_cost(a, pi)
                else:
                    c = _skip_cost(b, pj)
                if prev + c < best:
                    best, step = prev + c, (di, dj)
            if best < inf and (in_band(i, j) or i == n or j == m):
                cost[(i, j)] = best
                back[(i, j)] = step
    if (n, m) not in cost:  # the band missed the corner (very unequal lengths): pair in order, rest alone
        return (
            [((i,), (i,)) for i in range(min(n, m))]
            + [((i,), ()) for i in range(m, n)]
            + [((), (j,)) for j in range(n, m)]
        )
    groups: list[Group] = []
    i, j = n, m
    while (i, j) != (0, 0):
        di, dj = back[(i, j)]
        groups.append((tuple(range(i - di, i)), tuple(range(j - dj, j))))
        i, j = i - di, j - dj
    groups.reverse()
    return groups


def _diagonal_is_good(a: _Side, b: _Side, n: int) -> bool:
    """Equal counts and every i-th pair plainly alike: the structure already aligns (the common case of a
    plan's items), so the programme need not run."""
    for i in range(n):
        agreement = _agreement(a.own[i], a.answers[i], b.own[i], b.answers[i])
        if agreement < 0:
            if abs(math.log((a.share[i] + 0.003) / (b.share[i] + 0.003))) > 1.0:
                return False
        elif agreement < 0.5:
            return False
    return True
