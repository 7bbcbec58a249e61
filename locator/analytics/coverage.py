"""Coverage gaps (issue 19): where people, or customers' searches, are far from a qualified partner,
and which unlisted partners nearby could close each gap. The JSON contract is docs/staff-app.md,
"Coverage gaps"; the command is ``coverage_command``, the staff page calls ``coverage_report``.

- Places are the gazetteer's populated places (GeoNames, CC BY) of at least ``min_population``,
  as points. Distance is the great circle (``coverage_nearest``), optionally times a circuity factor
  (roads are longer than the great circle; 1.0, off, by default).
- A place's nearest site is the nearest listed site meeting the filter, wherever it is (the search
  shows sites across borders too), or in the place's own country with ``same_country``. A place is
  a gap when that site is beyond the radius, or there is none.
- Demand: the period's searches assigned to places (``coverage_demand``); unmet are those that
  found nothing within their own radius (zero results, or the nearest beyond it shown instead).
- Gap places get upgrade candidates (``coverage_candidates``).
- Places rank by unmet searches (when there are events), then population; countries likewise.

Pure but for ``coverage_report`` at the end, the one edge: it reads (``coverage_query``) and
assembles. ``write_coverage_csv`` (``coverage_csv``) writes what it returns.
"""
from __future__ import annotations

import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone

import numpy as np
from elasticsearch import AuthorizationException, Elasticsearch, NotFoundError

from locator.analytics.coverage_candidates import near_any, upgrade_candidates
from locator.analytics.coverage_csv import write_coverage_csv  # noqa: F401 - the staff page's other name
from locator.analytics.coverage_demand import assign_demand, locate, shown
from locator.analytics.coverage_nearest import HALF_CIRCUMFERENCE_KM, PointTree, covering_boxes, nearest_by_group
from locator.analytics.coverage_query import (ListedSites, read_companies, read_demand, read_listed_sites,
                                              read_unlisted_sites, unreadable)
from locator.analytics.report import MAX_DAYS, parse_period
from locator.core.contract import CERT_TYPES, LISTED_TIERS
from locator.core.geo import KM_PER_MILE
from locator.core.errors import UserFacingError
from locator.core.events import events_pattern
from locator.core.gazetteer import Gazetteer
from locator.core.mapping import eligibility_alias, sites_alias
from locator.core.places import DEFAULT_MIN_POPULATION, Place

VERSION = 1  # of the JSON contract: fields are only ever added; a change of meaning is a new version
MAX_CIRCUITY = 3.0
_RADIUS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(km|mi)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class CoverageOptions:
    """What a coverage report covers; ValueError (one line, naming the option) when it cannot be."""

    countries: tuple[str, ...] = ()  # ISO codes; none: every country
    tier: str | None = None  # "advanced" (every listed site) or "premier"
    certs: tuple[str, ...] = ()  # sites with at least one certified person of each
    radius_km: float = 100.0
    min_population: int = 50_000
    same_country: bool = False
    since_days: int | None = 30  # searches of the last N days, today (UTC) included; None: every kept one
    circuity: float = 1.0
    min_count: int = 5  # [analytics] min_count: demand of fewer searches is not shown (docs/privacy.md)

    def __post_init__(self):
        countries = tuple(sorted({code.strip().upper() for code in self.countries}))
        if any(not (len(code) == 2 and code.isascii() and code.isalpha()) for code in countries):
            raise ValueError("a country is an ISO 3166-1 alpha-2 code such as DK")
        certs = tuple(cert for cert in CERT_TYPES if cert in {cert.upper() for cert in self.certs})
        if len(certs) != len({cert.upper() for cert in self.certs}):
            raise ValueError(f"a certification is one of {', '.join(CERT_TYPES)}")
        if self.tier is not None and self.tier not in LISTED_TIERS:
            raise ValueError(f"the tier is one of {', '.join(LISTED_TIERS)}")
        if not 0 < self.radius_km <= HALF_CIRCUMFERENCE_KM:
            raise ValueError(f"the radius is more than 0 and at most {HALF_CIRCUMFERENCE_KM:.0f} km")
        if self.min_population < DEFAULT_MIN_POPULATION:
            raise ValueError(f"the minimum population is at least {DEFAULT_MIN_POPULATION} (the gazetteer's smallest places)")
        if self.since_days is not None and not 1 <= self.since_days <= MAX_DAYS:
            raise ValueError(f"the period is 1 to {MAX_DAYS} days")
        if not 1.0 <= self.circuity <= MAX_CIRCUITY:
            raise ValueError(f"the circuity factor is from 1 to {MAX_CIRCUITY:g}")
        if self.min_count < 1:
            raise ValueError("min_count is at least 1")
        object.__setattr__(self, "countries", countries)
        object.__setattr__(self, "certs", certs)


