"""The OpenAPI 3 description, generated from the same marshmallow schemas that validate requests."""
from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields

from locator.api.params import MarkersParams, SearchParams, SuggestParams
from locator.core.contract import FIELDS, LISTED_TIERS, SUGGEST_SOURCE, Field, by_top, is_group

_Str, _Num, _Int = fields.String, fields.Float, fields.Integer


def _schema_fields(declared: list[Field]) -> dict[str, fields.Field]:
    """marshmallow fields of returned contract fields, in their order; dotted paths become nested
    schemas, which may be null when none of their fields is always present (no contact details)."""
    out = {}
    for head, members in by_top(declared).items():
        if not is_group(head, members):
            out[head] = members[0].api()
        else:
            nested = Schema.from_dict(_schema_fields(members), name=head.title())
            out[head] = fields.Nested(nested, allow_none=not any(member.required for member in members))
    return out


# A listed site as results return it: exactly the fields the contract shows.
Site = Schema.from_dict(_schema_fields([field for field in FIELDS if field.shown]), name="Site")


class SearchResult(Site):
    distance_km = _Num(allow_none=True, metadata={"description": "great-circle km from the origin, when there is one"})
    other_matching_sites = _Int(metadata={"description": "with collapse=partner only"})


class Place(Schema):
    id, label, name, country, lat, lon = _Str(), _Str(), _Str(), _Str(), _Num(), _Num()


class Origin(Schema):
    lat, lon, label, place_id = _Num(), _Num(), _Str(allow_none=True), _Str(allow_none=True)
    alternatives = fields.List(fields.Nested(Place), metadata={"description": "other places the typed name may mean"})


class SearchResponse(Schema):
    total, total_relation = _Int(), _Str(metadata={"enum": ["eq", "gte"]})
    page, per_page = _Int(), _Int()
    origin = fields.Nested(Origin, allow_none=True)
    nearest_fallback = fields.Boolean(metadata={"description": "nothing within the radius: the nearest 5 beyond it"})
    results = fields.List(fields.Nested(SearchResult))
    facets = fields.Dict(keys=_Str(), values=fields.Dict(keys=_Str(), values=_Int()),
                         metadata={"description": "per facet, counts with every filter applied except its own"})


class Point(Schema):
    site_id, company, lat, lon = _Str(), _Str(), _Num(), _Num()
    tier = _Str(metadata={"enum": list(LISTED_TIERS)})


class Cluster(Schema):
    key, count, lat, lon = _Str(), _Int(), _Num(), _Num()


class MarkersResponse(Schema):
    mode = _Str(metadata={"enum": ["points", "clusters"]})
    total = _Int()
    points, clusters = fields.List(fields.Nested(Point)), fields.List(fields.Nested(Cluster))


class SiteResponse(Site):
    other_sites_in_country = fields.List(fields.Nested(Site))


CompanySuggestion = Schema.from_dict({name: _Str() for name in SUGGEST_SOURCE}, name="CompanySuggestion")


class SuggestResponse(Schema):
    places, companies = fields.List(fields.Nested(Place)), fields.List(fields.Nested(CompanySuggestion))


class ErrorBody(Schema):
    status, code, message = _Int(), _Str(), _Str()
    suggestions = fields.List(fields.Nested(Place))
    field_errors = fields.Dict(keys=_Str(), values=fields.List(_Str()), data_key="fields",
                               metadata={"description": "each bad parameter and what is wrong with it"})


class Error(Schema):
    error = fields.Nested(ErrorBody)


def _json(schema) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


# Answers any endpoint may give besides its own: a bad parameter, a body (none is taken) over 16 KiB,
# a request line over 4094 bytes or headers over gunicorn's limits (answered before the app runs, in
# the same shape), the per-client budget spent (with Retry-After), the search cluster unavailable
# (with Retry-After).
COMMON_ERRORS = (400, 413, 414, 429, 431, 503)


def _operation(summary: str, ok, params=None, errors=COMMON_ERRORS) -> dict:
    responses = {"200": {"description": "OK", **_json(ok)}}
    responses.update({str(code): {"description": "error", **_json(Error)} for code in errors})
    operation = {"summary": summary, "responses": responses}
    if params is not None:
        operation["parameters"] = [{"in": "query", "schema": params}]
    return {"get": operation}


def build_spec() -> dict:
    spec = APISpec(title="Partner Locator API", version="1.0.0", openapi_version="3.0.3", plugins=[MarshmallowPlugin()],
                   info={"description": "Find listed Milestone partners (Advanced and Premier) near a place.\n\n"
                                        "Every error is JSON: {\"error\": {\"status\", \"code\", \"message\", "
                                        "\"fields\"}}. Limits: request line 4094 bytes (414), 50 headers of "
                                        "8190 bytes (431), no body over 16 KiB (413), a per-client budget of "
                                        "requests (429 with Retry-After); 503 with Retry-After when the search "
                                        "cluster is unavailable."})
    spec.path("/api/v1/partners", operations=_operation("Search listed sites", SearchResponse, SearchParams))
    spec.path("/api/v1/partners/markers", operations=_operation("Map markers in a bounding box", MarkersResponse, MarkersParams))
    site_operation = _operation("One listed site and the partner's other sites in its country", SiteResponse,
                                errors=(*COMMON_ERRORS, 404))
    site_operation["get"]["parameters"] = [{"in": "path", "name": "site_id", "required": True, "schema": {"type": "string"}}]
    spec.path("/api/v1/partners/{site_id}", operations=site_operation)
    spec.path("/api/v1/suggest", operations=_operation("Search-box suggestions: places and companies", SuggestResponse, SuggestParams))
    return spec.to_dict()
