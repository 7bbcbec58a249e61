"""The eligibility index against the real node: written by every run, moved with the sites, rolled
back with them, refused with them, and the staff's report made from it."""
from __future__ import annotations

import csv
import io
import json
import uuid

import pytest

from locator.api import create_app
from locator.core import preview_tokens
from locator.core.es import connect
from locator.core.mapping import ELIGIBILITY, ELIGIBILITY_MAPPING, eligibility_alias, sites_alias
from tests.conftest import with_index_prefix
from tests.exports import AS_OF, premier_program, program, site, write_export
from tests.integration.test_indexer import _differences
from tests.previews import COMPANY, NEVER_SHOWN, SECRET, preview_export, run_cli


@pytest.fixture
def prefix(settings) -> str:
    return f"{settings.index_prefix}-el{uuid.uuid4().hex[:6]}"


def _eligibility(es, prefix) -> dict[str, dict]:
    hits = es.search(index=eligibility_alias(prefix), size=100)["hits"]["hits"]
    return {hit["_id"]: hit["_source"] for hit in hits}


def _tiers(es, prefix) -> dict[str, str]:
    return {key: document["tier"] for key, document in _eligibility(es, prefix).items()}


def _listed(es, prefix) -> dict[str, str]:
    hits = es.search(index=sites_alias(prefix), size=100)["hits"]["hits"]
    return {hit["_id"]: hit["_source"]["tier"] for hit in hits}


def _index(prefix, tmp_path, name, lines, *options) -> None:
    result = run_cli(prefix, "index", str(write_export(tmp_path / name, lines)), "--as-of", AS_OF, *options)
    assert result.code == 0, result.err


def test_every_run_writes_one_document_per_group_with_the_declared_mapping(prefix, tmp_path, indexer_es):
    result = run_cli(prefix, "index", str(preview_export(tmp_path / "e.jsonl")), "--as-of", AS_OF, "--max-error-rate", "0.5")
    assert result.code == 0, result.err
    assert "sites listed: 4; eligibility documents: 5;" in result.err
    assert set(_eligibility(indexer_es, prefix)) == {"P1:DK", "P1:US", "P1:JP", "P1:unknown", "P2:DK"}
    live = next(iter(indexer_es.indices.get_mapping(index=eligibility_alias(prefix)).body.values()))["mappings"]
    assert live["_meta"]["as_of"] == AS_OF
    assert _differences(ELIGIBILITY_MAPPING, {key: value for key, value in live.items() if key != "_meta"}) == []
    # Both indices of a run carry the same run: the same as_of and indexed_at.
    sites_meta = next(iter(indexer_es.indices.get_mapping(index=sites_alias(prefix)).body.values()))["mappings"]["_meta"]
    assert sites_meta == live["_meta"]


def test_rollback_restores_the_previous_eligibility_with_the_previous_listing(prefix, tmp_path, indexer_es):
    premier = [site("DK-1", "P1", "DK", "Aarhus", location=(56.15, 10.2), company=COMPANY, prog=premier_program())]
    _index(prefix, tmp_path, "one.jsonl", premier)
    demoted = [site("DK-1", "P1", "DK", "Aarhus", location=(56.15, 10.2), company=COMPANY,
                    prog=premier_program() | {"ambassador": False}),
               site("SE-1", "P1", "SE", "Malmö", location=(55.6, 13.0), company=COMPANY, prog=program(100))]
    _index(prefix, tmp_path, "two.jsonl", demoted)
    assert _tiers(indexer_es, prefix) == {"P1:DK": "advanced", "P1:SE": "none"}
    assert _listed(indexer_es, prefix) == {"DK-1": "advanced"}

    back = run_cli(prefix, "index", "--rollback")
    assert back.code == 0, back.err
    assert _tiers(indexer_es, prefix) == {"P1:DK": "premier"}
    assert _listed(indexer_es, prefix) == {"DK-1": "premier"}
    forward = run_cli(prefix, "index", "--rollback")  # and forward again, both together
    assert forward.code == 0 and _tiers(indexer_es, prefix) == {"P1:DK": "advanced", "P1:SE": "none"}
    assert _listed(indexer_es, prefix) == {"DK-1": "advanced"}


def test_a_refused_run_moves_neither_alias(prefix, tmp_path, indexer_es):
    sites = [site(f"DK-{n}", "P1", "DK", "Aarhus", location=(56.15, 10.2), prog=premier_program()) for n in range(10)]
    _index(prefix, tmp_path, "full.jsonl", sites)
    before = (_eligibility(indexer_es, prefix), _listed(indexer_es, prefix))
    refused = run_cli(prefix, "index", str(write_export(tmp_path / "small.jsonl", sites[:5] + [
        site("SE-1", "P9", "SE", "Malmö", location=(55.6, 13.0))])), "--as-of", AS_OF)
    assert refused.code == 1 and "fewer than 90% of the 10 live ones" in refused.err
    assert (_eligibility(indexer_es, prefix), _listed(indexer_es, prefix)) == before
    leftovers = indexer_es.indices.get(index=ELIGIBILITY.pattern(prefix))
    assert list(leftovers) == list(indexer_es.indices.get_alias(name=eligibility_alias(prefix)))  # the new one deleted


