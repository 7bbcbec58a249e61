"""Tier rules (RULES.md section 2): edges of every date and threshold, groups, and properties."""
from __future__ import annotations

import itertools
import json
from datetime import date, timedelta
from decimal import Decimal, Inexact

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.program import load_program, parse_program
from indexer.records import parse_line
from indexer.grouping import GroupSpill
from indexer.tiers import GroupState, PersonKeys, evaluate, is_listed, program_facts
from locator.core.contract import LISTED_TIERS, TIERS

AS_OF = date(2026, 6, 15)
DAY = timedelta(days=1)
PROGRAM = load_program()
ALL_CERTS = (("E1", "MCDE"), ("E2", "MCIT"), ("E3", "MCIE"))


SITE_NUMBERS = itertools.count(1)


def _cert(person_id: str, kind: str, valid_until: date = date(2027, 5, 31)) -> dict:
    return {"person_id": person_id, "type": kind, "valid_until": valid_until}


def site(partner="P1", country="DK", revenue="250000", terms=True, onboarding=date(2024, 3, 11),
         sales=AS_OF - 30 * DAY, plan=AS_OF.year, ambassador=True, certs=ALL_CERTS):
    """A parsed record (same shape as parse_line's); by default one that alone is Premier in EMEA.
    ``certs`` holds (person_id, type) or (person_id, type, valid_until) tuples."""
    program = {"terms_accepted": terms, "revenue_eur": Decimal(revenue), "onboarding_completed": onboarding,
               "sales_training_completed": sales, "business_plan_year": plan, "ambassador": ambassador,
               "certifications": [_cert(*cert) for cert in certs]}
    return {"site_id": f"SITE{next(SITE_NUMBERS):06d}", "partner_id": partner, "company": "Acme",
            "address": {"city": "Somewhere", "country": country}, "program": program}


PERSON_KEYS = PersonKeys()


def group_of(*records, as_of=AS_OF) -> GroupState:
    group = GroupState()
    for record in records:
        group.add(program_facts(record["program"], PERSON_KEYS), as_of)
    return group


def tier_of(*records, country="DK", program=PROGRAM, as_of=AS_OF) -> str:
    return evaluate(group_of(*records, as_of=as_of), country, program).tier


# --- the helper is faithful to the parser ---------------------------------------------------------


def test_site_helper_has_the_shape_parse_line_returns():
    record = site()
    as_json = json.loads(json.dumps(record, default=str))
    as_json["program"]["revenue_eur"] = 250000
    parsed = parse_line(1, json.dumps(as_json)).record
    assert parsed["program"] == record["program"]
    assert parsed["address"]["country"] == "DK" and parsed["partner_id"] == "P1"


# --- each requirement and its edges -----------------------------------------------------------------


def test_a_site_meeting_everything_is_premier_with_nothing_missing():
    evaluation = evaluate(group_of(site()), "DK", PROGRAM)
    assert (evaluation.tier, evaluation.cert_counts) == ("premier", {"MCDE": 1, "MCIT": 1, "MCIE": 1})
    assert evaluation.missing == {"authorized": (), "advanced": (), "premier": ()}
    assert evaluation.next_tier is None


@pytest.mark.parametrize(("revenue", "tier"), [
    ("60000", "advanced"), ("60000.00", "advanced"), ("59999.99", "authorized"),
    ("10000", "authorized"), ("9999.99", "none"), ("250000", "premier"), ("249999.99", "advanced"),
])
def test_emea_threshold_met_exactly_counts_and_one_cent_less_does_not(revenue, tier):
    evaluation = evaluate(group_of(site(revenue=revenue)), "DK", PROGRAM)
    assert evaluation.tier == tier
    if tier == "authorized":
        assert evaluation.missing["advanced"] == ("revenue threshold for Advanced: not met",)


def test_revenue_is_summed_exactly_over_the_sites():
    # As floats 0.1 + 0.2 + 59999.7 is 60000.00000000001 or 59999.99999999999; as Decimals it is 60000.
    assert tier_of(site(revenue="0.1"), site(revenue="0.2"), site(revenue="59999.7", ambassador=False)) == "advanced"
    assert tier_of(site(revenue="0.1"), site(revenue="0.2"), site(revenue="59999.69", ambassador=False)) == "authorized"


