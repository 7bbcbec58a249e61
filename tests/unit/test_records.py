"""One export line -> a record or rejections (RULES.md section 1), and confidentiality of reasons."""
from __future__ import annotations

import copy
import json
import sqlite3
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.duplicates import DuplicateSiteIds
from indexer.records import COUNTRY_CODES, ParsedLine, Rejection, parse_line



class Raw(str):
    """JSON text put into a line as is: exact decimals, NaN, Infinity."""


# The example line of RULES.md section 1, with the revenue kept as JSON text.
EXAMPLE = {
    "site_id": "S0001842", "partner_id": "P000311", "company": "Nordlys Sikring ApS", "site_name": "Aarhus office",
    "address": {"street": "Banegårdspladsen 4", "postal_code": "8000", "city": "Aarhus", "country": "DK"},
    "location": {"lat": 56.1507, "lon": 10.2044},
    "contact": {"phone": "+45 86 12 34 56", "email": "aarhus@nordlys.example", "website": "https://nordlys.example"},
    "languages": ["da", "en"], "industries": ["retail", "logistics"],
    "description": "Designs and installs video systems for retail chains in Jutland.",
    "program": {
        "terms_accepted": True, "revenue_eur": Raw("82000.50"), "onboarding_completed": "2024-03-11",
        "sales_training_completed": "2026-02-02", "business_plan_year": 2026, "ambassador": False,
        "certifications": [
            {"person_id": "E77120", "type": "MCDE", "valid_until": "2027-05-31"},
            {"person_id": "E77121", "type": "MCIT", "valid_until": "2026-09-30"},
        ],
    },
}
MINIMAL = {
    "site_id": "S1", "partner_id": "P1", "company": "Acme", "address": {"city": "Oslo", "country": "NO"},
    "program": {"terms_accepted": True, "revenue_eur": 0},
}
DROP = object()


def line(record: dict) -> str:
    """JSON text of ``record``, with every ``Raw`` value written as is."""
    raws: list[str] = []

    def swap(value):
        if isinstance(value, Raw):
            raws.append(str(value))
            return f"\0raw{len(raws) - 1}\0"
        if isinstance(value, dict):
            return {key: swap(item) for key, item in value.items()}
        return [swap(item) for item in value] if isinstance(value, list) else value

    text = json.dumps(swap(record), ensure_ascii=False)
    for number, raw in enumerate(raws):
        text = text.replace(json.dumps(f"\0raw{number}\0"), raw)
    return text


def changed(path: str, value, base: dict = EXAMPLE) -> dict:
    """A deep copy of ``base`` with the dotted ``path`` set to ``value`` (or removed with DROP)."""
    record = copy.deepcopy(base)
    *parents, last = path.split(".")
    target = record
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target.setdefault(key, {})
    if value is DROP:
        del target[last]
    else:
        target[int(last) if isinstance(target, list) else last] = value
    return record


def parse(record: dict, line_no: int = 7) -> ParsedLine:
    parsed = parse_line(line_no, line(record))
    assert parsed is not None
    return parsed


def rejected(record: dict) -> dict[str, str]:
    parsed = parse(record)
    assert parsed.record is None and parsed.rejections
    return {r.field: r.reason for r in parsed.rejections}


# --- valid records ------------------------------------------------------------------------------


def test_rules_example_is_valid_with_python_types_and_exact_revenue():
    parsed = parse(EXAMPLE)
    assert parsed.rejections == [] and parsed.ignored_fields == []
    record, program = parsed.record, parsed.record["program"]
    assert str(program["revenue_eur"]) == "82000.50"  # exact, not the float 82000.5
    assert program["onboarding_completed"] == date(2024, 3, 11)
    assert program["certifications"][1] == {"person_id": "E77121", "type": "MCIT", "valid_until": date(2026, 9, 30)}
    assert record["location"] == {"lat": 56.1507, "lon": 10.2044}
    assert isinstance(record["location"]["lat"], float)
    assert record["address"]["country"] == "DK" and record["languages"] == ["da", "en"]


def test_minimal_record_gets_documented_defaults():
    record = parse(MINIMAL).record
    assert record["location"] is None
    assert record["program"]["ambassador"] is False
    assert record["languages"] == [] and record["industries"] == [] and record["program"]["certifications"] == []
    assert record["contact"] == {"phone": None, "email": None, "website": None}
    assert record["program"]["revenue_eur"] == Decimal(0) and isinstance(record["program"]["revenue_eur"], Decimal)
    assert record["program"]["business_plan_year"] is None and record["site_name"] is None


