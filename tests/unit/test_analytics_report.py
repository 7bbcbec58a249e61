"""The analytics report's pure parts: the request it sends, what it reads back, folding below
min_count, rates, every day of the period, the period's options and the CSV."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from locator.analytics.report import (MAX_DAYS, OTHER, build_report, cell_centre, fill_days, fold_counts, fold_rows,
                                      parse_period, place_facts, rate)
from locator.analytics.report_csv import COLUMNS, rows, write_csv
from locator.analytics.report_query import NO_COUNTRY, Row, Tally, report_request, tally
from locator.core.coarse_area import cell

TODAY = date(2026, 6, 15)


# ---------------------------------------------------------------- folding and rates


def test_rows_under_min_count_fold_into_other_and_the_rest_rank_by_searches():
    rows = {"DK": Row(12, 1, 2), "DE": Row(30, 3, 0), "IS": Row(2, 1, 0), "MT": Row(4, 0, 1), "SE": Row(12, 0, 0)}
    assert fold_rows(rows, 5) == [("DE", Row(30, 3, 0)), ("DK", Row(12, 1, 2)), ("SE", Row(12, 0, 0)),
                                  (OTHER, Row(6, 1, 1))]


def test_other_also_holds_what_the_request_did_not_list_and_what_the_top_leaves_out():
    rows = {"a": Row(50, 5, 0), "b": Row(40, 0, 4), "c": Row(30, 3, 3)}
    whole = Row(130, 10, 8)  # 10 searches in places past the terms aggregation's size
    assert fold_rows(rows, 5, whole=whole, top=2) == [("a", Row(50, 5, 0)), ("b", Row(40, 0, 4)), (OTHER, Row(40, 5, 4))]


def test_no_other_row_when_nothing_is_left_and_nothing_at_all_is_empty():
    assert fold_rows({"a": Row(5, 0, 0)}, 5) == [("a", Row(5, 0, 0))]
    assert fold_rows({}, 5) == [] and fold_counts({}, 5) == {}


def test_counts_fold_the_same_way_and_an_unknown_industry_is_other_already():
    counts = {"retail": 9, "banking": 3, OTHER: 6, "transport": 2}
    assert fold_counts(counts, 5) == {"retail": 9, OTHER: 11}
    assert list(fold_counts({"b": 7, "a": 7, "c": 20}, 5)) == ["c", "a", "b"]
    assert fold_counts({"direct": 40}, 5, beyond=3) == {"direct": 40, OTHER: 3}


@given(st.dictionaries(st.text(min_size=1, max_size=4).filter(lambda key: key != OTHER),
                       st.integers(min_value=1, max_value=40), max_size=30),
       st.integers(min_value=1, max_value=20))
def test_folding_never_shows_a_small_row_and_never_loses_a_search(counts, min_count):
    rows = {key: Row(count, count // 2, count // 3) for key, count in counts.items()}
    folded = fold_rows(rows, min_count)
    assert all(row.searches >= min_count for key, row in folded if key != OTHER)
    assert sum((row for _, row in folded), Row()) == sum(rows.values(), Row())
    shown = fold_counts(counts, min_count)
    assert all(count >= min_count for key, count in shown.items() if key != OTHER)
    assert sum(shown.values()) == sum(counts.values())


def test_rates_are_computed_here_to_four_decimals_and_none_without_searches():
    assert rate(1, 3) == 0.3333 and rate(0, 7) == 0.0 and rate(5, 5) == 1.0
    assert rate(0, 0) is None


def test_every_day_of_the_period_is_there_empty_days_as_zeros():
    days = fill_days({date(2026, 6, 2): Row(7, 1, 2)}, date(2026, 6, 1), date(2026, 6, 3))
    assert days == [{"day": "2026-06-01", "searches": 0, "zero_results": 0, "nearest_fallback": 0},
                    {"day": "2026-06-02", "searches": 7, "zero_results": 1, "nearest_fallback": 2},
                    {"day": "2026-06-03", "searches": 0, "zero_results": 0, "nearest_fallback": 0}]


# ---------------------------------------------------------------- the period


@pytest.mark.parametrize(("options", "period"), [
    ({}, (date(2026, 5, 17), TODAY)),                                         # the last 30 days, today included
    ({"since": "7d"}, (date(2026, 6, 9), TODAY)),
    ({"since": "1d"}, (TODAY, TODAY)),
    ({"start": date(2026, 1, 1)}, (date(2026, 1, 1), TODAY)),
    ({"end": date(2026, 3, 31)}, (date(2026, 3, 2), date(2026, 3, 31))),
    ({"start": date(2026, 3, 1), "end": date(2026, 3, 1)}, (date(2026, 3, 1), date(2026, 3, 1))),
])
def test_the_period_from_the_options(options, period):
    assert parse_period(TODAY, **options) == period


@pytest.mark.parametrize("options", [
    {"since": "30"}, {"since": "0d"}, {"since": "two weeks"}, {"since": "7d", "start": date(2026, 1, 1)},
    {"start": date(2026, 3, 2), "end": date(2026, 3, 1)}, {"start": date(2000, 1, 1)},
])
def test_a_bad_period_says_why(options):
    with pytest.raises(ValueError):
        parse_period(TODAY, **options)
    assert MAX_DAYS >= 120 * 31  # any retention fits


# ---------------------------------------------------------------- the request and its answer


def test_the_request_counts_first_pages_only_over_whole_utc_days():
    body = report_request(date(2026, 6, 1), date(2026, 6, 30), "DK")
    scope = body["query"]["bool"]["filter"]
    assert scope[0] == {"range": {"minute": {"gte": "2026-06-01T00:00:00Z", "lt": "2026-07-01T00:00:00Z"}}}
    assert scope[1] == {"term": {"country": "DK"}}
    assert {"term": {"page": 1}} in body["aggs"]["searches"]["filter"]["bool"]["filter"]
    assert body["size"] == 0 and "script" not in repr(body)  # no painless on the cluster
    assert len(report_request(date(2026, 6, 1), date(2026, 6, 1))["query"]["bool"]["filter"]) == 1


def _bucket(key, count, zero=0, nearest=0):
    return {"key": key, "doc_count": count, "zero": {"doc_count": zero}, "nearest": {"doc_count": nearest}}


def test_the_answer_is_read_into_counts_a_town_typed_and_the_same_town_near_a_position_one_place():
    response = {"aggregations": {
        "searches": {"doc_count": 20, "zero": {"doc_count": 3}, "nearest": {"doc_count": 1},
                     "per_day": {"buckets": [{**_bucket(None, 20, 3, 1), "key": 1780272000000}]},
                     "countries": {"buckets": [_bucket("DK", 15, 2), _bucket(NO_COUNTRY, 5, 1, 1)]},
                     "placed": {"doc_count": 12, "zero": {"doc_count": 2}, "nearest": {"doc_count": 1}},
                     "places": {"buckets": [_bucket("2618425", 6, 1)]},
                     "areas": {"buckets": [_bucket("2618425", 4, 0, 1), _bucket("cell:56.75,9.00", 2, 1)]},
                     "languages": {"buckets": [{"key": "da", "doc_count": 20}]},
                     "sources": {"buckets": [{"key": "direct", "doc_count": 19}], "sum_other_doc_count": 1},
                     "filter_tier": {"buckets": [{"key": "premier", "doc_count": 4}], "sum_other_doc_count": 0}},
        "answers": {"distinct": {"value": 22}},
        "interactions": {"types": {"buckets": [{"key": "phone", "doc_count": 3}]}, "followed": {"distinct": {"value": 2}}},
    }}
    counts = tally(response)
    assert counts.total == Row(20, 3, 1) and counts.per_day == {date(2026, 6, 1): Row(20, 3, 1)}
    assert counts.places == {"2618425": Row(10, 1, 1), "cell:56.75,9.00": Row(2, 1, 0)}
    assert counts.sources_beyond == 1 and counts.filters["tier"] == {"premier": 4} and counts.filters["cert"] == {}
    assert (counts.interactions, counts.answers_searched, counts.answers_with_interaction) == ({"phone": 3}, 22, 2)


def test_no_events_at_all_is_a_report_of_zeros():
    report = build_report(tally({"hits": {"hits": []}}), date(2026, 6, 1), date(2026, 6, 2), 5)
    assert (report["searches"], report["zero_rate"], report["by_country"], report["by_place"]) == (0, None, [], [])
    assert report["interactions"] == {kind: 0 for kind in ("detail", "phone", "email", "website", "directions", "site_page")}
    assert report["searches_followed_by_interaction"] is None and len(report["per_day"]) == 2


# ---------------------------------------------------------------- the report


def _tally() -> Tally:
    counts = Tally(total=Row(100, 10, 5), countries={"DK": Row(60, 6, 3), "DE": Row(37, 3, 2), "IS": Row(3, 1, 0)},
                   places={"2618425": Row(30, 3, 1), "cell:56.75,9.00": Row(8, 4, 0), "3413829": Row(2, 1, 0)},
                   placed=Row(40, 8, 1), languages={"da": 50, "en": 48, "ja": 2}, sources={"direct": 97, "rare.example": 3},
                   interactions={"detail": 9, "phone": 2}, answers_searched=90, answers_with_interaction=12)
    counts.filters["cert"] = {"MCIE": 6, "MCDE": 1}
    counts.per_day = {date(2026, 6, 2): Row(100, 10, 5)}
    return counts


def test_the_report_keeps_its_contract_and_folds_every_table_but_the_totals():
    report = build_report(_tally(), date(2026, 6, 1), date(2026, 6, 3), 5)
    assert {"from", "to", "searches", "zero_results", "nearest_fallback", "by_country", "by_place", "filters",
            "languages", "sources", "interactions", "searches_followed_by_interaction", "per_day"} <= set(report)
    assert (report["searches"], report["zero_results"], report["nearest_fallback"], report["zero_rate"]) == (100, 10, 5, 0.1)
    assert [row["country"] for row in report["by_country"]] == ["DK", "DE", OTHER]
    assert report["by_country"][2] == {"country": OTHER, "searches": 3, "zero_results": 1, "nearest_fallback": 0,
                                       "zero_rate": 0.3333, "nearest_rate": 0.0}
    assert [row["place_id"] for row in report["by_place"]] == ["2618425", "cell:56.75,9.00", OTHER]
    assert report["by_place"][2]["searches"] == 2 and report["by_place"][2]["lat"] is None
    assert report["by_place"][1]["label"] == "cell 56.75, 9.00"
    assert report["filters"]["cert"] == {"MCIE": 6, OTHER: 1} and report["filters"]["tier"] == {}
    assert report["languages"] == {"da": 50, "en": 48, OTHER: 2} and report["sources"] == {"direct": 97, OTHER: 3}
    assert report["interactions"]["phone"] == 2 and report["interactions"]["email"] == 0
    assert report["searches_followed_by_interaction"] == 0.1333
    assert [day["searches"] for day in report["per_day"]] == [0, 100, 0]


def test_places_are_labelled_from_the_gazetteer_and_cells_by_their_corner(gazetteer):
    assert place_facts(gazetteer, "2618425") == {"label": "Copenhagen, DK", "country": "DK", "lat": pytest.approx(55.67594),
                                                 "lon": pytest.approx(12.56553)}
    assert place_facts(gazetteer, "999999999")["label"] == "999999999"  # a place a newer gazetteer knew
    expected = cell(55.6, 12.3)
    assert cell_centre(expected.id) == (expected.lat, expected.lon)
    far_north = cell(78.2, 15.6)  # cells widen towards the poles: the centre is coarse_area's own
    assert cell_centre(far_north.id) == (far_north.lat, far_north.lon)
    assert cell_centre("2618425") is None


# ---------------------------------------------------------------- CSV


def test_the_csv_is_one_long_table_of_what_the_report_shows():
    report = build_report(_tally(), date(2026, 6, 1), date(2026, 6, 3), 5, country="DK")
    out = io.StringIO()
    count = write_csv(report, out)
    table = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(table[0]) == COLUMNS and len(table) == count == len(list(rows(report)))
    by = {(row["table"], row["key"]): row for row in table}
    assert by[("period", "from")]["label"] == "2026-06-01" and by[("period", "country")]["label"] == "DK"
    assert by[("total", "searches")]["searches"] == "100" and by[("total", "searches")]["zero_rate"] == "0.1"
    assert by[("country", "DK")]["label"] == "Denmark" and by[("country", OTHER)]["searches"] == "3"
    assert ("country", "IS") not in by and ("place", "3413829") not in by  # folded, never named
    assert by[("cert", OTHER)]["searches"] == "1" and by[("interaction", "detail")]["value"] == "9"
    assert [row["key"] for row in table if row["table"] == "day"] == ["2026-06-01", "2026-06-02", "2026-06-03"]


def test_a_label_is_never_a_spreadsheet_formula():
    report = build_report(_tally(), date(2026, 6, 1), date(2026, 6, 1), 5,
                          facts_of=lambda place_id: {"label": "=HYPERLINK(\"x\")", "country": None, "lat": None, "lon": None})
    labels = [row["label"] for row in rows(report) if row["table"] == "place" and row["key"] != OTHER]
    assert labels and all(label.startswith("'=") for label in labels)
