"""One indexer at a time, per cluster: a lease document in Elasticsearch.

A file lock would only guard one machine; the lease guards every indexer writing to the same
cluster. The holder renews it in the background; a crashed run stops renewing, so its lease
expires by itself after ``lease_s`` and the next run takes over (compare-and-swap on the document's
sequence number, so two runs cannot both take an expired lease).
"""
from __future__ import annotations

import os
import socket
import threading
from datetime import datetime, timedelta, timezone

from elasticsearch import BadRequestError, ConflictError, Elasticsearch, NotFoundError

from locator.core.mapping import locks_index

LOCK_ID = "indexer"


class LockHeldError(Exception):
    """Another indexer holds the lease."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


class IndexerLock:
    def __init__(self, es: Elasticsearch, prefix: str, lease_s: float = 90.0):
        self.es, self.index, self.lease_s = es, locks_index(prefix), lease_s
        self.owner = f"{socket.gethostname()}:{os.getpid()}"
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None
        self._seq: dict | None = None

    def _body(self) -> dict:
        now = _now()
        return {"owner": self.owner, "renewed_at": now.isoformat(),
                "expires_at": (now + timedelta(seconds=self.lease_s)).isoformat()}

    def _ensure_index(self) -> None:
        if not self.es.indices.exists(index=self.index):
            try:
                self.es.indices.create(index=self.index, settings={"number_of_shards": 1, "auto_expand_replicas": "0-1"})
            except BadRequestError as exc:  # created by another run in between
                if exc.error != "resource_already_exists_exception":
                    raise

    def acquire(self) -> None:
        self._ensure_index()
        try:
            result = self.es.index(index=self.index, id=LOCK_ID, document=self._body(), op_type="create", refresh=True)
        except ConflictError:
            result = self._take_over_expired()
        self._seq = {"if_seq_no": result["_seq_no"], "if_primary_term": result["_primary_term"]}
        self._renewer = threading.Thread(target=self._renew_forever, name="indexer-lock", daemon=True)
        self._renewer.start()

    def _take_over_expired(self) -> dict:
        current = self.es.get(index=self.index, id=LOCK_ID)
        holder = current["_source"]
        if datetime.fromisoformat(holder["expires_at"]) > _now():
            raise LockHeldError(
                f"another indexer ({holder['owner']}) is running: it renewed its lock at {holder['renewed_at']}; "
                f"if it crashed, its lock expires by itself at {holder['expires_at']}")
        try:
            return self.es.index(index=self.index, id=LOCK_ID, document=self._body(), refresh=True,
                                 if_seq_no=current["_seq_no"], if_primary_term=current["_primary_term"])
        except ConflictError:
            raise LockHeldError("another indexer took over the expired lock at the same moment") from None

    def _renew_forever(self) -> None:
        while not self._stop.wait(self.lease_s / 3):
            try:
                self.renew()
            except Exception:  # noqa: BLE001 - a missed renewal is retried; the lease covers three of them
                continue

    def renew(self) -> None:
        try:
            result = self.es.index(index=self.index, id=LOCK_ID, document=self._body(), **self._seq)
        except ConflictError:
            # A renewal whose answer was lost (a node gone mid-request) is sent again by the client and
            # finds the lease already renewed: still ours while we are its owner, at its new number.
            current = self.es.get(index=self.index, id=LOCK_ID)
            if current["_source"]["owner"] != self.owner:
                raise
            result = self.es.index(index=self.index, id=LOCK_ID, document=self._body(),
                                   if_seq_no=current["_seq_no"], if_primary_term=current["_primary_term"])
        self._seq = {"if_seq_no": result["_seq_no"], "if_primary_term": result["_primary_term"]}

    def release(self) -> None:
        self._stop.set()
        if self._renewer:
            self._renewer.join()
        if self._seq is None:
            return
        try:
            self.es.delete(index=self.index, id=LOCK_ID, refresh=True, **self._seq)
        except (NotFoundError, ConflictError):
            pass  # someone took over an expired lease: it is theirs now
        self._seq = None

    def __enter__(self) -> "IndexerLock":
        self.acquire()
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()