@pytest.mark.parametrize("path", ["site_name", "location", "contact", "languages", "industries",
                                  "program.onboarding_completed", "program.business_plan_year",
                                  "program.ambassador", "program.certifications", "address.street"])
def test_null_optional_field_counts_as_absent(path):
    assert parse(changed(path, None)).record == parse(changed(path, DROP)).record


@pytest.mark.parametrize(("path", "value", "expected"), [
    ("location", {"lat": 90, "lon": -180}, {"lat": 90.0, "lon": -180.0}),
    ("location", {"lat": -90, "lon": 180}, {"lat": -90.0, "lon": 180.0}),
    ("location", {}, None),
    ("program.revenue_eur", 5, Decimal(5)),
    ("program.revenue_eur", Raw("1e3"), Decimal(1000)),
    ("program.revenue_eur", Raw("1000000000000000"), Decimal(10) ** 15),
    ("program.revenue_eur", Raw("0.00000000000000000001"), Decimal("1e-20")),
    ("site_id", "a.B_c-9" + "x" * 57, "a.B_c-9" + "x" * 57),
])
def test_edge_values_accepted(path, value, expected):
    record = parse(changed(path, value)).record
    assert record is not None
    for key in path.split("."):
        record = record[key]
    assert record == expected


# --- whole-line problems ------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\t\r\n", "\n"])
def test_blank_line_is_ignored(text):
    assert parse_line(3, text) is None


@pytest.mark.parametrize(("text", "fragment"), [
    ("{not json", "not valid JSON"),
    ('{"site_id": "S1",}', "not valid JSON"),
    ("[1, 2]", "not an array"),
    ('"S1"', "not a string"),
    ("42", "not a number"),
    ("null", "not null"),
    ("true", "not a boolean"),
    ('{"program": {"revenue_eur": ' + "9" * 5000 + "}}", "number is too long"),
    ("[" * 100_000 + "]" * 100_000, "nesting too deep"),
])
def test_a_line_that_is_not_a_json_object_is_rejected_whole(text, fragment):
    parsed = parse_line(12, text)
    assert parsed.record is None and parsed.ignored_fields == []
    assert parsed.rejections == [Rejection(12, None, "-", parsed.rejections[0].reason)]
    assert fragment in parsed.rejections[0].reason
    assert "9999999999" not in parsed.rejections[0].reason


def test_utf8_byte_order_mark_on_first_line_is_tolerated():
    with_mark = parse_line(1, "\ufeff" + line(MINIMAL))
    assert with_mark.record is not None and with_mark.record == parse_line(1, line(MINIMAL)).record
    assert with_mark.rejections == []


# --- field rules --------------------------------------------------------------------------------

