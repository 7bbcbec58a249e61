"""Eligibility documents: the checklist against RULES.md, expiring certifications, attribution of
rejected lines, and nothing but the declared fields."""
from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.eligibility import DocumentSpill, eligibility_document, spilled_documents, with_refusals
from indexer import grouping
from indexer.grouping import Group, GroupSpill, SiteFacts
from indexer.records import Owner, parse_line
from indexer.tiers import evaluate, program_facts
from locator.core import eligibility
from locator.core.contract import CERT_TYPES, RANKED_TIERS
from locator.core.mapping import ELIGIBILITY_MAPPING
from tests.unit.test_records import EXAMPLE, line
from tests.unit.test_tiers import AS_OF, DAY, PERSON_KEYS, PROGRAM, countries, group_of, site, sites

INDEXED_AT = "2026-06-15T03:00:00+00:00"


def document_of(*records, country="DK", rejected=()) -> dict:
    state = group_of(*records) if records else None
    group = Group(("P1", country), evaluate(state, country, PROGRAM) if state else None, state,
                  "Acme" if records else None,
                  [SiteFacts(record["site_id"], None, "Aarhus", (56.15, 10.2)) for record in records], list(rejected))
    return eligibility_document(group, AS_OF, INDEXED_AT)


def oracle_rows(records: list[dict], country: str) -> dict[str, bool]:
    """RULES.md section 2's table, read straight off the raw records: which tiers' rows hold."""
    programs = [record["program"] for record in records]
    people = {cert: {c["person_id"] for p in programs for c in p["certifications"]
                     if c["type"] == cert and c["valid_until"] >= AS_OF} for cert in CERT_TYPES}
    any_of = lambda test: any(test(p) for p in programs)  # noqa: E731 - reads like the rule
    terms = any_of(lambda p: p["terms_accepted"] is True)
    onboarding = any_of(lambda p: p["onboarding_completed"] is not None and p["onboarding_completed"] <= AS_OF)
    sales = any_of(lambda p: p["sales_training_completed"] is not None
                   and AS_OF - timedelta(days=365) < p["sales_training_completed"] <= AS_OF)
    plan, ambassador = any_of(lambda p: p["business_plan_year"] == AS_OF.year), any_of(lambda p: p["ambassador"] is True)
    revenue = sum((Decimal(p["revenue_eur"]) for p in programs), Decimal(0))
    reaches = {tier: revenue >= PROGRAM.threshold(country, tier) for tier in RANKED_TIERS}
    advanced = onboarding and sales and len(people["MCDE"]) >= 1 and len(people["MCIT"]) >= 1
    return {"authorized": terms and reaches["authorized"],
            "advanced": terms and reaches["advanced"] and advanced,
            "premier": terms and reaches["premier"] and advanced and len(people["MCIE"]) >= 1 and plan and ambassador}


def _days(*offsets):
    return st.sampled_from([None, *(AS_OF + offset * DAY for offset in offsets)])


# Records whose every condition sits on or next to its edge: each row of the table holds or fails
# by a day, a cent or a person, in every combination.
_thresholds = sorted({PROGRAM.threshold(country, tier) for country in ("DK", "US", "JP", "KE") for tier in RANKED_TIERS})
edge_sites = st.builds(
    site,
    revenue=st.sampled_from(_thresholds).flatmap(lambda t: st.sampled_from([t, t - Decimal("0.01"), t / 2])).map(str),
    terms=st.booleans(), ambassador=st.booleans(),
    onboarding=_days(-800, -1, 0, 1), sales=_days(-366, -365, -364, 0, 1),
    plan=st.sampled_from([None, AS_OF.year - 1, AS_OF.year, AS_OF.year + 1]),
    certs=st.lists(st.tuples(st.sampled_from(["E1", "E2", "E3"]), st.sampled_from(CERT_TYPES),
                             st.sampled_from([AS_OF - DAY, AS_OF, AS_OF + 90 * DAY])), max_size=5),
)


@settings(max_examples=400, deadline=None)
@given(records=st.lists(st.one_of(edge_sites, sites), min_size=1, max_size=4), country=countries)
def test_property_every_requirement_met_in_the_checklist_is_the_tier_the_rules_compute(records, country):
    rows = oracle_rows(records, country)
    holding = [tier for tier in RANKED_TIERS if rows[tier]]
    document = document_of(*records, country=country)
    assert document["tier"] == (holding[-1] if holding else "none")
    if document["tier"] != "none":  # the current tier's checklist: every requirement met
        assert document["current_requirements"] and all(item["met"] for item in document["current_requirements"])
    if document["next_tier"]:  # the next tier's: not every one, exactly because its row does not hold
        assert rows[document["next_tier"]] is False
        assert not all(item["met"] for item in document["next_requirements"])
    evaluation = evaluate(group_of(*records), country, PROGRAM)
    assert {tier: all(item.met for item in evaluation.requirements[tier]) for tier in RANKED_TIERS} == rows


