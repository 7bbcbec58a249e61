"""Query building: validated parameters in, Elasticsearch request bodies out. Pure functions.

Everything here runs on the project's minimal local node and on any ES 8/9 cluster: no scripts,
no analysis-common, no search templates. Text is folded in Python exactly as at indexing time.

Relevance (``sort=relevance``) is ``text score x tier weight x distance decay``:
- text score: BM25 over the folded fields, every word must match some field; words match exactly,
  and only a search that finds nothing that way is asked again allowing typos (``typos=True``:
  fuzzy matching costs Elasticsearch ~8x an exact one here, docs/benchmarks.md), where an exact
  word still scores above a typo match (x3); words with digits (postal codes) are always exact;
- tier weight: premier sites x1.5, so at equal text score a premier site outranks an advanced one;
- distance decay (with an origin): a Gaussian of the distance, 0.5 at half the radius, so at equal
  text score and tier the nearer site ranks first.
Ties are broken by folded name, then site id, so pages are stable.
"""
from __future__ import annotations

import math

from locator.core.contract import CERT_TYPES, FACET_FIELDS, MARKER_SOURCE, RESULT_SOURCE, SUGGEST_SOURCE, TEXT_SEARCHED
from locator.core.geo import Origin
from locator.core.text import fold

RESULT_FIELDS = list(RESULT_SOURCE)
# The folded copy of every field words search, with its weight ("folded.company^3").
TEXT_FIELDS = [f"folded.{field.leaf}" + (f"^{field.text_boost:g}" if field.text_boost != 1 else "")
               for field in TEXT_SEARCHED]
PREMIER_WEIGHT = 1.5
EXACT_BOOST = 3.0
MAX_QUERY_WORDS = 12
FACETS = ("tier", "cert", "country", "language", "industry")
_FACET_SIZE = {"tier": 2, "country": 250, "language": 100, "industry": 100}


def query_words(q: str | None) -> list[str]:
    """Folded words of the query; words without a letter or digit ("!!!") match nothing, so are dropped."""
    words = fold(q).split() if q else []
    return [word for word in words if any(char.isalnum() for char in word)][:MAX_QUERY_WORDS]


def _may_have_typos(word: str) -> bool:
    """Fuzziness AUTO allows no edit under 3 characters; codes ("80590") are never fuzzy."""
    return len(word) >= 3 and not any(char.isdigit() for char in word)


def typos_may_help(q: str | None) -> bool:
    """Whether asking again with typos allowed could find more than the exact words did."""
    return any(_may_have_typos(word) for word in query_words(q))


def word_clause(word: str, typos: bool = False) -> dict:
    """The word exactly; with ``typos``, also within edit distance, but an exact match always
    outscores a typo match (even x1.5 for premier); codes are never fuzzy.

    "80590" must find the site with postal code 80590 first, not a premier site at 80570.
    """
    exact = {"multi_match": {"query": word, "fields": TEXT_FIELDS, "boost": EXACT_BOOST}}
    if not (typos and _may_have_typos(word)):
        return exact
    fuzzy = {"multi_match": {"query": word, "fields": TEXT_FIELDS, "fuzziness": "AUTO", "prefix_length": 1}}
    return {"bool": {"should": [exact, fuzzy]}}


def text_query(words: list[str], place_ids: dict[str, list[str]], typos: bool = False) -> dict:
    """Every word must match some field; a word naming a place also matches that place's sites."""
    clauses = []
    for word in words:
        clause = word_clause(word, typos)
        if place_ids.get(word):
            clause = {"bool": {"should": [clause, {"terms": {"place_id": place_ids[word], "boost": 2.0}}]}}
        clauses.append(clause)
    return {"bool": {"must": clauses}}


def facet_filters(params: dict) -> dict[str, dict]:
    """The filter each facet parameter adds; facets count with all filters but their own."""
    filters = {}
    for name, field in FACET_FIELDS.items():
        if params.get(name):
            filters[name] = {"terms": {field: sorted(set(params[name]))}}
    if params.get("cert"):
        filters["cert"] = {"bool": {"filter": [_has_cert(cert) for cert in sorted(set(params["cert"]))]}}
    return filters


def _has_cert(cert: str) -> dict:
    return {"range": {f"certifications.{cert}": {"gte": 1}}}


def geo_filter(origin: Origin, radius_km: float) -> dict:
    return {"geo_distance": {"distance": f"{radius_km}km", "distance_type": "arc",
                             "location": {"lat": origin.lat, "lon": origin.lon}}}


def _bool_filter(clauses: list[dict]) -> dict:
    return {"bool": {"filter": clauses}} if clauses else {"match_all": {}}


