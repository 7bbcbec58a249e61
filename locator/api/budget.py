"""A request budget per client for ``/api/v1/*``: cheap enough to be on by default.

The full partner list is what a competitor would scrape through the API, so each client address
gets ``[api] rate_limit`` (e.g. "600 per minute; 6000 per hour", "" for none) per worker process,
counted in memory with the ``limits`` library's sliding-window counter (about 4 us a request,
measured in docs/benchmarks.md). Over it: a JSON 429 in the API's error shape with ``Retry-After``.
Pages, the sitemap, static files and health checks are not counted: they are public and cacheable
by design. Behind a proxy or CDN every client has the proxy's address: turn this off there and
limit at the proxy (docs/operations.md).
"""
from __future__ import annotations

import math
import time

from flask import Flask, request

from locator.api.errors import error_response

BUDGETED_PREFIX = "/api/"


def init_app(app: Flask, limit: str) -> None:
    if not limit:
        return
    from limits import parse_many
    from limits.storage import MemoryStorage
    from limits.strategies import SlidingWindowCounterRateLimiter

    items = parse_many(limit)
    limiter = SlidingWindowCounterRateLimiter(MemoryStorage())

    @app.before_request
    def _spend():
        if not request.path.startswith(BUDGETED_PREFIX):
            return None
        client = request.remote_addr or "unknown"
        for item in items:
            if not limiter.hit(item, client):
                wait = max(1, math.ceil(limiter.get_window_stats(item, client).reset_time - time.time()))
                response = error_response(429, "too_many_requests",
                                          f"too many requests from this address (limit {item}): retry after "
                                          "the seconds in Retry-After")
                response.headers["Retry-After"] = str(wait)
                return response
        return None
