"""Nearest points on the sphere, fast: great-circle distances through a k-d tree of unit vectors.

Every point becomes its 3-D unit vector; the straight line (chord) between two unit vectors grows
with the great-circle angle between them (chord = 2 sin(angle / 2)), so the nearest point by chord
is the nearest by great circle, and a ball of chord radius is a spherical cap. This holds across
the antimeridian and at the poles, where a tree on (lat, lon) degrees would be wrong. scipy's
``cKDTree`` answers both questions in C (benchmarks/coverage_bench.py measured it against
scikit-learn's haversine ``BallTree`` and a brute-force scan: docs/benchmarks.md). Distances come
back on the sphere of ``locator.core.geo`` (R = 6371.0088 km, Elasticsearch's ``arc``), so they agree
with the search API's and with ``geo.distance_km``.

numpy and scipy are imported by this module only: the command line loads them when a coverage
report runs, not at every start.
"""
from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from locator.core.geo import EARTH_RADIUS_KM

HALF_CIRCUMFERENCE_KM = np.pi * EARTH_RADIUS_KM  # no two points of the sphere are farther apart


def unit_vectors(lat, lon) -> np.ndarray:
    """(n, 3) unit vectors of points given in degrees."""
    phi, lam = np.radians(np.asarray(lat, dtype=np.float64)), np.radians(np.asarray(lon, dtype=np.float64))
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)))


def chord_to_km(chord) -> np.ndarray:
    """Great-circle km of chord lengths on the unit sphere (inf stays inf: "none found")."""
    chord = np.asarray(chord, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        km = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.minimum(chord / 2.0, 1.0))
    return np.where(np.isinf(chord), np.inf, km)


def km_to_chord(km: float) -> float:
    """The chord of a great-circle distance; beyond half the circumference, the whole sphere's (2)."""
    if km >= HALF_CIRCUMFERENCE_KM:
        return 2.0
    return float(2.0 * np.sin(km / (2.0 * EARTH_RADIUS_KM)))


class PointTree:
    """A fixed set of points (degrees), asked for the nearest one or those within a distance."""

    def __init__(self, lat, lon):
        self.size = len(lat)
        # Unbalanced (sliding midpoint) builds a third faster and answers as fast: 0.10 + 0.03 s against
        # 0.15 + 0.04 s for 355,602 sites and 34,024 places (benchmarks/coverage_bench.py).
        self._tree = cKDTree(unit_vectors(lat, lon), balanced_tree=False, compact_nodes=False) if self.size else None

    def nearest(self, lat, lon) -> tuple[np.ndarray, np.ndarray]:
        """(great-circle km, index) of the nearest point to each query point; (inf, -1) when the tree is empty."""
        count = len(lat)
        if self._tree is None or count == 0:
            return np.full(count, np.inf), np.full(count, -1, dtype=np.int64)
        chord, index = self._tree.query(unit_vectors(lat, lon), k=1, workers=-1)
        return chord_to_km(chord), np.asarray(index, dtype=np.int64)

    def within(self, lat, lon, km: float) -> list[np.ndarray]:
        """For each query point, the indices of the points within ``km`` of it (great circle), any order."""
        if self._tree is None or len(lat) == 0:
            return [np.empty(0, dtype=np.int64) for _ in range(len(lat))]
        # A hair beyond the chord, so that a point exactly at the radius is not lost to rounding;
        # callers compare the exact distance with the radius afterwards.
        found = self._tree.query_ball_point(unit_vectors(lat, lon), km_to_chord(km) * (1 + 1e-9) + 1e-12, workers=-1)
        return [np.asarray(indices, dtype=np.int64) for indices in found]


def great_circle_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Haversine, vectorised: the same formula as ``locator.core.geo.distance_km``."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    half_dphi, half_dlambda = (phi2 - phi1) / 2, np.radians(np.asarray(lon2) - np.asarray(lon1)) / 2
    h = np.sin(half_dphi) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))


def nearest_by_group(place_lat, place_lon, place_group, site_lat, site_lon, site_group) -> tuple[np.ndarray, np.ndarray]:
    """The nearest site of the same group (country) for each place: one tree per group of places,
    over that group's sites only. (km, index into the sites); (inf, -1) when its group has none."""
    place_group, site_group = np.asarray(place_group), np.asarray(site_group)
    km, index = np.full(len(place_group), np.inf), np.full(len(place_group), -1, dtype=np.int64)
    order = np.argsort(site_group, kind="stable")  # each group's sites, one slice of this order
    sorted_groups = site_group[order]
    for group in np.unique(place_group):
        places = np.flatnonzero(place_group == group)
        start, stop = np.searchsorted(sorted_groups, group, "left"), np.searchsorted(sorted_groups, group, "right")
        members = order[start:stop]
        found_km, found = PointTree(site_lat[members], site_lon[members]).nearest(place_lat[places], place_lon[places])
        km[places] = found_km
        index[places] = np.where(found >= 0, members[np.maximum(found, 0)] if len(members) else -1, -1)
    return km, index


def covering_boxes(lat, lon, km: float, max_boxes: int = 1000) -> list[tuple[float, float, float, float]]:
    """(south, west, north, east) boxes, at most ``max_boxes``, whose union holds every point within
    ``km`` (great circle) of any of the given points: a filter Elasticsearch can apply before anything
    is read (west > east crosses the antimeridian, as geo_bounding_box reads it). The points are
    gathered in grid cells (1 degree, coarser when there would be too many); each cell's box grows by
    the distance: ``km`` of latitude, and the widest longitude a cap of that radius spans anywhere in
    the cell; a box that would reach a pole takes every longitude."""
    lat, lon = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
    if not len(lat):
        return []
    angle = min(km / EARTH_RADIUS_KM, np.pi)
    grow_lat = np.degrees(angle) * 1.001 + 1e-6
    size = 1.0
    while len(cells := set(zip(np.floor(lat / size).astype(int).tolist(), np.floor(lon / size).astype(int).tolist()))) > max_boxes:
        if size >= 90:
            return [(-90.0, -180.0, 90.0, 180.0)]  # the whole world: points all over it, and few boxes allowed
        size *= 2
    boxes = []
    for row, column in sorted(cells):
        south, north = row * size - grow_lat, (row + 1) * size + grow_lat
        widest = max(abs(row * size), abs((row + 1) * size))  # the cell's latitude farthest from the equator
        if south <= -90 or north >= 90 or np.radians(widest) + angle >= np.pi / 2:
            west, east = -180.0, 180.0
        else:
            grow_lon = np.degrees(np.arcsin(min(1.0, np.sin(angle) / np.cos(np.radians(widest))))) * 1.001 + 1e-6
            west, east = column * size - grow_lon, (column + 1) * size + grow_lon
            if east - west >= 360:
                west, east = -180.0, 180.0
            else:
                west, east = (west + 180) % 360 - 180, (east + 180) % 360 - 180
                east = 180.0 if east == -180.0 else east
        boxes.append((float(max(south, -90.0)), float(west), float(min(north, 90.0)), float(east)))
    return list(dict.fromkeys(boxes))