BAD_FIELDS = [
    # (path, bad value, field reported, fragment of the reason)
    ("site_id", "", "site_id", "1-64 characters"),
    ("site_id", "S 0001", "site_id", "'S 0001'"),
    ("site_id", "x" * 65, "site_id", "1-64 characters"),
    ("site_id", "S1\n", "site_id", "1-64 characters"),
    ("site_id", 1842, "site_id", "must be a string"),
    ("partner_id", "P/311", "partner_id", "1-64 characters"),
    ("partner_id", DROP, "partner_id", "is required"),
    ("company", "", "company", "1-200 characters"),
    ("company", "   ", "company", "must not be blank"),
    ("company", "c" * 201, "company", "1-200 characters"),
    ("company", None, "company", "must not be null"),
    ("site_name", "s" * 201, "site_name", "at most 200"),
    ("address", DROP, "address", "is required"),
    ("address", "Aarhus, DK", "address", "must be a JSON object"),
    ("address.street", "s" * 201, "address.street", "at most 200"),
    ("address.postal_code", "1" * 21, "address.postal_code", "at most 20"),
    ("address.city", DROP, "address.city", "is required"),
    ("address.city", "c" * 101, "address.city", "1-100"),
    ("address.region", "r" * 101, "address.region", "at most 100"),
    ("address.country", "XX", "address.country", "not a valid ISO 3166-1 alpha-2 country code: 'XX'"),
    ("address.country", "dk", "address.country", "upper case: 'DK'"),
    ("address.country", "DNK", "address.country", "'DNK'"),
    ("address.country", DROP, "address.country", "is required"),
    ("location", {"lat": 90.0001, "lon": 0}, "location.lat", "between -90 and 90"),
    ("location", {"lat": 0, "lon": -180.5}, "location.lon", "between -180 and 180"),
    ("location", {"lat": "56.1", "lon": 10}, "location.lat", "must be a number"),
    ("location", {"lat": True, "lon": 10}, "location.lat", "must be a number"),
    ("location", {"lat": 56.1}, "location", "lat and lon must be given together"),
    ("location", {"lon": 10.2}, "location", "lat and lon must be given together"),
    ("location", [56.1, 10.2], "location", "must be a JSON object"),
    ("contact.phone", "1" * 41, "contact.phone", "at most 40"),
    ("contact.email", "aarhus-at-nordlys", "contact.email", "not a valid e-mail address: 'aarhus-at-nordlys'"),
    ("contact.website", "ftp://nordlys.example", "contact.website", "not an http(s) URL"),
    ("contact.website", "nordlys.example", "contact.website", "not an http(s) URL"),
    ("languages", ["da", "eng"], "languages.1", "not an ISO 639-1 language code"),
    ("languages", ["EN"], "languages.0", "'EN'"),
    ("languages", ["xx"], "languages.0", "'xx'"),
    ("languages", "da", "languages", "must be a list"),
    ("industries", ["retail", "i" * 51], "industries.1", "at most 50"),
    ("industries", [3], "industries.0", "must be a string"),
    ("description", "d" * 2001, "description", "at most 2000"),
    ("program", DROP, "program", "is required"),
    ("program.terms_accepted", "yes", "program.terms_accepted", "must be true or false"),
    ("program.terms_accepted", "true", "program.terms_accepted", "must be true or false"),
    ("program.terms_accepted", 1, "program.terms_accepted", "must be true or false"),
    ("program.terms_accepted", 0, "program.terms_accepted", "must be true or false"),
    ("program.terms_accepted", DROP, "program.terms_accepted", "is required"),
    ("program.ambassador", "no", "program.ambassador", "must be true or false"),
    ("program.ambassador", 0, "program.ambassador", "must be true or false"),
    ("program.revenue_eur", -1, "program.revenue_eur", "must be a number >= 0"),
    ("program.revenue_eur", Raw("-0.01"), "program.revenue_eur", "must be a number >= 0"),
    ("program.revenue_eur", "82000.50", "program.revenue_eur", "must be a number >= 0"),
    ("program.revenue_eur", True, "program.revenue_eur", "must be a number >= 0"),
    ("program.revenue_eur", Raw("NaN"), "program.revenue_eur", "must be a number >= 0"),
    ("program.revenue_eur", Raw("Infinity"), "program.revenue_eur", "must be a number >= 0"),
    ("program.revenue_eur", Raw("-Infinity"), "program.revenue_eur", "must be a number >= 0"),
    ("program.revenue_eur", Raw("1000000000000000.01"), "program.revenue_eur", "at most 10^15"),
    ("program.revenue_eur", Raw("0.000000000000000000001"), "program.revenue_eur", "20 decimal places"),
    ("program.revenue_eur", DROP, "program.revenue_eur", "is required"),
    ("program.onboarding_completed", "2024-02-30", "program.onboarding_completed", "real date YYYY-MM-DD"),
    ("program.onboarding_completed", "2024-3-11", "program.onboarding_completed", "YYYY-MM-DD"),
    ("program.onboarding_completed", "20240311", "program.onboarding_completed", "YYYY-MM-DD"),
    ("program.sales_training_completed", "2026-W05-1", "program.sales_training_completed", "YYYY-MM-DD"),
    ("program.sales_training_completed", 20260202, "program.sales_training_completed", "YYYY-MM-DD"),
    ("program.business_plan_year", "2026", "program.business_plan_year", "must be a year"),
    ("program.business_plan_year", Raw("2026.0"), "program.business_plan_year", "must be a year"),
    ("program.business_plan_year", True, "program.business_plan_year", "must be a year"),
    ("program.certifications", "MCDE", "program.certifications", "must be a list"),
    ("program.certifications.0", "E77120", "program.certifications.0", "must be a JSON object"),
    ("program.certifications.0.type", "MCXX", "program.certifications.0.type", "one of MCDE, MCIT, MCIE: 'MCXX'"),
    ("program.certifications.1.type", "mcit", "program.certifications.1.type", "'mcit'"),
    ("program.certifications.0.valid_until", "2027-13-01", "program.certifications.0.valid_until", "real date"),
    ("program.certifications.0.valid_until", None, "program.certifications.0.valid_until", "must not be null"),
    ("program.certifications.1.person_id", DROP, "program.certifications.1.person_id", "is required"),
    ("program.certifications.1.person_id", "", "program.certifications.1.person_id", "1-200 characters"),
]


