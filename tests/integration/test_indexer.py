"""The indexer against the real node: exactly the listed sites, every bad line named, safe swaps."""
from __future__ import annotations

import gzip
import json
import uuid
from dataclasses import dataclass

import pytest

from locator.cli import main
from locator.core.mapping import SITE_MAPPING, previous_alias, sites_alias
from tests.exports import (AS_OF, advanced_program, cert, premier_program, program, site, write_export)

SECRET_REVENUE = 987654.32
SECRET_PERSON = "PERSON-SECRET-4711"


@dataclass
class CliRun:
    code: int
    out: str
    err: str


@pytest.fixture
def prefix(settings) -> str:
    return f"{settings.index_prefix}-ix{uuid.uuid4().hex[:6]}"


@pytest.fixture
def run_cli(prefix, monkeypatch, capsys):
    monkeypatch.setenv("PARTNER_LOCATOR_ELASTICSEARCH_INDEX_PREFIX", prefix)

    def run(*args: str) -> CliRun:
        code = main(list(args))
        captured = capsys.readouterr()
        return CliRun(code, captured.out, captured.err)

    return run


def _listed(es, prefix) -> dict[str, dict]:
    hits = es.search(index=sites_alias(prefix), size=1000, query={"match_all": {}})["hits"]["hits"]
    return {hit["_id"]: hit["_source"] for hit in hits}


def _export(tmp_path):
    """Premier in DK, advanced in US, only authorized in JP - one partner, three countries - plus bad lines."""
    return write_export(tmp_path / "export.jsonl", [
        site("DK-1", "P1", "DK", "Aarhus", location=(56.1507, 10.2044), company="Nordlys Sikring ApS",
             prog=premier_program(revenue=SECRET_REVENUE, people=(SECRET_PERSON, "E2", "E3")), fax="+45 1"),
        site("DK-2", "P1", "DK", "Skagen", company="Nordlys Sikring ApS", prog=program(0)),  # no location: geocoded
        site("US-1", "P1", "US", "Austin", location=(30.2672, -97.7431), prog=advanced_program()),
        site("JP-1", "P1", "JP", "Osaka", location=(34.6937, 135.5023), prog=program(20000)),
        "{not json",
        site("XX-1", "P2", "XX", "Nowhere", location=(1.0, 1.0)),
        site("DK-1", "P3", "DK", "Odense", location=(55.4, 10.38)),  # duplicate site_id
        "",
        site("DK-9", "P4", "DK", "Qwxzyville", prog=advanced_program()),  # cannot be geocoded
        site("SE-1", "P5", "SE", "Malmö", location=(55.605, 13.0038), prog=advanced_program(revenue=59999.99)),
    ])


def test_exactly_the_listed_sites_go_live_with_their_groups_tier(tmp_path, run_cli, prefix, reader_es):
    report = tmp_path / "report.jsonl"
    result = run_cli("index", str(_export(tmp_path)), "--as-of", AS_OF, "--report", str(report), "--max-error-rate", "0.5")
    assert result.code == 0, result.err
    listed = _listed(reader_es, prefix)
    assert set(listed) == {"DK-1", "DK-2", "US-1"}
    assert listed["DK-1"]["tier"] == listed["DK-2"]["tier"] == "premier"
    assert listed["DK-2"]["certifications"] == {"MCDE": 1, "MCIT": 1, "MCIE": 1}
    assert listed["US-1"]["tier"] == "advanced"
    skagen = listed["DK-2"]["location"]
    assert 57.6 < skagen["lat"] < 57.8 and 10.5 < skagen["lon"] < 10.7  # Skagen has ~8,000 people
    assert "fax" not in json.dumps(listed)

    rejected = [json.loads(line) for line in report.read_text().splitlines()]
    by_line = {entry["line"]: entry for entry in rejected}
    assert set(by_line) == {5, 6, 7, 9}
    assert by_line[6]["site_id"] == "XX-1" and by_line[6]["field"] == "address.country"
    assert by_line[7]["reason"] == "duplicate site_id, first seen on line 1"
    assert by_line[9]["field"] == "address" and "Qwxzyville" in by_line[9]["reason"]
    assert "read 9 records, 5 valid, 4 rejected, 1 geocoded" in result.err
    assert "ignored fields not in RULES.md: fax (1)" in result.err
    assert "premier 1, advanced 1, authorized 2" in result.err