def parse_radius(text: str) -> float:
    """"100km", "60mi" or "100" (km) -> km; ValueError naming the form."""
    match = _RADIUS.match(text or "")
    if not match:
        raise ValueError(f"the radius is a distance such as 100km or 60mi, not {text!r}")
    value = float(match.group(1))
    return round(value * KM_PER_MILE, 3) if (match.group(2) or "km").lower() == "mi" else value


# ---------------------------------------------------------------- pure parts


def nearest_listed(places: list[Place], sites: ListedSites, same_country: bool) -> tuple[np.ndarray, np.ndarray]:
    """(great-circle km, site index) of each place's nearest site, or (inf, -1) when it has none."""
    lat = np.array([place.lat for place in places], dtype=np.float64)
    lon = np.array([place.lon for place in places], dtype=np.float64)
    if same_country:
        countries = np.array([place.country for place in places], dtype="U2")
        return nearest_by_group(lat, lon, countries, sites.lat, sites.lon, sites.country)
    return PointTree(sites.lat, sites.lon).nearest(lat, lon)


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def place_rows(places: list[Place], km: np.ndarray, nearest: list[tuple[str, str | None] | None], options: CoverageOptions,
               searches: np.ndarray, unmet: np.ndarray, candidates: dict[int, list[dict]]) -> list[dict]:
    """One row per place, ranked: most unmet searches first, then most people (then id)."""
    rows = []
    for index, place in enumerate(places):
        distance = float(km[index])
        found = nearest[index]
        row_searches, row_unmet = shown(int(searches[index]), int(unmet[index]), options.min_count)
        rows.append({
            "place_id": place.id, "place": place.name, "region": place.region, "country": place.country,
            "population": place.population, "lat": place.lat, "lon": place.lon,
            "nearest_km": round(distance, 1) if np.isfinite(distance) else None,
            "nearest_site_id": found[0] if found else None, "nearest_company": found[1] if found else None,
            "gap": not distance <= options.radius_km,
            "searches": row_searches, "unmet_searches": row_unmet,
            "upgrade_candidates": candidates.get(index, []),
        })
    rows.sort(key=lambda row: (-row["unmet_searches"], -row["population"], row["place_id"]))
    return rows


def country_rows(places: list[Place], km: np.ndarray, searches: np.ndarray, unmet: np.ndarray,
                 options: CoverageOptions) -> list[dict]:
    """Per country of the places: population in scope, the share within the radius of a qualified site,
    gap places, searches and unmet searches (zeros under min_count); ranked as the places."""
    totals: dict[str, list[int]] = {}
    for index, place in enumerate(places):
        total = totals.setdefault(place.country, [0, 0, 0, 0, 0, 0])
        covered = bool(km[index] <= options.radius_km)
        total[0] += 1
        total[1] += place.population
        total[2] += place.population if covered else 0
        total[3] += not covered
        total[4] += int(searches[index])
        total[5] += int(unmet[index])
    rows = []
    for country, (count, population, covered, gaps, country_searches, country_unmet) in totals.items():
        row_searches, row_unmet = shown(country_searches, country_unmet, options.min_count)
        rows.append({"country": country, "places": count, "population_in_scope": population,
                     "population_covered_share": share(covered, population), "gap_places": gaps,
                     "searches": row_searches, "unmet_searches": row_unmet})
    rows.sort(key=lambda row: (-row["unmet_searches"], -row["population_in_scope"], row["country"]))
    return rows


def filters_of(options: CoverageOptions) -> dict:
    return {"countries": list(options.countries), "tier": options.tier, "certs": list(options.certs),
            "min_population": options.min_population, "same_country": options.same_country,
            "since_days": options.since_days, "circuity": options.circuity}


def period_of(options: CoverageOptions, today: date) -> tuple[date, date] | None:
    return None if options.since_days is None else parse_period(today, f"{options.since_days}d")


# ---------------------------------------------------------------- the edge


class _Stopwatch:
    """Seconds per stage into ``timings`` (the benchmark's split), when given."""

    def __init__(self, timings: dict[str, float] | None):
        self.timings = timings

    @contextmanager
    def __call__(self, stage: str):
        started = time.perf_counter()
        yield
        if self.timings is not None:
            self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - started


