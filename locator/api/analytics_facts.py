"""The facts of a search answer that the analytics may keep (issue 18; docs/privacy.md): what kind of
search it was as the API read it, where (a country, a gazetteer place, or the coarse area of a
point), the filters, and what it found. Pure: the search token (locator/core/search_tokens.py)
signs these, so the page's later reports of the answer can be believed.

Never a fact: the words typed (only how many, and whether anything matched), coordinates (only the
coarse area, locator/core/coarse_area.py), an industry the live index does not know (it could be
anything typed into the URL: "other").
"""
from __future__ import annotations

from typing import Callable, Collection

from locator.core.coarse_area import CoarseArea

OTHER = "other"


def search_kind(params: dict, reading: dict | None) -> str:
    """near a point, a place, a country, words, a map area, or nothing in particular ("browse")."""
    if "bbox" in params:
        return "area"
    if "lat" in params:
        return "point"
    if "place" in params or "near" in params or (reading and reading["kind"].startswith("place")):
        return "place"
    if (reading and reading["kind"].startswith("country")) or (params.get("country") and not params.get("q")):
        return "country"
    if params.get("q") or reading:
        return "words"
    return "browse"


def search_facts(params: dict, answer: dict, coarse_area_of: Callable[[float, float], CoarseArea],
                 known_industries: Collection[str]) -> dict:
    """``params``: the validated search parameters; ``answer``: the API's answer to them."""
    reading = answer.get("interpreted_as")
    kind = search_kind(params, reading)
    origin = answer.get("origin")
    facts = {"kind": kind, "country": None, "place": None, "area": None}
    if kind == "point":
        area = coarse_area_of(params["lat"], params["lon"])
        facts["area"], facts["country"] = area.id, area.country
    elif kind == "place" and origin:
        facts["place"] = origin.get("place_id")
    if reading and reading.get("country"):
        facts["country"] = reading["country"]
    elif len(params.get("country") or ()) == 1:
        facts["country"] = params["country"][0]
    words = (reading or {}).get("words") or params.get("q") or ""
    facts.update({
        "words": len(words.split()),
        "tier": sorted(params.get("tier") or ()), "cert": sorted(params.get("cert") or ()),
        "language": sorted(params.get("language") or ()),
        "industry": sorted({value if value in known_industries else OTHER for value in params.get("industry") or ()}),
        "radius_km": params.get("radius_km") if origin else None,
        "page": answer["page"], "total": answer["total"],
        "zero": answer["total"] == 0, "nearest": bool(answer.get("nearest_fallback")),
        "sites": [site["site_id"] for site in answer["results"]],
    })
    return facts