def _differences(declared: dict, live: dict, path: str = "") -> list[str]:
    """Where the live mapping differs from the declared one; Elasticsearch's own defaults (a
    completion field's analyzer, say) are not differences, any field or option we set is."""
    found = []
    for key in sorted(set(declared) | set(live)):
        if key not in declared:
            if key in ("properties", "fields"):  # a sub-field nobody declared
                found.append(f"{path}{key}: {live[key]} not declared")
            continue
        if key not in live:
            found.append(f"{path}{key}: declared, not live")
        elif isinstance(declared[key], dict) and isinstance(live[key], dict):
            found += _differences(declared[key], live[key], f"{path}{key}.")
            if key == "properties" and set(declared[key]) != set(live[key]):
                found.append(f"{path}{key}: {sorted(set(live[key]) ^ set(declared[key]))} differ")
        elif str(declared[key]).lower() != str(live[key]).lower():
            found.append(f"{path}{key}: declared {declared[key]!r}, live {live[key]!r}")
    return found


def test_the_live_mapping_is_the_one_derived_from_the_contract(tmp_path, run_cli, prefix, indexer_es):
    assert run_cli("index", str(_export(tmp_path)), "--as-of", AS_OF, "--max-error-rate", "0.5").code == 0
    live = next(iter(indexer_es.indices.get_mapping(index=sites_alias(prefix)).body.values()))["mappings"]
    assert live["_meta"]["as_of"] == AS_OF
    assert _differences(SITE_MAPPING, {key: value for key, value in live.items() if key != "_meta"}) == []


def test_confidential_values_reach_neither_index_nor_report_nor_logs(tmp_path, run_cli, prefix, indexer_es):
    export = _export(tmp_path)
    with export.open("a") as handle:  # a rejected record carrying secrets too
        handle.write(json.dumps(site("BAD-1", "P9", "DK", "Aarhus", location=(56.1, 10.2),
                                     prog=program(SECRET_REVENUE, certs=[cert(SECRET_PERSON, "MCXX")]))) + "\n")
    report = tmp_path / "report.jsonl"
    result = run_cli("index", str(export), "--as-of", AS_OF, "--report", str(report), "--max-error-rate", "0.6")
    assert result.code == 0, result.err
    index = next(iter(indexer_es.indices.get_alias(name=sites_alias(prefix))))
    everything = json.dumps([indexer_es.search(index=index, size=1000)["hits"]["hits"],
                             indexer_es.indices.get(index=index)[index]])
    written = everything + report.read_text() + result.out + result.err
    for secret in (str(SECRET_REVENUE), SECRET_PERSON, "987654", "revenue", "person_id"):
        assert secret not in written


def test_too_many_bad_records_fail_the_run_and_keep_the_live_index(tmp_path, run_cli, prefix, reader_es):
    assert run_cli("index", str(_export(tmp_path)), "--as-of", AS_OF, "--max-error-rate", "0.5").code == 0
    before = _listed(reader_es, prefix)
    bad = write_export(tmp_path / "bad.jsonl", ["{broken"] * 3 + [site("N-1", "P1", "DK", "Aarhus", location=(56.1, 10.2),
                                                                        prog=premier_program())])
    result = run_cli("index", str(bad), "--as-of", AS_OF)
    assert result.code == 1
    assert "3 of 4 records (75.0%) were rejected or refused, above --max-error-rate 5.0%" in result.err
    assert "Traceback" not in result.err
    assert _listed(reader_es, prefix) == before


def test_a_shrinking_export_needs_force_and_rollback_swaps_back(tmp_path, run_cli, prefix, reader_es):
    sites = [site(f"DK-{n}", "P1", "DK", "Aarhus", location=(56.15, 10.2), prog=premier_program()) for n in range(10)]
    assert run_cli("index", str(write_export(tmp_path / "full.jsonl", sites)), "--as-of", AS_OF).code == 0
    small = write_export(tmp_path / "small.jsonl", sites[:5])

    refused = run_cli("index", str(small), "--as-of", AS_OF)
    assert refused.code == 1 and "fewer than 90% of the 10 live ones" in refused.err
    assert len(_listed(reader_es, prefix)) == 10

    forced = run_cli("index", str(small), "--as-of", AS_OF, "--force")
    assert forced.code == 0 and len(_listed(reader_es, prefix)) == 5

    back = run_cli("index", "--rollback")
    assert back.code == 0, back.err
    assert len(_listed(reader_es, prefix)) == 10
    assert reader_es.indices.get_alias(name=previous_alias(prefix))


