"""The coverage report on the real node, as the staff user: nearest sites read from Elasticsearch equal
a brute-force scan of the documents; a handmade country with handmade events against a direct count;
nothing confidential in its JSON or CSV; the command line; and who may not read what it needs."""
from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import date, datetime, timezone

import numpy as np
import pytest

from locator.analytics.coverage import CoverageOptions, coverage_report
from locator.analytics.coverage_csv import write_coverage_csv
from locator.analytics.report import cell_centre
from locator.core.coarse_area import cell
from locator.core.errors import UserFacingError
from locator.core.es import connect
from locator.core.events import event_document, event_id, events_index
from locator.core.geo import distance_km
from locator.core.mapping import eligibility_alias, sites_alias
from locator.core.places import Place
from tests.analytics_events import store_events
from tests.exports import AS_OF, advanced_program, premier_program, program, site, write_export
from tests.previews import NEVER_SHOWN, index_preview_export, run_cli


@pytest.fixture(scope="module")
def staff_es(settings):
    client = connect(settings, "staff")
    yield client
    client.close()


def _haversine(lat, lon, lats, lons) -> np.ndarray:
    phi1, phi2 = np.radians(lat), np.radians(lats)
    h = np.sin((phi2 - phi1) / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(np.radians(lons - lon) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.minimum(1.0, np.sqrt(h)))


# ---------------------------------------------------------------- nearest = brute force over the documents


@pytest.mark.parametrize("options", [
    CoverageOptions(min_population=100_000, since_days=None),
    CoverageOptions(min_population=100_000, tier="premier", certs=("MCIE",), same_country=True, radius_km=50),
], ids=["any-listed-site", "premier-mcie-same-country"])
def test_the_nearest_site_read_from_elasticsearch_is_the_brute_force_nearest_document(options, listed_sample, staff_es,
                                                                                    gazetteer):
    report = coverage_report(staff_es, gazetteer, listed_sample.prefix, options)
    meeting = [doc for doc in listed_sample.documents.values()
               if (options.tier != "premier" or doc["tier"] == "premier")
               and all(doc["certifications"].get(cert, 0) >= 1 for cert in options.certs)]
    assert report["sites_meeting_filter"] == len(meeting) > 100
    lats = np.array([doc["location"]["lat"] for doc in meeting])
    lons = np.array([doc["location"]["lon"] for doc in meeting])
    countries = np.array([doc["country"] for doc in meeting])
    assert len(report["places"]) > 1000
    for row in report["places"]:
        km = _haversine(row["lat"], row["lon"], lats, lons)
        if options.same_country:
            km = np.where(countries == row["country"], km, np.inf)
        best = float(km.min())
        if not np.isfinite(best):
            assert row["nearest_km"] is None and row["nearest_site_id"] is None and row["gap"] is True
            continue
        assert abs(row["nearest_km"] - best) <= 0.1, row
        named = listed_sample.documents[row["nearest_site_id"]]
        assert abs(distance_km(row["lat"], row["lon"], named["location"]["lat"], named["location"]["lon"]) - best) <= 0.1
        assert row["nearest_company"] == named["company"]
        assert row["gap"] is (best > options.radius_km)


# ---------------------------------------------------------------- a handmade country and handmade events

TODAY = date(2026, 6, 3)
PERIOD = ("2026-05-31", "2026-06-03")


class HandmadeGazetteer:
    """Places of a made-up layout in Iceland (the sites' country must exist), as the report asks for them."""

    def __init__(self, places: list[Place]):
        self.by_id = {place.id: place for place in places}

    def places_from(self, min_population: int) -> list[Place]:
        return sorted((p for p in self.by_id.values() if p.population >= min_population), key=lambda p: p.id)

    def get(self, place_id: str) -> Place | None:
        return self.by_id.get(place_id)


def _place(place_id, lat, lon, population, country="IS"):
    return Place(place_id, f"Town {place_id}", country, "Handmade", population, lat, lon)


PLACES = [_place("101", 64.0, -22.0, 120_000), _place("102", 64.0, -20.0, 60_000), _place("103", 65.5, -18.0, 50_000),
          _place("104", 66.3, -14.0, 45_000), _place("105", 64.2, -21.4, 900), _place("106", 68.0, -10.0, 700)]
GAZETTEER = HandmadeGazetteer(PLACES)
CELL_NEAR_103 = cell(65.6, -18.1).id
LISTED = [site("L1", "PA", "IS", "Reykjavik", location=(64.05, -22.1), prog=premier_program()),
          site("L2", "PB", "IS", "Selfoss", location=(64.0, -20.6), prog=advanced_program()),
          site("L3", "PF", "GL", "Kulusuk", location=(65.5, -19.0), prog=premier_program(people=("G1", "G2", "G3")))]
UNLISTED = [site("U1", "PC", "IS", "Akureyri", location=(65.4, -18.3), company="Candidate C", prog=program(100000, certs=())),
            site("U2", "PD", "IS", "Husavik", location=(65.9, -17.4), company="Candidate D", prog=program(0, terms=False)),
            site("U3", "PE", "GL", "Tasiilaq", location=(65.5, -18.4), prog=program(0))]


def _search(prefix, serial, when, *, place=None, area=None, zero=False, nearest=False, page=1, tier=()):
    facts = {"kind": "place" if place else ("point" if area else "words"), "country": "IS", "place": place,
             "area": area, "words": 0, "tier": list(tier), "cert": [], "language": [], "industry": [],
             "radius_km": 100.0, "page": page, "total": 0 if zero else 1, "zero": zero, "nearest": nearest,
             "sites": [] if zero else ["L1"]}
    beacon = {"type": "search", "token": f"cov-{serial}", "nonce": f"nonce-{serial:08d}", "lang": "en",
              "source": "direct", "site_id": None}
    moment = datetime.fromisoformat(when).replace(tzinfo=timezone.utc)
    return events_index(prefix, moment), event_id(beacon["token"], beacon["nonce"], "search", None), \
        event_document(facts, beacon, moment)


def _events(prefix) -> list[tuple]:
    made, when = [], "2026-06-01T12:00:00"
    wheres = ([{"place": "101", "zero": n < 2, "nearest": n == 2} for n in range(6)]
              + [{"area": "102", "zero": True, "tier": ("premier",)} for _ in range(5)]
              + [{"place": "105"} for _ in range(3)]          # a village: the nearest place in scope within 100 km
              + [{"area": CELL_NEAR_103, "nearest": True} for _ in range(2)]
              + [{"place": "106", "zero": True}]              # far from every place in scope: no one's
              + [{}]                                          # words alone: the totals only
              + [{"place": "101", "page": 2}])                # a next page is no search
    for serial, where in enumerate(wheres):
        made.append(_search(prefix, serial, when, **where))
    made.append(_search(prefix, 99, "2026-05-30T23:59:00", place="101", zero=True))  # before the period
    return made


@pytest.fixture(scope="module")
def handmade(settings, indexer_es, tmp_path_factory) -> str:
    prefix = f"{settings.index_prefix}-cov{uuid.uuid4().hex[:6]}"
    export = write_export(tmp_path_factory.mktemp("coverage") / "export.jsonl", LISTED + UNLISTED)
    result = run_cli(prefix, "index", str(export), "--as-of", AS_OF)
    assert result.code == 0, result.err
    listed = {hit["_id"] for hit in indexer_es.search(index=sites_alias(prefix), size=100)["hits"]["hits"]}
    assert listed == {"L1", "L2", "L3"}  # the handmade tiers are what the rules give
    events = _events(prefix)
    assert store_events(indexer_es, events) == len(events)
    return prefix


def _direct(options: CoverageOptions, sites: list[dict], events: list[dict]):
    """What the report must say, counted straight from the handmade data with geo.distance_km."""
    scope = GAZETTEER.places_from(options.min_population)
    nearest = {}
    for place in scope:
        own = [s for s in sites if not options.same_country or s["address"]["country"] == place.country]
        nearest[place.id] = min((distance_km(place.lat, place.lon, s["location"]["lat"], s["location"]["lon"]), s["site_id"])
                                for s in own) if own else (None, None)
    demand = {place.id: [0, 0] for place in scope}
    for event in events:
        if event["type"] != "search" or event["page"] != 1 or not PERIOD[0] <= event["minute"][:10] <= PERIOD[1]:
            continue
        if options.tier and options.tier not in event["tier"]:
            continue
        where = event.get("place") or event.get("area")
        point = cell_centre(where) if where and where.startswith("cell:") else (
            (GAZETTEER.get(where).lat, GAZETTEER.get(where).lon) if where else None)
        if point is None:
            continue
        km, place_id = min((distance_km(*point, place.lat, place.lon), place.id) for place in scope)
        if km <= options.radius_km:
            demand[place_id][0] += 1
            demand[place_id][1] += bool(event["zero"] or event["nearest"])
    return scope, nearest, demand


@pytest.mark.parametrize("options", [
    CoverageOptions(min_population=40_000, since_days=4, min_count=1),
    CoverageOptions(min_population=40_000, since_days=4, min_count=1, same_country=True),
    CoverageOptions(min_population=40_000, since_days=4, min_count=1, tier="premier", radius_km=60),
], ids=["across-borders", "same-country", "premier-60km"])
def test_a_handmade_country_gives_the_gaps_share_and_demand_of_a_direct_count(options, handmade, staff_es):
    report = coverage_report(staff_es, GAZETTEER, handmade, options, today=TODAY)
    sites = [s for s in LISTED if options.tier != "premier" or s["site_id"] != "L2"]
    scope, nearest, demand = _direct(options, sites, [event for _, _, event in _events(handmade)])
    rows = {row["place_id"]: row for row in report["places"]}
    assert set(rows) == {place.id for place in scope} == {"101", "102", "103", "104"}
    for place in scope:
        km, site_id = nearest[place.id]
        assert (rows[place.id]["nearest_site_id"], rows[place.id]["nearest_km"]) == (site_id, round(km, 1))
        assert rows[place.id]["gap"] is (km > options.radius_km)
        assert [rows[place.id]["searches"], rows[place.id]["unmet_searches"]] == demand[place.id]
    gaps = [place for place in scope if nearest[place.id][0] > options.radius_km]
    (country,) = report["countries"]
    total = sum(place.population for place in scope)
    assert country == {"country": "IS", "places": 4, "population_in_scope": total,
                       "population_covered_share": round(1 - sum(p.population for p in gaps) / total, 4),
                       "gap_places": len(gaps), "searches": sum(s for s, _ in demand.values()),
                       "unmet_searches": sum(u for _, u in demand.values())}
    unmet = [rows[place_id]["unmet_searches"] for place_id in rows]
    assert [row["unmet_searches"] for row in report["places"]] == sorted(unmet, reverse=True)
    assert report["demand"]["searches"] == (5 if options.tier else 18)  # every search of the period that asked


def test_the_handmade_demand_and_candidates_as_the_rules_say(handmade, staff_es):
    report = coverage_report(staff_es, GAZETTEER, handmade, CoverageOptions(min_population=40_000, since_days=4,
                                                                             same_country=True), today=TODAY)
    rows = {row["place_id"]: row for row in report["places"]}
    assert (rows["101"]["searches"], rows["101"]["unmet_searches"]) == (9, 3)  # its own 6, and the village's 3
    assert (rows["102"]["searches"], rows["102"]["unmet_searches"]) == (5, 5)
    assert (rows["103"]["searches"], rows["103"]["unmet_searches"]) == (0, 0)  # 2 from its cell: under min_count 5
    # 18 searches in the period (11 unmet); 16 near a place in scope; 103's 2 shown as none, counted as folded.
    assert report["demand"] == {"searches": 18, "unmet_searches": 11, "assigned_searches": 16,
                                "assigned_unmet_searches": 10, "folded_searches": 2, "folded_unmet_searches": 2}
    assert [row["place_id"] for row in report["places"]][:2] == ["102", "101"]  # most unmet searches first
    # 103 is 48 km from the Greenland site, which counts only across borders: a gap here. Its
    # candidates: the partners unlisted in Iceland nearby, nearest first; never PE (unlisted in GL).
    assert rows["103"]["gap"] is True
    found = rows["103"]["upgrade_candidates"]
    assert [(c["partner_id"], c["site_id"], c["city"]) for c in found] == [("PC", "U1", "Akureyri"), ("PD", "U2", "Husavik")]
    assert found[0]["distance_km"] == round(distance_km(65.5, -18.0, 65.4, -18.3), 1)
    assert "onboarding training" not in found[0]["missing_for_advanced"] and "MCDE certification" in found[0]["missing_for_advanced"]
    assert found[1]["missing_for_advanced"][0] == "program terms"
    across = coverage_report(staff_es, GAZETTEER, handmade, CoverageOptions(min_population=40_000, since_days=4),
                             today=TODAY)
    assert {row["place_id"]: row for row in across["places"]}["103"]["nearest_site_id"] == "L3"


# ---------------------------------------------------------------- confidentiality, the command line, roles

PUBLIC_NUMBERS = ("place_id", "population", "lat", "lon", "population_in_scope", "min_population")


def _scrubbed(value):
    """The report without the gazetteer's own numbers (ids, populations, points): they may hold a planted
    figure's digits by chance ("5123456" is Kings Park, NY)."""
    if isinstance(value, dict):
        return {key: None if key in PUBLIC_NUMBERS else _scrubbed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item) for item in value]
    return value


