"""Query parameters of the API: marshmallow schemas (also the source of the OpenAPI spec).

Strict: unknown parameters, a scalar given twice, wrong types, out-of-range values, half an origin
or two kinds of origin are all 400s naming each bad field.
"""
from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate, validates_schema
from werkzeug.datastructures import MultiDict

from locator.core.contract import CERT_TYPES, LISTED_TIERS
from locator.core.validation import WHOLE, flatten_errors

MAX_RESULT_WINDOW = 10_000  # Elasticsearch's index.max_result_window
MAX_RADIUS_KM = 20_000
SORTS = ("distance", "relevance", "name")


TEXT_DESCRIPTION = ("what the visitor typed, read on the server: a country (a name in any UI language or exactly a "
                    "two-letter code: a filter), else a place or a postal code of listed sites (the origin), else a "
                    "place or country plus words, else words; the answer's interpreted_as says how it was read. "
                    "Not with q, near or place; with lat/lon (the visitor's position) and every filter")
TEXT_EXCLUDES = ("q", "near", "place")


BBOX_DESCRIPTION = ("the view as four comma-separated decimal degrees south,west,north,east (e.g. 54.5,8.0,57.8,12.7): "
                    "-90 <= south <= north <= 90, -180 <= west, east <= 180; west > east crosses the antimeridian")
# The bbox the OpenAPI spec states (what the page's map sends): plain decimals, each within its range.
# parse_bbox decides, and also takes other spellings of a number ("1e-05"); south <= north no pattern can say.
_LATITUDE = r"-?(?:90(?:\.0+)?|[1-8]?[0-9](?:\.[0-9]+)?)"
_LONGITUDE = r"-?(?:180(?:\.0+)?|(?:1[0-7][0-9]|[1-9]?[0-9])(?:\.[0-9]+)?)"
BBOX_PATTERN = f"^{_LATITUDE},{_LONGITUDE},{_LATITUDE},{_LONGITUDE}$"


