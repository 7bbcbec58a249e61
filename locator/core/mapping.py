"""The indices: their names, and their mappings derived from the document contracts.

Each run builds two indices (``Family``): the listed sites, which the public search reads, and
the eligibility documents (``locator.core.eligibility``), which only the partner preview and staff
read; each is read through an alias that the run moves, both in one call. The preview's
revocations (one not-before time per partner) live in an index of their own.

The local distribution has no asciifolding (see docs/architecture.md), so every field searched by
words also exists as a ``folded.<leaf>`` copy made in Python with ``locator.core.text``; queries
are folded the same way.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from locator.core import eligibility
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
ELIGIBILITY_MAPPING = {"dynamic": "strict", "properties": _properties(list(eligibility.FIELDS))}
# preview-revoke: every link issued to the partner before not_before is refused.
REVOCATION_MAPPING = {"dynamic": "strict", "properties": {"partner_id": {"type": "keyword"},
                                                          "not_before": {"type": "date"}}}

# While loading: no replicas and no refresh; afterwards the cluster's usual values.
LOADING_SETTINGS = {"number_of_replicas": 0, "refresh_interval": "-1"}
LIVE_SETTINGS = {"auto_expand_replicas": "0-1", "refresh_interval": None}
CREATE_SETTINGS = {"number_of_shards": 1, **LOADING_SETTINGS}


@dataclass(frozen=True)
class Family:
    """Indices rebuilt by every run: ``<prefix>-<kind>-<timestamp>-<random>``, read through an alias."""

    kind: str
    mapping: dict = field(compare=False)  # a family is known by its kind (and used as a dict key)

    def alias(self, prefix: str) -> str:
        """The read alias: always points at exactly one complete index (or, for eligibility, none)."""
        return f"{prefix}-{self.kind}"

    def previous(self, prefix: str) -> str:
        """Marks the index that was live before the last swap, for ``index --rollback``."""
        return f"{prefix}-{self.kind}-previous"

    def pattern(self, prefix: str) -> str:
        return f"{prefix}-{self.kind}-2*"  # concrete indices carry a timestamp suffix; the aliases do not match


SITES = Family("sites", SITE_MAPPING)
ELIGIBILITY = Family("eligibility", ELIGIBILITY_MAPPING)
FAMILIES = (SITES, ELIGIBILITY)


def sites_alias(prefix: str) -> str:
    return SITES.alias(prefix)


def previous_alias(prefix: str) -> str:
    return SITES.previous(prefix)


def sites_index_pattern(prefix: str) -> str:
    return SITES.pattern(prefix)


def eligibility_alias(prefix: str) -> str:
    return ELIGIBILITY.alias(prefix)


def revocations_index(prefix: str) -> str:
    return f"{prefix}-preview-revocations"


def locks_index(prefix: str) -> str:
    return f"{prefix}-locks"