def test_each_tier_lists_the_requirements_of_its_row_in_order():
    evaluation = evaluate(group_of(site()), "DK", PROGRAM)
    ids = {tier: [item.id for item in items] for tier, items in evaluation.requirements.items()}
    assert ids == {"authorized": ["terms", "revenue"],
                   "advanced": ["terms", "revenue", "onboarding", "sales_training", "certified_MCDE", "certified_MCIT"],
                   "premier": ["terms", "revenue", "onboarding", "sales_training", "certified_MCDE", "certified_MCIT",
                               "certified_MCIE", "business_plan", "ambassador"]}


def test_the_checklist_words_name_requirements_never_figures():
    document = document_of(site(revenue="61234.5", ambassador=False, certs=[("E1", "MCDE")]))
    words = json.dumps([document["current_requirements"], document["next_requirements"]])
    assert document["tier"] == "authorized" and document["next_tier"] == "advanced"
    assert "revenue threshold for Advanced" in words and "MCIT certification" in words
    assert not any(ch.isdigit() for ch in words.replace("365", "").replace(str(AS_OF.year), ""))


def test_expiring_counts_distinct_people_by_their_latest_valid_certification_of_each_type():
    soon, later = AS_OF + 30 * DAY, AS_OF + 91 * DAY
    document = document_of(
        site(certs=[("E1", "MCDE", soon), ("E2", "MCDE", AS_OF + 90 * DAY), ("E3", "MCDE", later), ("E4", "MCIT", soon)]),
        site(certs=[("E1", "MCDE", soon + DAY), ("E4", "MCIT", later), ("E5", "MCIE", AS_OF - DAY)]))
    # E1 twice (once counted, its latest date), E2 on the 90th day, E3 after; E4's latest MCIT is later.
    assert document["expiring"] == [{"type": "MCDE", "people": 2, "earliest": (soon + DAY).isoformat()}]


def test_a_group_of_rejected_lines_only_has_no_tier_no_checklist_and_its_reasons():
    entry = {"line": 7, "site_id": "S7", "field": "contact.email", "reason": "not a valid e-mail address: 'x'"}
    document = document_of(country="unknown", rejected=[entry])
    assert document == {
        "partner_id": "P1", "country": "unknown", "company": None, "company_sort": "", "tier": "none", "listed": False,
        "certifications": {"MCDE": 0, "MCIT": 0, "MCIE": 0}, "current_requirements": [], "next_tier": None,
        "next_requirements": [], "expiring": [], "sites": [], "rejected": [entry], "missing_for_advanced": [],
        "as_of": AS_OF.isoformat(), "indexed_at": INDEXED_AT}


def test_each_site_carries_its_city_and_point_and_the_group_what_it_misses_for_advanced():
    listed = document_of(site(), site())
    assert listed["tier"] == "premier" and listed["missing_for_advanced"] == []
    assert listed["sites"][0] == {"site_id": listed["sites"][0]["site_id"], "site_name": None, "listed": True,
                                  "city": "Aarhus", "location": {"lat": 56.15, "lon": 10.2}}
    authorized = document_of(site(revenue="61234.5", ambassador=False, certs=[("E1", "MCDE")]))
    assert authorized["next_tier"] == "advanced"  # its next tier's unmet names, exactly as the eligibility report
    assert authorized["missing_for_advanced"] == [item["name"] for item in authorized["next_requirements"] if not item["met"]]
    # A group of tier "none" has Authorized next: what it misses for Advanced is known only from this field.
    nothing = document_of(site(terms=False, certs=[]))
    assert nothing["tier"] == "none" and nothing["next_tier"] == "authorized"
    assert nothing["missing_for_advanced"][:1] == ["program terms"] and "MCDE certification" in nothing["missing_for_advanced"]
    assert not any(ch.isdigit() for ch in json.dumps(nothing["missing_for_advanced"]).replace(str(AS_OF.year), ""))


def _declared(document: dict, properties: dict, path: str = "") -> list[str]:
    """Paths of a document that the strict mapping does not declare."""
    wrong = []
    for key, value in document.items():
        declared = properties.get(key)
        items = value if isinstance(value, list) else [value]
        if declared is None:
            wrong.append(path + key)
        for item in items:
            if isinstance(item, dict) and "type" not in (declared or {}):  # a geo_point's lat/lon are its own
                wrong += _declared(item, (declared or {}).get("properties", {}), f"{path}{key}.")
    return wrong


def test_documents_hold_only_declared_fields_and_no_confidential_value():
    record = site(revenue="98765.43", certs=[("PERSON-SECRET-1", "MCDE", AS_OF + 10 * DAY), ("PERSON-SECRET-2", "MCIT")])
    document = document_of(record, rejected=[{"line": 2, "site_id": None, "field": "-", "reason": "not valid JSON"}])
    assert _declared(document, ELIGIBILITY_MAPPING["properties"]) == []
    assert set(document) == set(eligibility.TOP_LEVEL)
    text = json.dumps(document)
    assert "98765" not in text and "PERSON-SECRET" not in text and "revenue_eur" not in text
    for field in eligibility.FIELDS:
        if field.required and "." not in field.path:
            assert document[field.path] is not None


