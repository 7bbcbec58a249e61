"""A request budget per client for ``/api/v1/*``: cheap enough to be on by default.

The full partner list is what a competitor would scrape through the API, so each client address
gets ``[api] rate_limit`` (e.g. "600 per minute; 6000 per hour", "" for none) per worker process.
Over it: a JSON 429 in the API's error shape with ``Retry-After``. Pages, the sitemap, static
files and health checks are not counted: they are public and cacheable by design. Behind a proxy or
CDN every client has the proxy's address: turn this off there and limit at the proxy
(docs/operations.md).

Counting is a sliding-window counter per (client, limit) in a dict: this window's count plus the
previous window's, weighted by how much of it still overlaps the last period. About 18 us a request
with no thread (docs/benchmarks.md, "The edge"; the ``limits`` library's memory storage, which
Flask-Limiter uses, starts expiry timer threads and cost far more per request here). ``limits``
still parses the setting.
"""
from __future__ import annotations

import math
import threading
import time
from typing import Callable

from flask import Flask, request

from locator.api.errors import error_response

BUDGETED_PREFIX = "/api/"
PRUNE_EVERY = 4096  # requests between sweeps of clients whose windows are all over
PRUNE_ABOVE = 10_000  # ...when at least this many clients are remembered


class SlidingWindows:
    """Per-key counters over several (amount, period in seconds) limits."""

    def __init__(self, limits: list[tuple[int, float]], clock: Callable[[], float] = time.time):
        self.limits, self.clock = limits, clock
        self._counts: dict[str, list[list[float]]] = {}  # key -> per limit [window, this count, previous count]
        self._lock = threading.Lock()
        self._spent = 0

    def spend(self, key: str) -> float | None:
        """Count one request of ``key``; None when every limit allows it, else the seconds to wait
        (until the current window of the tightest refusing limit ends)."""
        now = self.clock()
        with self._lock:
            entries = self._counts.get(key)
            if entries is None:
                entries = self._counts[key] = [[-1, 0, 0] for _ in self.limits]
            wait = None
            for (amount, period), entry in zip(self.limits, entries):
                window, into = divmod(now, period)
                if entry[0] != window:
                    entry[2] = entry[1] if entry[0] == window - 1 else 0
                    entry[0], entry[1] = window, 0
                if entry[2] * (1 - into / period) + entry[1] + 1 > amount:
                    wait = max(wait or 0.0, period - into)
            if wait is None:
                for entry in entries:
                    entry[1] += 1
            self._spent += 1
            if self._spent % PRUNE_EVERY == 0 and len(self._counts) > PRUNE_ABOVE:
                self._prune(now)
        return wait

    def _prune(self, now: float) -> None:
        self._counts = {key: entries for key, entries in self._counts.items()
                        if any(entry[0] >= now // period - 1 for (_, period), entry in zip(self.limits, entries))}


def parse(limit: str) -> list[tuple[int, float]]:
    from limits import parse_many

    return [(item.amount, float(item.get_expiry())) for item in parse_many(limit)]


def init_app(app: Flask, limit: str) -> None:
    if not limit:
        return
    windows = SlidingWindows(parse(limit))

    @app.before_request
    def _spend():
        if not request.path.startswith(BUDGETED_PREFIX):
            return None
        wait = windows.spend(request.remote_addr or "unknown")
        if wait is None:
            return None
        response = error_response(429, "too_many_requests", f"too many requests from this address (limit {limit}): "
                                  "retry after the seconds in Retry-After")
        response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
        return response
