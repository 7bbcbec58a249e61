"""The OpenAPI 3 description, generated from the same marshmallow schemas that validate requests."""
from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields

from locator.api.interpret import KINDS
from locator.api.params import MarkersParams, SearchParams, SuggestParams
from locator.core import eligibility
from locator.core.contract import FIELDS, LISTED_TIERS, SUGGEST_SOURCE, Field, by_top, is_group
from locator.core.events import BeaconSchema

_Str, _Num, _Int = fields.String, fields.Float, fields.Integer


def _schema_fields(declared: list[Field], repeated: tuple[str, ...] = (), names: str = "") -> dict[str, fields.Field]:
    """marshmallow fields of returned contract fields, in their order; dotted paths become nested
    schemas, which may be null when none of their fields is always present (no contact details),
    or lists of them for the ``repeated`` objects. ``names`` prefixes the nested schemas' names."""
    out = {}
    for head, members in by_top(declared).items():
        if not is_group(head, members):
            out[head] = members[0].api()
            continue
        nested = Schema.from_dict(_schema_fields(members), name=names + head.title().replace("_", ""))
        if head in repeated:
            out[head] = fields.List(fields.Nested(nested))
        else:
            out[head] = fields.Nested(nested, allow_none=not any(member.required for member in members))
    return out


# A listed site as results return it: exactly the fields the contract shows, and its page.
Site = Schema.from_dict({**_schema_fields([field for field in FIELDS if field.shown]),
                         "page_url": _Str(metadata={"description": "the site's own page (HTML, for people and search engines)"})},
                        name="Site")


class SearchResult(Site):
    distance_km = _Num(allow_none=True, metadata={"description": "great-circle km from the origin, when there is one"})
    other_matching_sites = _Int(metadata={"description": "with collapse=partner only"})


class Place(Schema):
    id, label, name, country, lat, lon = _Str(), _Str(), _Str(), _Str(), _Num(), _Num()


class Origin(Schema):
    lat, lon, label, place_id = _Num(), _Num(), _Str(allow_none=True), _Str(allow_none=True)
    alternatives = fields.List(fields.Nested(Place), metadata={"description": "other places the typed name may mean"})


class ReadPlace(Schema):
    id = _Str(allow_none=True, metadata={"description": "a place id for place=, or null for a postal code's area"})
    label, lat, lon = _Str(), _Num(), _Num()


class Alternative(Schema):
    kind = _Str(metadata={"enum": ["place"]})
    place = fields.Nested(ReadPlace)


class Interpretation(Schema):
    kind = _Str(metadata={"enum": list(KINDS), "description": "what the text was read as"})
    country = _Str(allow_none=True, metadata={"description": "ISO 3166-1 alpha-2: a filter (intersecting country=)"})
    place = fields.Nested(ReadPlace, allow_none=True, metadata={"description": "the origin"})
    words = _Str(allow_none=True, metadata={"description": "searched as q"})
    alternatives = fields.List(fields.Nested(Alternative), metadata={"description": "other readings of the same text"})


class SearchResponse(Schema):
    total, total_relation = _Int(), _Str(metadata={"enum": ["eq", "gte"]})
    page, per_page = _Int(), _Int()
    origin = fields.Nested(Origin, allow_none=True)
    interpreted_as = fields.Nested(Interpretation, allow_none=True, metadata={"description": "how text= was read; null without it"})
    nearest_fallback = fields.Boolean(metadata={"description": "nothing within the radius: the nearest 5 beyond it"})
    results = fields.List(fields.Nested(SearchResult))
    facets = fields.Dict(keys=_Str(), values=fields.Dict(keys=_Str(), values=_Int()), allow_none=True,
                         metadata={"description": "per facet, counts with every filter applied except its own; "
                                                  "null when not counted (see the facets parameter)"})
    search_token = _Str(metadata={"description": "what this answer was, signed: the same for everyone given the "
                                                 "same answer within ten minutes, valid for an hour; the page sends "
                                                 "it back when it reports the answer shown or a result used "
                                                 "(docs/privacy.md). Only when the server's analytics are on."})


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


class CountrySuggestion(Schema):
    code = _Str(metadata={"description": "ISO 3166-1 alpha-2"})
    name = _Str(metadata={"description": "in English; the page shows its own language's name"})


class SuggestResponse(Schema):
    countries = fields.List(fields.Nested(CountrySuggestion))
    places, companies = fields.List(fields.Nested(Place)), fields.List(fields.Nested(CompanySuggestion))


