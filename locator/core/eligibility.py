"""The eligibility document, declared once: what a partner's preview and Milestone's staff may see.

One document per (partner, country) group, written by every ``partner-locator index`` run beside
the listed sites: the group's tier and whether it is listed, its certification counts, each
requirement of the current and the next tier as met or not (an id, a name and words, never a
figure), certifications expiring soon per type, the group's sites (with each one's city and
coordinates: public business addresses, for staff's coverage report, ``locator.analytics.coverage``)
and its rejected lines.

docs/program-rules.md (Confidentiality) allows exactly this to the partner itself and to staff, and nothing more: there
is no field for a revenue figure, a threshold, a margin or a person id, and the mapping is strict,
so Elasticsearch itself refuses a document that carries anything undeclared. Derived from
``FIELDS``: the index mapping (``locator.core.mapping.ELIGIBILITY_MAPPING``), the indexer's check of
the documents it builds (``indexer.eligibility``), the ``_source`` the preview reads and the
OpenAPI schema of ``/api/v1/preview`` (``locator.api.spec``). A field without an ``api`` type is for
staff only: the preview neither reads nor returns it.
"""
from __future__ import annotations

from marshmallow import fields

from locator.core.contract import CERT_TYPES, RANKED_TIERS, TIERS, Field

UNKNOWN_COUNTRY = "unknown"  # the group of a partner's rejected lines whose country does not parse
EXPIRY_WINDOW_DAYS = 90  # a certification "expires soon" within this many days of as_of

_KEYWORD = {"type": "keyword"}
# Kept in _source for the preview and the report, never searched or sorted: no index, no doc values.
_KEPT_TEXT = {"type": "keyword", "index": False, "doc_values": False}
_KEPT_INTEGER = {"type": "integer", "index": False, "doc_values": False}
_KEPT_BOOLEAN = {"type": "boolean", "index": False, "doc_values": False}
_KEPT_DATE = {"type": "date", "format": "strict_date", "index": False, "doc_values": False}
# A site's point: indexed, so that staff's coverage report asks Elasticsearch for the groups with a
# site near its gaps (geo_bounding_box); read from _source, so no doc values (6% of the index).
_POINT = {"type": "geo_point", "doc_values": False}


def _string(**options):
    return lambda: fields.String(**options)


def _integer():
    return fields.Integer()


def _boolean():
    return fields.Boolean()


def _requirements(name: str, which: str) -> tuple[Field, ...]:
    """A tier's requirements, in the order of docs/program-rules.md, Tiers."""
    return (
        Field(f"{name}.requirement", _KEPT_TEXT, api=_string(metadata={"description": f"id of a {which} requirement"}),
              required=True),
        Field(f"{name}.name", _KEPT_TEXT, api=_string(metadata={"description": "the requirement, in words"}), required=True),
        Field(f"{name}.status", _KEPT_TEXT, api=_string(metadata={"description": "met or not, in words; never a figure"}),
              required=True),
        Field(f"{name}.met", _KEPT_BOOLEAN, api=_boolean, required=True),
    )


FIELDS: tuple[Field, ...] = (
    Field("partner_id", _KEYWORD, api=_string(), required=True),
    Field("country", _KEYWORD, api=_string(metadata={"description": f"ISO 3166-1 alpha-2, or {UNKNOWN_COUNTRY!r} "
                                                                    "for rejected lines whose country does not parse"}),
          required=True),
    # The name on the group's first valid record (else on its first rejected line, when readable).
    Field("company", _KEYWORD, api=_string(allow_none=True)),
    Field("company_sort", _KEYWORD),  # folded company: the staff report's order
    Field("tier", _KEYWORD, api=_string(metadata={"enum": list(TIERS)}), required=True),
    Field("listed", {"type": "boolean"}, api=_boolean, required=True),
    *(Field(f"certifications.{cert}", _KEPT_INTEGER, api=_integer, required=True) for cert in CERT_TYPES),
    *_requirements("current_requirements", "current tier's"),
    Field("next_tier", _KEYWORD, api=_string(allow_none=True, metadata={"enum": list(RANKED_TIERS)})),
    *_requirements("next_requirements", "next tier's"),
    # Per certification type: distinct people whose latest valid certification of it ends within
    # EXPIRY_WINDOW_DAYS of as_of, and the earliest of those dates. Counts and dates, never people.
    Field("expiring.type", _KEPT_TEXT, api=_string(metadata={"enum": list(CERT_TYPES)}), required=True),
    Field("expiring.people", _KEPT_INTEGER, api=_integer, required=True),
    Field("expiring.earliest", _KEPT_DATE, api=lambda: fields.Date(), required=True),
    Field("sites.site_id", _KEPT_TEXT, api=_string(), required=True),
    Field("sites.site_name", _KEPT_TEXT, api=_string(allow_none=True)),
    Field("sites.listed", _KEPT_BOOLEAN, api=_boolean, required=True),
    # Where each site is (its export city, and its coordinates as given or geocoded): what staff's
    # coverage report needs to find unlisted partners near a gap. Public business addresses, but not
    # part of the preview's contract (no api type): the preview shows listed sites' own cards.
    Field("sites.city", _KEPT_TEXT),
    Field("sites.location", _POINT),
    # The run's report entry of each rejected line attributed to this group.
    Field("rejected.line", _KEPT_INTEGER, api=_integer, required=True),
    Field("rejected.site_id", _KEPT_TEXT, api=_string(allow_none=True)),
    Field("rejected.field", _KEPT_TEXT, api=_string(), required=True),
    Field("rejected.reason", _KEPT_TEXT, api=_string(), required=True),
    # Names of the Advanced requirements the group does not meet (none for a listed group), as the
    # eligibility report names them: for staff's upgrade candidates, which a group of tier "none"
    # could not get from next_requirements (its next tier is Authorized). Names, never figures.
    Field("missing_for_advanced", _KEPT_TEXT),
    Field("as_of", {"type": "date", "format": "strict_date"}, api=lambda: fields.Date(), required=True),
    Field("indexed_at", {"type": "date"}, api=lambda: fields.DateTime(), required=True),
)

# Objects that come as a list (any number per group); every other object is a single one.
REPEATED = ("current_requirements", "next_requirements", "expiring", "sites", "rejected")
# The top-level fields the preview reads and returns, and the members of those it leaves out (its
# _source filter's excludes): a staff-only member of an object (a site's city and location) stays
# out of the preview's answer, while an object list the group has none of still comes back as [].
RETURNED = tuple(dict.fromkeys(field.top for field in FIELDS if field.api is not None))
NOT_RETURNED = tuple(field.path for field in FIELDS if field.api is None and field.top in RETURNED)
TOP_LEVEL = tuple(dict.fromkeys(field.top for field in FIELDS))
