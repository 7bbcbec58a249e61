"""Groups evaluated in shards by partner: the shards never share a group and add up to the whole."""
from __future__ import annotations

from datetime import date

import orjson
from hypothesis import given
from hypothesis import strategies as st

from indexer.eligibility import spilled_documents
from indexer.evaluation import Evaluated, Shard, evaluate_shard
from indexer.grouping import GroupSpill, SiteFacts, pack_site, unpack_site
from indexer.records import Owner
from indexer.tiers import program_facts
from tests.unit.test_tiers import ALL_CERTS, AS_OF, PERSON_KEYS, PROGRAM, site

INDEXED_AT = "2026-06-15T03:00:00+00:00"
COUNTRIES = ("DK", "SE", "US", "JP")


def _spill_an_export(spill_dir) -> set[int]:
    """Two workers' files and the parent's rejected lines, as pass 1 leaves them; the duplicate lines."""
    workers = [GroupSpill(spill_dir / "groups-1.sqlite"), GroupSpill(spill_dir / "groups-2.sqlite")]
    for line in range(1, 121):
        record = site(partner=f"P{line % 13}", country=COUNTRIES[line % 4], revenue=str(9000 * (line % 40)),
                      certs=ALL_CERTS if line % 3 else ())
        workers[line % 2].add(record["partner_id"], record["address"]["country"],
                              program_facts(record["program"], PERSON_KEYS), line,
                              SiteFacts(f"S{line}", None, "Aarhus", (56.15, 10.2)), "Acme")
    rejected = GroupSpill.for_rejected(spill_dir)
    rejected.add_rejected(Owner("P3", "DK", None), {"line": 121, "site_id": "S121", "field": "-", "reason": "r"})
    rejected.add_rejected(Owner("P99", "unknown", None), {"line": 122, "site_id": None, "field": "-", "reason": "r"})
    for spill in (*workers, rejected):
        spill.commit()
        spill.close()
    return {7, 8}


def _documents(result: Evaluated) -> dict[str, dict]:
    return {key: orjson.loads(source) for key, source in spilled_documents(result.documents, {})}


def test_shards_never_share_a_partner_and_add_up_to_one_evaluation_of_every_group(tmp_path):
    dropped = frozenset(_spill_an_export(tmp_path))
    whole = evaluate_shard(Shard(0, 1, tmp_path, dropped, AS_OF, INDEXED_AT, PROGRAM))
    whole_documents, whole_listed = _documents(whole), whole.read_listed()  # read now: shard 0 of 3 below writes the same files
    parts = [evaluate_shard(Shard(number, 3, tmp_path, dropped, AS_OF, INDEXED_AT, PROGRAM)) for number in range(3)]
    partners = [{document["partner_id"] for document in _documents(part).values()} for part in parts]

    assert all(partners) and sum(map(len, partners)) == len(set().union(*partners)) == 14  # P0..P12 and P99
    merged = Evaluated()
    for part in parts:
        merged.add(part)
    assert merged.read_listed() == whole_listed and all(tier in ("premier", "advanced") for tier, *_ in whole_listed.values())
    assert merged.groups_per_tier == whole.groups_per_tier
    assert merged.document_count == whole.document_count == len(whole_documents)
    assert _documents(merged) == whole_documents
    sites = {site["site_id"] for document in whole_documents.values() for site in document["sites"]}
    assert sites == {f"S{line}" for line in range(1, 121)} - {"S7", "S8"}  # duplicates left out
    assert [entry["line"] for entry in whole_documents["P3:DK"]["rejected"]] == [121]
    assert whole_documents["P99:unknown"]["tier"] == "none"


@given(revenue=st.sampled_from(["0", "0.10", "1E+3", "250000", "999999999999999.99999999999999999999"]),
       onboarding=st.none() | st.dates(), sales=st.none() | st.dates(), plan=st.none() | st.integers(1, 9999),
       ambassador=st.booleans(), terms=st.booleans(), valid_until=st.dates(min_value=date(1, 1, 2)),
       site_name=st.none() | st.text(max_size=5), city=st.none() | st.text(max_size=5),
       location=st.none() | st.tuples(st.floats(-90, 90), st.floats(-180, 180)))
def test_a_record_comes_back_from_the_group_file_exactly_as_the_rules_read_it(revenue, onboarding, sales, plan,
                                                                             ambassador, terms, valid_until, site_name,
                                                                             city, location):
    record = site(revenue=revenue, onboarding=onboarding, sales=sales, plan=plan, ambassador=ambassador, terms=terms,
                  certs=(("E1", "MCDE", valid_until), ("E2", "MCIE")))
    facts = program_facts(record["program"], PERSON_KEYS)
    public = SiteFacts("S1", site_name, city, location)
    back = unpack_site(pack_site(facts, public, "Acme"))
    assert back == (facts, public, "Acme")
    assert str(back[0]["revenue_eur"]) == revenue  # the exact decimal, exponent and all