def facet_aggs(filters: dict[str, dict]) -> dict:
    """Each facet counted with every filter but its own. A facet no other filter narrows is a
    top-level aggregation: wrapped in a match_all filter it costs Elasticsearch ~1.3 ms more a
    search here (it loses the terms aggregation's fast path; docs/benchmarks.md)."""
    aggs = {}
    for name in FACETS:
        others = [clause for other, clause in sorted(filters.items()) if other != name]
        if name == "cert":
            values = {"filters": {"filters": {cert: _has_cert(cert) for cert in CERT_TYPES}}}
        else:
            values = {"terms": {"field": FACET_FIELDS[name], "size": _FACET_SIZE[name]}}
        aggs[f"facet_{name}"] = {"filter": _bool_filter(others), "aggs": {"values": values}} if others else values
    return aggs


def _distance_sort(origin: Origin) -> dict:
    return {"_geo_distance": {"location": {"lat": origin.lat, "lon": origin.lon}, "order": "asc", "unit": "km",
                              "distance_type": "arc"}}


def sort_clause(sort: str, origin: Origin | None) -> list:
    tie_breakers = [{"name_sort": "asc"}, {"site_id": "asc"}]
    if sort == "distance":
        return [_distance_sort(origin), {"site_id": "asc"}]
    if sort == "name":
        return tie_breakers
    return [{"_score": "desc"}, *([_distance_sort(origin)] if origin else []), *tie_breakers]


def scored(query: dict, origin: Origin | None, radius_km: float) -> dict:
    functions = [{"filter": {"term": {"tier": "premier"}}, "weight": PREMIER_WEIGHT}]
    if origin:
        scale = max(radius_km / 2, 1.0)
        functions.append({"gauss": {"location": {"origin": {"lat": origin.lat, "lon": origin.lon},
                                                 "scale": f"{scale}km", "decay": 0.5}}})
    return {"function_score": {"query": query, "functions": functions, "score_mode": "multiply", "boost_mode": "multiply"}}


def default_sort(params: dict, origin: Origin | None) -> str:
    return params.get("sort") or ("distance" if origin else "relevance")


def build_search(params: dict, origin: Origin | None, place_ids: dict[str, list[str]], *,
                 track_total_hits: int = 10_000, within_radius: bool = True, country: str | None = None,
                 typos: bool = False) -> dict:
    """The body of GET /api/v1/partners; ``within_radius=False`` is the nearest-sites fallback.

    ``country`` (a country read from the visitor's text) scopes the whole search, facets included,
    so it intersects a ``country=`` filter; the origin then only orders (no radius). A ``bbox``
    (the map's "search this area") scopes it the same way and also replaces the radius.
    """
    words = query_words(params.get("q"))
    must = [text_query(words, place_ids, typos)] if words else [{"match_all": {}}]
    bbox = params.get("bbox")
    base = [geo_filter(origin, params["radius_km"])] if origin and within_radius and not country and not bbox else []
    base += country_scope(country) + ([bbox_filter(bbox)] if bbox else [])
    sort = default_sort(params, origin)
    query = {"bool": {"must": must, "filter": base}}
    if sort == "relevance":
        query = scored(query, origin, params["radius_km"])
    filters = facet_filters(params)
    body = {
        "query": query,
        "post_filter": _bool_filter(list(filters.values())),
        "aggs": facet_aggs(filters) if wants_facets(params) else {},  # dropped below when empty
        "sort": sort_clause(sort, origin),
        "from": (params["page"] - 1) * params["per_page"],
        "size": params["per_page"],
        "track_total_hits": track_total_hits,
        "_source": RESULT_FIELDS,
    }
    if params.get("collapse") == "partner":
        body["collapse"] = {"field": "partner_id", "inner_hits": {"name": "partner_sites", "size": 0}}
        body["aggs"]["partners"] = {"filter": body["post_filter"],
                                    "aggs": {"count": {"cardinality": {"field": "partner_id", "precision_threshold": 40000}}}}
    if not body["aggs"]:
        del body["aggs"]
    return body


def wants_facets(params: dict) -> bool:
    """Facets are most of Elasticsearch's work for a search: counted when asked, else on page 1
    only (paging on, the filters shown stay those of page 1)."""
    return params.get("facets", params.get("page", 1) == 1)


def country_scope(country: str | None) -> list[dict]:
    return [{"term": {"country": country}}] if country else []


def build_nearest(params: dict, origin: Origin, place_ids: dict[str, list[str]], size: int = 5,
                  typos: bool = False) -> dict:
    """Nothing within the radius: the nearest ``size`` matching sites anywhere, nearest first."""
    body = build_search({**params, "sort": "distance", "page": 1, "per_page": size}, origin, place_ids,
                        within_radius=False, typos=typos)
    body.pop("aggs", None)
    body["track_total_hits"] = False
    return body


