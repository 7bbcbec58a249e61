"""Record validation cost: the indexer's marshmallow path against a msgspec fast-path prototype.

Not product code: a measurement behind a proposal in docs/benchmarks.md. The indexer spends most of
pass 1 in ``indexer.records.parse_line`` (JSON with Decimal floats, the unknown-field scan, the
marshmallow schema). This script times that per record on a sample export, and times a prototype
fast path: msgspec decodes and type-checks a line straight into typed structs (lengths, patterns,
ranges, dates, exact Decimal), a few set-membership checks follow in Python, and the result is
turned into the same plain dict ``parse_line`` returns. Lines the fast path does not accept would
go through ``parse_line`` unchanged (so every rejection keeps its exact marshmallow message); the
script checks, line by line, that both paths accept the same lines and return equal records.

msgspec is not a project dependency: run this with a scratch virtualenv that has it::

    python3.11 -m venv /tmp/v && /tmp/v/bin/pip install msgspec marshmallow==4.4.0 pycountry orjson
    /tmp/v/bin/python benchmarks/validation_bench.py SAMPLE.jsonl [--lines 100000]
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import msgspec  # noqa: E402
from msgspec import Meta, Struct  # noqa: E402

from indexer import records  # noqa: E402


def _text(max_len: int, min_len: int = 0):
    return Annotated[str, Meta(min_length=min_len, max_length=max_len)]


_Id = Annotated[str, Meta(pattern=r"\A[A-Za-z0-9._-]{1,64}\Z")]  # \Z: "$" would let a final newline in


class _Address(Struct, forbid_unknown_fields=True):
    city: _text(100, 1)
    country: str
    street: Optional[_text(200)] = None
    postal_code: Optional[_text(20)] = None
    region: Optional[_text(100)] = None


class _Location(Struct, forbid_unknown_fields=True):
    lat: Optional[Annotated[float, Meta(ge=-90, le=90)]] = None
    lon: Optional[Annotated[float, Meta(ge=-180, le=180)]] = None


class _Contact(Struct, forbid_unknown_fields=True):
    phone: Optional[_text(40)] = None
    email: Optional[_text(254)] = None
    website: Optional[_text(2000)] = None


class _Certification(Struct, forbid_unknown_fields=True):
    person_id: _text(200, 1)
    type: Literal["MCDE", "MCIT", "MCIE"]
    valid_until: dt.date


class _Program(Struct, forbid_unknown_fields=True):
    terms_accepted: bool
    revenue_eur: msgspec.Raw  # the number's own text: a Decimal field would also take a JSON string
    onboarding_completed: Optional[dt.date] = None
    sales_training_completed: Optional[dt.date] = None
    business_plan_year: Optional[Annotated[int, Meta(ge=1, le=9999)]] = None
    ambassador: Optional[bool] = None
    certifications: Optional[list[_Certification]] = None


class _Record(Struct, forbid_unknown_fields=True):
    site_id: _Id
    partner_id: _Id
    company: _text(200, 1)
    address: _Address
    program: _Program
    site_name: Optional[_text(200)] = None
    location: Optional[_Location] = None
    contact: Optional[_Contact] = None
    languages: Optional[list[str]] = None
    industries: Optional[list[_text(50)]] = None
    description: Optional[_text(2000)] = None


_DECODER = msgspec.json.Decoder(_Record)
_NUMBER_START = frozenset(b"-0123456789")
_EMAIL, _URL = records.validate.Email(), records.validate.URL(schemes={"http", "https"})


class NotFast(Exception):
    """The fast path does not accept the line: the caller uses records.parse_line for it."""


def _blank(text: str | None) -> bool:
    return text is not None and not text.strip()


def fast_record(text: str) -> dict:
    """The dict parse_line would return for a valid line; NotFast when any check fails."""
    try:
        r = _DECODER.decode(text)
    except (msgspec.ValidationError, msgspec.DecodeError):
        raise NotFast from None
    a, p = r.address, r.program
    raw_revenue = bytes(p.revenue_eur)
    if not raw_revenue or raw_revenue[0] not in _NUMBER_START:  # a string, true, null, an object...: not a number
        raise NotFast
    revenue = Decimal(raw_revenue.decode())  # JSON number syntax was checked by the decoder: exact
    if (a.country not in records.COUNTRY_CODES or _blank(r.company) or _blank(a.city)
            or any(language not in records.LANGUAGE_CODES for language in r.languages or ())
            or revenue < 0 or revenue > records.MAX_REVENUE
            or revenue != revenue.quantize(records._REVENUE_QUANTUM, context=records._WIDE)):
        raise NotFast
    location = None
    if r.location is not None and (r.location.lat is not None or r.location.lon is not None):
        if r.location.lat is None or r.location.lon is None:
            raise NotFast
        location = {"lat": r.location.lat, "lon": r.location.lon}
    contact = r.contact or _Contact()
    try:
        if contact.email is not None:
            _EMAIL(contact.email)
        if contact.website is not None:
            _URL(contact.website)
    except records.ValidationError:
        raise NotFast from None
    certifications = [{"person_id": c.person_id, "type": c.type, "valid_until": c.valid_until}
                      for c in p.certifications or ()]
    if any(_blank(c["person_id"]) for c in certifications):
        raise NotFast
    return {
        "site_id": r.site_id, "partner_id": r.partner_id, "company": r.company, "site_name": r.site_name,
        "address": {"street": a.street, "postal_code": a.postal_code, "city": a.city, "region": a.region,
                    "country": a.country},
        "location": location,
        "contact": {"phone": contact.phone, "email": contact.email, "website": contact.website},
        "languages": list(r.languages or ()), "industries": list(r.industries or ()), "description": r.description,
        "program": {"terms_accepted": p.terms_accepted, "revenue_eur": revenue,
                    "onboarding_completed": p.onboarding_completed, "sales_training_completed": p.sales_training_completed,
                    "business_plan_year": p.business_plan_year,
                    "ambassador": False if p.ambassador is None else p.ambassador, "certifications": certifications},
    }


def _normalised(record: dict) -> dict:
    """marshmallow's output with every optional key present (it leaves out some absent ones)."""
    out = dict(record)
    address = {"street": None, "postal_code": None, "region": None, **record["address"]}
    out["address"] = address
    out["contact"] = {"phone": None, "email": None, "website": None, **(record.get("contact") or {})}
    for key in ("site_name", "description", "location"):
        out.setdefault(key, None)
    for key in ("languages", "industries"):
        out[key] = list(out.get(key) or ())
    program = {"onboarding_completed": None, "sales_training_completed": None, "business_plan_year": None,
               "ambassador": False, "certifications": [], **record["program"]}
    program["certifications"] = [dict(c) for c in program["certifications"]]
    out["program"] = program
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args(argv)
    with args.file.open(encoding="utf-8") as handle:
        lines = [line for _, line in zip(range(args.lines), handle)]

    gc.collect()
    started = time.perf_counter()
    slow = [records.parse_line(number, line) for number, line in enumerate(lines, 1)]
    slow_s = time.perf_counter() - started

    gc.collect()
    started = time.perf_counter()
    fast = []
    for number, line in enumerate(lines, 1):
        try:
            fast.append(fast_record(line))
        except NotFast:
            fast.append(records.parse_line(number, line))  # the fallback, timed too
    fast_s = time.perf_counter() - started

    accepted_slow = sum(1 for p in slow if p is not None and p.record is not None)
    fell_back = sum(1 for f in fast if not isinstance(f, dict))
    disagree = differ = 0
    for s, f in zip(slow, fast):
        slow_ok, fast_ok = s is not None and s.record is not None, isinstance(f, dict) or (f is not None and f.record is not None)
        if slow_ok != fast_ok:
            disagree += 1
        elif slow_ok and isinstance(f, dict) and _normalised(s.record) != f:
            differ += 1
    n = len(lines)
    print(f"{n} lines of {args.file}: {accepted_slow} valid")
    print(f"  marshmallow path (records.parse_line):          {slow_s / n * 1e6:7.1f} us/line")
    print(f"  msgspec fast path + parse_line for the rest:     {fast_s / n * 1e6:7.1f} us/line "
          f"({fell_back} lines fell back)")
    print(f"  speed-up {slow_s / fast_s:.1f}x; accept/reject disagreements {disagree}; accepted records that differ {differ}")
    return 0 if disagree == 0 and differ == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
