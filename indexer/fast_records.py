"""The fast path of record validation: msgspec accepts the lines that are clearly valid.

Most lines of an export are valid, and marshmallow (``indexer.records``) spends ~125 us on each.
msgspec decodes and type-checks a line straight into typed structs (types, lengths, patterns,
ranges, real dates) in a few microseconds; a few set-membership checks follow here. A line this
path accepts gives exactly the record ``records.parse_line`` would (``tests/unit/test_fast_records.py``
checks both paths line for line, by hypothesis). Anything else - a wrong type, an unknown field, a
value out of range, a byte-order mark, a NaN - returns None, and the caller validates the line
with marshmallow, so every rejection keeps its exact message: this path only ever accepts.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Callable, Literal, Optional

import msgspec
from marshmallow import ValidationError, validate
from msgspec import Meta, Struct

from indexer.record_rules import COUNTRY_CODES, LANGUAGE_CODES, MAX_CHARS, WEBSITE_SCHEMES, revenue_is_sane
from locator.core.contract import SITE_ID_PATTERN


def _text(field: str, required: bool = False):
    return Annotated[str, Meta(min_length=1 if required else 0, max_length=MAX_CHARS[field])]


_Id = Annotated[str, Meta(pattern=rf"\A{SITE_ID_PATTERN}\Z")]  # \Z: "$" would let a final newline in
_City = _text("city", required=True)
_Street = _text("street")
_PostalCode = _text("postal_code")
_Region = _text("region")
_Phone = _text("phone")
_Email = _text("email")
_Website = _text("website")
_PersonId = _text("person_id", required=True)
_Company = _text("company", required=True)
_SiteName = _text("site_name")
_Industry = _text("industry")
_Description = _text("description")


class _Strict(Struct, forbid_unknown_fields=True):
    """An unknown field is not "clearly valid": marshmallow reports it among the ignored fields."""


class _Address(_Strict):
    city: _City
    country: str
    street: Optional[_Street] = None
    postal_code: Optional[_PostalCode] = None
    region: Optional[_Region] = None


class _Location(_Strict):
    lat: Optional[Annotated[float, Meta(ge=-90, le=90)]] = None
    lon: Optional[Annotated[float, Meta(ge=-180, le=180)]] = None


class _Contact(_Strict):
    phone: Optional[_Phone] = None
    email: Optional[_Email] = None
    website: Optional[_Website] = None


class _Certification(_Strict):
    person_id: _PersonId
    type: Literal["MCDE", "MCIT", "MCIE"]
    valid_until: dt.date


class _Program(_Strict):
    terms_accepted: bool
    revenue_eur: msgspec.Raw  # the number's own text, read as an exact Decimal below
    onboarding_completed: Optional[dt.date] = None
    sales_training_completed: Optional[dt.date] = None
    business_plan_year: Optional[Annotated[int, Meta(ge=1, le=9999)]] = None
    ambassador: Optional[bool] = None
    certifications: Optional[list[_Certification]] = None


class _Record(_Strict):
    site_id: _Id
    partner_id: _Id
    company: _Company
    address: _Address
    program: _Program
    site_name: Optional[_SiteName] = None
    location: Optional[_Location] = None
    contact: Optional[_Contact] = None
    languages: Optional[list[str]] = None
    industries: Optional[list[_Industry]] = None
    description: Optional[_Description] = None


_DECODER = msgspec.json.Decoder(_Record)
_NUMBER_START = frozenset(b"-0123456789")  # a JSON number; not a string, true, null, an object...


def _remembered(validator) -> Callable[[str], bool]:
    """Whether the schema's own check passes a value: a partner's sites share a website (and often
    an email), so the last 4,096 verdicts are kept (~6 us a line saved, ~1 MB a process)."""
    @lru_cache(maxsize=4096)
    def passes(value: str) -> bool:
        try:
            validator(value)
        except ValidationError:
            return False
        return True
    return passes


_EMAIL_PASSES = _remembered(validate.Email())
_WEBSITE_PASSES = _remembered(validate.URL(schemes=set(WEBSITE_SCHEMES)))


class _NotClearlyValid(Exception):
    pass


def fast_record(text: str) -> dict | None:
    """The record ``records.parse_line`` would return for this line, or None: validate it there."""
    try:
        record = _DECODER.decode(text)
        return _plain(record, _revenue(record.program.revenue_eur))
    except (msgspec.ValidationError, msgspec.DecodeError, _NotClearlyValid):
        return None


def _revenue(raw: msgspec.Raw) -> Decimal:
    text = bytes(raw)
    if not text or text[0] not in _NUMBER_START:
        raise _NotClearlyValid
    value = Decimal(text.decode())  # the decoder checked the JSON number syntax: exact
    if value < 0 or not revenue_is_sane(value):
        raise _NotClearlyValid
    return value


def _check(condition: bool) -> None:
    if not condition:
        raise _NotClearlyValid


def _plain(record: _Record, revenue: Decimal) -> dict:
    """The same plain dict marshmallow makes, key for key (null optional values are absent values)."""
    address, program = record.address, record.program
    _check(address.country in COUNTRY_CODES and record.company.strip() != "" and address.city.strip() != "")
    _check(all(language in LANGUAGE_CODES for language in record.languages or ()))
    contact = record.contact or _Contact()
    _check(contact.email is None or _EMAIL_PASSES(contact.email))
    _check(contact.website is None or _WEBSITE_PASSES(contact.website))
    certifications = [{"person_id": cert.person_id, "type": cert.type, "valid_until": cert.valid_until}
                      for cert in program.certifications or ()]
    _check(all(cert["person_id"].strip() for cert in certifications))
    return {
        "site_id": record.site_id, "partner_id": record.partner_id, "company": record.company,
        "site_name": record.site_name,
        "address": {"street": address.street, "postal_code": address.postal_code, "city": address.city,
                    "region": address.region, "country": address.country},
        "location": _location(record.location),
        "contact": {"phone": contact.phone, "email": contact.email, "website": contact.website},
        "languages": list(record.languages or ()), "industries": list(record.industries or ()),
        "description": record.description,
        "program": {"terms_accepted": program.terms_accepted, "revenue_eur": revenue,
                    "onboarding_completed": program.onboarding_completed,
                    "sales_training_completed": program.sales_training_completed,
                    "business_plan_year": program.business_plan_year,
                    "ambassador": bool(program.ambassador), "certifications": certifications},
    }


def _location(location: _Location | None) -> dict | None:
    if location is None or (location.lat is None and location.lon is None):
        return None
    _check(location.lat is not None and location.lon is not None)  # both or neither: marshmallow says so
    return {"lat": location.lat, "lon": location.lon}
