"""What the coverage report reads from Elasticsearch, as the ``staff`` user: the edge of
``locator.analytics.coverage``; everything it computes is in the pure modules beside it.

- The listed sites meeting the filter (tier, certifications; with ``--same-country``, only the
  chosen countries'), from the sites alias: a point in time (one consistent listing even if a run
  goes live meanwhile) paged with ``search_after`` on ``_shard_doc``, each hit's site id, country
  and point from doc values only (``docvalue_fields``, no ``_source`` and no ``_id`` to load), with
  Python's cycle collector off meanwhile: 118,537 sites in 0.5 s, against 2.8 s from ``_source``
  with it on (benchmarks/coverage_bench.py). Kept as columns (``ListedSites``): two float arrays
  and two lists, not a dict a site.
- The companies of the few sites that turn out nearest to some place (one ``terms`` query a batch).
- The sites of partners not listed in the countries of gap places, from the eligibility alias, only
  of groups with a site in boxes around the gaps (``geo_bounding_box`` on ``sites.location``; the
  ``_source`` of the few fields needed: a group's sites are one object array, so their ids and
  points must come together).
- The search events of the period, counted per searched place or coarse area by a composite
  aggregation (every place, however many; zero results and nearest-anyway counted as unmet).
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Callable, Iterator

import numpy as np
from elasticsearch import Elasticsearch, NotFoundError

from locator.analytics.coverage_candidates import UnlistedSites
from locator.analytics.report_query import day_bounds
from locator.analytics.store import event_buckets
from locator.core.events import SEARCH
from locator.core.mapping import eligibility_alias, sites_alias

PAGE = 10_000  # hits a page: Elasticsearch's default index.max_result_window bounds a page, not a scan
TERMS_BATCH = 5_000
KEEP_ALIVE = "2m"  # between two pages, not the whole read
READ_TIMEOUT_S = 120.0  # the staff user's client is a serving one (1 s); a scan of a million sites is not
_UNMET = {"bool": {"should": [{"term": {"zero": True}}, {"term": {"nearest": True}}], "minimum_should_match": 1}}


@dataclass
class ListedSites:
    """The listed sites meeting the filter, as columns: site i is (site_ids[i], country[i], lat[i], lon[i])."""

    site_ids: list[str]
    country: np.ndarray  # ISO codes
    lat: np.ndarray
    lon: np.ndarray

    def __len__(self) -> int:
        return len(self.site_ids)


def site_filter(tier: str | None, certs: tuple[str, ...], countries: tuple[str, ...] = ()) -> list[dict]:
    """The listed sites that meet a coverage filter: Premier only for "premier" (every listed site is at
    least Advanced), at least one certified person of each asked type, in ``countries`` when given."""
    clauses: list[dict] = []
    if tier == "premier":
        clauses.append({"term": {"tier": "premier"}})
    clauses += [{"range": {f"certifications.{cert}": {"gte": 1}}} for cert in certs]
    if countries:
        clauses.append({"terms": {"country": list(countries)}})
    return clauses


def _scan(es: Elasticsearch, index: str, query: dict, **request) -> Iterator[list[dict]]:
    """Every hit of ``query`` on ``index``, a page at a time, through one point in time."""
    pit = es.open_point_in_time(index=index, keep_alive=KEEP_ALIVE)["id"]
    after = None
    try:
        while True:
            answer = es.search(pit={"id": pit, "keep_alive": KEEP_ALIVE}, query=query, sort=["_shard_doc"], size=PAGE,
                               track_total_hits=False, **({"search_after": after} if after else {}), **request)
            pit = answer.get("pit_id", pit)
            hits = (answer.get("hits") or {}).get("hits") or []  # filter_path drops an empty page's "hits"
            if hits:
                yield hits
            if len(hits) < PAGE:
                return
            after = hits[-1]["sort"]
    finally:
        es.close_point_in_time(id=pit)


@contextmanager
def _without_collector():
    """Python's cycle collector off while pages of hits pour in: each page makes ~10,000 short-lived
    dicts, and the collections they set off cost more than the parsing itself (measured: 355,602
    sites read in 4.0 s with it, 2.2 s without). The responses hold no cycles; it is on again after."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def read_listed_sites(es: Elasticsearch, prefix: str, tier: str | None, certs: tuple[str, ...],
                      countries: tuple[str, ...] = ()) -> ListedSites:
    """The listed sites meeting the filter (NotFoundError when nothing is live)."""
    es = es.options(request_timeout=READ_TIMEOUT_S)
    site_ids: list[str] = []
    countries_of: list[str] = []
    points: list[str] = []
    query = {"bool": {"filter": site_filter(tier, certs, countries)}}
    with _without_collector():
        for hits in _scan(es, sites_alias(prefix), query, source=False, stored_fields="_none_",
                          docvalue_fields=["site_id", "country", "location"],
                          filter_path=["pit_id", "hits.hits.fields", "hits.hits.sort"]):
            site_ids += [hit["fields"]["site_id"][0] for hit in hits]
            countries_of += [hit["fields"]["country"][0] for hit in hits]
            # A geo_point's doc value comes back as "lat, lon" (quantised by Lucene to ~1 cm): all of
            # them are parsed at once at the end, by numpy.
            points += [hit["fields"]["location"][0] for hit in hits]
    lat_lon = np.array(",".join(points).split(",") if points else [], dtype=np.float64).reshape(-1, 2)
    return ListedSites(site_ids, np.array(countries_of, dtype="U2"), lat_lon[:, 0].copy(), lat_lon[:, 1].copy())


