"""Segments and their alignment across versions."""

from __future__ import annotations

from accord.fidelity.align import align, segments
from accord.fidelity.extract import extract


def texts(text: str) -> list[str]:
    return [text[s.start : s.end] for s in segments(text)]


def test_blank_lines_indented_lines_labels_and_items_start_segments() -> None:
    assert texts("Title: A plan\nAuthor:\nDate: 1960-02-26\n\nFirst paragraph.\n\nSecond.") == [
        "Title: A plan",
        "Author:",
        "Date: 1960-02-26",
        "First paragraph.",
        "Second.",
    ]
    assert texts("    第一段。\n    第二段。") == ["第一段。", "第二段。"]
    assert texts("1. One item\n2. Another item\n(3) A third") == ["1. One item", "2. Another item", "(3) A third"]


def test_hard_wrapped_paragraph_is_one_segment() -> None:
    para = (
        "The communique issued after the meeting stated that during the meeting, the\n"
        "delegations noted with satisfaction that in the past two years a large amount\n"
        "of work had been done.\n"
        "A new paragraph."
    )
    assert len(texts(para)) == 2


def _align(a: str, la: str, b: str, lb: str) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    sa, sb = segments(a), segments(b)
    fa, fb = extract(a, la), extract(b, lb)

    def by_seg(segs, facts):  # type: ignore[no-untyped-def]
        return [[f for f in facts if s.start <= f.start < s.end] for s in segs]

    return align(sa, by_seg(sa, fa), sb, by_seg(sb, fb))


def test_items_pair_by_their_numbers_when_one_version_has_an_extra_segment() -> None:
    en = "1. Project 17: 12 expeditions.\n2. Project 23: 25 trainees.\n3. Project 31: 340 documents."
    zh = "计划\n1. 第17号项目：考察12次。\n2. 第23号项目：实习生25名。\n3. 第31号项目：资料340份。"
    assert _align(en, "en", zh, "zh") == [((), (0,)), ((0,), (1,)), ((1,), (2,)), ((2,), (3,))]


def test_a_paragraph_split_in_two_pairs_with_both() -> None:
    en = "Header 1960\n\nIn 1959 there were 122 projects and 45% were done. The budget was 3 million roubles.\n\nEnd 7."
    ru = "Заголовок 1960\n\nВ 1959 году было 122 проекта, выполнено 45%.\n\nБюджет составил 3 млн рублей.\n\nКонец 7."
    groups = _align(en, "en", ru, "ru")
    assert ((1,), (1, 2)) in groups


def test_the_seed_pair_aligns_paragraph_for_paragraph() -> None:
    from accord.demo.seed import DATA

    en = (DATA / "people-daily-1960-02-26.en.txt").read_text(encoding="utf-8")
    zh = (DATA / "people-daily-1960-02-26.zh.txt").read_text(encoding="utf-8")
    groups = _align(en, "en", zh, "zh")
    se, sz = segments(en), segments(zh)
    body_en = [
        s.index for s in se if en[s.start :].startswith(("Xinhua", "During", "The 1960", "Liu", "The comm", "In the"))
    ]
    body_zh = [
        s.index
        for s in sz
        if zh[s.start :].startswith(("新华社", "双方", "在1960", "中国驻", "会后", "在会议", "在交谈"))
    ]
    assert len(body_en) == len(body_zh) == 7
    assert [((a,), (b,)) for a, b in zip(body_en, body_zh, strict=True)] == [
        g for g in groups if g[0] and g[0][0] in body_en
    ]
    # the dates of the two headers pair too
    date_en = next(s.index for s in se if en[s.start : s.end] == "Date: 1960-02-26")
    date_zh = next(s.index for s in sz if zh[s.start : s.end] == "1960-02-26")
    assert ((date_en,), (date_zh,)) in groups
