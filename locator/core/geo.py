"""Great-circle distances on the sphere Elasticsearch uses for ``arc`` distances."""
from __future__ import annotations

from dataclasses import dataclass
from math import asin, cos, radians, sin, sqrt

EARTH_RADIUS_KM = 6371.0088  # mean radius, as Elasticsearch's GeoUtils.EARTH_MEAN_RADIUS
KM_PER_MILE = 1.609344  # the international mile: the page's, the API's and the coverage report's "mi"


@dataclass(frozen=True)
class Origin:
    lat: float
    lon: float
    label: str | None = None
    place_id: str | None = None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance: exact across the antimeridian and near the poles (no planar shortcut)."""
    phi1, phi2 = radians(lat1), radians(lat2)
    half_dphi, half_dlambda = (phi2 - phi1) / 2, radians(lon2 - lon1) / 2
    h = sin(half_dphi) ** 2 + cos(phi1) * cos(phi2) * sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_KM * asin(min(1.0, sqrt(h)))