def test_a_site_refused_by_elasticsearch_is_not_listed_and_says_why():
    document = document_of(site(), site())
    first, second = (entry["site_id"] for entry in document["sites"])
    refusal = {"line": 1, "site_id": first, "field": "-", "reason": "Elasticsearch refused the document: x"}
    changed = with_refusals(document, {first: refusal})
    assert [entry["listed"] for entry in changed["sites"]] == [False, True] and changed["listed"] is True
    assert changed["rejected"] == [refusal]
    assert with_refusals(changed, {second: {**refusal, "site_id": second, "line": 0}})["listed"] is False


def test_the_spill_gives_back_each_document_under_its_id_as_json_or_patched_when_sites_were_refused(tmp_path):
    documents = [document_of(site()), document_of(site(), country="SE"), document_of(site(), country="NO")]
    spills = [DocumentSpill(tmp_path / "one"), DocumentSpill(tmp_path / "two")]
    for spill, document in zip([*spills, spills[1]], documents):
        spill.write(document)
    for spill in spills:
        spill.close()
    assert [spill.count for spill in spills] == [1, 2]
    paths = [spill.path for spill in spills]
    assert [(key, json.loads(source)) for key, source in spilled_documents(paths, {})] == [
        ("P1:DK", documents[0]), ("P1:SE", documents[1]), ("P1:NO", documents[2])]
    site_id = documents[1]["sites"][0]["site_id"]
    refusal = {"line": 9, "site_id": site_id, "field": "-", "reason": "refused"}
    patched = dict(spilled_documents(paths, {site_id: refusal}))
    assert patched["P1:DK"] == documents[0] and patched["P1:SE"]["rejected"] == [refusal]


# ---------------------------------------------------------------- whose line a rejected line is


def test_a_rejected_line_names_its_partner_country_and_company_when_they_parse():
    bad_email = {**EXAMPLE, "contact": {"email": "nope"}}
    assert parse_line(3, line(bad_email)).owner == Owner("P000311", "DK", "Nordlys Sikring ApS")
    bad_country = {**EXAMPLE, "address": {**EXAMPLE["address"], "country": "dk"}}
    assert parse_line(3, line(bad_country)).owner == Owner("P000311", "unknown", "Nordlys Sikring ApS")
    odd = {**EXAMPLE, "address": ["DK"], "company": "x" * 201}
    assert parse_line(3, line(odd)).owner == Owner("P000311", "unknown", None)
    for partner_id in (None, "", "P 311", 311, ["P1"]):
        assert parse_line(3, line({**EXAMPLE, "partner_id": partner_id, "company": 5})).owner is None
    assert parse_line(3, "{not json").owner is None


def test_groups_collect_their_sites_and_rejected_lines_in_file_order():
    spill = GroupSpill()
    record = site()
    spill.add_rejected(Owner("P1", "DK", "Acme from a rejected line"), {"line": 1, "site_id": "X", "field": "-", "reason": "r"})
    spill.add("P1", "DK", program_facts(record["program"], PERSON_KEYS), 2, SiteFacts("S2", "Second", "Aarhus", (56.15, 10.2)),
              "Acme A/S")
    spill.add("P1", "DK", program_facts(record["program"], PERSON_KEYS), 3, SiteFacts("S3", None, "Skagen", (57.72, 10.58)),
              "Acme renamed")
    spill.add_rejected(Owner("P2", "unknown", None), {"line": 4, "site_id": None, "field": "-", "reason": "r"})
    groups = {group.key: group for group in spill.groups(AS_OF, PROGRAM)}
    spill.close()
    assert set(groups) == {("P1", "DK"), ("P2", "unknown")}
    assert groups[("P1", "DK")].company == "Acme A/S"  # the first valid record's name
    assert groups[("P1", "DK")].sites == [("S2", "Second", "Aarhus", (56.15, 10.2)), ("S3", None, "Skagen", (57.72, 10.58))]
    assert [entry["line"] for entry in groups[("P1", "DK")].rejected] == [1]
    assert groups[("P2", "unknown")].evaluation is None and groups[("P1", "DK")].evaluation.tier == "premier"


def test_a_worker_stopped_while_starting_leaves_no_file_the_parent_reads(tmp_path, monkeypatch):
    # A pool with more workers than chunks stops a worker still starting; the parent then absorbs
    # every worker file it finds, so a file must never be found before its table exists.
    def stopped(db):
        raise SystemExit("worker terminated")

    with monkeypatch.context() as patched:
        patched.setattr(grouping, "_create_table", stopped)
        with pytest.raises(SystemExit):
            GroupSpill.for_worker(tmp_path)
    assert GroupSpill.files(tmp_path) == []

    worker = GroupSpill.for_worker(tmp_path)
    record = site()
    worker.add("P1", "DK", program_facts(record["program"], PERSON_KEYS), 1, SiteFacts("S1"), "Acme")
    worker.commit()
    parent = GroupSpill()
    parent.absorb(GroupSpill.files(tmp_path), set())
    assert [group.sites for group in parent.groups(AS_OF, PROGRAM)] == [[("S1", None, None, None)]]
    worker.close()
    parent.close()
