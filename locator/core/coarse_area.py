"""Where a point search was, as coarsely as the analytics may keep it (docs/privacy.md).

A visitor's position (or coordinates typed into the API) is never stored. What is kept of a point
search is an area of the size people name when they say where they are: the nearest town of
``CITY_MIN_POPULATION`` people or more within ``CITY_RADIUS_KM``, else a grid cell of a quarter
degree of latitude by a quarter degree (or more, towards the poles) of longitude, about 28 km a
side, named by its south-west corner. Both are the same for everyone searching from that area.
"""
from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from locator.core.geo import distance_km
from locator.core.places import Place

CITY_MIN_POPULATION = 15_000
CITY_RADIUS_KM = 30.0
CELL_DEGREES = 0.25
_BUCKET_DEGREES = 1.0  # the towns are kept in buckets of a degree: a lookup reads those around the point
KM_PER_DEGREE = 111.2  # of latitude, everywhere; of longitude, at the equator
_KM_PER_DEGREE_AT_LEAST = 111.19  # a degree of latitude on geo.py's sphere (111.195 km), rounded down: a lower bound


@dataclass(frozen=True)
class CoarseArea:
    kind: str  # "place" (a gazetteer town) or "cell"
    id: str  # the town's gazetteer id, or "cell:<lat>,<lon>" of the cell's south-west corner
    country: str | None  # the town's country (a cell has none: it may straddle a border)
    lat: float  # the town's own coordinates, or the cell's centre: public, not the visitor's
    lon: float


def cell(lat: float, lon: float) -> CoarseArea:
    """The quarter-degree cell holding the point; its longitude step widens towards the poles so
    that a cell stays about as wide as it is tall (at most 16 x 0.25 degrees)."""
    south = math.floor(lat / CELL_DEGREES) * CELL_DEGREES
    middle = south + CELL_DEGREES / 2  # the band's own latitude: every point of the band has the same cells
    lon_step = CELL_DEGREES * min(16, 2 ** max(0, round(math.log2(1 / max(math.cos(math.radians(middle)), 1e-6)))))
    west = math.floor(lon / lon_step) * lon_step  # the steps divide 360: cells line up at the antimeridian
    return CoarseArea("cell", f"cell:{south:.2f},{west:.2f}", None, round(south + CELL_DEGREES / 2, 4),
                      round(west + lon_step / 2, 4))


class CoarseAreas:
    """The lookup: built once per process from the gazetteer's towns of CITY_MIN_POPULATION or more.

    It runs on every point search that carries a search token, so it reads only what can be near:
    the buckets around the point, and in each only the towns within the radius's band of latitude
    (sorted by latitude, found by bisection); a town farther north or south than the best so far
    is skipped before its great-circle distance is computed (no point on a sphere is nearer than
    its difference of latitude)."""

    def __init__(self, towns: list[Place]):
        buckets: dict[tuple[int, int], list[Place]] = {}
        for town in towns:
            buckets.setdefault(_bucket(town.lat, town.lon), []).append(town)
        self._buckets = {key: (sorted(town.lat for town in members), sorted(members, key=lambda town: town.lat))
                         for key, members in buckets.items()}

    def of(self, lat: float, lon: float) -> CoarseArea:
        nearest, best = None, (CITY_RADIUS_KM, math.inf)
        row, column = _bucket(lat, lon)
        # A degree of longitude narrows towards the poles: look as many buckets east and west as 30 km take.
        span = min(180, math.ceil(CITY_RADIUS_KM / (KM_PER_DEGREE * max(math.cos(math.radians(abs(lat) + 1)), 1e-6))))
        band = CITY_RADIUS_KM / _KM_PER_DEGREE_AT_LEAST
        for d_row in (-1, 0, 1):
            for d_column in range(-span, span + 1):
                found = self._buckets.get((row + d_row, (column + d_column + 180) % 360 - 180))
                if found is None:
                    continue
                lats, members = found
                for town in members[bisect_left(lats, lat - band):bisect_right(lats, lat + band)]:
                    if abs(town.lat - lat) * _KM_PER_DEGREE_AT_LEAST > best[0]:
                        continue
                    # Of two towns at the same distance, the lower id: the same answer every time.
                    key = (distance_km(lat, lon, town.lat, town.lon), int(town.id))
                    if key <= best:
                        nearest, best = town, key
        if nearest is None:
            return cell(lat, lon)
        return CoarseArea("place", nearest.id, nearest.country, nearest.lat, nearest.lon)


def _bucket(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / _BUCKET_DEGREES), (math.floor(lon / _BUCKET_DEGREES) + 180) % 360 - 180