def test_nothing_confidential_in_the_json_or_the_csv(settings, tmp_path, gazetteer):
    prefix, *_ = index_preview_export(settings, tmp_path)
    arguments = ("coverage", "--country", "DK", "--country", "JP", "--country", "US", "--min-population", "500",
                 "--radius", "300km", "--since", "all")
    answer = run_cli(prefix, *arguments)
    assert answer.code == 0, answer.err
    report = json.loads(answer.out)
    candidates = [c for row in report["places"] for c in row["upgrade_candidates"]]
    assert {c["partner_id"] for c in candidates} == {"P1"} and {c["site_id"] for c in candidates} == {"JP-1"}
    assert candidates[0]["missing_for_advanced"]  # names of requirements...
    text = json.dumps(_scrubbed(report))
    assert not [text[text.find(secret) - 200:text.find(secret) + 50] for secret in NEVER_SHOWN if secret in text]
    written = run_cli(prefix, *arguments, "--format", "csv")
    assert written.code == 0 and written.raw_out.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(written.out)))
    assert len(rows) == len(report["places"]) + len(report["countries"])
    cells = "\n".join(value for row in rows for key, value in row.items() if key not in PUBLIC_NUMBERS)
    assert "JP-1" in cells and not [secret for secret in NEVER_SHOWN if secret in cells]


