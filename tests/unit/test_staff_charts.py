"""The staff dashboard's server-side SVG charts: images with a name and a description, data escaped,
axes that reach the largest value in whole steps."""
from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pytest

from locator.staff.charts import Bar, Series, bar_chart, line_chart, nice_top

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup) -> ElementTree.Element:
    return ElementTree.fromstring(str(markup).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


def test_a_bar_chart_is_a_named_described_image_with_a_bar_per_row():
    svg = _parse(bar_chart("c", "Searches by country", "How many", [Bar("Denmark", 40, "40"), Bar("<b>&", 10, "10")]))
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "c-title c-desc"
    assert svg.find(f"{SVG}title").text == "Searches by country" and svg.find(f"{SVG}desc").text == "How many"
    widths = [float(rect.get("width")) for rect in svg.iter(f"{SVG}rect")]
    assert widths[0] == pytest.approx(4 * widths[1])
    assert "<b>&" in [text.text for text in svg.iter(f"{SVG}text")]  # escaped in the markup, text in the image
    assert "style=" not in str(bar_chart("d", "t", "d", [Bar("x", 1, "1")]))  # the CSP forbids inline styles


def test_a_line_chart_draws_each_series_over_every_day():
    labels = [f"Jun {day}" for day in range(1, 31)]
    svg = _parse(line_chart("days", "Searches per day", "desc", labels,
                            [Series("Searches", "series-searches", list(range(30))), Series("Zero", "series-zero", [1] * 30)]))
    lines = list(svg.iter(f"{SVG}polyline"))
    assert [len(line.get("points").split()) for line in lines] == [30, 30]
    assert "Jun 1" in [text.text for text in svg.iter(f"{SVG}text")]
    one_day = _parse(line_chart("one", "t", "d", ["Jun 1"], [Series("S", "s", [3])]))
    assert len(list(one_day.iter(f"{SVG}circle"))) == 1


@pytest.mark.parametrize(("largest", "top"), [(0, 4), (3, 4), (5, 8), (100, 100), (101, 200), (1234, 2000), (40_000, 40_000)])
def test_the_axis_reaches_the_largest_value_in_four_whole_steps(largest, top):
    assert nice_top(largest) == top and top % 4 == 0 and top >= largest
