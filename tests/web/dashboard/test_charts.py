"""The SVG builders: well-formed, escaped, accessible, contrasted, deterministic."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from accord.web.dashboard import charts
from accord.web.dashboard.charts import Bar, Edge, Lane, Node, Series, Span

SVG = "{http://www.w3.org/2000/svg}"


def luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def test_every_palette_colour_contrasts_with_white():
    for colour in charts.PALETTE:
        assert (1.05) / (luminance(colour) + 0.05) >= 4.5, colour


def test_bar_chart_escapes_labels_and_keeps_the_data_in_its_table():
    chart = charts.bar_chart(
        "t", "A & B", "desc <x>", [Bar("<script>", 3), Bar("二", 1.5)], label_header="L", value_header="V"
    )
    root = ET.fromstring(str(chart.svg))
    assert root.find(f"{SVG}title").text == "A & B"
    assert "<script>" not in str(chart.svg)
    assert chart.table.rows == [["<script>", "3"], ["二", "1.50"]]
    rects = root.findall(f".//{SVG}rect")
    assert float(rects[0].get("width")) == 2 * float(rects[1].get("width"))  # lengths proportional to values


def test_stacked_bars_stack_series_per_category():
    chart = charts.stacked_bars(
        "s", "T", "D", ["1959", "1960"], [Series("a", [1, 2]), Series("b", [3, 0])], category_header="Year"
    )
    root = ET.fromstring(str(chart.svg))
    assert len(root.findall(f"{SVG}rect")) == 3  # zero values draw nothing
    assert chart.table.rows == [["1959", "1", "3"], ["1960", "2", "0"]]


def test_timeline_and_network_are_well_formed_and_deterministic():
    lanes = [Lane("Protocol", [Span(dt.date(1959, 1, 1), dt.date(1959, 12, 31), "1959 plan", status="Signed")])]
    chart = charts.timeline(
        "p", "T", "D", lanes, [("Signed", "#0b5cab")], lane_header="A", span_headers=("P", "W", "S")
    )
    ET.fromstring(str(chart.svg))
    assert chart.table.rows == [["Protocol", "1959 plan", "1959-01-01 – 1959-12-31", "Signed"]]
    nodes = [Node(i, f"Org {i}", i, "CN" if i % 2 else "SU") for i in range(1, 7)]
    edges = [Edge(1, 2, 3), Edge(2, 5, 1)]
    first = charts.network("n", "T", "D", nodes, edges, [], headers=("a", "b", "n"))
    again = charts.network("n", "T", "D", list(reversed(nodes)), edges, [], headers=("a", "b", "n"))
    assert str(first.svg) == str(again.svg)
    root = ET.fromstring(str(first.svg))
    assert len(root.findall(f".//{SVG}circle")) == 6 and len(root.findall(f".//{SVG}line")) == 2
    assert first.table.rows[0] == ["Org 1", "Org 2", "3"]


def test_long_labels_are_shortened_to_fit():
    assert charts.fit("short", 100) == "short"
    shortened = charts.fit("Electrical, electronic and information engineering", 120)
    assert shortened.endswith("…") and charts.text_width(shortened) <= 120
    assert charts.text_width("中文") > charts.text_width("ab")
