"""The one table of Elasticsearch failures: what a customer is told (503: ask again; 500: ours to fix).

The bodies are Elasticsearch's own, as its nodes answer them (captured from the project's node: a
shard not assigned, a missing alias, a wrong password; and from a cluster restarting: the tasks of a
node that left, cancelled). tests/integration/test_es_failures.py produces each state on a real node.
"""
from __future__ import annotations

import logging

import elasticsearch
import pytest
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig, SerializationError, TlsError

from indexer.bulk import is_transient
from locator.core.es_failures import classify, is_passing_status

NODE = NodeConfig("http", "127.0.0.1", 9200)


def answered(status: int, error: dict | None, exc_class=elasticsearch.ApiError) -> elasticsearch.ApiError:
    meta = ApiResponseMeta(status, "1.1", HttpHeaders(), 0.01, NODE)
    body = {"error": error, "status": status} if error is not None else "not json"
    return exc_class(error.get("type", "error") if error else "error", meta, body)


MISSING_SHARDS = {"root_cause": [], "type": "search_phase_execution_exception", "reason": "", "phase": "query",
                  "grouped": True, "failed_shards": [],
                  "caused_by": {"type": "search_phase_execution_exception",
                                "reason": "Search rejected due to missing shards [[sites][0]].", "failed_shards": []}}
NO_SUCH_INDEX = {"root_cause": [{"type": "index_not_found_exception", "reason": "no such index [x-sites]"}],
                 "type": "index_not_found_exception", "reason": "no such index [x-sites]"}
NOT_AUTHENTICATED = {"root_cause": [{"type": "security_exception", "reason": "unable to authenticate user [pl_reader]"}],
                     "type": "security_exception", "reason": "unable to authenticate user [pl_reader]"}
NOT_AUTHORIZED = {"root_cause": [{"type": "security_exception", "reason": "action [indices:data/read/search] is "
                                  "unauthorized for user [pl_preview]"}],
                  "type": "security_exception", "reason": "action [indices:data/read/search] is unauthorized"}
CANCELLED_BY_A_LEAVING_NODE = {
    "root_cause": [{"type": "task_cancelled_exception", "reason": "parent task was cancelled [channel closed]"}],
    "type": "search_phase_execution_exception", "reason": "all shards failed", "phase": "query",
    "failed_shards": [{"shard": 0, "index": "x-sites", "node": "n2",
                       "reason": {"type": "task_cancelled_exception", "reason": "parent task was cancelled"}}]}
BAD_QUERY = {
    "root_cause": [{"type": "query_shard_exception", "reason": "failed to find geo field [location]"}],
    "type": "search_phase_execution_exception", "reason": "all shards failed", "phase": "query",
    "failed_shards": [{"shard": 0, "reason": {"type": "query_shard_exception", "reason": "failed to find geo field"}}]}
MIXED = {**CANCELLED_BY_A_LEAVING_NODE,
         "failed_shards": CANCELLED_BY_A_LEAVING_NODE["failed_shards"] + BAD_QUERY["failed_shards"]}
READ_ONLY_BLOCK = {"type": "cluster_block_exception", "reason": "index [x] blocked by: [FORBIDDEN/8/index write (api)];"}


@pytest.mark.parametrize("status, error, passing", [
    (503, MISSING_SHARDS, True),                # shards not assigned yet: "all shards failed"
    (503, {"type": "cluster_block_exception", "reason": "blocked by: [SERVICE_UNAVAILABLE/1/state not recovered]"}, True),
    (500, {"type": "node_closed_exception", "reason": "node closed"}, True),
    (429, {"type": "es_rejected_execution_exception", "reason": "rejected execution"}, True),
    (504, None, True),                          # a gateway's timeout
    (404, NO_SUCH_INDEX, True),                 # the alias missing for the moment of a swap
    (401, NOT_AUTHENTICATED, True),             # security not ready on a node that just started
    (400, CANCELLED_BY_A_LEAVING_NODE, True),   # a recovering node cancelled the search's shard tasks
    (403, NOT_AUTHORIZED, False),               # a role without the rights: the operator's
    (403, READ_ONLY_BLOCK, False),
    (400, BAD_QUERY, False),                    # a query the code built: ours
    (400, MIXED, False),                        # one real cause among passing ones is still ours
    (400, {"type": "parsing_exception", "reason": "unknown query [x]"}, False),
    (409, {"type": "version_conflict_engine_exception", "reason": "exists"}, False),
])
def test_each_answer_is_passing_or_an_operators(status, error, passing):
    failure = classify(answered(status, error))
    assert failure.passing is passing
    assert str(status) in failure.cause
    if error is not None:
        assert error["type"] in failure.cause  # the log names the cause


def test_operator_failures_and_a_refused_password_are_logged_as_errors():
    assert classify(answered(403, NOT_AUTHORIZED)).level == logging.ERROR
    assert classify(answered(400, BAD_QUERY)).level == logging.ERROR
    refused = classify(answered(401, NOT_AUTHENTICATED))
    assert refused.passing and refused.level == logging.ERROR and "credentials" in refused.cause
    assert classify(answered(503, MISSING_SHARDS)).level == logging.WARNING


@pytest.mark.parametrize("exc, passing", [
    (elasticsearch.ConnectionError("Connection refused"), True),
    (elasticsearch.ConnectionTimeout("timed out"), True),
    (elasticsearch.TransportError("no node left"), True),
    (SerializationError("Unknown mimetype, not able to deserialize: 'text/html'"), True),  # a proxy's error page
    (TlsError("certificate verify failed"), False),
])
def test_failures_on_the_way_to_elasticsearch(exc, passing):
    assert classify(exc).passing is passing


def test_an_answer_from_something_that_is_not_elasticsearch_is_the_operators():
    failure = classify(answered(200, {"type": "x"}, elasticsearch.UnsupportedProductError))
    assert not failure.passing and "ELASTICSEARCH_URL" in failure.cause


def test_other_exceptions_are_not_elasticsearch_failures():
    assert classify(KeyError("hits")) is None


def test_a_long_reason_is_cut_to_one_line():
    failure = classify(answered(400, {"type": "parsing_exception", "reason": "x\n" * 500}))
    assert "\n" not in failure.cause and len(failure.cause) < 400


def test_the_indexer_retries_by_the_same_table_but_not_a_full_disk():
    assert is_passing_status(400, CANCELLED_BY_A_LEAVING_NODE) and is_transient(400, CANCELLED_BY_A_LEAVING_NODE)
    assert not is_transient(429, {"type": "cluster_block_exception", "reason": "flood-stage watermark"})
    assert not is_transient(400, BAD_QUERY) and not is_transient(403, READ_ONLY_BLOCK)
