"""The coverage report's pure parts: nearest sites by great circle (against a brute-force scan, across
the antimeridian and near the poles), upgrade candidates, demand assignment and its privacy rule,
the rows, the options and the CSV."""
from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from locator.analytics.coverage import (CoverageOptions, country_rows, nearest_listed, parse_radius, place_rows)
from locator.analytics.coverage_candidates import UnlistedSites, near_any, upgrade_candidates
from locator.analytics.coverage_csv import COLUMNS, write_coverage_csv
from locator.analytics.coverage_demand import assign_demand, locate, shown
from locator.analytics.coverage_nearest import PointTree, covering_boxes, nearest_by_group
from locator.analytics.coverage_query import ListedSites
from locator.core.geo import distance_km
from locator.core.places import Place

# Points anywhere, and points crowded where a flat (lat, lon) index would be wrong: along the
# antimeridian (179.9 E and 179.9 W are neighbours) and around both poles (every longitude meets).
_lat = st.one_of(st.floats(-90, 90), st.floats(84, 90), st.floats(-90, -84))
_lon = st.one_of(st.floats(-180, 180), st.floats(176, 180), st.floats(-180, -176))
_points = st.lists(st.tuples(_lat, _lon), min_size=1, max_size=40)


def _brute(lat, lon, points) -> float:
    return min(distance_km(lat, lon, p_lat, p_lon) for p_lat, p_lon in points)


@settings(max_examples=300, deadline=None)
@given(sites=_points, places=_points)
def test_property_the_nearest_site_is_the_one_a_brute_force_great_circle_scan_finds(sites, places):
    tree = PointTree(np.array([s[0] for s in sites]), np.array([s[1] for s in sites]))
    km, index = tree.nearest(np.array([p[0] for p in places]), np.array([p[1] for p in places]))
    for (lat, lon), found_km, found in zip(places, km.tolist(), index.tolist()):
        expected = _brute(lat, lon, sites)
        assert abs(found_km - expected) <= 0.1
        assert abs(distance_km(lat, lon, *sites[found]) - expected) <= 0.1  # the site named is that near


@settings(max_examples=150, deadline=None)
@given(sites=st.lists(st.tuples(_lat, _lon, st.sampled_from("AB")), min_size=1, max_size=30),
       places=st.lists(st.tuples(_lat, _lon, st.sampled_from("ABC")), min_size=1, max_size=20))
def test_property_the_nearest_site_of_the_same_country_is_the_brute_force_one_or_none(sites, places):
    column = lambda rows, i: np.array([row[i] for row in rows])  # noqa: E731
    km, index = nearest_by_group(column(places, 0), column(places, 1), column(places, 2),
                                 column(sites, 0), column(sites, 1), column(sites, 2))
    for (lat, lon, country), found_km, found in zip(places, km.tolist(), index.tolist()):
        own = [(s_lat, s_lon) for s_lat, s_lon, s_country in sites if s_country == country]
        if not own:
            assert found == -1 and found_km == np.inf
            continue
        assert sites[found][2] == country and abs(found_km - _brute(lat, lon, own)) <= 0.1


@settings(max_examples=150, deadline=None)
@given(sites=_points, place=st.tuples(_lat, _lon), radius=st.floats(1, 3000))
def test_property_within_finds_every_site_inside_the_radius_and_none_outside(sites, place, radius):
    tree = PointTree(np.array([s[0] for s in sites]), np.array([s[1] for s in sites]))
    found = set(tree.within(np.array([place[0]]), np.array([place[1]]), radius)[0].tolist())
    for number, site in enumerate(sites):
        distance = distance_km(*place, *site)
        if distance < radius - 1e-6:
            assert number in found
        elif distance > radius + 1e-6:
            assert number not in found


def _in_box(lat, lon, box) -> bool:
    south, west, north, east = box
    inside_lon = west <= lon <= east if west <= east else (lon >= west or lon <= east)  # W > E: across 180
    return south <= lat <= north and inside_lon


@settings(max_examples=300, deadline=None)
@given(places=_points, radius=st.floats(1, 3000), bearing=st.floats(0, 360), share=st.floats(0, 0.999),
       max_boxes=st.sampled_from([1, 3, 1000]))
