"""One line of a partner export: parse, validate (docs/program-rules.md, The partner export), report.

``parse_line`` turns one JSON Lines line into a plain ``dict`` of Python values, or into
``Rejection``s that name the line, the site (when readable), the field and the reason. A bad record
is rejected alone; the caller goes on with the next line.

Choices the table leaves open, made here:

* JSON floats are read as ``Decimal`` from their text, so ``82000.50`` is exact; ``NaN`` and
  ``Infinity`` are read but never accepted by any field.
* Types are strict: booleans are JSON ``true``/``false`` only, numbers are never strings, ``true`` is
  not the number 1.
* An optional field given as ``null`` counts as absent (exporters write ``null`` for "no value").
* ``revenue_eur`` is also bounded (<= 10^15, <= 20 decimal places) so that group sums stay exact
  in a fixed precision (see ``tiers``); no real site is near either bound.

Confidentiality (docs/program-rules.md, Confidentiality): reasons never quote ``revenue_eur`` or ``person_id``; values
of other fields are quoted only through ``_shown``, which escapes and truncates them.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, pre_load, validate, validates_schema

from indexer.fast_records import fast_record
from indexer.record_rules import COUNTRY_CODES, LANGUAGE_CODES, MAX_CHARS, WEBSITE_SCHEMES, revenue_is_sane
from locator.core.contract import CERT_TYPES, SITE_ID_PATTERN
from locator.core.eligibility import UNKNOWN_COUNTRY
from locator.core.validation import WHOLE, flatten_errors


_ID = re.compile(SITE_ID_PATTERN)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SHOWN_MAX = 40
_REVENUE = "must be a number >= 0"


@dataclass(frozen=True)
class Rejection:
    """Why (part of) a line was not accepted. ``field`` is a dotted path, or "-" for the whole line."""

    line: int
    site_id: str | None
    field: str
    reason: str


@dataclass(frozen=True)
class Owner:
    """Whose line it is, as far as the line tells: a rejected line goes to its partner's preview.

    ``country`` is UNKNOWN_COUNTRY when the line's country does not parse; a line without a
    readable partner_id has no owner (it reaches only the report)."""

    partner_id: str
    country: str
    company: str | None  # when the line holds a usable one


@dataclass
class ParsedLine:
    """A parsed line: ``record`` is None exactly when ``rejections`` is not empty."""

    line: int
    record: dict | None
    rejections: list[Rejection]
    ignored_fields: list[str]
    owner: Owner | None = None  # of a rejected line, when its partner_id parses


def _clip(text: str, limit: int = _SHOWN_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shown(value: object) -> str:
    """A value as it may appear in a reason: repr-escaped (no line breaks in logs) and short."""
    return _clip(repr(value) if isinstance(value, str) else str(value))


def _msgs(invalid: str) -> dict[str, str]:
    """Field error messages in our wording; none of them quotes the value."""
    return {"required": "is required", "null": "must not be null", "invalid": invalid}


def _number(minimum, maximum=None, message="must be a number", as_float=False):
    """A finite JSON number (int or Decimal, never bool or string) in [minimum, maximum]."""

    def convert(value):
        ok = type(value) is int or (isinstance(value, Decimal) and value.is_finite())
        if not ok or value < minimum or (maximum is not None and value > maximum):
            raise ValidationError(message)  # deliberately without the value: it may be confidential
        return float(value) if as_float else Decimal(value)

    return convert


def _date(value):
    """Exactly YYYY-MM-DD and a real day (``date.fromisoformat`` alone also takes 20240311)."""
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError(f"must be a real date YYYY-MM-DD: {_shown(value)}")


def _strict(convert, invalid: str, **kwargs) -> fields.Function:
    return fields.Function(deserialize=convert, error_messages=_msgs(invalid), **kwargs)


def _text(max_len: int, min_len: int = 0, check=None, **kwargs) -> fields.String:
    """A string field limited to ``max_len`` characters; required ones must not be blank."""
    bounds = f"{min_len}-{max_len}" if min_len else f"at most {max_len}"
    checks = [validate.Length(min=min_len, max=max_len, error=f"must be {bounds} characters long")]
    checks += [_not_blank] if min_len else []
    checks += [check] if check else []
    return fields.String(validate=checks, error_messages=_msgs("must be a string"), **kwargs)


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("must not be blank")


def _must(test, reason: str):
    """A validator: ``test(value)`` truthy (a set's ``__contains__``, a regex ``fullmatch``, or a
    marshmallow validator, which returns the value or raises), else ``reason: 'value'``."""

    def run(value):
        try:
            ok = bool(test(value))
        except ValidationError:
            ok = False
        if not ok:
            raise ValidationError(f"{reason}: {_shown(value)}")

    return run


def validate_country(value: str) -> None:
    """Raise ValidationError unless ``value`` is a real ISO 3166-1 alpha-2 code in upper case."""
    if value not in COUNTRY_CODES:
        hint = f" (upper case: {value.upper()!r})" if value.upper() in COUNTRY_CODES else ""
        raise ValidationError(f"not a valid ISO 3166-1 alpha-2 country code: {_shown(value)}{hint}")


_identifier = _must(_ID.fullmatch, "must be 1-64 characters of A-Z, a-z, 0-9, '.', '_', '-'")
_language = _must(LANGUAGE_CODES.__contains__, "not an ISO 639-1 language code (two lower-case letters)")
_cert_type = _must(set(CERT_TYPES).__contains__, f"must be one of {', '.join(CERT_TYPES)}")
_email = _must(validate.Email(), "not a valid e-mail address")
_boolean = _must(lambda value: type(value) is bool, "must be true or false")  # not "yes", 1 or 0
_year = _must(lambda value: type(value) is int and 1 <= value <= 9999, "must be a year (an integer) or null")
_website = _must(validate.URL(schemes=set(WEBSITE_SCHEMES)), "not an http(s) URL")


def _sane_revenue(value: Decimal) -> None:
    """Bounds that keep every group sum exact (see module docstring)."""
    if not revenue_is_sane(value):
        raise ValidationError("must be at most 10^15 with at most 20 decimal places")


class _Base(Schema):
    """Unknown keys are dropped (and reported by ``_unknown_fields``); null means absent when optional."""

    error_messages = {"type": "must be a JSON object"}

    class Meta:
        unknown = EXCLUDE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._optional = frozenset(name for name, field in self.load_fields.items() if not field.required)

    @pre_load
    def _null_is_absent(self, data, **kwargs):
        if not isinstance(data, dict):
            return data  # marshmallow reports the type error
        return {key: value for key, value in data.items() if not (value is None and key in self._optional)}


class _Address(_Base):
    street = _text(MAX_CHARS["street"], load_default=None)
    postal_code = _text(MAX_CHARS["postal_code"], load_default=None)
    city = _text(MAX_CHARS["city"], min_len=1, required=True)
    region = _text(MAX_CHARS["region"], load_default=None)
    country = fields.String(required=True, validate=validate_country, error_messages=_msgs("must be a string"))


class _Location(_Base):
    lat = _strict(_number(-90, 90, "must be a number between -90 and 90", as_float=True), "must be a number")
    lon = _strict(_number(-180, 180, "must be a number between -180 and 180", as_float=True), "must be a number")

    @validates_schema
    def _both_or_neither(self, data, **kwargs):
        if ("lat" in data) != ("lon" in data):
            raise ValidationError("lat and lon must be given together (or neither)")

    @post_load
    def _absent_is_none(self, data, **kwargs):
        return data or None


class _Contact(_Base):
    phone = _text(MAX_CHARS["phone"], load_default=None)
    email = _text(MAX_CHARS["email"], check=_email, load_default=None)
    website = _text(MAX_CHARS["website"], check=_website, load_default=None)


class _Certification(_Base):
    person_id = _text(MAX_CHARS["person_id"], min_len=1, required=True)  # confidential: its messages never quote it
    type = fields.String(required=True, validate=_cert_type, error_messages=_msgs("must be a string"))
    valid_until = _strict(_date, "must be a date YYYY-MM-DD", required=True)


class _Program(_Base):
    terms_accepted = fields.Raw(required=True, validate=_boolean, error_messages=_msgs("must be true or false"))
    revenue_eur = _strict(_number(0, message=_REVENUE), _REVENUE, required=True, validate=_sane_revenue)
    onboarding_completed = _strict(_date, "must be a date YYYY-MM-DD", load_default=None)
    sales_training_completed = _strict(_date, "must be a date YYYY-MM-DD", load_default=None)
    business_plan_year = fields.Raw(load_default=None, validate=_year)
    ambassador = fields.Raw(load_default=False, validate=_boolean)
    certifications = fields.List(
        fields.Nested(_Certification), load_default=list, error_messages=_msgs("must be a list")
    )


class _Record(_Base):
    site_id = fields.String(required=True, validate=_identifier, error_messages=_msgs("must be a string"))
    partner_id = fields.String(required=True, validate=_identifier, error_messages=_msgs("must be a string"))
    company = _text(MAX_CHARS["company"], min_len=1, required=True)
    site_name = _text(MAX_CHARS["site_name"], load_default=None)
    address = fields.Nested(_Address, required=True, error_messages=_msgs("must be a JSON object"))
    location = fields.Nested(_Location, load_default=None, error_messages=_msgs("must be a JSON object"))
    contact = fields.Nested(_Contact, load_default=lambda: _Contact().load({}))
    languages = fields.List(
        fields.String(validate=_language, error_messages=_msgs("must be a string")),
        load_default=list, error_messages=_msgs("must be a list"),
    )
    industries = fields.List(_text(MAX_CHARS["industry"]), load_default=list, error_messages=_msgs("must be a list"))
    description = _text(MAX_CHARS["description"], load_default=None)
    program = fields.Nested(_Program, required=True, error_messages=_msgs("must be a JSON object"))


_SCHEMA = _Record()  # stateless for load(): one instance serves every line


def _unknown_fields(schema: Schema, data: dict, prefix: str = ""):
    """Dotted names of keys the schema does not know, at every level (list items share one name)."""
    for key, value in data.items():
        field = schema.load_fields.get(key)
        if field is None:
            yield prefix + _clip(key)
        else:
            yield from _unknown_in(field, value, f"{prefix}{key}.")


def _unknown_in(field: fields.Field, value, prefix: str):
    if isinstance(field, fields.Nested) and isinstance(value, dict):
        yield from _unknown_fields(field.schema, value, prefix)
    elif isinstance(field, fields.List) and isinstance(value, list):
        for item in value:
            yield from _unknown_in(field.inner, item, prefix)


_JSON_TYPES = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}


def owner_of(data: dict) -> Owner | None:
    """The partner, country and company a rejected line names, checked as the schema would."""
    partner_id = data.get("partner_id")
    if not isinstance(partner_id, str) or not _ID.fullmatch(partner_id):
        return None
    address = data.get("address")
    country = address.get("country") if isinstance(address, dict) else None
    company = data.get("company")
    usable = isinstance(company, str) and company.strip() and len(company) <= MAX_CHARS["company"]
    known = isinstance(country, str) and country in COUNTRY_CODES
    return Owner(partner_id, country if known else UNKNOWN_COUNTRY, company if usable else None)


def _readable_site_id(data) -> str | None:
    site_id = data.get("site_id") if isinstance(data, dict) else None
    return _clip(site_id, 64) if isinstance(site_id, str) and site_id else None


def _decode(text: str):
    """The JSON value of a line; ValueError (with a reason that quotes nothing) when not JSON."""
    try:
        # NaN/Infinity (not JSON, but Python's json reads them) become non-finite Decimals that
        # every number field rejects, so the reason names the field instead of the whole line.
        return json.loads(text.lstrip("\ufeff"), parse_float=Decimal, parse_constant=Decimal)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc.msg} at column {exc.colno}") from None
    except (ValueError, RecursionError):  # e.g. a 5000-digit integer, or nesting 100k deep
        raise ValueError("not valid JSON (a number is too long or nesting too deep)") from None


def parse_line(line_no: int, text: str) -> ParsedLine | None:
    """Parse and validate line ``line_no``; None for a blank line (docs/program-rules.md: blank lines are ignored).

    A line that is clearly valid is accepted by the fast path (``indexer.fast_records``); every
    other line is validated here, so each rejection is named exactly."""
    if not text.strip():
        return None
    record = fast_record(text)
    if record is not None:
        return ParsedLine(line_no, record, [], [])
    return validated_line(line_no, text)


def validated_line(line_no: int, text: str) -> ParsedLine:
    """``parse_line`` by the schema alone, for a non-blank line: every rule, every message."""
    try:
        data = _decode(text)
    except ValueError as exc:
        return ParsedLine(line_no, None, [Rejection(line_no, None, WHOLE, str(exc))], [])
    if not isinstance(data, dict):
        reason = f"a record must be a JSON object, not {_JSON_TYPES.get(type(data), 'a number')}"
        return ParsedLine(line_no, None, [Rejection(line_no, None, WHOLE, reason)], [])
    ignored = list(dict.fromkeys(_unknown_fields(_SCHEMA, data)))
    try:
        record = _SCHEMA.load(data)
    except ValidationError as exc:
        site_id = _readable_site_id(data)
        rejections = [Rejection(line_no, site_id, path, why) for path, why in flatten_errors(exc.messages)]
        return ParsedLine(line_no, None, rejections, ignored, owner_of(data))
    return ParsedLine(line_no, record, [], ignored)
