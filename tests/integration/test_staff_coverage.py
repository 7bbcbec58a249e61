"""The staff app's coverage page on the real node, as the ``staff`` user: nothing without a staff link;
over the preview export (tests/previews.py: P1 is unlisted in Japan with a site in Osaka) and
handmade searches, the page lists the report's gap places and upgrade candidates, its CSV is
exactly what it shows, a bad filter is the form again (400), and nothing confidential appears.
Page-only details (units, languages, the cut at MAX_ROWS) run on a handmade report."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, timezone
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from locator.analytics.coverage import CoverageOptions, coverage_report, write_coverage_csv
from locator.core.es import connect
from locator.core.mapping import sites_alias
from locator.staff import coverage_page, coverage_view, create_staff_app
from locator.staff.tokens import issue_link
from tests.analytics_events import _handmade, _search, store_events
from tests.previews import COMPANY, NEVER_SHOWN, index_preview_export

SECRET = "staff-secret-for-the-coverage-" + "c" * 12
NOW = datetime(2026, 6, 3, 12, 0, tzinfo=timezone.utc).timestamp()
TODAY = date(2026, 6, 3)
OSAKA, KYOTO, KOBE, TOKYO = "1853909", "1857910", "1859171", "1850147"
# Japan's places of a million people or more (12): none of their populations or points holds a
# figure of tests/previews.py NEVER_SHOWN, so the confidentiality check reads the page whole.
JAPAN = "country=JP&min_population=1000000"


def _searches_near_osaka(prefix: str) -> list:
    """Six searches typed as Osaka two days ago (four found nothing), two as Kyoto (under min_count: none
    shown), one as Tokyo 40 days ago (outside the default 30 days)."""
    events, serial = [], 0
    for place, count, when in ((OSAKA, 6, "2026-06-01T09:00"), (KYOTO, 2, "2026-06-01T10:00"), (TOKYO, 1, "2026-04-24T10:00")):
        for n in range(count):
            serial += 1
            made = _search(90_000 + serial, country="JP", place=place, zero=place == OSAKA and n < 4)
            events.append(_handmade(prefix, f"{when}:{n:02d}", *made))
    return events


@pytest.fixture(scope="module")
def prefix(settings, indexer_es, tmp_path_factory):
    prefix, *_ = index_preview_export(settings, tmp_path_factory.mktemp("coverage-page"))
    store_events(indexer_es, _searches_near_osaka(prefix))
    return prefix


@pytest.fixture(scope="module")
def staff_es(settings):
    client = connect(settings, "staff")
    yield client
    client.close()


@pytest.fixture
def app(settings, prefix, staff_es, gazetteer):
    staff_settings = settings.replace("elasticsearch", index_prefix=prefix).replace("staff", secret=SECRET)
    return create_staff_app(staff_settings, es=staff_es, gazetteer=gazetteer, clock=lambda: NOW)


@pytest.fixture
def signed_in(app):
    client = app.test_client()
    assert client.get(f"/login?token={issue_link(SECRET, 1, int(NOW * 1000))}").status_code == 200
    return client


def cells(html: str, table_id: str) -> list[list[str]]:
    """The table's body as the eye reads it (without what only a screen reader says)."""
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', html, re.S).group(1)
    table = re.sub(r'<span class="visually-hidden">.*?</span>', "", table)
    return [[re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)][1:]