def test_property_the_boxes_hold_every_point_within_the_radius_of_a_place(places, radius, bearing, share, max_boxes):
    boxes = covering_boxes([p[0] for p in places], [p[1] for p in places], radius, max_boxes)
    assert 1 <= len(boxes) <= max_boxes  # coarser cells when there would be too many
    # A point `share` of the radius from the first place, in any direction (on the sphere).
    phi, lam, theta = np.radians(places[0][0]), np.radians(places[0][1]), np.radians(bearing)
    angle = share * radius / 6371.0088
    lat2 = np.arcsin(np.sin(phi) * np.cos(angle) + np.cos(phi) * np.sin(angle) * np.cos(theta))
    lon2 = lam + np.arctan2(np.sin(theta) * np.sin(angle) * np.cos(phi), np.cos(angle) - np.sin(phi) * np.sin(lat2))
    point = (float(np.degrees(lat2)), float((np.degrees(lon2) + 180) % 360 - 180))
    assert distance_km(*places[0], *point) <= radius + 1e-6
    assert any(_in_box(*point, box) for box in boxes), (point, boxes)


def test_an_empty_listing_has_no_nearest_site():
    km, index = PointTree(np.empty(0), np.empty(0)).nearest(np.array([1.0]), np.array([2.0]))
    assert km.tolist() == [np.inf] and index.tolist() == [-1]


# ---------------------------------------------------------------- a handmade country, by hand


def place(place_id: str, lat: float, lon: float, population: int, country: str = "XA") -> Place:
    return Place(place_id, f"Town {place_id}", country, None, population, lat, lon)


# Along the equator a degree of longitude is 111.195 km: places at 0, 1, 2 and 5 degrees east.
TOWNS = [place("1", 0.0, 0.0, 100_000), place("2", 0.0, 1.0, 60_000), place("3", 0.0, 2.0, 50_000),
         place("4", 0.0, 5.0, 200_000), place("5", 0.0, 0.5, 70_000, country="XB")]
SITES = ListedSites(["S1", "S2"], np.array(["XA", "XB"]), np.array([0.0, 0.0]), np.array([0.2, 4.5]))


def _rows(options: CoverageOptions, searches=None, unmet=None, candidates=None):
    km, index = nearest_listed(TOWNS, SITES, options.same_country)
    nearest = [(SITES.site_ids[i], f"Company {i}") if i >= 0 else None for i in index.tolist()]
    zeros = np.zeros(len(TOWNS), dtype=np.int64)
    searches = zeros if searches is None else np.array(searches)
    unmet = zeros if unmet is None else np.array(unmet)
    return (place_rows(TOWNS, km, nearest, options, searches, unmet, candidates or {}),
            country_rows(TOWNS, km, searches, unmet, options))


def test_gaps_and_the_share_of_population_covered_agree_with_a_direct_count():
    options = CoverageOptions(radius_km=100)
    places, countries = _rows(options)
    by_id = {row["place_id"]: row for row in places}
    direct = {town.id: min(distance_km(town.lat, town.lon, lat, lon) for lat, lon in zip(SITES.lat, SITES.lon))
              for town in TOWNS}
    assert {key: row["nearest_km"] for key, row in by_id.items()} == {key: round(km, 1) for key, km in direct.items()}
    assert [key for key, row in by_id.items() if row["gap"]] == [key for key, km in direct.items() if km > 100] == ["3"]
    assert by_id["4"]["nearest_site_id"] == "S2"  # across the border: the search shows it too
    covered = sum(town.population for town in TOWNS if town.country == "XA" and direct[town.id] <= 100)
    xa = next(row for row in countries if row["country"] == "XA")
    assert xa["population_in_scope"] == 410_000 and xa["gap_places"] == 1
    assert xa["population_covered_share"] == round(covered / 410_000, 4) == round(360_000 / 410_000, 4)
    assert [row["place_id"] for row in places] == ["4", "1", "5", "2", "3"]  # no events: by population