def test_rollback_without_a_previous_index_fails_clearly(run_cli):
    result = run_cli("index", "--rollback")
    assert result.code == 1 and "nothing to roll back to" in result.err


def test_gzip_input_and_stdin(tmp_path, run_cli, prefix, reader_es, monkeypatch):
    plain = write_export(tmp_path / "e.jsonl", [site("DK-1", "P1", "DK", "Aarhus", location=(56.15, 10.2),
                                                       prog=premier_program())])
    packed = tmp_path / "export.data"  # no .gz suffix: the format is sniffed
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert run_cli("index", str(packed), "--as-of", AS_OF).code == 0
    assert set(_listed(reader_es, prefix)) == {"DK-1"}

    import io
    import sys
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(plain.read_bytes().replace(b"DK-1", b"DK-2"))))
    assert run_cli("index", "-", "--as-of", AS_OF).code == 0
    assert set(_listed(reader_es, prefix)) == {"DK-2"}


def test_a_bad_program_config_stops_before_any_record_is_read(tmp_path, run_cli, prefix, indexer_es):
    from locator.core.resources import shipped_config

    shipped = shipped_config("program.toml").read_text()
    config = tmp_path / "program.toml"
    config.write_text(shipped.replace("authorized = 10000, advanced = 60000", "authorized = 10000, advanced = 6000", 1))
    export = write_export(tmp_path / "e.jsonl", [site("DK-1", "P1", "DK", "Aarhus", location=(56.15, 10.2),
                                                        prog=premier_program())])
    result = run_cli("index", str(export), "--config", str(config))
    assert result.code == 1
    assert "thresholds must satisfy authorized <= advanced <= premier" in result.err
    assert "read " not in result.err  # no record was read
    assert not indexer_es.indices.get(index=f"{prefix}-sites-*")


def test_a_running_indexer_blocks_a_second_one_until_its_lease_expires(tmp_path, run_cli, prefix, settings):
    from indexer.lock import IndexerLock
    from locator.core.es import connect
    from tests.conftest import with_index_prefix

    export = write_export(tmp_path / "e.jsonl", [site("DK-1", "P1", "DK", "Aarhus", location=(56.15, 10.2),
                                                        prog=premier_program())])
    holder = IndexerLock(connect(with_index_prefix(settings, prefix), "indexer"), prefix, lease_s=60)
    with holder:
        blocked = run_cli("index", str(export), "--as-of", AS_OF)
    assert blocked.code == 1 and "another indexer" in blocked.err and "expires by itself" in blocked.err

    crashed = IndexerLock(connect(with_index_prefix(settings, prefix), "indexer"), prefix, lease_s=0.01)
    crashed.acquire()
    crashed._stop.set()  # a crashed run: it never renews nor releases its lease
    assert run_cli("index", str(export), "--as-of", AS_OF).code == 0


def test_searches_during_a_reindex_never_fail_nor_see_an_empty_index(tmp_path, run_cli, prefix, reader_es):
    import threading

    sites = [site(f"S-{n}", f"P{n % 40}", "DK", "Aarhus", location=(56.0 + n / 10000, 10.2), prog=premier_program())
             for n in range(3000)]
    export = write_export(tmp_path / "e.jsonl", sites)
    assert run_cli("index", str(export), "--as-of", AS_OF).code == 0
    seen, errors, stop = [], [], threading.Event()

    def search_forever():
        while not stop.is_set():
            try:
                seen.append(reader_es.search(index=sites_alias(prefix), size=0, track_total_hits=True)["hits"]["total"]["value"])
            except Exception as exc:  # noqa: BLE001 - any failure is what this test looks for
                errors.append(repr(exc))

    searcher = threading.Thread(target=search_forever)
    searcher.start()
    try:
        for _ in range(2):
            assert run_cli("index", str(export), "--as-of", AS_OF).code == 0
    finally:
        stop.set()
        searcher.join()
    assert errors == []
    assert len(seen) > 20 and set(seen) == {3000}


