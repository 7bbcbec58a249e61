"""The search helpers and the bulk's JSON, made the quick way, against the plain definitions."""
from __future__ import annotations

import json
from datetime import date

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.documents import (document_json, listed_document, listed_source, listed_suffix, public_document,
                               search_key, searchable_document)
from indexer.records import parse_line
from locator.core.text import fold
from tests.unit.test_records import EXAMPLE, line

TEXT = st.text() | st.text(alphabet="aAøØüÜ \t\n\x85\u0301-'", max_size=12)
COORDINATE = st.floats(min_value=-90, max_value=90) | st.sampled_from([0.0, -0.0, 9e-05, -0.00009, 1e-4, 5e-324])


def _document(company: str, site_name: str | None, lat: float, lon: float) -> dict:
    record = parse_line(1, line(EXAMPLE)).record
    record = {**record, "company": company, "site_name": site_name}
    return public_document(record, (lat, lon), "2624652")


@settings(max_examples=300, deadline=None)
@given(TEXT.filter(str.strip), st.none() | TEXT, COORDINATE, COORDINATE)
def test_the_company_derived_fields_are_what_folding_each_time_gives(company, site_name, lat, lon):
    document = searchable_document(_document(company, site_name, lat, lon))
    assert document["folded"]["company"] == search_key(company)
    assert document["name_sort"] == fold(f"{company} {document.get('site_name', '')}")
    assert document["company_suggest"] == {"input": sorted({company, fold(company)})}


@settings(max_examples=300, deadline=None)
@given(TEXT.filter(str.strip), st.none() | TEXT, COORDINATE, COORDINATE, st.sampled_from(["advanced", "premier"]),
       st.integers(0, 50))
def test_a_listed_source_is_byte_for_byte_what_the_bulk_serializer_made_of_the_document(company, site_name, lat, lon,
                                                                                       tier, mcde):
    """Before, pass 2 parsed each spilled document, added the listed fields and the Elasticsearch
    client serialised it with the standard library's json (compact, UTF-8): the same bytes now."""
    searchable = searchable_document(_document(company, site_name, lat, lon))
    counts = {"MCDE": mcde, "MCIT": 1, "MCIE": 0}
    as_of, indexed_at = date(2026, 6, 1), "2026-06-01T03:00:00+00:00"
    spilled = orjson.loads(document_json(searchable))
    expected = json.dumps(listed_document(spilled, tier, counts, as_of, indexed_at), ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8", "surrogatepass")
    assert listed_source(document_json(searchable), listed_suffix(tier, counts, as_of, indexed_at)) == expected
