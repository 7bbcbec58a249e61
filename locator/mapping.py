"""The listing index: its names and its mapping, in one place for the indexer and the API.

Only what a search or a result needs is here. The local distribution has no asciifolding (see the
foundation notes in docs/architecture.md), so every searchable text also exists as a ``folded``
copy made in Python with ``locator.text.fold``; queries are folded the same way.
"""
from __future__ import annotations

CERT_TYPES = ("MCDE", "MCIT", "MCIE")
LISTED_TIERS = ("advanced", "premier")

_TEXT = {"type": "text"}
_KEYWORD = {"type": "keyword"}
# Kept in _source for the response, never searched, so not indexed at all.
_STORED_ONLY = {"type": "object", "enabled": False}

SITE_MAPPING = {
    "dynamic": "strict",
    "properties": {
        "site_id": _KEYWORD,
        "partner_id": _KEYWORD,
        "company": _TEXT,
        "site_name": _TEXT,
        "address": {
            "properties": {
                "street": _TEXT,
                "postal_code": _KEYWORD,
                "city": _TEXT,
                "region": _TEXT,
                "country": _KEYWORD,
            }
        },
        "country": _KEYWORD,
        "location": {"type": "geo_point"},
        # GeoNames id of the site's city: lets a typed place name ("Kobenhavn") find sites whose
        # address spells the city another way ("Copenhagen").
        "place_id": _KEYWORD,
        "contact": _STORED_ONLY,
        "languages": _KEYWORD,
        "industries": {"type": "keyword", "fields": {"text": _TEXT}},
        "description": _TEXT,
        "tier": _KEYWORD,
        "certifications": {"properties": {cert: {"type": "integer"} for cert in CERT_TYPES}},
        "folded": {
            "properties": {
                field: _TEXT
                for field in ("company", "site_name", "street", "postal_code", "city", "region", "industries", "description")
            }
        },
        # Folded "company site_name" for a stable, accent-insensitive sort by name.
        "name_sort": _KEYWORD,
        "company_suggest": {"type": "completion"},
        "as_of": {"type": "date", "format": "strict_date"},
        "indexed_at": {"type": "date"},
    },
}

# While loading: no replicas and no refresh; afterwards the cluster's usual values.
LOADING_SETTINGS = {"number_of_replicas": 0, "refresh_interval": "-1"}
LIVE_SETTINGS = {"auto_expand_replicas": "0-1", "refresh_interval": None}
CREATE_SETTINGS = {"number_of_shards": 1, **LOADING_SETTINGS}


def sites_alias(prefix: str) -> str:
    """The read alias the API searches: always points at exactly one complete index."""
    return f"{prefix}-sites"


def previous_alias(prefix: str) -> str:
    """Marks the index that was live before the last swap, for ``index --rollback``."""
    return f"{prefix}-sites-previous"


def sites_index_pattern(prefix: str) -> str:
    return f"{prefix}-sites-2*"  # concrete indices carry a timestamp suffix; the aliases do not match


def locks_index(prefix: str) -> str:
    return f"{prefix}-locks"
