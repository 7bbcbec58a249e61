"""Elasticsearch responses -> API responses. Only allowlisted fields leave the API."""
from __future__ import annotations

from locator.api.interpret import Area
from locator.api.urls import site_path
from locator.core.geo import Origin, distance_km
from locator.api.queries import FACETS, RESULT_FIELDS


def result(hit: dict, origin: Origin | None, base: str) -> dict:
    """One listed site; ``base`` is the public URL its page (``page_url``) is under."""
    source = hit["_source"]
    item = {name: source.get(name) for name in RESULT_FIELDS}
    item["page_url"] = base + site_path(item)
    item["distance_km"] = None
    if origin is not None:
        location = source["location"]
        item["distance_km"] = round(distance_km(origin.lat, origin.lon, location["lat"], location["lon"]), 3)
    return item


def collapsed_result(hit: dict, origin: Origin | None, base: str) -> dict:
    item = result(hit, origin, base)
    item["other_matching_sites"] = hit["inner_hits"]["partner_sites"]["hits"]["total"]["value"] - 1
    return item


def facets(aggregations: dict) -> dict[str, dict[str, int]]:
    shaped = {}
    for name in FACETS:
        facet = aggregations[f"facet_{name}"]
        values = facet.get("values", facet)  # within a filter when other filters narrow it
        if name == "cert":
            shaped[name] = {cert: bucket["doc_count"] for cert, bucket in values["buckets"].items()}
        else:
            shaped[name] = {bucket["key"]: bucket["doc_count"] for bucket in values["buckets"]}
    return shaped


def origin_out(origin: Origin | None) -> dict | None:
    if origin is None:
        return None
    return {"lat": origin.lat, "lon": origin.lon, "label": origin.label, "place_id": origin.place_id}


def search_response(response: dict, params: dict, origin: Origin | None, base: str, fallback: dict | None = None) -> dict:
    hits = response["hits"]
    collapsed = params.get("collapse") == "partner"
    shape = collapsed_result if collapsed else result
    body = {
        "total": hits["total"]["value"],
        "total_relation": hits["total"]["relation"],
        "page": params["page"],
        "per_page": params["per_page"],
        "origin": origin_out(origin),
        "nearest_fallback": fallback is not None,
        "results": [shape(hit, origin, base) for hit in hits["hits"]],
        "facets": facets(response["aggregations"]) if "facet_tier" in response.get("aggregations", {}) else None,
    }
    if collapsed:
        body["total"], body["total_relation"] = response["aggregations"]["partners"]["count"]["value"], "eq"
    if fallback is not None:
        body["results"] = [shape(hit, origin, base) for hit in fallback["hits"]["hits"]]
    return body


def markers_response(response: dict, max_points: int) -> dict:
    hits = response["hits"]
    total = hits["total"]["value"]
    if total <= max_points:
        points = [{"site_id": h["_source"]["site_id"], "company": h["_source"]["company"], "tier": h["_source"]["tier"],
                   "lat": h["_source"]["location"]["lat"], "lon": h["_source"]["location"]["lon"]} for h in hits["hits"]]
        return {"mode": "points", "total": total, "points": points, "clusters": []}
    clusters = [{"key": bucket["key"], "count": bucket["doc_count"], "lat": bucket["centroid"]["location"]["lat"],
                 "lon": bucket["centroid"]["location"]["lon"]} for bucket in response["aggregations"]["cells"]["buckets"]]
    return {"mode": "clusters", "total": total, "points": [], "clusters": clusters}


def place_out(place) -> dict:
    return {"id": place.id, "label": place.label, "name": place.name, "country": place.country,
            "lat": place.lat, "lon": place.lon}


def postal_area(code: str, bucket: dict) -> Area:
    """One country's sites with a postal code (queries.build_postal_areas) as a place: their centre,
    labelled "8000 Aarhus, DK" after one of them."""
    hits = bucket["city"]["hits"]["hits"]
    city = hits[0]["_source"].get("address", {}).get("city") if hits else None
    label = " ".join(part for part in (code.strip(), city) if part) + ", " + bucket["key"]
    centre = bucket["centre"]["location"]
    return Area(None, label, centre["lat"], centre["lon"], population=bucket["doc_count"])