def test_rolling_back_to_a_run_without_eligibility_keeps_the_sites_and_the_preview_says_so(
        prefix, tmp_path, settings, indexer_es, gazetteer):
    first = [site("DK-1", "P1", "DK", "Aarhus", location=(56.15, 10.2), company=COMPANY, prog=premier_program())]
    _index(prefix, tmp_path, "one.jsonl", first)
    old = next(iter(indexer_es.indices.get_alias(name=eligibility_alias(prefix))))
    indexer_es.indices.delete(index=old)  # as if an older version, which wrote no eligibility index, made that run
    _index(prefix, tmp_path, "two.jsonl", first + [site("DK-2", "P1", "DK", "Odense", location=(55.4, 10.38),
                                                        company=COMPANY, prog=premier_program())])
    assert run_cli(prefix, "index", "--rollback").code == 0
    assert _listed(indexer_es, prefix) == {"DK-1": "premier"}
    assert not indexer_es.indices.exists_alias(name=eligibility_alias(prefix))

    config = with_index_prefix(settings, prefix).replace("preview", secret=SECRET)
    client = create_app(config, es=connect(config, "reader"), gazetteer=gazetteer,
                        preview_es=connect(config, "preview")).test_client()
    token = preview_tokens.issue(SECRET, "P1", None, 1)
    page = client.get(f"/preview?token={token}")
    assert page.status_code == 503 and "data is unavailable" in page.get_data(as_text=True)
    assert client.get(f"/api/v1/preview?token={token}").get_json()["error"]["code"] == "preview_unavailable"
    assert client.get("/api/v1/partners").get_json()["total"] == 1  # the search is unaffected

    assert run_cli(prefix, "index", "--rollback").code == 0  # forward again: the eligibility comes back too
    assert set(_eligibility(indexer_es, prefix)) == {"P1:DK"}
    assert client.get(f"/preview?token={token}").status_code == 200


def _report(prefix, *args) -> tuple[list[list[str]], bytes]:
    result = run_cli(prefix, "eligibility-report", *args)
    assert result.code == 0, result.err
    return list(csv.reader(io.StringIO(result.out))), result.raw_out


def test_the_staff_report_lists_every_group_sorted_with_what_the_next_tier_lacks(prefix, tmp_path):
    companies = [("P3", "DK", "Zebra Sikring"), ("P4", "DK", "Ålborg Video"), ("P5", "DK", "aarhus alarm"),
                 ("P6", "AT", "Wien Video")]
    extra = [site(f"{partner}-1", partner, country, "Aarhus" if country == "DK" else "Wien", company=company,
                  location=(56.15, 10.2) if country == "DK" else (48.2, 16.37), prog=program(20000))
             for partner, country, company in companies]
    run = run_cli(prefix, "index", str(write_export(tmp_path / "e.jsonl", [*preview_export(tmp_path / "p.jsonl").read_text(
        ).splitlines(), *[json.dumps(line) for line in extra]])), "--as-of", AS_OF, "--max-error-rate", "0.5")
    assert run.code == 0, run.err

    rows, raw = _report(prefix)
    assert raw.startswith("\ufeff".encode()) and rows[0] == ["partner_id", "company", "country", "tier", "listed",
                                                              "next_tier", "not_met_for_next_tier"]
    keys = [(row[2], row[0]) for row in rows[1:]]
    assert keys == [("AT", "P6"), ("DK", "P5"), ("DK", "P4"), ("DK", "P1"), ("DK", "P2"), ("DK", "P3"),
                    ("JP", "P1"), ("US", "P1"), ("unknown", "P1")]  # country, then company without case or accents
    by_key = {(row[0], row[2]): row for row in rows[1:]}
    assert by_key[("P1", "US")] == ["P1", COMPANY, "US", "advanced", "yes", "premier",
                                    "revenue threshold for Premier; MCIE certification; brand ambassador"]
    assert by_key[("P1", "DK")][3:] == ["premier", "yes", "", ""]
    assert by_key[("P4", "DK")][1] == "Ålborg Video"

    only_dk, _ = _report(prefix, "--country", "dk")
    assert {row[2] for row in only_dk[1:]} == {"DK"} and len(only_dk) == 6
    one_short, _ = _report(prefix, "--next-tier-only")
    assert one_short == rows[:1]  # every group here lacks three requirements of its next tier, or has none
    out = tmp_path / "report.csv"
    written = run_cli(prefix, "eligibility-report", "-o", str(out), "--country", "US")
    assert written.code == 0 and "1 row written" in written.err
    assert out.read_bytes().startswith(b"\xef\xbb\xbf") and COMPANY in out.read_text(encoding="utf-8-sig")
    everything = "\n".join(",".join(row) for row in rows)
    assert not [secret for secret in NEVER_SHOWN if secret in everything]


def test_next_tier_only_keeps_the_groups_one_requirement_short(prefix, tmp_path):
    one_short = premier_program() | {"ambassador": False}  # Advanced, lacking only the ambassador for Premier
    _index(prefix, tmp_path, "e.jsonl", [
        site("DK-1", "P1", "DK", "Aarhus", location=(56.15, 10.2), prog=one_short),
        site("DK-2", "P2", "DK", "Aarhus", location=(56.15, 10.2), prog=premier_program()),
        site("DK-3", "P3", "DK", "Aarhus", location=(56.15, 10.2), prog=program(100000, terms=False)),
        site("DK-4", "P4", "DK", "Aarhus", location=(56.15, 10.2), prog=program(0, terms=False))])
    rows, _ = _report(prefix, "--next-tier-only")
    assert [(row[0], row[3], row[-1]) for row in rows[1:]] == [("P1", "advanced", "brand ambassador"),
                                                               ("P3", "none", "program terms")]


def test_the_report_without_any_run_says_what_to_do(prefix):
    result = run_cli(prefix, "eligibility-report")
    assert result.code == 1 and "run `partner-locator index` first" in result.err
