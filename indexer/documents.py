"""From a validated record to the document Elasticsearch stores: an allowlist, nothing else.

Confidential data (RULES.md section 4: revenue, person ids) cannot leak through here: every field
of a document is copied by name from the public fields of RULES.md section 1, never by "all but".
"""
from __future__ import annotations

from datetime import date

from locator.text import fold, fold_digraphs

_PUBLIC_FIELDS = ("site_id", "partner_id", "company", "site_name", "languages", "industries", "description")
_ADDRESS_FIELDS = ("street", "postal_code", "city", "region", "country")
_CONTACT_FIELDS = ("phone", "email", "website")
_FOLDED_ADDRESS = ("street", "postal_code", "city", "region")


def _present(value) -> bool:
    return value not in (None, "", [])


def public_document(record: dict, location: tuple[float, float], place_id: str | None) -> dict:
    """The public part of a valid record, located; the group's tier is added later."""
    document = {name: record[name] for name in _PUBLIC_FIELDS if _present(record.get(name))}
    address = record["address"]
    document["address"] = {name: address[name] for name in _ADDRESS_FIELDS if _present(address.get(name))}
    document["country"] = address["country"]
    document["location"] = {"lat": location[0], "lon": location[1]}
    contact = record.get("contact") or {}
    contact = {name: contact[name] for name in _CONTACT_FIELDS if _present(contact.get(name))}
    if contact:
        document["contact"] = contact
    if place_id:
        document["place_id"] = place_id
    return document


def search_key(text: str) -> str:
    """Folded text for the ``folded.*`` fields: both spellings when a letter has a digraph form.

    "København" is indexed as "kobenhavn koebenhavn", so "kobenhavn" and "Koebenhavn" both match.
    """
    plain, digraphs = fold(text), fold_digraphs(text)
    return plain if plain == digraphs else f"{plain} {digraphs}"


def listed_document(document: dict, tier: str, certifications: dict[str, int], as_of: date, indexed_at: str) -> dict:
    """A public document of a listed group, with the group's tier and the search helpers."""
    address = document["address"]
    folded = {name: search_key(document[name]) for name in ("company", "site_name", "description") if name in document}
    folded.update({name: search_key(address[name]) for name in _FOLDED_ADDRESS if name in address})
    if document.get("industries"):
        folded["industries"] = [search_key(industry) for industry in document["industries"]]
    company = document["company"]
    return {
        **document,
        "tier": tier,
        "certifications": dict(certifications),
        "folded": folded,
        "name_sort": fold(f"{company} {document.get('site_name', '')}"),
        "company_suggest": {"input": sorted({company, fold(company)})},
        "as_of": as_of.isoformat(),
        "indexed_at": indexed_at,
    }