def test_the_command_writes_json_or_csv_and_fails_in_one_line(handmade, tmp_path):
    out = tmp_path / "coverage.csv"
    written = run_cli(handmade, "coverage", "--country", "is", "--radius", "60mi", "--format", "csv", "-o", str(out))
    assert written.code == 0, written.err
    assert "written to" in written.err and out.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert {row["table"] for row in rows} == {"place", "country"}
    answer = run_cli(handmade, "coverage", "--country", "IS", "--tier", "premier", "--cert", "mcie", "--since", "all")
    report = json.loads(answer.out)
    assert report["filters"] == {"countries": ["IS"], "tier": "premier", "certs": ["MCIE"], "min_population": 50_000,
                                 "same_country": False, "since_days": None, "circuity": 1.0}
    assert report["radius_km"] == 100.0 and report["sites_meeting_filter"] == 2 and report["period"] is None
    for arguments, words in ((["--min-population", "499"], "at least 500"), (["--radius", "far"], "100km or 60mi"),
                             (["--country", "XX"], "--country XX"), (["--since", "0d"], "--since"),
                             (["--circuity", "0.5"], "circuity"), (["--tier", "authorized"], "--tier")):
        failed = run_cli(handmade, "coverage", *arguments)
        assert failed.code != 0 and words in failed.err and "Traceback" not in failed.err, (arguments, failed.err)
    nothing = run_cli(f"{handmade}-none", "coverage")
    assert nothing.code == 1 and "run `partner-locator index` first" in nothing.err
    assert len(nothing.err.strip().splitlines()) == 1


def test_the_reader_and_preview_users_cannot_read_what_the_report_needs(handmade, role_clients, staff_es):
    events = next(iter(staff_es.indices.get(index=f"{handmade}-events-*")))
    for role, refused in (("reader", (eligibility_alias(handmade), events)), ("preview", (sites_alias(handmade), events))):
        for index in refused:
            with pytest.raises(Exception) as answer:
                role_clients[role].search(index=index, size=1)
            assert getattr(answer.value, "status_code", None) == 403, (role, index)
        with pytest.raises(UserFacingError) as failed:
            coverage_report(role_clients[role], GAZETTEER, handmade, CoverageOptions(), today=TODAY)
        assert "staff" in str(failed.value) and f"{handmade}-events-*" in str(failed.value)
    report = coverage_report(role_clients["staff"], GAZETTEER, handmade, CoverageOptions(min_population=40_000), today=TODAY)
    out = io.StringIO(newline="")
    assert write_coverage_csv(report, out) == len(report["places"]) + 1
