"""The fast path of validation against the schema, line for line: same verdict, record, report rows.

``records.parse_line`` accepts clearly valid lines with msgspec (``indexer.fast_records``) and
validates every other line with marshmallow (``records.validated_line``). Whatever the line,
valid or broken in any way RULES.md section 1 names, both must give the same ``ParsedLine``: the
same record (so the same document and the same group facts), or the same rejections (so the same
report rows and preview attribution).
"""
from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.documents import public_document
from indexer.fast_records import fast_record
from indexer.record_rules import MAX_CHARS
from indexer.records import parse_line, validated_line
from tests.unit.test_records import EXAMPLE, Raw, line

# --- valid records ---------------------------------------------------------------------------------

_TEXT_ALPHABET = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")


def _text(field: str, required: bool = False):
    size = st.text(_TEXT_ALPHABET, min_size=1 if required else 0, max_size=MAX_CHARS[field])
    return size.filter(lambda value: value.strip()) if required else size


def _optional(strategy):
    """Absent, null, or a value: exporters write all three."""
    return st.one_of(st.just(...), st.none(), strategy)


_ids = st.from_regex(r"\A[A-Za-z0-9._-]{1,64}\Z")
_dates = st.dates(date(1990, 1, 1), date(2040, 12, 31)).map(date.isoformat)
_revenues = st.one_of(st.integers(0, 10**15), st.decimals(0, 10**15, places=2, allow_nan=False).map(lambda d: Raw(str(d))),
                      st.sampled_from([Raw("0.0"), Raw("1e3"), Raw("82000.50"), Raw("1E+2"), Raw("0.00000000000000000001")]))
_certifications = st.lists(st.fixed_dictionaries({"person_id": _text("person_id", True),
                                                  "type": st.sampled_from(["MCDE", "MCIT", "MCIE"]),
                                                  "valid_until": _dates}), max_size=4)


def _record():
    program = st.fixed_dictionaries(
        {"terms_accepted": st.booleans(), "revenue_eur": _revenues},
        optional={"onboarding_completed": _optional(_dates), "sales_training_completed": _optional(_dates),
                  "business_plan_year": _optional(st.integers(1, 9999)), "ambassador": _optional(st.booleans()),
                  "certifications": _optional(_certifications)})
    address = st.fixed_dictionaries(
        {"city": _text("city", True), "country": st.sampled_from(["DK", "US", "JP", "DE", "KE", "BR"])},
        optional={"street": _optional(_text("street")), "postal_code": _optional(_text("postal_code")),
                  "region": _optional(_text("region"))})
    location = st.one_of(st.just({}), st.fixed_dictionaries({
        "lat": st.one_of(st.floats(-90, 90, allow_nan=False), st.integers(-90, 90)),
        "lon": st.one_of(st.floats(-180, 180, allow_nan=False), st.integers(-180, 180))}))
    contact = st.fixed_dictionaries({}, optional={
        "phone": _optional(_text("phone")), "email": _optional(st.emails().filter(lambda e: len(e) <= 254)),
        "website": _optional(st.sampled_from(["https://nordlys.example", "http://x.example/a?b=c", "https://éxample.dk"]))})
    return st.fixed_dictionaries(
        {"site_id": _ids, "partner_id": _ids, "company": _text("company", True), "address": address, "program": program},
        optional={"site_name": _optional(_text("site_name")), "location": _optional(location),
                  "contact": _optional(contact), "languages": _optional(st.lists(st.sampled_from(["da", "en", "ja"]))),
                  "industries": _optional(st.lists(_text("industry"), max_size=3)),
                  "description": _optional(_text("description"))}).map(_drop_absent)


def _drop_absent(value):
    if isinstance(value, dict):
        return {key: _drop_absent(item) for key, item in value.items() if item is not ...}
    return [_drop_absent(item) for item in value] if isinstance(value, list) else value


# --- ways a record breaks ------------------------------------------------------------------------

_HOSTILE = st.one_of(
    st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=False, allow_infinity=False),
    st.text(_TEXT_ALPHABET, max_size=30), st.just(""), st.just("   "), st.just([]), st.just({}), st.just(["x"]),
    st.just("x" * 2001), st.just("XX"), st.just("dk"), st.just("2024-02-30"), st.just("20240101"),
    st.just(Raw("NaN")), st.just(Raw("Infinity")), st.just(Raw("-0")), st.just(Raw("1e400")), st.just(Raw("-1")),
    st.just(Raw("12345678901234567890123")), st.just("not-an-email"), st.just("ftp://x.example"),
)