def map_data(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="coverage-map-data">(.*?)</script>', html, re.S).group(1))


def direct(staff_es, gazetteer, prefix, **options) -> dict:
    return coverage_report(staff_es, gazetteer, prefix, CoverageOptions(**options), today=TODAY)


# ---------------------------------------------------------------- who may see it


@pytest.mark.parametrize("path", ["/coverage", "/coverage.csv", f"/coverage?{JAPAN}", "/coverage?radius=x"])
def test_without_a_session_the_coverage_page_and_its_csv_are_401(app, path):
    response = app.test_client().get(path)
    assert response.status_code == 401 and "staff link" in response.get_data(as_text=True)


def test_the_dashboard_links_to_the_coverage_page_and_back(signed_in):
    assert '<a href="/coverage">Coverage gaps</a>' in signed_in.get("/").get_data(as_text=True)
    html = signed_in.get(f"/coverage?{JAPAN}&lang=de").get_data(as_text=True)
    assert '<a href="/coverage?lang=de" aria-current="page">' in html and '<a href="/?lang=de">' in html


# ---------------------------------------------------------------- what it shows (the real computation)


def test_the_page_lists_the_gap_places_and_their_upgrade_candidates(signed_in, staff_es, gazetteer, prefix):
    response = signed_in.get(f"/coverage?{JAPAN}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    report = direct(staff_es, gazetteer, prefix, countries=("JP",), min_population=1_000_000)
    rows = cells(html, "places-table")
    assert [row[1] for row in rows] == [place["place"] for place in report["places"] if place["gap"]]
    assert len(rows) == 12  # no listed site in Japan: every place is a gap
    osaka = rows[0]  # four unmet searches rank it first; then by population
    assert osaka[:4] == ["1", "Osaka", "Japan", "2,753,862"] and osaka[6:8] == ["6", "4"]
    assert [row[1] for row in rows[1:4]] == ["Tokyo", "Yokohama", "Nagoya"]
    assert all(row[6:8] == ["0", "0"] for row in rows[1:])  # Kyoto's two searches are under min_count
    assert osaka[8].startswith(f"{COMPANY} (partner P1, site JP-1 in Osaka, 0.")
    assert "Missing for Advanced: revenue threshold for Advanced" in osaka[8]
    candidates = {row[1]: row[8] for row in rows}
    assert "JP-1" in candidates["Kobe"] and "JP-1" in candidates["Kyoto"] and candidates["Tokyo"] == ""
    nearest = report["places"][0]
    assert osaka[4] == f'{nearest["nearest_km"]:,.0f} km' and osaka[5] == f'{nearest["nearest_company"]} ({nearest["nearest_site_id"]})'
    people = f'{sum(place["population"] for place in report["places"]):,}'
    assert cells(html, "countries-table") == [["Japan", "12", people, "0.0%", "12", "8", "4"]]  # Kyoto's two count here
    shown = map_data(html)
    assert len(shown["gaps"]) == 12 and shown["covered"] == []
    assert shown["gaps"][0]["band"] == 3 and shown["gaps"][0]["tip"].startswith("Osaka, JP: 2,753,862 people")


def test_every_place_in_scope_on_request_covered_ones_too(signed_in, staff_es, gazetteer, prefix):
    html = signed_in.get("/coverage?country=DK&list=all&min_population=20000").get_data(as_text=True)
    report = direct(staff_es, gazetteer, prefix, countries=("DK",), min_population=20_000)
    rows = cells(html, "places-table")
    assert [row[1] for row in rows] == [place["place"] for place in report["places"]]
    assert {row[1] for row in rows} >= {"Copenhagen", "Århus"}
    covered = [place for place in report["places"] if not place["gap"]]
    assert covered and len(map_data(html)["covered"]) == len(covered)


def test_the_site_layer_counts_the_listed_sites_that_meet_the_filter_near_the_places(signed_in, staff_es, prefix):
    for query, tier in (("", None), ("&tier=premier", "premier")):  # the world's cities: every site is near one
        shown = map_data(signed_in.get(f"/coverage?min_population=1000000{query}").get_data(as_text=True))
        listed = staff_es.count(index=sites_alias(prefix), query={"term": {"tier": tier}} if tier else None)["count"]
        assert sum(cell[2] for cell in shown["sites"]) == listed and listed >= 3
    assert map_data(signed_in.get(f"/coverage?{JAPAN}").get_data(as_text=True))["sites"] == []  # none near Japan
    denmark = map_data(signed_in.get("/coverage?country=DK&tier=premier").get_data(as_text=True))["sites"]
    assert sorted(cell[2] for cell in denmark) == [1, 1, 1]  # fine cells there: Aarhus, Skagen, Copenhagen apart


def test_the_csv_is_exactly_what_is_shown(signed_in, staff_es, gazetteer, prefix):
    html = signed_in.get(f"/coverage?{JAPAN}&cert=MCDE&radius=60&unit=mi&since=10").get_data(as_text=True)
    href = re.search(r'href="(/coverage\.csv\?[^"]+)"', html).group(1).replace("&amp;", "&")
    response = signed_in.get(href)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    report = direct(staff_es, gazetteer, prefix, countries=("JP",), min_population=1_000_000, certs=("MCDE",),
                    radius_km=60 * 1.609344, since_days=10)
    expected = io.StringIO()
    write_coverage_csv(report, expected)  # every place is a gap: the page lists them all
    assert response.data.decode("utf-8-sig") == expected.getvalue()
    places = [row["place"] for row in csv.DictReader(io.StringIO(expected.getvalue())) if row["table"] == "place"]
    assert places == [row[1] for row in cells(html, "places-table")]


def test_the_csv_holds_only_the_listed_rows(signed_in, staff_es, gazetteer, prefix):
    text = signed_in.get("/coverage.csv?country=DK&min_population=20000").data.decode("utf-8-sig")
    report = direct(staff_es, gazetteer, prefix, countries=("DK",), min_population=20_000)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["place_id"] for row in rows if row["table"] == "place"] == \
        [place["place_id"] for place in report["places"] if place["gap"]]
    assert [row["country"] for row in rows if row["table"] == "country"] == ["DK"]


def test_nothing_confidential_in_the_page_or_the_csv(signed_in):
    html = signed_in.get(f"/coverage?{JAPAN}").get_data(as_text=True)
    text = signed_in.get(f"/coverage.csv?{JAPAN}").data.decode("utf-8-sig")
    assert "JP-1" in html and "JP-1" in text
    for secret in NEVER_SHOWN:
        assert secret not in html and secret not in text, secret


# ---------------------------------------------------------------- the form


@pytest.mark.parametrize("query", ["country=Japan", "country=DK,1X", "tier=gold", "cert=XYZ", "radius=0", "radius=abc",
                                   "radius=20001", "unit=furlong", "min_population=499", "min_population=lots",
                                   "since=0", "since=9999", "list=some"])
def test_a_bad_form_value_is_the_form_again_with_a_message(signed_in, query):
    response = signed_in.get(f"/coverage?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'role="alert"' in html and '<form class="filters-form"' in html
    assert "Traceback" not in html and "coverage-map-data" not in html
    csv_response = signed_in.get(f"/coverage.csv?{query}")
    assert csv_response.status_code == 400 and csv_response.mimetype == "text/plain"


def test_the_form_shows_what_was_asked(signed_in):
    html = signed_in.get("/coverage?country=jp&country=kr,%20jp&tier=premier&cert=MCIE&cert=MCDE&radius=60&unit=mi"
                         "&min_population=1000000&same_country=1&since=7&list=all").get_data(as_text=True)
    assert 'name="country" value="jp, kr, jp"' in html
    assert '<option value="premier" selected>' in html and '<option value="mi" selected>' in html
    assert 'value="MCDE" checked' in html and 'value="MCIE" checked' in html and 'value="MCIT" checked' not in html
    assert 'name="same_country" value="1" checked' in html and '<option value="all" selected>' in html
    href = urlsplit(re.search(r'href="(/coverage\.csv\?[^"]+)"', html).group(1).replace("&amp;", "&"))
    assert href.path == "/coverage.csv" and parse_qs(href.query) == {
        "country": ["JP,KR"], "tier": ["premier"], "cert": ["MCDE", "MCIE"], "radius": ["60"], "unit": ["mi"],
        "min_population": ["1000000"], "same_country": ["1"], "since": ["7"], "list": ["all"]}


# ---------------------------------------------------------------- the page itself, on a handmade report


def handmade_report(places: int = 3) -> dict:
    candidate = {"partner_id": "P7", "company": "Fjord Vision A/S", "site_id": "S-7", "city": "Ribe", "distance_km": 42.4,
                 "missing_for_advanced": ["onboarding training", "MCDE certification", "revenue threshold for Advanced"]}
    rows = [{"place_id": str(n), "place": f"Town {n}", "region": "Syddanmark", "country": "DK", "population": 90_000 - n,
             "lat": 55.3 + n / 100, "lon": 8.7, "nearest_km": None if n == 0 else 150.0 + n, "nearest_site_id": None if n == 0 else "S-1",
             "nearest_company": None if n == 0 else "Nordic Site", "gap": True, "searches": 0, "unmet_searches": 0,
             "upgrade_candidates": [candidate] if n == 0 else []} for n in range(places)]
    rows.append({**rows[-1], "place_id": "999", "place": "Covered Town", "nearest_km": 3.0, "gap": False,
                 "upgrade_candidates": []})
    return {"version": 1, "radius_km": 100.0, "filters": {}, "period": {"from": "2026-05-05", "to": "2026-06-03"},
            "min_count": 5, "sites_meeting_filter": 17, "demand": {}, "places": rows,
            "countries": [{"country": "DK", "places": places + 1, "population_in_scope": 360_000,
                           "population_covered_share": 0.25, "gap_places": places, "searches": 0, "unmet_searches": 0}]}


@pytest.fixture
def handmade(monkeypatch):
    made = handmade_report()
    monkeypatch.setattr(coverage_page, "coverage_report", lambda *args, **kwargs: made)
    return made


def test_a_place_without_any_qualified_site_and_a_candidate_in_miles(signed_in, handmade):
    html = signed_in.get("/coverage?radius=60&unit=mi").get_data(as_text=True)
    rows = cells(html, "places-table")
    assert rows[0][:6] == ["1", "Town 0 Syddanmark", "Denmark", "90,000", "no qualified site", ""]
    assert rows[1][4:6] == ["94 mi", "Nordic Site (S-1)"]
    assert rows[0][8] == ("Fjord Vision A/S (partner P7, site S-7 in Ribe, 26 mi) Missing for Advanced: onboarding training; "
                          "MCDE certification; revenue threshold for Advanced")
    assert "Covered Town" not in [row[1] for row in rows]  # gap places only, unless asked
    assert '<span class="visually-hidden">(gap)</span>' in html
    assert cells(html, "countries-table") == [["Denmark", "4", "360,000", "25.0%", "3", "0", "0"]]


@pytest.mark.parametrize(("lang", "title", "missing"), [
    ("de", "Versorgungslücken", "Onboarding-Schulung"), ("fr", "Zones non couvertes", "formation d'intégration"),
    ("es", "Zonas sin cobertura", "formación de incorporación"), ("ja", "カバレッジの空白", "オンボーディング研修")])
def test_the_page_in_each_ui_language(signed_in, handmade, lang, title, missing):
    html = unescape(signed_in.get(f"/coverage?lang={lang}").get_data(as_text=True))
    assert f'<html lang="{lang}">' in html and f"<h1>{title}</h1>" in html
    assert missing in html and "onboarding training" not in html  # the requirement names are translated too
    assert f'<input type="hidden" name="lang" value="{lang}">' in html
    assert signed_in.get(f"/coverage?lang={lang}&radius=x").status_code == 400


def test_the_page_lists_at_most_max_rows_and_says_so(signed_in, monkeypatch):
    made = handmade_report(places=7)
    monkeypatch.setattr(coverage_page, "coverage_report", lambda *args, **kwargs: made)
    monkeypatch.setattr(coverage_view, "MAX_ROWS", 5)
    html = signed_in.get("/coverage").get_data(as_text=True)
    assert len(cells(html, "places-table")) == 5 and "The first 5 of 7 places are listed" in html
    assert len(map_data(html)["gaps"]) == 7  # the map shows every gap place
    text = signed_in.get("/coverage.csv").data.decode("utf-8-sig")
    assert [row["place"] for row in csv.DictReader(io.StringIO(text)) if row["table"] == "place"] == \
        [f"Town {n}" for n in range(5)]


def test_no_listing_yet_is_a_page_saying_so(signed_in, monkeypatch):
    def no_listing(*args, **kwargs):
        from locator.core.errors import UserFacingError
        raise UserFacingError("no listing (x-sites points at no index): run `partner-locator index` first")

    monkeypatch.setattr(coverage_page, "coverage_report", no_listing)
    response = signed_in.get("/coverage")
    assert response.status_code == 503 and "run `partner-locator index` first" in response.get_data(as_text=True)
    assert signed_in.get("/coverage.csv").status_code == 503


def test_every_response_is_private(signed_in, handmade):
    for path in ("/coverage", "/coverage.csv", "/static/coverage.js", "/static/staff_map.js"):
        response = signed_in.get(path)
        policy = response.headers["Content-Security-Policy"]
        assert response.status_code == 200 and "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert response.headers["Cache-Control"] == "no-store"


def test_the_searches_are_the_last_30_days_of_the_apps_clock(signed_in):
    html = signed_in.get(f"/coverage?{JAPAN}").get_data(as_text=True)
    assert "Searches from May 5, 2026 to June 3, 2026 (days in UTC)" in html  # the Tokyo search of April is not
