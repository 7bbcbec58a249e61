"""From a validated record to the document Elasticsearch stores: an allowlist, nothing else.

Confidential data (RULES.md section 4: revenue, person ids) cannot leak through here: a document
holds only the export fields the contract (``locator.core.contract``) declares, copied by name,
never by "all but", plus what the indexer computes.
"""
from __future__ import annotations

from datetime import date

from locator.core.contract import CERT_TYPES, EXPORT_FIELDS, TEXT_SEARCHED
from locator.core.text import fold, fold_digraphs


def _present(value) -> bool:
    return value not in (None, "", [])


def _get(document: dict, path: str):
    value = document
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def public_document(record: dict, location: tuple[float, float], place_id: str | None) -> dict:
    """The public part of a valid record, located; the group's tier is added later."""
    document: dict = {}
    for field in EXPORT_FIELDS:
        value = _get(record, field.path)
        if _present(value):
            *parents, leaf = field.path.split(".")
            target = document
            for parent in parents:
                target = target.setdefault(parent, {})
            target[leaf] = value
    document["country"] = record["address"]["country"]
    document["location"] = {"lat": location[0], "lon": location[1]}
    if place_id:
        document["place_id"] = place_id
    return document


def search_key(text: str) -> str:
    """Folded text for the ``folded.*`` fields: both spellings when a letter has a digraph form.

    "København" is indexed as "kobenhavn koebenhavn", so "kobenhavn" and "Koebenhavn" both match.
    """
    plain, digraphs = fold(text), fold_digraphs(text)
    return plain if plain == digraphs else f"{plain} {digraphs}"


def _folded(document: dict) -> dict:
    folded = {}
    for field in TEXT_SEARCHED:
        value = _get(document, field.path)
        if _present(value):
            folded[field.leaf] = [search_key(item) for item in value] if isinstance(value, list) else search_key(value)
    return folded


def listed_document(document: dict, tier: str, certifications: dict[str, int], as_of: date, indexed_at: str) -> dict:
    """A public document of a listed group, with the group's tier and the search helpers."""
    company = document["company"]
    return {
        **document,
        "tier": tier,
        "certifications": {cert: certifications[cert] for cert in CERT_TYPES},
        "folded": _folded(document),
        "name_sort": fold(f"{company} {document.get('site_name', '')}"),
        "company_suggest": {"input": sorted({company, fold(company)})},
        "as_of": as_of.isoformat(),
        "indexed_at": indexed_at,
    }