def _paths(value, prefix=()):
    """Every path into a record: keys of objects, indexes of lists."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


@st.composite
def _broken(draw):
    record = draw(_record())
    paths = [path for path in _paths(record) if path]
    path = draw(st.sampled_from(paths))
    *parents, last = path
    target = record
    for part in parents:
        target = target[part]
    action = draw(st.sampled_from(["replace", "delete", "unknown field"]))
    if action == "delete" and isinstance(target, dict):
        del target[last]
    elif action == "unknown field" and isinstance(target, dict):
        target[draw(st.sampled_from(["fax", "internal_rating", "Site_ID"]))] = draw(_HOSTILE)
    else:
        target[last] = draw(_HOSTILE)
    return record


# Values just outside each rule, where a fast path is most likely to be too lenient.
_NEAR_MISSES = {
    ("company",): ["   ", "", "x" * 201], ("address", "city"): [" ", "x" * 101], ("address", "country"): ["dk", "XX", "DNK"],
    ("languages",): [["xx"], ["EN"], ["eng"], ["da", None]], ("location",): [{"lat": 56.1}, {"lon": 10.2}, {"lat": 90.5, "lon": 1},
                                                                        {"lat": "56", "lon": 10}, {"lat": True, "lon": 1}],
    ("program", "revenue_eur"): [Raw("-0.01"), Raw("1e16"), Raw("0.000000000000000000001"), "100", True, None],
    ("program", "onboarding_completed"): ["2024-02-30", "2024-2-3", "2024-01-01T00:00:00", 20240101],
    ("program", "terms_accepted"): [1, "true", None], ("program", "ambassador"): [1, "yes"],
    ("program", "business_plan_year"): [0, 10000, Raw("2026.0"), "2026", True],
    ("program", "certifications"): [[{"person_id": " ", "type": "MCDE", "valid_until": "2027-01-01"}],
                                    [{"person_id": "E1", "type": "mcde", "valid_until": "2027-01-01"}],
                                    [{"person_id": "E1", "type": "MCDE", "valid_until": "2027-02-30"}], [None], "E1"],
    ("contact",): [{"email": "a@b"}, {"email": "a b@c.dk"}, {"website": "ftp://x.example"}, {"website": "nordlys.example"},
                   {"phone": "1" * 41}, []],
    ("site_id",): ["S 1", "", "x" * 65, "S1\n", 17], ("industries",): [["x" * 51], [None], "retail"],
}


@st.composite
def _near_miss(draw):
    record = draw(_record())
    path = draw(st.sampled_from(sorted(_NEAR_MISSES)))
    target = record
    for part in path[:-1]:
        target = target.setdefault(part, {})
    target[path[-1]] = draw(st.sampled_from(_NEAR_MISSES[path]))
    return record


def _same_both_ways(text: str) -> None:
    fast_first, schema_only = parse_line(7, text), validated_line(7, text)
    assert fast_first == schema_only
    if schema_only.record is not None:
        location = (schema_only.record["location"] or {"lat": 1.0, "lon": 2.0}).values()
        assert public_document(fast_first.record, tuple(location), "1") == public_document(schema_only.record, tuple(location), "1")


_FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_FAST
@given(_record(), st.booleans())
def test_valid_records_give_the_same_record_either_way(record, ascii_only):
    text = line(record) if not ascii_only else json.dumps(json.loads(line(record)))
    assert fast_record(line(record)) is not None or validated_line(1, line(record)).record is None
    _same_both_ways(text)


@_FAST
@given(_broken())
def test_broken_records_give_the_same_verdict_and_report_rows_either_way(record):
    _same_both_ways(line(record))


@_FAST
@given(_near_miss())
def test_values_just_outside_a_rule_give_the_same_verdict_either_way(record):
    _same_both_ways(line(record))


@pytest.mark.parametrize("text", [
    line(EXAMPLE),
    "\ufeff" + line(EXAMPLE),  # a byte-order mark: the schema strips it
    line(EXAMPLE).replace('"site_id": "S0001842"', '"site_id": "S0001842", "site_id": "S2"'),  # a repeated key: the last
    line(EXAMPLE).replace('"lat": 56.1507', '"lat": NaN'),
    line(EXAMPLE).replace('"lat": 56.1507', '"lat": 56.15070000000000000000000001'),
    line(EXAMPLE).replace('"Aarhus"', '"Aar\\ud800hus"'),  # a lone surrogate
    line(EXAMPLE).replace('"business_plan_year": 2026', '"business_plan_year": 2026.0'),
    line(EXAMPLE).replace('"business_plan_year": 2026', '"business_plan_year": true'),
    line(EXAMPLE).replace('"revenue_eur": 82000.50', '"revenue_eur": "82000.50"'),
    line(EXAMPLE).replace('"revenue_eur": 82000.50', '"revenue_eur": 1000000000000000.000000000000000000001'),
    line(EXAMPLE).replace('"location": {"lat": 56.1507, "lon": 10.2044}', '"location": {"lat": 56.1507}'),
    line(EXAMPLE).replace('"location": {"lat": 56.1507, "lon": 10.2044}', '"location": {"lat": null, "lon": null}'),
    line(EXAMPLE).replace('"S0001842"', '"S0001842\\n"'),
    '{"site_id": "S1"',
    "[1, 2]",
])
def test_edge_lines_give_the_same_result_either_way(text):
    _same_both_ways(text)


def test_the_fast_path_takes_the_rules_example_and_leaves_broken_lines_to_the_schema():
    assert fast_record(line(EXAMPLE)) == validated_line(1, line(EXAMPLE)).record
    assert fast_record(line({**EXAMPLE, "fax": "+45 1"})) is None  # ignored fields are counted by the schema
    assert fast_record(line({**EXAMPLE, "languages": ["xx"]})) is None
