"""Bulk loading that rides through a busy or changing cluster.

Documents go in chunks, ``threads`` requests at a time. What Elasticsearch refuses for a passing
reason (429 too busy, 5xx: a node lost, a shard moving, no master elected yet; or a lost
connection) is sent again after a pause that doubles up to a bound; a document still refused after
the last attempt is reported on its own, with the last reason. A chunk still refused that way stops
the load (``BulkOutcome.stopped``): the cluster is not taking writes, and sending the rest would only
wait the same way. So does a share of refused documents above what the run may lose. The new index
never goes live then (``indexer.pipeline``).
"""
from __future__ import annotations

import time
from collections import Counter, deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from typing import Iterable, Iterator

import elasticsearch
from elasticsearch import Elasticsearch

from locator.core.es_failures import is_passing_status

_ITEM_FIELDS = "errors,items.*.status,items.*.error.type,items.*.error.reason"


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    first_pause_s: float = 0.5
    max_pause_s: float = 8.0

    def pauses(self) -> Iterator[float]:
        """The pause before each attempt: none before the first, then doubling up to the bound."""
        pause = self.first_pause_s
        for attempt in range(self.attempts):
            yield 0.0 if attempt == 0 else min(pause * 2 ** (attempt - 1), self.max_pause_s)


@dataclass
class BulkOutcome:
    indexed: int = 0
    failed: int = 0
    # (document id, reason) of the first refused documents, for the report; the count is in ``failed``.
    failures: list[tuple[str, str]] = field(default_factory=list)
    reasons: Counter = field(default_factory=Counter)
    stopped: str | None = None  # why the load stopped before sending every document

    def common_reason(self) -> str | None:
        return self.reasons.most_common(1)[0][0] if self.reasons else None


@dataclass
class _ChunkResult:
    indexed: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)
    gave_up: str | None = None  # still refused for a passing reason after every attempt


def is_transient(status: int, error: object) -> bool:
    """Worth sending again after a pause: a passing failure (``locator.core.es_failures``' table:
    429, 5xx, a node or shard going away...), except a 429 cluster block (the disk's flood-stage
    watermark): that lifts only once an operator frees disk space, not in seconds."""
    kind = error.get("type") if isinstance(error, dict) else None
    return is_passing_status(status, error) and not (status == 429 and kind == "cluster_block_exception")


def refusal_reason(error: object) -> str:
    if isinstance(error, dict):
        return f"Elasticsearch refused the document: {error.get('type', 'error')}: {error.get('reason', '')}"[:300]
    return f"Elasticsearch refused the document: {error}"[:300]


Source = tuple[str, "dict | bytes"]  # (document id, the document, or its JSON already serialized: sent as it is)


def _operations(index: str, sources: list[Source]) -> list:
    operations = []
    for doc_id, document in sources:
        operations += [{"create": {"_index": index, "_id": doc_id}}, document]
    return operations


def send_chunk(es: Elasticsearch, index: str, documents: list[Source], policy: RetryPolicy) -> _ChunkResult:
    result, todo, last = _ChunkResult(), documents, ""
    for pause in policy.pauses():
        time.sleep(pause)
        try:
            response = es.bulk(operations=_operations(index, todo), filter_path=_ITEM_FIELDS)
        except elasticsearch.TransportError as exc:  # connection refused or reset, on every node tried
            last = f"cannot reach Elasticsearch: {exc.message}"
            continue
        except elasticsearch.ApiError as exc:
            error = exc.body.get("error") if isinstance(exc.body, dict) else exc.message
            last = refusal_reason(error)
            if is_transient(exc.meta.status, error):
                continue
            result.refused += [(doc_id, last) for doc_id, _ in todo]
            return result
        todo, last = _sort_items(todo, response.body, result)
        if not todo:
            return result
    result.refused += [(doc_id, last) for doc_id, _ in todo]
    result.gave_up = f"{last} (still refused after {policy.attempts} attempts)"
    return result


def _sort_items(todo: list[Source], response: dict, result: _ChunkResult) -> tuple[list[Source], str]:
    """Count the created documents, keep the refused ones; return those to send again and why."""
    if not response.get("errors"):
        result.indexed += len(todo)
        return [], ""
    again, last = [], ""
    for document, item in zip(todo, response["items"]):
        detail = next(iter(item.values()))
        status = detail["status"]
        # 409 on "create": an earlier attempt (ours, or the client's own retry of a request whose
        # answer was lost) created it. Nothing else writes this new index and document ids are unique.
        if status < 300 or status == 409:
            result.indexed += 1
        elif is_transient(status, detail.get("error")):
            again.append(document)
            last = refusal_reason(detail.get("error"))
        else:
            result.refused.append((document[0], refusal_reason(detail.get("error"))))
    return again, last


def _chunks(documents: Iterable[Source], size: int) -> Iterator[list[Source]]:
    iterator = iter(documents)
    while chunk := list(islice(iterator, size)):
        yield chunk


def load(es: Elasticsearch, index: str, documents: Iterable[Source], *, chunk_size: int = 1000, threads: int = 2,
         policy: RetryPolicy = RetryPolicy(), keep_failures: int = 1000, max_failures: int | None = None) -> BulkOutcome:
    """Send every (id, document) as a "create" (``threads`` chunks in flight, one more waiting: memory
    stays a few chunks)."""
    outcome, pending = BulkOutcome(), deque()
    pool = ThreadPoolExecutor(threads, thread_name_prefix="bulk")
    try:
        for chunk in _chunks(documents, chunk_size):
            pending.append(pool.submit(send_chunk, es, index, chunk, policy))
            while len(pending) > threads or (pending and pending[0].done()):
                if not _collect(pending.popleft(), outcome, keep_failures, max_failures):
                    return outcome
        while pending:
            if not _collect(pending.popleft(), outcome, keep_failures, max_failures):
                return outcome
        return outcome
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _collect(future: Future, outcome: BulkOutcome, keep_failures: int, max_failures: int | None) -> bool:
    """Add a chunk's result; False when the load must stop."""
    result = future.result()
    outcome.indexed += result.indexed
    outcome.failed += len(result.refused)
    for doc_id, reason in result.refused:
        outcome.reasons[reason] += 1
        if len(outcome.failures) < keep_failures:
            outcome.failures.append((doc_id, reason))
    if result.gave_up:
        outcome.stopped = f"the bulk load stopped: {result.gave_up}"
    elif max_failures is not None and outcome.failed > max_failures:
        outcome.stopped = (f"the bulk load stopped: Elasticsearch refused {outcome.failed} documents, more than the "
                           f"{max_failures} the run may lose; most common: {outcome.common_reason()}")
    return outcome.stopped is None
