"""The listing index: its names, and its mapping derived from the document contract.

The local distribution has no asciifolding (see docs/architecture.md), so every field searched by
words also exists as a ``folded.<leaf>`` copy made in Python with ``locator.core.text``; queries
are folded the same way.
"""
from __future__ import annotations

from locator.core.contract import FIELDS, STORED_ONLY, TEXT_SEARCHED, Field, by_top, is_group


def _properties(declared: list[Field]) -> dict:
    """Nested "properties" from dotted paths; an object whose fields are all stored-only is not indexed."""
    properties = {}
    for head, members in by_top(declared).items():
        if not is_group(head, members):
            properties[head] = members[0].mapping
        elif all(member.mapping is STORED_ONLY for member in members):
            properties[head] = {"type": "object", "enabled": False}
        else:
            properties[head] = {"properties": _properties(members)}
    return properties


def site_mapping() -> dict:
    properties = _properties(list(FIELDS))
    properties["folded"] = {"properties": {field.leaf: {"type": "text"} for field in TEXT_SEARCHED}}
    return {"dynamic": "strict", "properties": properties}


SITE_MAPPING = site_mapping()

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
