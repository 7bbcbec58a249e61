"""The analytics report on the real node: handmade events written as the events writer writes them
(as the indexer here: EventStore, the strict mapping, monthly indices), read back as the ``staff``
user, equal to counting the same events directly; the command line's JSON and CSV.

Each test module's events live under a prefix of their own below the run's (``<prefix>-rpt...``):
other tests of the run write events too, and the report reads every month of one prefix.
"""
from __future__ import annotations

import csv
import io
import json
import uuid
from collections import Counter
from datetime import date

import pytest

from locator.analytics.report import OTHER, fetch_report
from locator.cli import main
from locator.core.es import connect
from locator.core.events import events_pattern
from tests.analytics_events import HANDMADE_PERIOD, handmade_events, realistic_events, store_events

MIN_COUNT = 5
START, END = HANDMADE_PERIOD


@pytest.fixture(scope="module")
def prefix(settings) -> str:
    return f"{settings.index_prefix}-rpt{uuid.uuid4().hex[:6]}"


@pytest.fixture(scope="module")
def stored(prefix, indexer_es) -> list[dict]:
    events = handmade_events(prefix)
    assert store_events(indexer_es, events) == len(events)
    return [document for _, _, document in events]


@pytest.fixture(scope="module")
def staff_es(settings):
    client = connect(settings, "staff")
    yield client
    client.close()


@pytest.fixture(scope="module")
def report(stored, staff_es, prefix, gazetteer) -> dict:
    return fetch_report(staff_es, prefix, START, END, MIN_COUNT, gazetteer=gazetteer)


def test_the_totals_count_first_pages_of_the_period_only(report, stored, indexer_es, prefix):
    direct = indexer_es.count(index=events_pattern(prefix), query={"bool": {"filter": [
        {"term": {"type": "search"}}, {"term": {"page": 1}},
        {"range": {"minute": {"gte": "2026-05-31T00:00:00Z", "lt": "2026-06-04T00:00:00Z"}}}]}})["count"]
    assert report["searches"] == direct == 15
    assert (report["zero_results"], report["nearest_fallback"]) == (5, 1)
    assert report["zero_rate"] == round(5 / 15, 4) and report["nearest_rate"] == round(1 / 15, 4)


def test_rows_under_min_count_fold_into_other(report):
    assert report["by_country"] == [
        {"country": "DK", "searches": 7, "zero_results": 2, "nearest_fallback": 1, "zero_rate": 0.2857, "nearest_rate": 0.1429},
        {"country": "DE", "searches": 5, "zero_results": 0, "nearest_fallback": 0, "zero_rate": 0.0, "nearest_rate": 0.0},
        {"country": OTHER, "searches": 3, "zero_results": 3, "nearest_fallback": 0, "zero_rate": 1.0, "nearest_rate": 0.0}]
    assert [(row["place_id"], row["label"], row["searches"]) for row in report["by_place"]] == [
        ("2618425", "Copenhagen, DK", 7), ("2950159", "Berlin, DE", 5), (OTHER, OTHER, 2)]
    assert report["by_place"][0]["lat"] == pytest.approx(55.67594)
    assert report["filters"]["tier"] == {"premier": 5} and report["filters"]["cert"] == {"MCIE": 5}
    assert report["languages"] == {"da": 6, "de": 5, OTHER: 4}
    assert report["sources"] == {"direct": 8, "www.milestonesys.com": 5, OTHER: 2}


def test_interactions_days_and_the_share_followed_by_one(report):
    assert report["interactions"] == {"detail": 1, "phone": 1, "email": 0, "website": 0, "directions": 0, "site_page": 1}
    assert report["answers_searched"] == 16 and report["answers_with_interaction"] == 1  # page 2 is an answer too
    assert report["searches_followed_by_interaction"] == round(1 / 16, 4)
    assert [(day["day"], day["searches"], day["zero_results"]) for day in report["per_day"]] == [
        ("2026-05-31", 7, 2), ("2026-06-01", 1, 1), ("2026-06-02", 5, 0), ("2026-06-03", 2, 2)]


def test_one_country_alone(staff_es, prefix, stored):
    report = fetch_report(staff_es, prefix, START, END, MIN_COUNT, "DE")
    assert (report["searches"], report["country"], report["interactions"]["detail"]) == (5, "DE", 1)
    assert [row["country"] for row in report["by_country"]] == ["DE"]


