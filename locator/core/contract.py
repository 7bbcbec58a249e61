"""The listed-site document, declared once: the program's vocabulary and every field of the index.

Each field says its Elasticsearch type, where its value comes from, whether words search it (and
how strongly), whether results, map markers or suggestions return it, and its OpenAPI type. The
index mapping (``locator.core.mapping``), the indexer's allowlist (``indexer.documents``), the
query's text fields and ``_source`` lists (``locator.api.queries``), the response filter and the
OpenAPI ``Site`` schema (``locator.api.spec``) are all derived from ``FIELDS``: a field added
here appears everywhere it should, and nothing confidential can appear that is not declared here
(docs/program-rules.md, Confidentiality: no revenue, no person id, ever).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable

from marshmallow import Schema, fields

CERT_TYPES = ("MCDE", "MCIT", "MCIE")
RANKED_TIERS = ("authorized", "advanced", "premier")  # the tiers with requirements, lowest first
TIERS = ("none", *RANKED_TIERS)  # every evaluation result, lowest first
LISTED_TIERS = ("advanced", "premier")  # only these appear in the locator (docs/program-rules.md, Who is listed)
SITE_ID_PATTERN = r"[A-Za-z0-9._-]{1,64}"  # site_id and partner_id (docs/program-rules.md, The partner export)

EXPORT = "export"  # copied by name from a valid record: a public export field (docs/program-rules.md)
INDEXER = "indexer"  # computed by the indexer: location, the group's tier, search helpers, run dates

_TEXT = {"type": "text"}
_KEYWORD = {"type": "keyword"}
_INTEGER = {"type": "integer"}
STORED_ONLY = None  # kept in _source for responses, never searched: the whole object is not indexed


def _text(**options) -> Callable[[], fields.Field]:
    return lambda: fields.String(**options)


_OPTIONAL = _text(allow_none=True)


def _location() -> fields.Field:
    return fields.Nested(Schema.from_dict({"lat": fields.Float(), "lon": fields.Float()}, name="Location"))


@dataclass(frozen=True)
class Field:
    path: str  # dotted path in the document, "address.city"
    mapping: dict | None
    origin: str = INDEXER
    text_boost: float | None = None  # searched by words, on a folded copy "folded.<leaf>", with this weight
    shown: bool = False  # in search results and the site endpoint
    on_map: bool = False  # in map markers
    suggested: bool = False  # in company suggestions
    api: Callable[[], fields.Field] | None = None  # its OpenAPI type, for returned fields
    required: bool = False  # always present in a document (else absent when the export has no value)

    @property
    def top(self) -> str:
        return self.path.split(".")[0]

    @property
    def leaf(self) -> str:
        return self.path.split(".")[-1]


FIELDS: tuple[Field, ...] = (
    Field("site_id", _KEYWORD, EXPORT, shown=True, on_map=True, api=_text(), required=True),
    Field("partner_id", _KEYWORD, EXPORT, shown=True, suggested=True, api=_text(), required=True),
    Field("company", _TEXT, EXPORT, 3, shown=True, on_map=True, suggested=True, api=_text(), required=True),
    Field("site_name", _TEXT, EXPORT, 2, shown=True, api=_OPTIONAL),
    Field("address.street", _TEXT, EXPORT, 1, shown=True, api=_OPTIONAL),
    Field("address.postal_code", _KEYWORD, EXPORT, 2, shown=True, api=_OPTIONAL),
    Field("address.city", _TEXT, EXPORT, 2, shown=True, api=_text(), required=True),
    Field("address.region", _TEXT, EXPORT, 1, shown=True, api=_OPTIONAL),
    Field("address.country", _KEYWORD, EXPORT, shown=True, api=_text(), required=True),
    Field("contact.phone", STORED_ONLY, EXPORT, shown=True, api=_OPTIONAL),
    Field("contact.email", STORED_ONLY, EXPORT, shown=True, api=_OPTIONAL),
    Field("contact.website", STORED_ONLY, EXPORT, shown=True, api=_OPTIONAL),
    Field("languages", _KEYWORD, EXPORT, shown=True, api=lambda: fields.List(fields.String())),
    # keyword for the facet and the filter, text for words; industries are short phrases.
    Field("industries", {"type": "keyword", "fields": {"text": _TEXT}}, EXPORT, 2, shown=True,
          api=lambda: fields.List(fields.String())),
    Field("description", _TEXT, EXPORT, 1, shown=True, api=_OPTIONAL),
    # address.country again at the top: what the country filter and facet use.
    Field("country", _KEYWORD, required=True),
    Field("location", {"type": "geo_point"}, shown=True, on_map=True, api=_location, required=True),
    # GeoNames id of the site's town: a typed "Kobenhavn" finds sites whose address says "Copenhagen".
    Field("place_id", _KEYWORD),
    Field("tier", _KEYWORD, shown=True, on_map=True, api=lambda: fields.String(metadata={"enum": list(LISTED_TIERS)}),
          required=True),
    *(Field(f"certifications.{cert}", _INTEGER, shown=True, api=lambda: fields.Integer(), required=True)
      for cert in CERT_TYPES),
    # Folded "company site_name": a stable, accent-insensitive sort by name.
    Field("name_sort", _KEYWORD, required=True),
    Field("company_suggest", {"type": "completion"}, required=True),
    Field("as_of", {"type": "date", "format": "strict_date"}, required=True),
    Field("indexed_at", {"type": "date"}, required=True),
)

# The filters that are also facets (counted per value in every search): API parameter -> field.
FACET_FIELDS = {"tier": "tier", "country": "country", "language": "languages", "industry": "industries"}


def by_top(declared) -> dict[str, list[Field]]:
    """Fields grouped by the first part of their path, in order; a nested field's path becomes
    relative to its group ("address.city" -> "city" under "address"), a top-level field keeps its own."""
    groups: dict[str, list[Field]] = {}
    for field in declared:
        head, _, rest = field.path.partition(".")
        groups.setdefault(head, []).append(dataclasses.replace(field, path=rest) if rest else field)
    return groups


def is_group(head: str, members: list[Field]) -> bool:
    return not (len(members) == 1 and members[0].path == head)


EXPORT_FIELDS = tuple(field for field in FIELDS if field.origin == EXPORT)
TEXT_SEARCHED = tuple(field for field in FIELDS if field.text_boost is not None)
ADDRESS_FIELDS = tuple(field.leaf for field in FIELDS if field.top == "address")


def _tops(flag: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(field.top for field in FIELDS if getattr(field, flag)))


RESULT_SOURCE = _tops("shown")  # the top-level fields a result holds
MARKER_SOURCE = _tops("on_map")
SUGGEST_SOURCE = _tops("suggested")
if len({field.leaf for field in TEXT_SEARCHED}) != len(TEXT_SEARCHED):  # folded copies are "folded.<leaf>"
    raise RuntimeError("two searched fields share a leaf name")
if any(field.path.count(".") > 1 for field in FIELDS):  # the derivations handle one level of objects
    raise RuntimeError("a field is nested more than one level deep")