@pytest.mark.parametrize(("valid_until", "counted"), [(AS_OF, 1), (AS_OF - DAY, 0), (AS_OF + 400 * DAY, 1)])
def test_certification_valid_until_as_of_counts_and_a_day_before_does_not(valid_until, counted):
    group = group_of(site(certs=[("E1", "MCDE", valid_until), ("E2", "MCIT")], revenue="60000"))
    evaluation = evaluate(group, "DK", PROGRAM)
    assert evaluation.cert_counts["MCDE"] == counted
    assert evaluation.tier == ("advanced" if counted else "authorized")
    assert ("MCDE certification: none valid" in evaluation.missing["advanced"]) is not bool(counted)


@pytest.mark.parametrize(("onboarding", "done"), [
    (AS_OF, True), (AS_OF + DAY, False), (date(2001, 1, 1), True), (None, False),
])
def test_onboarding_on_as_of_counts_and_a_day_later_does_not(onboarding, done):
    evaluation = evaluate(group_of(site(onboarding=onboarding)), "DK", PROGRAM)
    assert evaluation.tier == ("premier" if done else "authorized")
    assert ("onboarding training: not completed" in evaluation.missing["advanced"]) is not done


@pytest.mark.parametrize(("days_before", "done"), [(0, True), (364, True), (365, False), (366, False), (-1, False)])
def test_sales_training_counts_only_in_the_365_days_up_to_as_of(days_before, done):
    group = group_of(site(sales=AS_OF - days_before * DAY))
    assert group.sales_training is done
    evaluation = evaluate(group, "DK", PROGRAM)
    assert evaluation.tier == ("premier" if done else "authorized")
    message = "annual sales training: not completed in the last 365 days"
    assert (message in evaluation.missing["premier"]) is not done


@pytest.mark.parametrize(("plan", "done"), [
    (AS_OF.year, True), (AS_OF.year - 1, False), (AS_OF.year + 1, False), (None, False),
])
def test_business_plan_must_be_for_the_year_of_as_of(plan, done):
    evaluation = evaluate(group_of(site(plan=plan)), "DK", PROGRAM)
    assert evaluation.tier == ("premier" if done else "advanced")
    assert (f"joint business plan for {AS_OF.year}: none" in evaluation.missing["premier"]) is not done


@pytest.mark.parametrize(("change", "message", "tiers"), [
    ({"terms": False}, "program terms: not accepted", ("authorized", "advanced", "premier")),
    ({"revenue": "0"}, "revenue threshold for Authorized: not met", ("authorized",)),
    ({"onboarding": None}, "onboarding training: not completed", ("advanced", "premier")),
    ({"sales": None}, "annual sales training: not completed in the last 365 days", ("advanced", "premier")),
    ({"certs": ALL_CERTS[1:]}, "MCDE certification: none valid", ("advanced", "premier")),
    ({"certs": ALL_CERTS[::2]}, "MCIT certification: none valid", ("advanced", "premier")),
    ({"certs": ALL_CERTS[:2]}, "MCIE certification: none valid", ("premier",)),
    ({"plan": None}, f"joint business plan for {AS_OF.year}: none", ("premier",)),
    ({"ambassador": False}, "brand ambassador: no", ("premier",)),
])
def test_each_missing_requirement_is_named_for_exactly_the_tiers_needing_it(change, message, tiers):
    missing = evaluate(group_of(site(**change)), "DK", PROGRAM).missing
    assert {tier for tier, problems in missing.items() if message in problems} == set(tiers)


def test_missing_requirements_never_state_figures():
    group = group_of(site(revenue="12345.67", terms=False, onboarding=None, sales=None, plan=None, certs=()))
    messages = [m for problems in evaluate(group, "DK", PROGRAM).missing.values() for m in problems]
    assert "revenue threshold for Premier: not met" in messages
    allowed = (str(AS_OF.year), "365 days")  # the rule's own words; no amount or shortfall
    for message in messages:
        for words in allowed:
            message = message.replace(words, "")
        assert not any(ch.isdigit() for ch in message), message


# --- groups: distinct people, any-site flags, regions ---------------------------------------------


def test_one_person_at_two_sites_counts_once_and_two_people_twice():
    same = group_of(site(certs=[("E1", "MCDE")]), site(certs=[("E1", "MCDE"), ("E1", "MCIT")]))
    assert same.cert_counts == {"MCDE": 1, "MCIT": 1, "MCIE": 0}
    two = group_of(site(certs=[("E1", "MCDE")]), site(certs=[("E2", "MCDE")]))
    assert two.cert_counts == {"MCDE": 2, "MCIT": 0, "MCIE": 0}