def test_same_country_counts_only_the_places_own_countrys_sites():
    places, _ = _rows(CoverageOptions(radius_km=100, same_country=True))
    by_id = {row["place_id"]: row for row in places}
    assert by_id["4"]["nearest_site_id"] == "S1" and by_id["4"]["gap"] is True
    assert by_id["5"]["nearest_site_id"] == "S2" and by_id["5"]["nearest_km"] == round(4 * 111.195, 1)
    nobody = ListedSites(["S2"], np.array(["XB"]), np.array([0.0]), np.array([4.5]))
    km, index = nearest_listed(TOWNS, nobody, same_country=True)
    assert index.tolist()[0] == -1 and km[0] == np.inf  # no XA site at all: no nearest (null), a gap


def test_a_circuity_factor_lengthens_every_distance_to_a_site():
    km, _ = nearest_listed(TOWNS, SITES, False)  # town 2 is 89.0 km from S1 by great circle
    for factor, gap in ((1.0, False), (1.3, True)):
        places = place_rows(TOWNS, km * factor, [None] * 5, CoverageOptions(radius_km=100, circuity=factor),
                            np.zeros(5, dtype=int), np.zeros(5, dtype=int), {})
        row = next(row for row in places if row["place_id"] == "2")
        assert (row["gap"], row["nearest_km"]) == (gap, round(0.8 * 111.195 * factor, 1))


def test_searches_go_to_the_nearest_place_within_the_radius_and_rank_the_places():
    counts = {"1": (7, 2), "cell:0.00,0.75": (6, 6), "99": (5, 5), "4": (3, 1), "gone": (9, 9)}
    located = locate(counts, lambda place_id: {"1": (0.0, 0.0), "4": (0.0, 5.0), "99": (0.0, 9.0)}.get(place_id))
    assert set(located) == {"1", "cell:0.00,0.75", "99", "4"}  # an id the gazetteer lost is left out
    assert located["cell:0.00,0.75"] == pytest.approx((0.125, 0.875))  # the cell's centre
    searches, unmet = assign_demand(counts, located, [t.lat for t in TOWNS], [t.lon for t in TOWNS], 100)
    # The cell's centre is nearest town 2 (20 km; town 5 is 44 km off); town 99 is 444 km from any.
    direct = {town.id: [0, 0] for town in TOWNS}
    for key, point in located.items():
        distances = [(distance_km(*point, town.lat, town.lon), town.id) for town in TOWNS]
        km, nearest = min(distances)
        if km <= 100:
            direct[nearest][0] += counts[key][0]
            direct[nearest][1] += counts[key][1]
    assert {town.id: [int(s), int(u)] for town, s, u in zip(TOWNS, searches, unmet)} == direct
    assert direct == {"1": [7, 2], "2": [6, 6], "3": [0, 0], "4": [3, 1], "5": [0, 0]}
    places, countries = _rows(CoverageOptions(radius_km=100), searches, unmet)
    assert [(row["place_id"], row["searches"], row["unmet_searches"]) for row in places][:3] == [
        ("2", 6, 6), ("1", 7, 2), ("4", 0, 0)]  # most unmet first; town 4's 3 searches are under min_count
    xa = next(row for row in countries if row["country"] == "XA")
    assert (xa["searches"], xa["unmet_searches"]) == (16, 9)


def test_rows_of_fewer_than_min_count_searches_show_none():
    assert shown(4, 4, 5) == (0, 0) and shown(5, 1, 5) == (5, 1) and shown(1, 1, 1) == (1, 1)


