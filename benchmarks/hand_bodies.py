"""Hand-written Elasticsearch bodies for the questions of the API mix (issue 12's "raw" anchor).

What an engineer who knows Elasticsearch would send for each question, and no more: a geo filter,
a distance sort, the same five facets as the API (each counted with every filter but its own, when
there are filters), a multi_match over the same folded fields for words, a completion for
suggestions. Words match exactly; only a search that finds nothing is asked again with typos
allowed, and a search that still finds nothing within the radius asks for the nearest sites. Used
as they are by the raw side (straight to Elasticsearch) and by the bare stack (``bare_stack.py``),
so both answer the same question the API does.
"""
from __future__ import annotations

import unicodedata

SOURCE = ["site_id", "partner_id", "company", "site_name", "address", "location", "contact", "languages",
          "industries", "description", "tier", "certifications"]
TEXT_FIELDS = ["folded.company^3", "folded.site_name^2", "folded.city^2", "folded.postal_code^2",
               "folded.industries^2", "folded.region", "folded.street", "folded.description"]
CERTS = ("MCDE", "MCIT", "MCIE")
_TERMS = {"tier": ("tier", 2), "country": ("country", 250), "language": ("languages", 100), "industry": ("industries", 100)}


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(char for char in decomposed if not unicodedata.combining(char)).split())


def _filters(tier: list[str], cert: list[str]) -> dict[str, dict]:
    found = {}
    if tier:
        found["tier"] = {"terms": {"tier": tier}}
    if cert:
        found["cert"] = {"bool": {"filter": [{"range": {f"certifications.{c}": {"gte": 1}}} for c in cert]}}
    return found


def _facet(name: str) -> dict:
    if name == "cert":
        return {"filters": {"filters": {c: {"range": {f"certifications.{c}": {"gte": 1}}} for c in CERTS}}}
    field, size = _TERMS[name]
    return {"terms": {"field": field, "size": size}}


def _facets(filters: dict[str, dict]) -> dict:
    aggs = {}
    for name in ("tier", "cert", "country", "language", "industry"):
        others = [clause for other, clause in filters.items() if other != name]
        aggs[name] = {"filter": {"bool": {"filter": others}}, "aggs": {"values": _facet(name)}} if others else _facet(name)
    return aggs


def _words(q: str | None, typos: bool) -> list[dict]:
    if not q:
        return []
    typo = {"fuzziness": "AUTO"} if typos else {}
    return [{"multi_match": {"query": fold(q), "fields": TEXT_FIELDS, "operator": "and", **typo}}]


def search_body(lat: float, lon: float, radius_km: float = 100.0, q: str | None = None,
                tier: list[str] | None = None, cert: list[str] | None = None, size: int = 20,
                typos: bool = False) -> dict:
    """Sites within the radius of a point, nearest first, with facets; words must all match."""
    where = [{"geo_distance": {"distance": f"{radius_km}km", "location": {"lat": lat, "lon": lon}}}]
    words = _words(q, typos)
    filters = _filters(tier or [], cert or [])
    body = {"query": {"bool": {"filter": where, "must": words}},
            "sort": [{"_geo_distance": {"location": {"lat": lat, "lon": lon}, "order": "asc", "unit": "km"}}],
            "size": size, "_source": SOURCE, "aggs": _facets(filters)}
    if filters:
        body["post_filter"] = {"bool": {"filter": list(filters.values())}}
    return body


def nearest_body(lat: float, lon: float, q: str | None = None, size: int = 5, typos: bool = False) -> dict:
    """Nothing within the radius: the nearest sites matching the words, anywhere (the API's fallback)."""
    return {"query": {"bool": {"must": _words(q, typos)}}, "size": size, "_source": SOURCE,
            "sort": [{"_geo_distance": {"location": {"lat": lat, "lon": lon}, "order": "asc", "unit": "km"}}]}


def suggest_body(prefix: str, size: int = 5) -> dict:
    return {"size": 0, "suggest": {"companies": {"prefix": fold(prefix), "completion": {
        "field": "company_suggest", "size": size, "skip_duplicates": True}}}}


def bodies_for(path_params: dict[str, list[str]]) -> list[dict]:
    """The bodies to try in turn for the query parameters of a mix request (already valid: no
    checks), until one finds something: the same question the API answers."""
    if "lat" not in path_params:
        return [suggest_body(path_params["q"][0])]
    lat, lon, q = float(path_params["lat"][0]), float(path_params["lon"][0]), (path_params.get("q") or [None])[0]
    radius, tier, cert = float(path_params.get("radius_km", ["100"])[0]), path_params.get("tier"), path_params.get("cert")
    typos = [False, True] if q and len(q) >= 3 else [False]
    return ([search_body(lat, lon, radius, q, tier, cert, typos=typo) for typo in typos]
            + [nearest_body(lat, lon, q, typos=typo) for typo in typos])