def build_markers(params: dict, bbox: tuple[float, float, float, float], zoom: int, place_ids: dict[str, list[str]],
                  *, max_points: int, max_clusters: int, country: str | None = None, typos: bool = False) -> dict:
    """Every match in view: the points themselves when few, else geotile clusters with centroids."""
    precision = cluster_precision(zoom, bbox[1], bbox[3], max_clusters)
    words = query_words(params.get("q"))
    clauses = [bbox_filter(bbox), *country_scope(country), *facet_filters(params).values(),
               *([text_query(words, place_ids, typos)] if words else [])]
    return {
        "query": {"bool": {"filter": clauses}},
        "size": max_points,
        "track_total_hits": True,  # the map says how many match in view, exactly
        "sort": [{"site_id": "asc"}],
        "_source": list(MARKER_SOURCE),
        "aggs": {"cells": {
            "geotile_grid": {"field": "location", "precision": precision, "size": max_clusters},
            "aggs": {"centroid": {"geo_centroid": {"field": "location"}}},
        }},
    }


def bbox_filter(bbox: tuple[float, float, float, float]) -> dict:
    """Sites in the box (south, west, north, east); west > east crosses the antimeridian, which
    Elasticsearch's geo_bounding_box understands as it is."""
    south, west, north, east = bbox
    return {"geo_bounding_box": {"location": {"top_left": {"lat": north, "lon": west},
                                              "bottom_right": {"lat": south, "lon": east}}}}


def cluster_precision(zoom: int, west: float, east: float, max_clusters: int) -> int:
    """The finest geotile level at which the view spans at most sqrt(max_clusters) tiles across.

    Finer than the map's zoom + 2 is never useful; coarser keeps every match in some cluster, so no
    cluster is cut off by the size limit whatever the bbox.
    """
    width = (east - west) % 360 or 360.0  # W > E crosses the antimeridian
    tiles_across = max(1.0, math.sqrt(max_clusters))
    fitting = int(math.floor(math.log2(tiles_across * 360.0 / width)))
    return max(0, min(zoom + 2, fitting, 29))


def build_partner_sites(partner_id: str, country: str, exclude_site_id: str, size: int = 50) -> dict:
    return {
        "query": {"bool": {"filter": [{"term": {"partner_id": partner_id}}, {"term": {"country": country}}],
                           "must_not": [{"term": {"site_id": exclude_site_id}}]}},
        "sort": [{"name_sort": "asc"}, {"site_id": "asc"}],
        "size": size,
        "_source": RESULT_FIELDS,
    }


def build_listed_page(pit: dict, after: list | None, size: int, start: str | None = None,
                      fields: tuple[str, ...] = ()) -> dict:
    """One page of every listed site in site_id order, through a point in time (``pit``: its id and
    keep_alive), after the sort values ``after``; from ``start`` on when given. ``fields`` are the
    ``_source`` fields wanted (none: the ids only, from the sort values)."""
    body = {"pit": pit, "size": size, "sort": [{"site_id": "asc"}], "track_total_hits": False,
            "_source": list(fields) if fields else False}
    if start is not None:
        body["query"] = {"range": {"site_id": {"gte": start}}}
    if after is not None:
        body["search_after"] = after
    return body


def build_postal_areas(code: str, countries: list[str] | None = None, size: int = 5) -> dict:
    """Listed sites with this postal code (as typed, any case), per country (most sites first):
    their centre and one site's city, for reading a typed postal code as a place."""
    clauses = [{"term": {"address.postal_code": {"value": code.strip(), "case_insensitive": True}}}]
    if countries:
        clauses.append({"terms": {"country": sorted(set(countries))}})
    return {"size": 0, "track_total_hits": False, "query": {"bool": {"filter": clauses}},
            "aggs": {"countries": {"terms": {"field": "country", "size": size}, "aggs": {
                "centre": {"geo_centroid": {"field": "location"}},
                "city": {"top_hits": {"size": 1, "_source": ["address.city"], "sort": [{"site_id": "asc"}]}}}}}}


def build_company_suggest(prefix: str, size: int = 5) -> dict:
    folded = fold(prefix)
    completion = {"field": "company_suggest", "size": size, "skip_duplicates": True}
    if len(folded) >= 4:  # fuzziness on a 2-letter prefix would match nearly everything
        completion["fuzzy"] = {"fuzziness": 1}
    return {"size": 0, "_source": list(SUGGEST_SOURCE),
            "suggest": {"companies": {"prefix": folded, "completion": completion}}}