def read_companies(es: Elasticsearch, prefix: str, site_ids: list[str]) -> dict[str, str]:
    """site id -> company, for the sites that are some place's nearest."""
    es = es.options(request_timeout=READ_TIMEOUT_S)
    companies: dict[str, str] = {}
    for start in range(0, len(site_ids), TERMS_BATCH):
        batch = site_ids[start:start + TERMS_BATCH]
        answer = es.search(index=sites_alias(prefix), query={"terms": {"site_id": batch}}, size=len(batch),
                           source=["site_id", "company"], track_total_hits=False, filter_path=["hits.hits._source"])
        hits = (answer.get("hits") or {}).get("hits") or []
        companies.update((hit["_source"]["site_id"], hit["_source"]["company"]) for hit in hits)
    return companies


def read_unlisted_sites(es: Elasticsearch, prefix: str, countries: list[str], boxes: list[tuple] = (),
                        near: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None) -> UnlistedSites:
    """Every site of a (partner, country) group not listed, in ``countries``, with what the group misses
    for Advanced: of the groups with a site in one of ``boxes`` (south, west, north, east), when given,
    and of those sites the ones ``near`` keeps (points -> kept), when given. Elasticsearch applies the
    boxes (``sites.location`` is a geo_point): without them a million-site export's unlisted groups
    were all read to keep a few hundred. No eligibility data (a rollback to a run without it) is no
    candidate."""
    sites = UnlistedSites()
    if not countries:
        return sites
    es = es.options(request_timeout=READ_TIMEOUT_S)
    query: dict = {"bool": {"filter": [{"term": {"listed": False}}, {"terms": {"country": countries}}]}}
    if boxes:
        query["bool"]["should"] = [{"geo_bounding_box": {"sites.location": {
            "top_left": {"lat": north, "lon": west}, "bottom_right": {"lat": south, "lon": east}}}}
            for south, west, north, east in boxes]
        query["bool"]["minimum_should_match"] = 1
    source = ["partner_id", "company", "country", "missing_for_advanced", "sites.site_id", "sites.city", "sites.location"]
    try:
        with _without_collector():
            for hits in _scan(es, eligibility_alias(prefix), query, source=source,
                              filter_path=["pit_id", "hits.hits._source", "hits.hits.sort"]):
                sites.add_groups([hit["_source"] for hit in hits], near)
    except NotFoundError:
        return UnlistedSites()
    return sites


def demand_query(tier: str | None, certs: tuple[str, ...], period: tuple[date, date] | None) -> dict:
    """First-page searches of the period that asked for the filter's tier and every one of its certifications."""
    clauses: list[dict] = [{"term": {"type": SEARCH}}, {"term": {"page": 1}}]
    if period is not None:
        first, after = day_bounds(*period)
        clauses.append({"range": {"minute": {"gte": first, "lt": after}}})
    if tier:
        clauses.append({"term": {"tier": tier}})
    clauses += [{"term": {"cert": cert}} for cert in certs]
    return {"bool": {"filter": clauses}}


def read_demand(es: Elasticsearch, prefix: str, tier: str | None, certs: tuple[str, ...],
                period: tuple[date, date] | None) -> tuple[dict[str, tuple[int, int]], tuple[int, int]]:
    """(searched place or area -> (searches, unmet), (every search, every unmet one)). A search names a
    typed place (``place``) or a point search's coarse area (``area``); one naming neither (a country,
    words, a map area) counts in the totals only."""
    es = es.options(request_timeout=READ_TIMEOUT_S)
    counts: dict[str, tuple[int, int]] = {}
    total = unmet_total = 0
    sources = [{"place": {"terms": {"field": "place", "missing_bucket": True}}},
               {"area": {"terms": {"field": "area", "missing_bucket": True}}}]
    for bucket in event_buckets(es, prefix, demand_query(tier, certs, period), sources, {"unmet": {"filter": _UNMET}},
                                PAGE):
        searches, unmet = bucket["doc_count"], bucket["unmet"]["doc_count"]
        total, unmet_total = total + searches, unmet_total + unmet
        where = bucket["key"]["place"] or bucket["key"]["area"]  # a typed place wins over an area
        if where:
            before = counts.get(where, (0, 0))
            counts[where] = (before[0] + searches, before[1] + unmet)
    return counts, (total, unmet_total)


def unreadable(es: Elasticsearch, indices: list[str]) -> list[str]:
    """Which of ``indices`` (names or patterns) this user may not read. A pattern the user may not read
    silently matches nothing (security filters wildcards), so a report as the wrong user would show
    no demand rather than fail: asked first. Any user may ask about its own privileges."""
    answer = es.security.has_privileges(index=[{"names": indices, "privileges": ["read"]}])
    return [name for name, privileges in answer["index"].items() if not privileges.get("read")]