def test_a_prefix_without_any_events_is_an_empty_report(staff_es, settings):
    report = fetch_report(staff_es, f"{settings.index_prefix}-noevents", START, END, MIN_COUNT)
    assert report["searches"] == 0 and report["by_country"] == [] and len(report["per_day"]) == 4


def test_a_realistic_month_equals_counting_its_events_directly(settings, indexer_es, staff_es, gazetteer):
    prefix = f"{settings.index_prefix}-rptm{uuid.uuid4().hex[:6]}"
    events = [document for _, _, document in realistic_events(prefix, date(2026, 4, 1), 30, 60, seed=7)]
    store_events(indexer_es, realistic_events(prefix, date(2026, 4, 1), 30, 60, seed=7))
    report = fetch_report(staff_es, prefix, date(2026, 4, 1), date(2026, 4, 30), MIN_COUNT, gazetteer=gazetteer)
    searches = [event for event in events if event["type"] == "search" and event["page"] == 1]
    assert report["searches"] == len(searches) and report["zero_results"] == sum(event["zero"] for event in searches)
    countries = Counter(event["country"] or "none" for event in searches)
    shown = {row["country"]: row["searches"] for row in report["by_country"]}
    assert {key: count for key, count in shown.items() if key != OTHER} == \
        {key: count for key, count in countries.items() if count >= MIN_COUNT}
    assert shown.get(OTHER, 0) == sum(count for count in countries.values() if count < MIN_COUNT) > 0
    places = Counter(event["place"] or event["area"] for event in searches if event["place"] or event["area"])
    top = sorted((count for count in places.values() if count >= MIN_COUNT), reverse=True)[:50]
    assert [row["searches"] for row in report["by_place"] if row["place_id"] != OTHER] == top
    assert sum(row["searches"] for row in report["by_place"]) == sum(places.values())
    assert report["interactions"] == {kind: sum(event["type"] == kind for event in events) for kind in report["interactions"]}
    per_day = Counter(event["minute"][:10] for event in searches)
    assert {day["day"]: day["searches"] for day in report["per_day"]} == {f"2026-04-{n:02d}": per_day[f"2026-04-{n:02d}"]
                                                                        for n in range(1, 31)}


# ---------------------------------------------------------------- the command line


@pytest.fixture
def run_cli(prefix, stored, monkeypatch, capsys):
    monkeypatch.setenv("PARTNER_LOCATOR_ELASTICSEARCH_INDEX_PREFIX", prefix)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["analytics", "report", *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_the_command_writes_the_json_contract(run_cli, report, tmp_path):
    code, out, err = run_cli("--from", "2026-05-31", "--to", "2026-06-03")
    assert code == 0 and json.loads(out) == report
    assert "15 searches from 2026-05-31 to 2026-06-03" in err
    code, _, _ = run_cli("--from", "2026-05-31", "--to", "2026-06-03", "-o", str(tmp_path / "r.json"))
    assert code == 0 and json.loads((tmp_path / "r.json").read_text()) == report


def test_the_command_writes_the_csv(run_cli, tmp_path):
    code, out, _ = run_cli("--from", "2026-05-31", "--to", "2026-06-03", "--format", "csv", "--country", "dk")
    assert code == 0
    table = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
    by = {(row["table"], row["key"]): row for row in table}
    assert by[("total", "searches")]["searches"] == "7" and by[("country", "DK")]["zero_results"] == "2"
    assert by[("period", "country")]["label"] == "DK"
    path = tmp_path / "r.csv"
    assert run_cli("--from", "2026-05-31", "--to", "2026-06-03", "--format", "csv", "-o", str(path))[0] == 0
    assert path.read_text(encoding="utf-8-sig").startswith("table,key,label,")


@pytest.mark.parametrize(("args", "message"), [
    (("--since", "30"), "--since must be a number of days"),
    (("--since", "7d", "--from", "2026-06-01"), "either --since or --from/--to"),
    (("--from", "2026-06-03", "--to", "2026-06-01"), "starts (2026-06-03) after it ends"),
])
def test_a_bad_period_is_one_line_never_a_traceback(run_cli, args, message):
    code, out, err = run_cli(*args)
    assert code == 1 and out == "" and message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_period_without_events_is_a_report_of_zeros(run_cli):
    code, out, _ = run_cli("--from", "2020-01-01", "--to", "2020-01-02")
    assert code == 0 and json.loads(out)["searches"] == 0
