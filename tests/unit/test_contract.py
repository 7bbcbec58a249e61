"""The document contract: what is derived from it, and what documents the indexer builds from it."""
from __future__ import annotations

from datetime import date

from indexer.documents import listed_document, public_document, searchable_document
from indexer.records import parse_line
from locator.api.queries import RESULT_FIELDS, TEXT_FIELDS
from locator.api.spec import build_spec
from locator.core import eligibility
from locator.core.contract import ADDRESS_FIELDS, FIELDS, RESULT_SOURCE
from locator.core.mapping import ELIGIBILITY_MAPPING, SITE_MAPPING
from tests.unit.test_records import EXAMPLE, line

SECRET_PERSON = "E77120"


def _full_record() -> dict:
    """RULES.md's example line plus a field the rules do not know; parsed as the indexer does."""
    text = line({**EXAMPLE, "internal_rating": "A+", "address": {**EXAMPLE["address"], "region": "Midtjylland"}})
    return parse_line(1, text).record


def _listed(record: dict) -> dict:
    document = public_document(record, (56.1507, 10.2044), "2624652")
    return listed_document(searchable_document(document), "premier", {"MCDE": 2, "MCIT": 1, "MCIE": 0}, date(2026, 6, 1),
                           "2026-06-01T03:00:00+00:00")


def _undeclared(document: dict, properties: dict, path: str = "") -> list[str]:
    """Paths of a document that the mapping does not declare (a strict index would refuse them)."""
    wrong = []
    for key, value in document.items():
        declared = properties.get(key)
        if declared is None:
            wrong.append(path + key)
        elif isinstance(value, dict) and "properties" in declared:
            wrong += _undeclared(value, declared["properties"], f"{path}{key}.")
    return wrong


def test_relevance_weights_of_the_searched_fields():
    # The weights are part of the ranking (docs/architecture.md): changing one is a decision.
    assert sorted(TEXT_FIELDS) == sorted(["folded.company^3", "folded.site_name^2", "folded.city^2", "folded.postal_code^2",
                                          "folded.industries^2", "folded.region", "folded.street", "folded.description"])


def test_a_listed_document_holds_every_required_field_and_nothing_the_mapping_does_not_declare():
    document = _listed(_full_record())
    assert _undeclared(document, SITE_MAPPING["properties"]) == []
    for field in FIELDS:
        if field.required:
            value = document
            for part in field.path.split("."):
                value = value[part]
            assert value not in (None, "", [])


def test_documents_copy_only_the_public_fields_of_the_export():
    text = repr(_listed(_full_record()))
    assert "82000" not in text and SECRET_PERSON not in text  # revenue and person ids (RULES.md section 4)
    assert "internal_rating" not in text and "A+" not in text and "program" not in text
    assert "Midtjylland" in text and "aarhus@nordlys.example" in text  # public fields do arrive


def test_a_record_without_optional_fields_gets_no_empty_values():
    record = parse_line(1, line({"site_id": "S1", "partner_id": "P1", "company": "Acme",
                                 "address": {"city": "Oslo", "country": "NO"},
                                 "program": {"terms_accepted": True, "revenue_eur": 0}})).record
    document = public_document(record, (59.9, 10.7), None)
    assert document == {"site_id": "S1", "partner_id": "P1", "company": "Acme",
                        "address": {"city": "Oslo", "country": "NO"}, "country": "NO",
                        "location": {"lat": 59.9, "lon": 10.7}}


def test_the_openapi_site_schema_is_exactly_what_results_return():
    schemas = build_spec()["components"]["schemas"]
    # The contract's fields, then the address of the site's own page (computed, not stored).
    assert list(schemas["Site"]["properties"]) == [*RESULT_SOURCE, "page_url"] and list(RESULT_SOURCE) == RESULT_FIELDS
    assert list(schemas["Address"]["properties"]) == list(ADDRESS_FIELDS)
    assert schemas["Site"]["properties"]["tier"]["enum"] == ["advanced", "premier"]
    assert list(schemas["Certifications"]["properties"]) == ["MCDE", "MCIT", "MCIE"]


def test_the_geocoder_reads_the_address_fields_of_the_contract():
    assert ADDRESS_FIELDS == ("street", "postal_code", "city", "region", "country")


def test_the_eligibility_mapping_and_openapi_schema_come_from_its_contract():
    declared = {field.path for field in eligibility.FIELDS}
    mapped = {f"{head}.{leaf}" if "properties" in body else head
              for head, body in ELIGIBILITY_MAPPING["properties"].items()
              for leaf in (body.get("properties") or {head: None})}
    assert ELIGIBILITY_MAPPING["dynamic"] == "strict" and mapped == declared
    schemas = build_spec()["components"]["schemas"]
    # Staff only, neither read nor returned by the preview: the report's sort key, what a group misses
    # for Advanced and where its sites are (the coverage report's upgrade candidates).
    staff_only = {"company_sort", "missing_for_advanced", "sites.city", "sites.location"}
    assert {field.path for field in eligibility.FIELDS if field.api is None} == staff_only
    returned = [name for name in eligibility.TOP_LEVEL if name not in staff_only]
    assert list(schemas["PreviewCountry"]["properties"]) == [*returned, "listings", "numbers"]
    assert list(schemas["EligibilityRejected"]["properties"]) == ["line", "site_id", "field", "reason"]
    assert list(schemas["EligibilitySites"]["properties"]) == ["site_id", "site_name", "listed"]
    assert schemas["PreviewCountry"]["properties"]["sites"]["type"] == "array"
    assert eligibility.NOT_RETURNED == ("sites.city", "sites.location")  # the preview's _source excludes
    assert not staff_only & set(eligibility.RETURNED)


def test_no_eligibility_field_can_hold_a_figure_or_a_person():
    names = " ".join(field.path for field in eligibility.FIELDS)
    for word in ("revenue", "threshold", "margin", "person", "amount", "sum"):
        assert word not in names
