"""Demand for the coverage report: which populated place each recorded search belongs to, and the
privacy rule for small numbers. Pure.

A search names where it looked: a typed place (a gazetteer id) or, for a point search, its coarse
area (a town's gazetteer id, or a quarter-degree cell, at its centre; ``locator.core.coarse_area``).
Each is assigned to the nearest place of the run's population floor within the radius of that
point (great circle, no circuity: this says where a customer looked, not how far they would
drive), else to none. Places of every country compete, whatever ``--country`` shows, so a country's
numbers do not depend on which other countries a run shows (a search in Flensburg stays German).

Staff never see a row counting fewer than ``[analytics] min_count`` searches (docs/privacy.md):
such a place or country shows 0 searches and 0 unmet; the report's ``demand`` says how many were
folded so (nothing says where).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from locator.analytics.coverage_nearest import PointTree
from locator.analytics.report import cell_centre


def locate(where_ids, place_point: Callable[[str], tuple[float, float] | None]) -> dict[str, tuple[float, float]]:
    """The point of each searched place or area that can be placed: a cell's centre, a gazetteer
    place's own point (``place_point``); an id a newer gazetteer knew is left out."""
    located = {}
    for where in where_ids:
        point = cell_centre(where) if where.startswith("cell:") else place_point(where)
        if point is not None:
            located[where] = point
    return located


def assign_demand(counts: dict[str, tuple[int, int]], located: dict[str, tuple[float, float]],
                  place_lat, place_lon, radius_km: float) -> tuple[np.ndarray, np.ndarray]:
    """(searches, unmet) of each place: the searches of every located place or area whose nearest
    place is within ``radius_km`` of it."""
    searches = np.zeros(len(place_lat), dtype=np.int64)
    unmet = np.zeros(len(place_lat), dtype=np.int64)
    where = [key for key in counts if key in located]
    if not where:
        return searches, unmet
    points = np.array([located[key] for key in where], dtype=np.float64)
    km, nearest = PointTree(np.asarray(place_lat), np.asarray(place_lon)).nearest(points[:, 0], points[:, 1])
    for key, distance, index in zip(where, km.tolist(), nearest.tolist()):
        if index >= 0 and distance <= radius_km:
            searches[index] += counts[key][0]
            unmet[index] += counts[key][1]
    return searches, unmet


def shown(searches: int, unmet: int, min_count: int) -> tuple[int, int]:
    """What a row may show: its counts, or zeros when it counts fewer than ``min_count`` searches."""
    return (searches, unmet) if searches >= min_count else (0, 0)
