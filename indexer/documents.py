"""From a validated record to the document Elasticsearch stores: an allowlist, nothing else.

Confidential data (docs/program-rules.md, Confidentiality: revenue, person ids) cannot leak through here: a document
holds only the export fields the contract (``locator.core.contract``) declares, copied by name,
never by "all but", plus what the indexer computes.
"""
from __future__ import annotations

import json
from datetime import date
from functools import lru_cache

import orjson

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


def _search_keys(value) -> str | list[str]:
    return [search_key(item) for item in value] if isinstance(value, list) else search_key(value)


# The company leads the searched fields (the contract's order, which the folded copies keep): its
# key comes from ``_company_keys``, the others' from each document.
if _SEARCHED[0] != (None, "company"):
    raise RuntimeError("documents.py expects the company first among the text-searched fields")
_SEARCHED_AFTER_COMPANY = _SEARCHED[1:]


@lru_cache(maxsize=1024)
def _company_keys(company: str) -> tuple[str, str, tuple[str, ...]]:
    """(search key, fold, completion input) of a company name. A partner's sites share it (two
    lines in three of a sample follow one of the same company): each is worked out once, not
    three times per record."""
    plain = fold(company)
    return search_key(company), plain, tuple(sorted({company, plain}))


def _folded(document: dict, company_key: str) -> dict:
    folded = {"company": company_key}
    for head, name in _SEARCHED_AFTER_COMPANY:
        value = (document.get(head) or {}).get(name) if head else document.get(name)
        if value not in _ABSENT:
            folded[name] = _search_keys(value)
    return folded


def _name_sort(company_fold: str, site_name: str | None, folded: dict) -> str:
    """``fold(f"{company} {site_name}")`` from the parts' folds: folding works character by
    character and ends by collapsing whitespace, so the fold of two texts joined by a space is
    their folds joined by one (a property test holds it). An ASCII site name's search key is its fold."""
    if not site_name:
        return company_fold
    name_fold = folded["site_name"] if site_name.isascii() else fold(site_name)
    return f"{company_fold} {name_fold}" if company_fold and name_fold else company_fold or name_fold


def searchable_document(document: dict) -> dict:
    """A public document with its search helpers, which do not depend on the group: folded copies,
    the name to sort by, the company's completion input (made in the worker processes of pass 1)."""
    company_key, company_fold, suggest = _company_keys(document["company"])
    folded = _folded(document, company_key)
    return {
        **document,
        "folded": folded,
        "name_sort": _name_sort(company_fold, document.get("site_name"), folded),
        "company_suggest": {"input": list(suggest)},
    }


def _listed_fields(tier: str, certifications: dict[str, int], as_of: date, indexed_at: str) -> dict:
    """What a listed group's sites get on top of their searchable document, in the document's order."""
    return {
        "tier": tier,
        "certifications": {cert: certifications[cert] for cert in CERT_TYPES},
        "as_of": as_of.isoformat(),
        "indexed_at": indexed_at,
    }


def listed_document(document: dict, tier: str, certifications: dict[str, int], as_of: date, indexed_at: str) -> dict:
    """A searchable document of a listed group, with the group's tier and the run's dates."""
    return {**document, **_listed_fields(tier, certifications, as_of, indexed_at)}


def listed_suffix(tier: str, certifications: dict[str, int], as_of: date, indexed_at: str) -> bytes:
    """The JSON ``listed_source`` appends to a searchable document's for a listed group (one per
    tier and counts: groups share them)."""
    return b"," + orjson.dumps(_listed_fields(tier, certifications, as_of, indexed_at))[1:]


# Python's json writes a float under this in exponent form ("9e-05"), orjson positionally ("0.00009").
_EXPONENT_BELOW = 1e-4


def document_json(document: dict) -> bytes:
    """A searchable document's JSON, byte for byte what the Elasticsearch client's bulk serializer
    (the standard library's json, compact, UTF-8) makes of it, at orjson's cost: both write the same
    bytes but for a float under 1e-4 (a site within ~10 m of the equator or the Greenwich meridian:
    2 in 200,000 in the sample), and the location holds a document's only floats."""
    data = orjson.dumps(document)  # first: it refuses what it always refused (lone surrogates)
    lat, lon = document["location"]["lat"], document["location"]["lon"]
    if 0 < abs(lat) < _EXPONENT_BELOW or 0 < abs(lon) < _EXPONENT_BELOW:
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return data


def listed_source(document_json: bytes, suffix: bytes) -> bytes:
    """The JSON of ``listed_document(...)`` from the searchable document's (``document_json``) and
    the group's ``listed_suffix``: the same bytes (the listed fields come last, hold no float, and a
    document's JSON ends with its closing brace), made without parsing and serialising each site again."""
    return document_json[:-1] + suffix
