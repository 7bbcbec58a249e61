"""The bulk loader's rules, without a cluster: what is worth sending again, how long to pause, and
how one bulk answer is sorted into created, to send again and refused (the loader itself runs
against real clusters in tests/integration/test_resilience.py and the drills)."""
from __future__ import annotations

from indexer.bulk import RetryPolicy, _ChunkResult, _sort_items, is_transient, refusal_reason

FLOOD = {"type": "cluster_block_exception",
         "reason": "index [x] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark]"}


def test_busy_and_failing_nodes_are_worth_another_try_but_bad_documents_and_full_disks_are_not():
    assert is_transient(429, {"type": "es_rejected_execution_exception"})
    assert is_transient(503, {"type": "unavailable_shards_exception"})
    assert is_transient(503, {"type": "cluster_block_exception", "reason": "no master"})
    assert is_transient(500, "node disconnected")
    assert not is_transient(429, FLOOD)  # lifts only when someone frees disk space
    assert not is_transient(400, {"type": "document_parsing_exception"})
    assert not is_transient(409, {"type": "version_conflict_engine_exception"})


def test_pauses_double_from_the_first_up_to_the_bound_and_the_first_attempt_does_not_wait():
    assert list(RetryPolicy(attempts=6, first_pause_s=0.5, max_pause_s=3).pauses()) == [0, 0.5, 1, 2, 3, 3]
    assert list(RetryPolicy(attempts=1).pauses()) == [0]


def _docs(*ids):
    return [(site_id, {"site_id": site_id}) for site_id in ids]


def _item(status, error=None):
    detail = {"status": status}
    if error:
        detail["error"] = error
    return {"create": detail}


def test_an_answer_without_errors_counts_every_document_created():
    result = _ChunkResult()
    again, _ = _sort_items(_docs("A", "B"), {"errors": False}, result)
    assert again == [] and result.indexed == 2 and result.refused == []


def test_each_document_is_created_sent_again_or_refused_with_its_own_reason():
    busy = {"type": "es_rejected_execution_exception", "reason": "queue full"}
    bad = {"type": "document_parsing_exception", "reason": "field [x] not allowed"}
    response = {"errors": True, "items": [_item(201), _item(429, busy), _item(400, bad),
                                          _item(409, {"type": "version_conflict_engine_exception"}), _item(429, FLOOD)]}
    result = _ChunkResult()
    again, last = _sort_items(_docs("ok", "busy", "bad", "already", "full"), response, result)
    # 409 on create: an earlier attempt created it (nothing else writes a new index; ids are unique)
    assert result.indexed == 2
    assert again == _docs("busy") and "queue full" in last
    assert result.refused == [("bad", refusal_reason(bad)), ("full", refusal_reason(FLOOD))]
    assert "flood-stage watermark" in result.refused[1][1]