@pytest.mark.parametrize(("path", "value", "field", "fragment"), BAD_FIELDS)
def test_a_field_breaking_the_table_rejects_the_record_and_names_the_field(path, value, field, fragment):
    parsed = parse(changed(path, value))
    assert parsed.record is None
    site_id = EXAMPLE["site_id"] if path != "site_id" else parsed.rejections[0].site_id  # see next tests
    assert [(r.line, r.site_id, r.field) for r in parsed.rejections] == [(7, site_id, field)]
    assert fragment in parsed.rejections[0].reason


def test_every_bad_field_of_a_line_is_reported_on_that_line():
    record = changed("address.country", "XX", changed("program.terms_accepted", "yes", changed("languages", ["zz"])))
    parsed = parse(record, line_no=41)
    assert {r.field for r in parsed.rejections} == {"address.country", "program.terms_accepted", "languages.0"}
    assert {(r.line, r.site_id) for r in parsed.rejections} == {(41, "S0001842")}


@pytest.mark.parametrize(("site_id", "expected"), [
    ("S 1", "S 1"), ("", None), (17, None), (None, None), ("s" * 500, "s" * 63 + "…"),
])
def test_site_id_is_reported_where_readable(site_id, expected):
    parsed = parse(changed("address.country", "XX", changed("site_id", site_id)))
    assert parsed.record is None
    assert {r.site_id for r in parsed.rejections} == {expected}


def test_echoed_values_are_short_and_on_one_line():
    reason = rejected(changed("address.country", "Q\n" * 5000))["address.country"]
    assert len(reason) < 120 and "\n" not in reason and reason.endswith("…")


# --- ignored fields -----------------------------------------------------------------------------


def test_unknown_fields_are_dropped_and_reported_at_every_level():
    record = copy.deepcopy(EXAMPLE)
    record["notes"] = "call before visiting"
    record["address"]["fax"] = "+45 1"
    record["location"]["accuracy"] = 3
    record["contact"]["fax"] = "+45 2"
    record["program"]["tier"] = "premier"
    for cert in record["program"]["certifications"]:
        cert["name"] = "Jens Jensen"
    parsed = parse(record)
    assert sorted(parsed.ignored_fields) == [  # once each, though both certifications have a name
        "address.fax", "contact.fax", "location.accuracy", "notes", "program.certifications.name", "program.tier",
    ]
    assert parsed.record == parse(EXAMPLE).record  # nothing of them is copied


def test_ignored_fields_are_reported_on_a_rejected_line_too_and_long_names_shortened():
    parsed = parse(changed("k" * 300, 1, changed("address.country", "XX")))
    assert parsed.record is None
    assert parsed.ignored_fields == ["k" * 39 + "…"]


# --- confidentiality ----------------------------------------------------------------------------

SECRET_REVENUE = "123456.78"
SECRET_PERSON = "E99887766"


@pytest.mark.parametrize("revenue", [SECRET_REVENUE, Raw(f"-{SECRET_REVENUE}"), [Raw(SECRET_REVENUE)],
                                     {"eur": Raw(SECRET_REVENUE)}, Raw(f"{SECRET_REVENUE}e20")])
def test_a_bad_revenue_is_never_echoed(revenue):
    text = line(changed("program.revenue_eur", revenue))
    assert SECRET_REVENUE in text  # the plant is really there
    parsed = parse_line(9, text)
    assert parsed.record is None
    assert all(SECRET_REVENUE not in f"{r.field} {r.reason}" for r in parsed.rejections)


