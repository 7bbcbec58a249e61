"""What an Elasticsearch failure means, in one table: passing (ask again shortly) or an operator's to fix.

Every caller reads failures through ``classify``: the API's error map (503 + ``Retry-After`` for a
passing failure, 500 naming the cause in the log for an operator's), the search page, the site
pages, the sitemap, the preview, and the indexer's bulk retries (``is_passing_status``).

| what Elasticsearch (or the way to it) did | kind | why |
|---|---|---|
| connection refused or reset, no node reachable | passing | a node (re)starting; the client already tried the others |
| timed out | passing | a slow or overloaded cluster (the API never repeats it) |
| a body that is not JSON | passing | a proxy's error page in front of a cluster that is restarting |
| TLS handshake failed | operator | the CA or certificate settings (``ELASTICSEARCH_CA_CERTS``) |
| 429, 5xx | passing | too busy; a node lost; all shards failed because none is assigned yet; state not recovered; no master |
| 401 | passing, logged at ERROR | security not ready yet on a node that just started; a wrong password looks the same, and the log says so |
| 404 | passing | an alias missing for the moment of a swap, a point in time that expired |
| any other 4xx whose every cause is a shard or node going away | passing | a search whose shard copies were on a node that left or is recovering |
| 403 | operator | a role without the rights the code needs |
| 400 and other 4xx | operator | a query or mapping the code built, or a setting |
| an answer not from Elasticsearch (product check) | operator | ``ELASTICSEARCH_URL`` points at something else |
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Iterator

import elasticsearch
from elastic_transport import SerializationError, TlsError

# 429: too many requests; 5xx: a node left, a primary being promoted, no master, shards not assigned.
PASSING_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# Statuses that are passing whatever the body says: the index or alias being swapped, a point in
# time that expired, security that is not ready yet on a node that just started.
PASSING_4XX = frozenset({401, 404})
# Causes (Elasticsearch's error types) that mean "a shard copy or node is going away or coming back",
# whatever status the failure carries: a recovering node cancels the tasks of the nodes that left it
# (task_cancelled_exception is a 400), a shard copy not started yet is "not found" or in a bad state.
# Not cluster_block_exception: its status tells (503: no master or state not recovered, passing;
# 429: the disk's flood stage; 403: an index made read-only by an operator).
PASSING_CAUSES = frozenset({
    "task_cancelled_exception", "node_disconnected_exception", "node_not_connected_exception",
    "node_closed_exception", "connect_transport_exception", "receive_timeout_transport_exception",
    "send_request_transport_exception", "no_shard_available_action_exception", "shard_not_found_exception",
    "illegal_index_shard_state_exception", "index_shard_closed_exception", "index_shard_not_started_exception",
    "primary_missing_action_exception", "unavailable_shards_exception", "index_not_found_exception",
    "es_rejected_execution_exception", "circuit_breaking_exception",
    "search_context_missing_exception", "master_not_discovered_exception", "not_master_exception",
    "already_closed_exception", "transport_exception", "timeout_exception", "elasticsearch_timeout_exception",
})
MAX_REASON = 300


@dataclass(frozen=True)
class Failure:
    """``passing``: answer 503 and ask again shortly; else an operator must act (500)."""

    passing: bool
    cause: str  # one line for the log: what happened, never a credential
    level: int = logging.WARNING


def failure_of(exc: BaseException) -> Failure:
    """What ``exc`` means; anything the table does not know is the operator's (500, named at ERROR)."""
    return classify(exc) or Failure(False, f"{type(exc).__name__}: {exc}", logging.ERROR)


def classify(exc: BaseException) -> Failure | None:
    """What ``exc`` means, or None when it is not a failure of Elasticsearch or the way to it."""
    if isinstance(exc, elasticsearch.ApiError):
        return _answered(exc)
    if isinstance(exc, TlsError):
        return Failure(False, f"TLS with Elasticsearch failed ({exc.message}): check ELASTICSEARCH_CA_CERTS",
                       logging.ERROR)
    if isinstance(exc, SerializationError):
        return Failure(True, f"Elasticsearch (or a proxy before it) answered something that is not JSON: "
                             f"{_short(exc.message)}")
    if isinstance(exc, elasticsearch.ConnectionTimeout):
        return Failure(True, "Elasticsearch did not answer in time")
    if isinstance(exc, elasticsearch.TransportError):  # connection refused, reset, or none left to try
        return Failure(True, f"cannot reach Elasticsearch: {type(exc).__name__}")
    return None


def is_passing_status(status: int, error: object = None) -> bool:
    """The same table for one status and its error body (the indexer's bulk items)."""
    return status in PASSING_STATUSES or status in PASSING_4XX or _only_passing_causes(error)


def _answered(exc: elasticsearch.ApiError) -> Failure:
    status = getattr(exc.meta, "status", 500)
    error = exc.body.get("error") if isinstance(exc.body, dict) else None
    cause = f"Elasticsearch answered {status} {_describe(error, exc.message)}"
    if isinstance(exc, elasticsearch.UnsupportedProductError):
        return Failure(False, f"{cause}: ELASTICSEARCH_URL does not point at Elasticsearch", logging.ERROR)
    if status == 401:
        return Failure(True, f"{cause}: security is not ready on a node that just started, or the credentials "
                             "are wrong (if it lasts, check them: ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD, "
                             "or ELASTICSEARCH_API_KEY)", logging.ERROR)
    if status == 403:
        return Failure(False, f"{cause}: the user's role lacks a privilege (config/roles/)", logging.ERROR)
    if is_passing_status(status, error):
        return Failure(True, cause)
    return Failure(False, cause, logging.ERROR)


def _only_passing_causes(error: object) -> bool:
    """Every cause the error names is a shard or node going away (and it names at least one)."""
    types = set(_cause_types(error))
    return bool(types) and types <= PASSING_CAUSES | {"search_phase_execution_exception"} and \
        types != {"search_phase_execution_exception"}


def _cause_types(error: object) -> Iterator[str]:
    """Every error type in Elasticsearch's error body: the error, its root causes, what caused it, and
    each failed shard's reason ("all shards failed" names the real causes only there)."""
    if not isinstance(error, dict):
        return
    if isinstance(error.get("type"), str):
        yield error["type"]
    for cause in error.get("root_cause") or []:
        yield from _cause_types(cause)
    yield from _cause_types(error.get("caused_by"))
    for shard in error.get("failed_shards") or []:
        if isinstance(shard, dict):
            yield from _cause_types(shard.get("reason"))


def _describe(error: object, message: str) -> str:
    """ "search_phase_execution_exception: all shards failed (query_shard_exception: failed to ...)":
    the error, and its first root cause when that is another one (the one that says why)."""
    if not isinstance(error, dict):
        return _short(message)
    text = f"{error.get('type', 'error')}: {error.get('reason') or ''}".rstrip(": ")
    root = (error.get("root_cause") or [None])[0] or error.get("caused_by")
    if isinstance(root, dict) and (root.get("type"), root.get("reason")) != (error.get("type"), error.get("reason")):
        text += f" ({root.get('type', 'error')}: {root.get('reason') or ''})"
    return _short(text)


def _short(text: object) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= MAX_REASON else line[:MAX_REASON] + "..."