def coverage_report(es: Elasticsearch, gazetteer: Gazetteer, prefix: str, options: CoverageOptions,
                    today: date | None = None, timings: dict[str, float] | None = None) -> dict:
    """The coverage report (the JSON contract), read as ``es``'s user: the staff user, the one that may
    read the listing, the eligibility documents and the events. UserFacingError when it cannot be made."""
    stage = _Stopwatch(timings)
    today = today or datetime.now(timezone.utc).date()
    missing = unreadable(es, [sites_alias(prefix), eligibility_alias(prefix), events_pattern(prefix)])
    if missing:
        raise UserFacingError(f"this user may not read {', '.join(missing)}: the coverage report runs as the staff "
                              "user (config/roles/partner_locator_staff.json)")
    try:
        return _report(es, gazetteer, prefix, options, today, stage)
    except NotFoundError:
        raise UserFacingError(f"no listing ({sites_alias(prefix)} points at no index): run `partner-locator index` "
                              "first") from None
    except AuthorizationException as exc:
        raise UserFacingError(f"the staff user may not read what the report needs ({exc.message}): give it the role "
                              "in config/roles/partner_locator_staff.json") from None


def _report(es, gazetteer: Gazetteer, prefix: str, options: CoverageOptions, today: date, stage: _Stopwatch) -> dict:
    with stage("places"):
        everywhere = gazetteer.places_from(options.min_population)
        in_scope = [index for index, place in enumerate(everywhere)
                    if not options.countries or place.country in options.countries]
        places = [everywhere[index] for index in in_scope]
    with stage("read_sites"):
        sites = read_listed_sites(es, prefix, options.tier, options.certs,
                                  options.countries if options.same_country else ())
    with stage("nearest"):
        km, index = nearest_listed(places, sites, options.same_country)
        km = km * options.circuity
    with stage("read_companies"):
        found = sorted({sites.site_ids[i] for i in index.tolist() if i >= 0})
        companies = read_companies(es, prefix, found)
        nearest = [(sites.site_ids[i], companies.get(sites.site_ids[i])) if i >= 0 else None for i in index.tolist()]
    gaps = [i for i in range(len(places)) if not km[i] <= options.radius_km]
    with stage("read_eligibility"):
        gap_lat, gap_lon, reach = [places[i].lat for i in gaps], [places[i].lon for i in gaps], options.radius_km / options.circuity
        unlisted = read_unlisted_sites(es, prefix, sorted({places[i].country for i in gaps}),
                                       covering_boxes(gap_lat, gap_lon, reach), near_any(gap_lat, gap_lon, reach))
    with stage("candidates"):
        found_candidates = upgrade_candidates([places[i].lat for i in gaps], [places[i].lon for i in gaps],
                                              [places[i].country for i in gaps], unlisted, options.radius_km,
                                              options.circuity)
        candidates = dict(zip(gaps, found_candidates))
    period = period_of(options, today)
    with stage("read_events"):
        counts, (total, total_unmet) = read_demand(es, prefix, options.tier, options.certs, period)
    with stage("demand"):
        by_id = {place.id: (place.lat, place.lon) for place in everywhere}

        def point_of(place_id: str):
            if place_id in by_id:
                return by_id[place_id]
            place = gazetteer.get(place_id)
            return (place.lat, place.lon) if place else None

        located = locate(counts, point_of)
        all_searches, all_unmet = assign_demand(counts, located, [p.lat for p in everywhere], [p.lon for p in everywhere],
                                                options.radius_km)
        searches, unmet = all_searches[in_scope], all_unmet[in_scope]
    with stage("assembly"):
        rows = place_rows(places, km, nearest, options, searches, unmet, candidates)
        folded = sum(int(s) for s in searches if s < options.min_count)
        folded_unmet = sum(int(u) for s, u in zip(searches, unmet) if s < options.min_count)
        return {
            "version": VERSION,
            "radius_km": options.radius_km,
            "filters": filters_of(options),
            "period": {"from": period[0].isoformat(), "to": period[1].isoformat()} if period else None,
            "min_count": options.min_count,
            "sites_meeting_filter": len(sites),
            "demand": {"searches": total, "unmet_searches": total_unmet,
                       "assigned_searches": int(searches.sum()), "assigned_unmet_searches": int(unmet.sum()),
                       "folded_searches": folded, "folded_unmet_searches": folded_unmet},
            "places": rows,
            "countries": country_rows(places, km, searches, unmet, options),
        }