def test_one_site_accepting_terms_is_enough_and_revenue_adds_up():
    records = [site(terms=False, revenue="30000", ambassador=False), site(terms=True, revenue="30000", certs=())]
    assert tier_of(*records) == "advanced"


def test_a_partner_in_three_countries_gets_three_tiers():
    groups = GroupSpill()
    for record in [site(country="DK"), site(country="US", revenue="75000", plan=None), site(country="DK", revenue="1"),
                   site(country="JP", revenue="8000", certs=()), site(partner="P2", country="JP")]:
        groups.add(record["partner_id"], record["address"]["country"], program_facts(record["program"], PERSON_KEYS))
    tiers = {group.key: group.evaluation.tier for group in groups.groups(AS_OF, PROGRAM)}
    groups.close()
    assert tiers == {("P1", "DK"): "premier", ("P1", "US"): "advanced", ("P1", "JP"): "authorized",
                     ("P2", "JP"): "premier"}


def test_a_person_certified_at_sites_read_by_two_workers_counts_once():
    # Two workers of one run share its key: the same person hashes alike in both.
    run = PersonKeys()
    worker_a, worker_b = PersonKeys(run.key), PersonKeys(run.key)
    group = GroupState()
    group.add(program_facts(site(certs=[("E1", "MCDE")])["program"], worker_a), AS_OF)
    group.add(program_facts(site(certs=[("E1", "MCDE")])["program"], worker_b), AS_OF)
    assert group.cert_counts["MCDE"] == 1
    assert PersonKeys()("E1") != run("E1")  # another run, another key: its hashes match nothing of this one


def test_the_same_revenue_is_advanced_in_apac_but_not_in_the_americas():
    record = site(revenue="60000", ambassador=False)
    assert tier_of(record, country="JP") == "advanced"
    assert tier_of(record, country="US") == "authorized"
    assert tier_of(record, country="KE") == "advanced"  # default region: 60000


def test_certification_minimums_come_from_the_program():
    zero = {"authorized": 0, "advanced": 0, "premier": 0}
    program = parse_program({"currency": "EUR", "certifications": {"advanced": {"MCDE": 2}, "premier": {}},
                             "regions": {"default": {"thresholds": zero}}})
    one = evaluate(group_of(site(certs=[("E1", "MCDE")], ambassador=False)), "DK", program)
    assert one.tier == "authorized"
    assert one.missing["advanced"] == ("MCDE certification: too few people certified",)
    assert tier_of(site(certs=[("E1", "MCDE"), ("E2", "MCDE")]), program=program) == "premier"


def test_an_empty_group_is_none():
    evaluation = evaluate(GroupState(), "DK", PROGRAM)
    assert evaluation.tier == "none" and evaluation.cert_counts == {"MCDE": 0, "MCIT": 0, "MCIE": 0}


def test_what_expires_ignores_expired_certifications_and_counts_each_person_once():
    group = group_of(site(certs=[("E1", "MCDE", date(2026, 9, 1)), ("E2", "MCDE", date(2027, 1, 31)),
                                 ("E3", "MCDE", date(2028, 1, 1)), ("E4", "MCIT", AS_OF - DAY)]),
                     site(certs=[("E5", "MCDE", date(2026, 7, 1)), ("E1", "MCDE", date(2026, 8, 1))]))
    assert group.expiring(timedelta(days=3650)) == {"MCDE": (4, date(2026, 7, 1))}  # E4's MCIT had already ended


def test_group_state_keeps_no_raw_person_id_and_no_per_site_data():
    group = group_of(*[site(certs=[("SECRET-PERSON-1", "MCDE"), ("SECRET-PERSON-2", "MCIT")]) for _ in range(50)])
    assert not hasattr(group, "__dict__")
    stored = repr([getattr(group, slot) for slot in GroupState.__slots__])
    assert "SECRET-PERSON" not in stored and "SITE" not in stored
    assert all(isinstance(person, int) for people in group._people.values() for person in people)
    assert group.sites == 50 and group.cert_counts == {"MCDE": 1, "MCIT": 1, "MCIE": 0}


