"""What the analytics keep of a point search: a town of 15,000+ people within 30 km, else a cell of
about 28 km; never the point itself (docs/privacy.md)."""
from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from locator.core.coarse_area import CELL_DEGREES, CoarseAreas, cell
from locator.core.geo import distance_km
from locator.core.places import Place


def town(place_id: str, lat: float, lon: float, country: str = "DK") -> Place:
    return Place(place_id, f"Town {place_id}", country, None, 20_000, lat, lon)


AARHUS, RANDERS = town("2624652", 56.1567, 10.2108), town("2614030", 56.4607, 10.0364)
AREAS = CoarseAreas([AARHUS, RANDERS, town("9000001", 79.9, 20.0, "SJ")])


def test_a_point_near_towns_is_kept_as_the_nearest_of_them():
    area = AREAS.of(56.20, 10.18)
    assert (area.kind, area.id, area.country) == ("place", AARHUS.id, "DK")
    assert (area.lat, area.lon) == (AARHUS.lat, AARHUS.lon)  # the town's own place, not the visitor's
    assert AREAS.of(56.40, 10.05).id == RANDERS.id


def test_a_point_with_no_town_within_30_km_is_kept_as_its_cell():
    far = AREAS.of(55.0, 8.0)  # ~150 km from both towns
    assert far.kind == "cell" and far.country is None
    assert far.id == "cell:55.00,8.00"
    assert far == AREAS.of(55.2, 8.2) == cell(55.01, 8.01)  # everyone in that cell is the same area


def test_towards_the_poles_the_search_for_a_town_reaches_as_far_east_and_west():
    # At 80 degrees north a degree of longitude is ~19 km: the town two degrees away is ~25 km off.
    point = (79.95, 21.2)
    assert distance_km(*point, 79.9, 20.0) < 30
    assert AREAS.of(*point).kind == "place"


@given(st.floats(-89.9, 89.9), st.floats(-180, 179.999))
def test_a_cell_holds_its_point_is_about_as_wide_as_tall_and_never_is_the_point(lat, lon):
    area = cell(lat, lon)
    south, west = (float(part) for part in area.id.removeprefix("cell:").split(","))
    width = 2 * (area.lon - west)
    assert south <= lat < south + CELL_DEGREES + 1e-9 and west <= lon < west + width + 1e-9
    assert CELL_DEGREES <= width <= 16 * CELL_DEGREES
    if abs(lat) < 75:  # a cell is between ~14 and ~28 km wide where people live
        assert 13 <= width * 111.2 * math.cos(math.radians(lat)) <= 40
    assert area == cell(area.lat, area.lon)  # its centre is in it: the same area again


_towns = st.lists(st.tuples(st.floats(-89.5, 89.5), st.floats(-180, 179.999)), min_size=1, max_size=60)


@given(_towns, st.floats(-89.9, 89.9), st.floats(-180, 179.999), st.floats(0, 0.6), st.floats(0, 0.6))
def test_the_town_found_is_the_nearest_within_30_km_as_a_scan_of_every_town_finds(points, lat, lon, d_lat, d_lon):
    towns = [town(str(1000 + number), *point) for number, point in enumerate(points)]
    # Searches close to a town as often as anywhere: that is where the answer is decided.
    lat, lon = (points[0][0] + d_lat, (points[0][1] + d_lon + 180) % 360 - 180) if d_lat < 0.3 else (lat, lon)
    lat = max(-89.9, min(89.9, lat))
    within = [(distance_km(lat, lon, t.lat, t.lon), int(t.id), t) for t in towns if distance_km(lat, lon, t.lat, t.lon) <= 30]
    area = CoarseAreas(towns).of(lat, lon)
    if within:
        assert (area.kind, area.id) == ("place", min(within)[2].id)
    else:
        assert area == cell(lat, lon)