class ErrorBody(Schema):
    status, code, message = _Int(), _Str(), _Str()
    suggestions = fields.List(fields.Nested(Place))
    field_errors = fields.Dict(keys=_Str(), values=fields.List(_Str()), data_key="fields",
                               metadata={"description": "each bad parameter and what is wrong with it"})


class Error(Schema):
    error = fields.Nested(ErrorBody)


class Listing(Site):
    search_url = _Str(metadata={"description": "the live search centred on this site"})


# One (partner, country) group as its own preview sees it: the eligibility contract's fields.
_Eligibility = Schema.from_dict(_schema_fields([field for field in eligibility.FIELDS if field.api],
                                               eligibility.REPEATED, "Eligibility"), name="Eligibility")


class Counts(Schema):
    shown = _Int(metadata={"description": "times on a first page of search results"})
    detail, phone, email, website, directions = _Int(), _Int(), _Int(), _Int(), _Int()
    site_page = _Int(metadata={"description": "views of the site's own page"})


class SiteNumbers(Schema):
    site_id, site_name = _Str(), _Str(allow_none=True)
    has_data = fields.Boolean(metadata={"description": "false: no event yet (no data yet)"})
    days_30, days_90 = fields.Nested(Counts), fields.Nested(Counts)


class PreviewCountry(_Eligibility):
    listings = fields.List(fields.Nested(Listing), metadata={"description": "each listed site as customers see it"})
    numbers = fields.List(fields.Nested(SiteNumbers),
                          metadata={"description": "each listed site's last 30 and 90 days (search analytics)"})


class PreviewResponse(Schema):
    partner_id, as_of, indexed_at = _Str(), fields.Date(allow_none=True), fields.DateTime(allow_none=True)
    age_s = _Int(allow_none=True, metadata={"description": "seconds since the data was indexed"})
    numbers_as_of = fields.DateTime(allow_none=True, metadata={"description": "when the numbers were last rolled up"})
    countries = fields.List(fields.Nested(PreviewCountry), metadata={"description": "only the link's country when it has one"})


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
    spec.path("/api/v1/suggest", operations=_operation("Search-box suggestions: countries, places and companies", SuggestResponse, SuggestParams))
    _add_events(spec)
    _add_preview(spec)
    return spec.to_dict()


def _add_events(spec: APISpec) -> None:
    """The pages' analytics beacons (docs/privacy.md): a body, and no answer but its status."""
    spec.components.schema("Beacon", schema=BeaconSchema)
    spec.path("/api/v1/events", operations={"post": {
        "summary": "Report what a search answer led to (the search and embed pages send these)",
        "description": "The token is the answer's search_token; site_id must be on that answer; source is "
                       "\"direct\" or the embedding page's host, one the locator may be embedded in. Nothing "
                       "about the visitor is kept; beacons with Sec-GPC: 1 or DNT: 1, and from crawlers, are "
                       "answered 204 and not kept.",
        "requestBody": {"required": True, **_json("Beacon")},
        "responses": {"204": {"description": "accepted (or deliberately not kept)"},
                      **{str(code): {"description": "error", **_json(Error)} for code in (400, 413, 429)}}}})


def texts(node) -> list[str]:
    """The spec's prose (summaries and descriptions), in order, each once: what the docs page shows."""
    found: dict[str, None] = {}
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("summary", "description") and isinstance(value, str):
                found[value] = None
            else:
                found.update(dict.fromkeys(texts(value)))
    elif isinstance(node, list):
        for value in node:
            found.update(dict.fromkeys(texts(value)))
    return list(found)


def extract_messages(fileobj, keywords, comment_tags, options):
    """A Babel extractor (babel.cfg): the spec's prose as catalog messages, so the docs page
    (static/docs.js) shows it translated while the spec itself stays English."""
    for text in texts(build_spec()):
        yield 1, "gettext", text, ["The OpenAPI spec's own text (API reference page)"]


def _add_preview(spec: APISpec) -> None:
    """A partner's own preview: the link's token as a Bearer token or the ``token`` parameter."""
    spec.components.security_scheme("previewToken", {
        "type": "http", "scheme": "bearer", "description": "the token of a link from `partner-locator preview-link`"})
    operation = _operation("A partner's own preview: tier, requirements checklist, sites, rejected records, "
                           "expiring certifications (a preview link's token)", PreviewResponse, errors=(403, 503))
    operation["get"]["parameters"] = [{"in": "query", "name": "token", "schema": {"type": "string"},
                                       "description": "the link's token, when not sent as a Bearer token"}]
    operation["get"]["security"] = [{"previewToken": []}, {}]
    spec.path("/api/v1/preview", operations=operation)
