"""Wait until a new index's shards are where they must be, or say why they cannot be.

A new index is searched only once it is green: every primary and, on a cluster, every replica
(``auto_expand_replicas: 0-1`` asks for one replica once a second node exists, none on a single
node, so green is reachable everywhere). When Elasticsearch's allocation deciders refuse a shard
(a disk above its watermark, no node left for a replica...), their explanation is the error: the
run stops at once instead of waiting out a timeout and saying only "timed out".
"""
from __future__ import annotations

import time

from elasticsearch import BadRequestError, Elasticsearch

from locator.core.errors import UserFacingError

POLL_S = 2


class AllocationError(UserFacingError):
    """The new index's shards cannot be placed; the message names the deciders' reasons."""


def wait_for(es: Elasticsearch, index: str, status: str, timeout_s: float) -> None:
    """Return once ``index`` is ``status`` (yellow: every primary assigned; green: every copy)."""
    deadline = time.monotonic() + timeout_s
    while True:
        # A new index's primaries count as yellow while they initialize: wait until none does.
        health = es.options(ignore_status=408).cluster.health(index=index, wait_for_status=status,
                                                              wait_for_no_initializing_shards=True,
                                                              timeout=f"{POLL_S}s")
        if not health["timed_out"]:
            return
        what = "its primary shards" if status == "yellow" else "its replicas"
        why = why_unassigned(es, index)
        if why:
            raise AllocationError(f"the new index {index} cannot place {what}: {why}")
        if time.monotonic() > deadline:
            raise AllocationError(f"the new index {index} was not {status} within {timeout_s:.0f}s "
                                  f"({health['unassigned_shards']} shard copies unassigned)")


def why_unassigned(es: Elasticsearch, index: str) -> str | None:
    """The allocation deciders' "no" for the first shard of ``index`` that no node may hold, else None."""
    shards = es.cat.shards(index=index, format="json", h="shard,prirep,state")
    for shard in shards:
        if shard["state"] != "UNASSIGNED":
            continue
        try:
            explanation = es.cluster.allocation_explain(index=index, shard=int(shard["shard"]),
                                                        primary=shard["prirep"] == "p")
        except BadRequestError:  # assigned in the meantime
            continue
        if explanation.get("can_allocate") == "no":
            return _refusals(explanation)
    return None


def _refusals(explanation: dict) -> str:
    reasons = sorted({decider["explanation"] for node in explanation.get("node_allocation_decisions", [])
                      for decider in node.get("deciders", []) if decider.get("decision") == "NO"})
    return "; ".join(reasons) or explanation.get("allocate_explanation", "no node may hold it")