@pytest.mark.parametrize("certification", [
    {"person_id": SECRET_PERSON, "type": "MCXX", "valid_until": "2027-01-01"},
    {"person_id": SECRET_PERSON, "type": "MCDE", "valid_until": "soon"},
    {"person_id": SECRET_PERSON * 30, "type": "MCDE", "valid_until": "2027-01-01"},
    {"person_id": Raw(SECRET_PERSON[1:]), "type": "MCDE", "valid_until": "2027-01-01"},
    {"person_id": [SECRET_PERSON], "type": "MCDE", "valid_until": "2027-01-01"},
])
def test_a_bad_certification_never_echoes_the_person_id(certification):
    parsed = parse(changed("program.certifications.0", certification))
    assert parsed.record is None and parsed.rejections
    assert all(SECRET_PERSON[1:] not in f"{r.field} {r.reason}" for r in parsed.rejections)


@settings(max_examples=60, deadline=None)
@given(revenue=st.text(min_size=1, max_size=30).filter(lambda s: s.strip()))
def test_property_a_string_revenue_never_reaches_a_reason(revenue):
    parsed = parse(changed("program.revenue_eur", revenue))
    assert [(r.field, r.reason) for r in parsed.rejections] == [("program.revenue_eur", "must be a number >= 0")]


# --- property: generated valid records ----------------------------------------------------------

ids = st.from_regex(r"[A-Za-z0-9._-]{1,64}", fullmatch=True)
revenues = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


@settings(max_examples=80, deadline=None)
@given(site_id=ids, partner_id=ids, country=st.sampled_from(sorted(COUNTRY_CODES)), revenue=revenues,
       valid_until=days, lat=st.floats(-90, 90), terms=st.booleans())
def test_property_any_record_within_the_table_is_accepted_unchanged(site_id, partner_id, country, revenue,
                                                                    valid_until, lat, terms):
    record = changed("site_id", site_id, changed("partner_id", partner_id, changed("address.country", country)))
    record = changed("program.revenue_eur", Raw(str(revenue)), changed("program.terms_accepted", terms, record))
    record = changed("program.certifications.0.valid_until", valid_until.isoformat(), record)
    record = changed("location.lat", lat, record)
    parsed = parse(record)
    assert parsed.rejections == []
    loaded = parsed.record
    assert (loaded["site_id"], loaded["partner_id"], loaded["address"]["country"]) == (site_id, partner_id, country)
    assert loaded["program"]["revenue_eur"] == revenue and loaded["program"]["terms_accepted"] is terms
    assert loaded["program"]["certifications"][0]["valid_until"] == valid_until
    assert loaded["location"]["lat"] == lat


# --- duplicate site ids -------------------------------------------------------------------------


def test_duplicate_site_id_reports_the_first_line_every_time():
    with DuplicateSiteIds() as seen:
        assert seen.check("S1", 3) is None
        assert seen.check("S2", 4) is None
        assert seen.check("S1", 9) == 3
        assert seen.check("S1", 12) == 3  # still the first line, not the previous repeat
        assert seen.check("s1", 13) is None  # ids are case sensitive


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["S1", "S2", "S3", "S4", "s1", "S10"]), max_size=6), max_size=5))
def test_checking_a_chunk_at_once_finds_what_checking_line_by_line_finds(chunks):
    """check_many (pass 1, a chunk at a time) against check (line by line): the same repeats, each
    with its first line, whether a repeat is within a chunk or across chunks."""
    numbered, line = [], 0
    for chunk in chunks:
        numbered.append([(site_id, line := line + 1) for site_id in chunk])
    with DuplicateSiteIds() as one_by_one, DuplicateSiteIds() as by_chunk:
        expected = {line: first for chunk in numbered for site_id, line in chunk
                    if (first := one_by_one.check(site_id, line)) is not None}
        found = {}
        for chunk in numbered:
            found.update(by_chunk.check_many(chunk))
        assert found == expected
        assert [by_chunk.check(site_id, 10_000) for site_id in ("S1", "S10")] == \
               [one_by_one.check(site_id, 10_000) for site_id in ("S1", "S10")]


def test_duplicate_site_ids_closes_with_the_context():
    with DuplicateSiteIds() as seen:
        seen.check("S1", 1)
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        seen.check("S2", 2)


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(row.split()[1]) for row in status if row.startswith("VmRSS")) / 1024


@pytest.mark.slow
def test_duplicate_site_ids_stays_small_at_a_million_ids():
    before = _rss_mb()
    with DuplicateSiteIds() as seen:
        assert all(seen.check(f"S{n:07d}", n + 1) is None for n in range(1_000_000))
        grown = _rss_mb() - before
        assert seen.check("S0999999", 0) == 1_000_000
    assert grown < 60, f"RSS grew by {grown:.1f} MB for 1M ids"
