"""Events on their way to Elasticsearch (issue 18): a bounded buffer per worker and one thread that
writes it in bulk, so that recording never slows or fails a request.

``add`` never blocks and never raises: when the buffer is full the oldest event is dropped (and
counted). The writer thread takes what is there every ``interval_s`` (or as soon as ``batch``
events wait) and hands it to ``write`` (a bulk create); a batch that fails is dropped and counted,
never retried forever: an analytics gap is better than a worker that fills its memory while
Elasticsearch is away. ``close`` writes what it can once more (a worker's shutdown).
"""
from __future__ import annotations

import collections
import logging
import threading
from typing import Callable

log = logging.getLogger("partner_locator.events")

Writer = Callable[[list[tuple[str, str, dict]]], int]  # (index, id, document) -> how many were written (or duplicates)


class EventBuffer:
    def __init__(self, write: Writer, *, capacity: int = 10_000, batch: int = 500, interval_s: float = 2.0,
                 on_written: Callable[[int], None] = lambda n: None, on_dropped: Callable[[int], None] = lambda n: None,
                 on_depth: Callable[[int], None] = lambda n: None):
        self._write, self._batch, self._interval_s = write, batch, interval_s
        self._on_written, self._on_dropped, self._on_depth = on_written, on_dropped, on_depth
        self._events: collections.deque = collections.deque()
        self._capacity = capacity
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "EventBuffer":
        self._thread = threading.Thread(target=self._run, name="events-writer", daemon=True)
        self._thread.start()
        return self

    def add(self, index: str, event_id: str, document: dict) -> None:
        dropped = 0
        with self._lock:
            self._events.append((index, event_id, document))
            while len(self._events) > self._capacity:
                self._events.popleft()  # the oldest goes: the newest say most about now
                dropped += 1
            depth = len(self._events)
            full = depth >= self._batch
        self._on_depth(depth)
        if dropped:
            self._on_dropped(dropped)
        if full:
            self._wake.set()

    def depth(self) -> int:
        with self._lock:
            return len(self._events)

    def flush(self) -> None:
        """Write everything waiting now, batch by batch (the thread's work; tests and close call it too)."""
        while True:
            with self._lock:
                taken = [self._events.popleft() for _ in range(min(self._batch, len(self._events)))]
                depth = len(self._events)
            self._on_depth(depth)
            if not taken:
                return
            try:
                written = self._write(taken)
            except Exception:  # noqa: BLE001 - whatever Elasticsearch or the network did, requests never see it
                log.warning("could not record %d analytics events (dropped): Elasticsearch refused or did not answer",
                            len(taken), exc_info=log.isEnabledFor(logging.DEBUG))
                self._on_dropped(len(taken))
                continue
            self._on_written(written)
            if written < len(taken):
                self._on_dropped(len(taken) - written)

    def close(self, timeout_s: float = 5.0) -> None:
        self._closed.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
        self.flush()

    def _run(self) -> None:
        while not self._closed.is_set():
            self._wake.wait(self._interval_s)
            self._wake.clear()
            self.flush()