# ---------------------------------------------------------------- requests sent again after a lost answer
# A node (or the master) that goes away mid-request loses the answer to something it already did;
# the client, or Elasticsearch itself on the new master, sends it again (drill 2 met both).


def test_a_create_sent_again_finds_its_own_index_and_goes_on(prefix, indexer_es):
    from elasticsearch import BadRequestError

    from indexer import lifecycle

    name, meta = lifecycle.new_index_name(prefix), {"as_of": AS_OF, "indexed_at": "2026-06-01T00:00:00+00:00"}
    lifecycle.create_index(indexer_es, name, meta)
    lifecycle.create_index(indexer_es, name, meta)  # the same run's create, sent again: no failure
    assert indexer_es.indices.get_mapping(index=name)[name]["mappings"]["_meta"] == meta
    with pytest.raises(BadRequestError):  # an index of the same name made by anyone else is not taken over
        lifecycle.create_index(indexer_es, name, {**meta, "indexed_at": "2026-06-02T00:00:00+00:00"})
    lifecycle.delete_index(indexer_es, name)


def test_a_renewal_sent_again_keeps_the_lease(prefix, settings, indexer_es):
    from elasticsearch import ConflictError

    from indexer.lock import LOCK_ID, IndexerLock
    from locator.core.es import connect
    from locator.core.mapping import locks_index
    from tests.conftest import with_index_prefix

    lock = IndexerLock(connect(with_index_prefix(settings, prefix), "indexer"), prefix, lease_s=60)
    lock.acquire()
    try:
        mine = indexer_es.get(index=locks_index(prefix), id=LOCK_ID)["_source"]
        indexer_es.index(index=locks_index(prefix), id=LOCK_ID, document=mine, refresh=True)  # renewed; answer lost
        lock.renew()  # finds the lease renewed under it: still its own
        lock.renew()
        taken = indexer_es.get(index=locks_index(prefix), id=LOCK_ID)["_source"]
        indexer_es.index(index=locks_index(prefix), id=LOCK_ID, document={**taken, "owner": "elsewhere:1"}, refresh=True)
        with pytest.raises(ConflictError):  # a lease someone else took over is never taken back
            lock.renew()
    finally:
        lock.release()


def test_a_new_index_goes_live_warm_every_copy_asked_each_kind_of_search(tmp_path, run_cli, prefix, indexer_es):
    from indexer import warming

    sites = [site(f"W-{n}", f"P{n % 7}", "DK", "Aarhus", location=(56.0 + n / 1000, 10.2), prog=premier_program())
             for n in range(40)]
    assert run_cli("index", str(write_export(tmp_path / "w.jsonl", sites)), "--as-of", AS_OF).code == 0
    live = next(iter(indexer_es.indices.get_alias(name=sites_alias(prefix))))
    copies = indexer_es.indices.stats(index=live, level="shards", metric="search")["indices"][live]["shards"]["0"]
    kinds = len(warming.searches(_listed(indexer_es, prefix)["W-0"]))
    # Before any customer: each copy (one per node holding the index) answered every kind, ROUNDS times.
    assert copies and all(copy["search"]["query_total"] >= warming.ROUNDS * (kinds - 1) for copy in copies)


def test_any_number_of_leftover_indices_is_cleaned_up(prefix, indexer_es):
    from indexer import lifecycle

    # Crashed runs leave indices behind; their names together outgrow a request line (4,096 bytes).
    leftovers = [f"{prefix}-sites-20260101000000-{n:06x}-{'x' * 120}" for n in range(25)]
    for name in leftovers:
        indexer_es.indices.create(index=name, settings={"number_of_shards": 1, "number_of_replicas": 0})
    assert len(",".join(leftovers)) > 4096
    assert sorted(lifecycle.delete_unaliased(indexer_es, prefix, keep=set())) == leftovers
    assert not indexer_es.indices.get(index=f"{prefix}-sites-*")
