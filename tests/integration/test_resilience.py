"""Faults a single node can show: documents it refuses and shards it cannot place. (Nodes dying
and coming back: the drills in tests/cluster.)"""
from __future__ import annotations

import pytest

from indexer import allocation, bulk, lifecycle
from indexer.lifecycle import IndexRunError


@pytest.fixture
def strict_index(settings, indexer_es):
    name = f"{settings.index_prefix}-strict"
    indexer_es.indices.create(index=name, mappings={"dynamic": "strict", "properties": {"site_id": {"type": "keyword"}}},
                              settings={"number_of_replicas": 0})
    yield name
    indexer_es.indices.delete(index=name)


def test_refused_documents_are_reported_one_by_one_and_the_load_goes_on(indexer_es, strict_index):
    documents = [{"site_id": f"S{number}"} for number in range(10)] + [{"site_id": "BAD", "fax": "+45 1"}]
    outcome = bulk.load(indexer_es, strict_index, [(doc["site_id"], doc) for doc in documents], chunk_size=4)
    assert (outcome.indexed, outcome.failed) == (10, 1) and outcome.stopped is None
    assert outcome.failures[0][0] == "BAD" and "strict_dynamic_mapping_exception" in outcome.failures[0][1]


def test_more_refusals_than_the_run_may_lose_stop_the_load_naming_the_commonest_reason(indexer_es, strict_index):
    documents = [(f"S{number}", {"site_id": f"S{number}", "fax": "+45 1"}) for number in range(50)]
    outcome = bulk.load(indexer_es, strict_index, documents, chunk_size=5, threads=1, max_failures=7)
    assert outcome.stopped and "more than the 7 the run may lose" in outcome.stopped
    assert "strict_dynamic_mapping_exception" in outcome.stopped
    assert outcome.failed < 50  # it stopped sending: waiting chunks were never sent


def test_a_new_index_no_node_may_hold_fails_at_once_naming_the_deciders_reason(settings, indexer_es):
    name = f"{settings.index_prefix}-sites-29990101000000-nowhere"
    indexer_es.indices.create(index=name, wait_for_active_shards="0",
                              settings={"number_of_replicas": 0, "index.routing.allocation.require._name": "no-such-node"})
    try:
        with pytest.raises(allocation.AllocationError) as refused:
            allocation.wait_for(indexer_es, name, "yellow", timeout_s=60)
        assert "cannot place its primary shards" in str(refused.value)
        assert "no-such-node" in str(refused.value)  # the filter that no node matches, as Elasticsearch words it
    finally:
        lifecycle.delete_index(indexer_es, name)


def test_creating_the_listing_index_waits_for_its_primaries_and_takes_the_shard_count(settings, indexer_es):
    name = lifecycle.new_index_name(f"{settings.index_prefix}-shards")
    lifecycle.create_index(indexer_es, name, {"as_of": "2026-06-01"}, shards=2)
    try:
        health = indexer_es.cluster.health(index=name)
        assert health["active_primary_shards"] == 2
        # green: auto-expanded replicas never ask for more copies than the nodes can hold
        assert lifecycle.make_live_ready(indexer_es, name, replicas="0-all") == 0
        index_settings = indexer_es.indices.get_settings(index=name)[name]["settings"]["index"]
        assert index_settings["auto_expand_replicas"] == "0-all"
    finally:
        lifecycle.delete_index(indexer_es, name)


def test_a_failed_placement_is_an_index_run_error_that_keeps_the_live_index(settings, indexer_es, monkeypatch):
    monkeypatch.setattr(lifecycle, "CREATE_SETTINGS",
                        {**lifecycle.CREATE_SETTINGS, "index.routing.allocation.require._name": "no-such-node"})
    name = lifecycle.new_index_name(f"{settings.index_prefix}-placed")
    try:
        with pytest.raises(IndexRunError, match="the live index was kept"):
            lifecycle.create_index(indexer_es, name, {})
    finally:
        lifecycle.delete_index(indexer_es, name)