class BoundingBox(fields.String):
    """ "S,W,N,E" -> (south, west, north, east), checked by ``parse_bbox`` (the one place its rules are)."""

    def __init__(self, *, metadata: dict | None = None, **kwargs):
        super().__init__(metadata={"pattern": BBOX_PATTERN, "example": "54.5,8.0,57.8,12.7", **(metadata or {})}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return parse_bbox(text)
        except ValidationError as exc:
            raise ValidationError(exc.messages["bbox"]) from None


def _upper(values):
    return [value.upper() if isinstance(value, str) else value for value in values]


class FilterParams(Schema):
    """What: text and capability filters shared by search and markers."""

    class Meta:
        unknown = RAISE

    q = fields.String(validate=validate.Length(min=1, max=200), metadata={"description": "plain text, never query syntax"})
    text = fields.String(validate=validate.Length(min=1, max=200), metadata={"description": TEXT_DESCRIPTION})
    tier = fields.List(fields.String(validate=validate.OneOf(LISTED_TIERS)), metadata={"description": "repeatable"})
    cert = fields.List(fields.String(validate=validate.OneOf(CERT_TYPES)),
                       metadata={"description": "repeatable; a site must hold every one asked for"})
    country = fields.List(fields.String(validate=validate.Regexp(r"^[A-Z]{2}$", error="must be an ISO 3166-1 alpha-2 code")))
    language = fields.List(fields.String(validate=validate.Regexp(r"^[a-z]{2}$", error="must be an ISO 639-1 code")))
    industry = fields.List(fields.String(validate=validate.Length(min=1, max=50)))

    @pre_load
    def _normalise_codes(self, data, **kwargs):
        data = dict(data)
        for name, convert in (("country", _upper), ("cert", _upper)):
            if name in data:
                data[name] = convert(data[name])
        if "language" in data:
            data["language"] = [value.lower() if isinstance(value, str) else value for value in data["language"]]
        return data

    @validates_schema
    def _text_alone(self, data, **kwargs):
        """text is read into q, near or place: given together, which one wins would be a guess."""
        clashes = [name for name in TEXT_EXCLUDES if name in data and name in self.fields]
        if "text" in data and clashes:
            message = f"text cannot be combined with {' or '.join(clashes)}: give one of them"
            raise ValidationError({name: [message] for name in ("text", *clashes)})


class SearchParams(FilterParams):
    lat = fields.Float(validate=validate.Range(min=-90, max=90), allow_nan=False)
    lon = fields.Float(validate=validate.Range(min=-180, max=180), allow_nan=False)
    near = fields.String(validate=validate.Length(min=1, max=120), metadata={"description": 'a place, e.g. "Aarhus" or "Paris, US"'})
    place = fields.String(validate=validate.Regexp(r"^\d{1,12}$", error="must be a place id from /suggest"))
    radius_km = fields.Float(load_default=100.0, validate=validate.Range(min=0.1, max=MAX_RADIUS_KM), allow_nan=False)
    sort = fields.String(validate=validate.OneOf(SORTS),
                         metadata={"description": "default: distance with an origin, else relevance"})
    collapse = fields.String(validate=validate.OneOf(["partner"]), metadata={"description": "each partner once"})
    bbox = BoundingBox(metadata={"description": BBOX_DESCRIPTION + ": only sites in this box (the map's "
                                                 "\"search this area\"); it replaces the radius, an origin then only orders"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    facets = fields.Boolean(metadata={"description": "count the filters' values (most of a search's cost); "
                                                     "default: on page 1, where filters change, not on later pages"})
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=50))

    @validates_schema
    def _consistent(self, data, **kwargs):
        errors: dict[str, list[str]] = {}
        if ("lat" in data) != ("lon" in data):
            errors["lon" if "lat" in data else "lat"] = ["lat and lon go together"]
        origins = [name for name in ("lat", "near", "place") if name in data]
        if len(origins) > 1:
            errors["origin"] = [f"give one origin only, not {' and '.join(o if o != 'lat' else 'lat/lon' for o in origins)}"]
        if data.get("sort") == "distance" and not origins and "text" not in data:  # text may name a place
            errors["sort"] = ["sort=distance needs an origin (lat/lon, near or place)"]
        if data.get("page", 1) * data.get("per_page", 20) > MAX_RESULT_WINDOW:
            errors["page"] = [f"only the first {MAX_RESULT_WINDOW} results can be paged through: narrow the search"]
        if errors:
            raise ValidationError(errors)


class MarkersParams(FilterParams):
    bbox = BoundingBox(required=True, metadata={"description": BBOX_DESCRIPTION})
    zoom = fields.Integer(load_default=3, validate=validate.Range(min=0, max=22))


class SuggestParams(Schema):
    class Meta:
        unknown = RAISE

    q = fields.String(required=True, validate=validate.Length(min=1, max=100))
    limit = fields.Integer(load_default=5, validate=validate.Range(min=1, max=10))


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """"S,W,N,E" -> floats; raises ValidationError naming ``bbox``."""
    try:
        south, west, north, east = (float(part) for part in text.split(","))
    except ValueError:
        raise ValidationError({"bbox": ["must be four numbers S,W,N,E"]}) from None
    if not (-90 <= south <= north <= 90) or not (-180 <= west <= 180 and -180 <= east <= 180):
        raise ValidationError({"bbox": ["must satisfy -90 <= S <= N <= 90 and -180 <= W, E <= 180"]})
    return south, west, north, east


def load_params(schema: Schema, args: MultiDict) -> dict:
    """Request args -> validated dict; list fields take every value, others exactly one."""
    data, repeated = {}, {}
    for name in args:
        values = args.getlist(name)
        field = schema.fields.get(name)
        if isinstance(field, fields.List):
            data[name] = values
        elif len(values) > 1:
            repeated[name] = ["given more than once"]
        else:
            data[name] = values[0]
    try:
        loaded = schema.load(data)
    except ValidationError as exc:
        raise ValidationError({**_flat(exc.messages), **repeated}) from None
    if repeated:
        raise ValidationError(repeated)
    return loaded


def _flat(messages) -> dict[str, list[str]]:
    """Messages per request parameter ("tier", not "tier.0"); schema-wide ones under "request"."""
    flat: dict[str, list[str]] = {}
    for path, why in flatten_errors(messages):
        flat.setdefault("request" if path == WHOLE else path.split(".")[0], []).append(why)
    return flat
