"""Upgrade candidates for a coverage gap: partners not listed in the gap place's country with a site
within the radius, nearest first, each with the Advanced requirements it still misses.

Pure: the sites come from the eligibility documents (``coverage_query.read_unlisted_sites``), as
columns, a group's missing requirements shared by its sites (one tuple a group, not a copy a site).
A partner appears once per place, at its nearest site. Only names of requirements are shown, as in
the eligibility report: never a figure (docs/program-rules.md, Confidentiality).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from locator.analytics.coverage_nearest import PointTree, great_circle_km

MAX_CANDIDATES = 3


@dataclass
class UnlistedSites:
    """Sites of unlisted (partner, country) groups: site i is partner_id[i]'s, in country[i]."""

    partner_id: list[str] = field(default_factory=list)
    company: list[str | None] = field(default_factory=list)
    country: list[str] = field(default_factory=list)
    site_id: list[str] = field(default_factory=list)
    city: list[str | None] = field(default_factory=list)
    lat: list[float] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)
    missing: list[tuple[str, ...]] = field(default_factory=list)

    def add_groups(self, documents: list[dict], near: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None) -> None:
        """The sites of eligibility documents (a page of them) that are ``near`` (each site's point ->
        kept or not, all at once; every site without it). A site without a point (a document written
        before sites carried one) cannot be near anything and is left out."""
        found = [(document, site) for document in documents for site in document.get("sites") or () if site.get("location")]
        if not found:
            return
        if near is not None:
            keep = near(np.array([site["location"]["lat"] for _, site in found]),
                        np.array([site["location"]["lon"] for _, site in found]))
            found = [pair for pair, kept in zip(found, keep.tolist()) if kept]
        for document, site in found:
            self.partner_id.append(document["partner_id"])
            self.company.append(document.get("company"))
            self.country.append(document["country"])
            self.site_id.append(site["site_id"])
            self.city.append(site.get("city"))
            self.lat.append(site["location"]["lat"])
            self.lon.append(site["location"]["lon"])
            # One tuple a group, shared by its sites.
            self.missing.append(document.setdefault("_missing", tuple(document.get("missing_for_advanced") or ())))

    def __len__(self) -> int:
        return len(self.site_id)


def near_any(lat, lon, radius_km: float) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """Which points are within ``radius_km`` (great circle) of any of these: what the report keeps of
    the unlisted sites it reads, so that only those near a gap are held, not every one."""
    tree = PointTree(np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64))
    return lambda point_lat, point_lon: tree.nearest(point_lat, point_lon)[0] <= radius_km


def upgrade_candidates(place_lat, place_lon, place_country: list[str], sites: UnlistedSites, radius_km: float,
                       circuity: float = 1.0, limit: int = MAX_CANDIDATES) -> list[list[dict]]:
    """For each place: up to ``limit`` partners unlisted in its country with a site whose distance
    (great circle x ``circuity``) is within ``radius_km``, nearest first (ties by partner id)."""
    site_lat, site_lon = np.asarray(sites.lat, dtype=np.float64), np.asarray(sites.lon, dtype=np.float64)
    place_lat, place_lon = np.asarray(place_lat, dtype=np.float64), np.asarray(place_lon, dtype=np.float64)
    found = PointTree(site_lat, site_lon).within(place_lat, place_lon, radius_km / circuity)
    result = []
    for lat, lon, country, near in zip(place_lat, place_lon, place_country, found):
        near = [index for index in near.tolist() if sites.country[index] == country]
        if not near:
            result.append([])
            continue
        km = great_circle_km(lat, lon, site_lat[near], site_lon[near]) * circuity
        best: dict[str, tuple[float, int]] = {}  # partner -> its nearest site
        for index, distance in zip(near, km.tolist()):
            if distance <= radius_km:
                partner = sites.partner_id[index]
                if partner not in best or (distance, sites.site_id[index]) < (best[partner][0], sites.site_id[best[partner][1]]):
                    best[partner] = (distance, index)
        ranked = sorted(best.items(), key=lambda item: (item[1][0], item[0]))[:limit]
        result.append([_candidate(sites, index, distance) for _, (distance, index) in ranked])
    return result


def _candidate(sites: UnlistedSites, index: int, distance: float) -> dict:
    return {"partner_id": sites.partner_id[index], "company": sites.company[index], "site_id": sites.site_id[index],
            "city": sites.city[index], "distance_km": round(distance, 1),
            "missing_for_advanced": list(sites.missing[index])}