def test_a_group_cannot_mix_evaluation_dates():
    group = group_of(site())
    with pytest.raises(ValueError, match="already evaluated at 2026-06-15"):
        group.add(program_facts(site()["program"], PERSON_KEYS), AS_OF + DAY)


def test_a_sum_that_cannot_be_exact_is_an_error_not_a_rounding():
    group = group_of(site(revenue="1E+100"))
    with pytest.raises(Inexact):
        group.add(program_facts(site(revenue="1E-20")["program"], PERSON_KEYS), AS_OF)


def test_only_advanced_and_premier_are_listed():
    assert [tier for tier in TIERS if is_listed(tier)] == list(LISTED_TIERS) == ["advanced", "premier"]


# --- properties ---------------------------------------------------------------------------------

sites = st.builds(
    site,
    partner=st.just("P1"),
    revenue=st.decimals(min_value=0, max_value=400000, places=2).map(str),
    terms=st.booleans(),
    onboarding=st.one_of(st.none(), st.integers(-800, 30).map(lambda d: AS_OF + d * DAY)),
    sales=st.one_of(st.none(), st.integers(-400, 30).map(lambda d: AS_OF + d * DAY)),
    plan=st.sampled_from([None, AS_OF.year - 1, AS_OF.year, AS_OF.year + 1]),
    ambassador=st.booleans(),
    certs=st.lists(st.tuples(st.sampled_from(["E1", "E2", "E3", "E4"]), st.sampled_from(["MCDE", "MCIT", "MCIE"]),
                             st.integers(-30, 400).map(lambda d: AS_OF + d * DAY)), max_size=4),
)
countries = st.sampled_from(["DK", "US", "JP", "KE"])
RANK = {tier: rank for rank, tier in enumerate(TIERS)}


@settings(max_examples=150, deadline=None)
@given(records=st.lists(sites, min_size=1, max_size=6), country=countries, extra=st.decimals(0, 300000, places=2))
def test_property_more_revenue_never_lowers_the_tier(records, country, extra):
    first = records[0]
    richer = dict(first, program=dict(first["program"], revenue_eur=first["program"]["revenue_eur"] + extra))
    assert RANK[tier_of(richer, *records[1:], country=country)] >= RANK[tier_of(*records, country=country)]


@settings(max_examples=150, deadline=None)
@given(records=st.lists(sites, min_size=1, max_size=6), country=countries,
       cert=st.tuples(st.sampled_from(["E1", "E9"]), st.sampled_from(["MCDE", "MCIT", "MCIE"])))
def test_property_adding_a_valid_certification_never_lowers_the_tier(records, country, cert):
    first = records[0]
    certified = dict(first, program=dict(first["program"], certifications=[
        *first["program"]["certifications"], {"person_id": cert[0], "type": cert[1], "valid_until": AS_OF}]))
    assert RANK[tier_of(certified, *records[1:], country=country)] >= RANK[tier_of(*records, country=country)]


@settings(max_examples=150, deadline=None)
@given(records=st.lists(sites, min_size=1, max_size=6), extra=sites, country=countries)
def test_property_adding_a_site_never_lowers_the_tier(records, extra, country):
    assert RANK[tier_of(*records, extra, country=country)] >= RANK[tier_of(*records, country=country)]


@settings(max_examples=150, deadline=None)
@given(records=st.lists(sites, min_size=1, max_size=8), country=countries, seed=st.randoms())
def test_property_order_of_records_is_irrelevant(records, country, seed):
    shuffled = list(records)
    seed.shuffle(shuffled)
    before = evaluate(group_of(*records), country, PROGRAM)
    assert evaluate(group_of(*shuffled), country, PROGRAM) == before
    assert group_of(*shuffled).expiring(timedelta(days=3650)) == group_of(*records).expiring(timedelta(days=3650))


@settings(max_examples=150, deadline=None)
@given(records=st.lists(sites, min_size=0, max_size=6), country=countries)
def test_property_tier_is_the_highest_with_nothing_missing(records, country):
    evaluation = evaluate(group_of(*records), country, PROGRAM)
    met = [tier for tier in TIERS[1:] if not evaluation.missing[tier]]
    assert evaluation.tier == (met[-1] if met else "none")
    assert all(evaluation.missing[tier] for tier in TIERS[RANK[evaluation.tier] + 1:])