def test_upgrade_candidates_are_unlisted_partners_of_the_country_nearest_first_one_site_each():
    sites = UnlistedSites()
    add = lambda document: sites.add_groups([document])  # noqa: E731
    add({"partner_id": "P1", "company": "One", "country": "XA", "missing_for_advanced": ["onboarding training"],
                     "sites": [{"site_id": "A", "city": "Far", "location": {"lat": 0.0, "lon": 2.5}},
                               {"site_id": "B", "city": "Near", "location": {"lat": 0.0, "lon": 2.2}}]})
    add({"partner_id": "P2", "company": "Two", "country": "XA", "missing_for_advanced": [],
                     "sites": [{"site_id": "C", "location": {"lat": 0.0, "lon": 1.9}}, {"site_id": "D"}]})
    add({"partner_id": "P3", "company": "Three", "country": "XB", "missing_for_advanced": ["x"],
                     "sites": [{"site_id": "E", "location": {"lat": 0.0, "lon": 2.0}}]})
    for number in range(4, 8):
        add({"partner_id": f"P{number}", "company": None, "country": "XA", "missing_for_advanced": ["y"],
                         "sites": [{"site_id": f"F{number}", "location": {"lat": 0.0, "lon": 2.0 + number / 10}}]})
    assert len(sites) == 8  # D has no point: it cannot be near anything
    found = upgrade_candidates([0.0, 0.0], [2.0, 40.0], ["XA", "XA"], sites, radius_km=100)
    assert found[1] == []
    assert [(c["partner_id"], c["site_id"], c["distance_km"]) for c in found[0]] == [
        ("P2", "C", round(0.1 * 111.195, 1)), ("P1", "B", round(0.2 * 111.195, 1)), ("P4", "F4", round(0.4 * 111.195, 1))]
    assert found[0][1] == {"partner_id": "P1", "company": "One", "site_id": "B", "city": "Near", "distance_km": 22.2,
                           "missing_for_advanced": ["onboarding training"]}
    assert upgrade_candidates([0.0], [2.0], ["XA"], sites, radius_km=100, circuity=3.0)[0][-1]["partner_id"] == "P1"
    # Reading, only the sites near some gap are kept: here those within 30 km of (0, 2).
    kept = UnlistedSites()
    kept.add_groups([{"partner_id": "P8", "country": "XA", "sites": [{"site_id": "G", "location": {"lat": 0.0, "lon": 2.2}},
                                                                     {"site_id": "H", "location": {"lat": 0.0, "lon": 2.5}}]}],
                    near_any([0.0], [2.0], 30))
    assert kept.site_id == ["G"] and kept.missing == [()]


# ---------------------------------------------------------------- options and the CSV


def test_options_are_checked_and_normalised():
    options = CoverageOptions(countries=("dk", "DE", "dk"), certs=("mcit", "MCDE"))
    assert options.countries == ("DE", "DK") and options.certs == ("MCDE", "MCIT")
    for bad in ({"min_population": 499}, {"radius_km": 0}, {"tier": "authorized"}, {"certs": ("XYZ",)},
                {"countries": ("DNK",)}, {"since_days": 0}, {"circuity": 0.9}):
        with pytest.raises(ValueError):
            CoverageOptions(**bad)


def test_radius_in_kilometres_or_miles():
    assert parse_radius("100km") == 100 and parse_radius("60mi") == pytest.approx(96.56, abs=0.01)
    assert parse_radius(" 25 ") == 25 and parse_radius("12.5KM") == 12.5
    for bad in ("", "km", "-5km", "5 miles", "1e3km"):
        with pytest.raises(ValueError):
            parse_radius(bad)


def test_the_csv_has_a_row_per_place_and_country_and_never_runs_a_formula():
    candidate = {"partner_id": "P1", "company": "=HYPERLINK(1)", "site_id": "S9", "city": "Nowhere", "distance_km": 12.5,
                 "missing_for_advanced": ["onboarding training", "MCIT certification"]}
    report = {"places": [{"place_id": "1", "place": "-Town", "region": None, "country": "XA", "population": 5,
                          "lat": -1.5, "lon": 2.0, "nearest_km": None, "nearest_site_id": None, "nearest_company": None,
                          "gap": True, "searches": 0, "unmet_searches": 0, "upgrade_candidates": [candidate]}],
              "countries": [{"country": "XA", "places": 1, "population_in_scope": 5, "population_covered_share": 0.0,
                             "gap_places": 1, "searches": 0, "unmet_searches": 0}]}
    out = io.StringIO(newline="")
    assert write_coverage_csv(report, out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == list(COLUMNS)
    assert rows[0]["place"] == "'-Town" and rows[0]["lat"] == "-1.5" and rows[0]["gap"] == "yes"
    assert rows[0]["nearest_km"] == "" and rows[0]["candidate_1_company"] == "'=HYPERLINK(1)"
    assert rows[0]["candidate_1_missing_for_advanced"] == "onboarding training; MCIT certification"
    assert rows[1]["table"] == "country" and rows[1]["population_in_scope"] == "5" and rows[1]["gap_places"] == "1"
