"""From a validated record to the document Elasticsearch stores: an allowlist, nothing else.

Confidential data (docs/program-rules.md, Confidentiality: revenue, person ids) cannot leak through here: a document
holds only the export fields the contract (``locator.core.contract``) declares, copied by name,
never by "all but", plus what the indexer computes.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache

from locator.core.contract import CERT_TYPES, EXPORT_FIELDS, TEXT_SEARCHED, by_top, is_group
from locator.core.text import fold, fold_digraphs


_ABSENT = (None, "", [])  # a value the document leaves out (inlined below: this runs per field of every record)


# The export fields as (top-level names, {object: its field names}), worked out once: this runs
# for every record of an export.
_EXPORT = by_top(EXPORT_FIELDS)
_EXPORT_TOP = tuple(head for head, members in _EXPORT.items() if not is_group(head, members))
_EXPORT_NESTED = tuple((head, tuple(member.path for member in members))
                       for head, members in _EXPORT.items() if is_group(head, members))
# (where the value is: object or None, field name) of every field words search, folded as "folded.<name>".
_SEARCHED = tuple((field.path.split(".")[0] if "." in field.path else None, field.leaf) for field in TEXT_SEARCHED)


def public_document(record: dict, location: tuple[float, float], place_id: str | None) -> dict:
    """The public part of a valid record, located; the group's tier is added later."""
    document = {name: record[name] for name in _EXPORT_TOP if record.get(name) not in _ABSENT}
    for head, names in _EXPORT_NESTED:
        source = record.get(head) or {}
        part = {name: source[name] for name in names if source.get(name) not in _ABSENT}
        if part:
            document[head] = part
    document["country"] = record["address"]["country"]
    document["location"] = {"lat": location[0], "lon": location[1]}
    if place_id:
        document["place_id"] = place_id
    return document


def _non_ascii_search_key(text: str) -> str:
    plain, digraphs = fold(text), fold_digraphs(text)
    return plain if plain == digraphs else f"{plain} {digraphs}"


# Cities, street and company names recur across an export's sites: the keys of short non-ASCII
# ones are remembered (4,096 of them: ~1 MB a process); long text such as descriptions is folded
# each time, and ASCII text (most of it) costs less to fold than to look up.
_SHORT = 64
_short_search_key = lru_cache(maxsize=4096)(_non_ascii_search_key)


def search_key(text: str) -> str:
    """Folded text for the ``folded.*`` fields: both spellings when a letter has a digraph form.

    "København" is indexed as "kobenhavn koebenhavn", so "kobenhavn" and "Koebenhavn" both match.
    """
    if text.isascii():  # the two folds are the same lower-cased words: one ``fold``, no cache
        return fold(text)
    return _short_search_key(text) if len(text) <= _SHORT else _non_ascii_search_key(text)


def _folded(document: dict) -> dict:
    folded = {}
    for head, name in _SEARCHED:
        value = (document.get(head) or {}).get(name) if head else document.get(name)
        if value not in _ABSENT:
            folded[name] = [search_key(item) for item in value] if isinstance(value, list) else search_key(value)
    return folded


def searchable_document(document: dict) -> dict:
    """A public document with its search helpers, which do not depend on the group: folded copies,
    the name to sort by, the company's completion input (made in the worker processes of pass 1)."""
    company = document["company"]
    return {
        **document,
        "folded": _folded(document),
        "name_sort": fold(f"{company} {document.get('site_name', '')}"),
        "company_suggest": {"input": sorted({company, fold(company)})},
    }


def listed_document(document: dict, tier: str, certifications: dict[str, int], as_of: date, indexed_at: str) -> dict:
    """A searchable document of a listed group, with the group's tier and the run's dates."""
    return {
        **document,
        "tier": tier,
        "certifications": {cert: certifications[cert] for cert in CERT_TYPES},
        "as_of": as_of.isoformat(),
        "indexed_at": indexed_at,
    }
