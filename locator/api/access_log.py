"""One JSON access-log line per request, and the request id returned in ``X-Request-ID``.

The log keeps what an operator needs (path, parameter names, status, times) and nothing that
identifies a visitor or what they typed (docs/privacy.md, "The access log"):

- free text (``text``, ``q``, ``near``, ``industry`` and any parameter the API does not know) as its
  length only, ``"[9 chars]"``, unless ``[api] log_search_text`` is on for debugging (off by default);
- coordinates (``lat``, ``lon``, ``bbox``) rounded to a quarter degree (~28 km north-south), as
  coarse as the areas the analytics keep; a preview ``token`` as "[redacted]" (links are secrets);
- the values of the closed vocabularies (tier, certification, country, sort, page...) as sent, when
  they look like one (a code or a number; anything else there is logged as its length);
- no header at all (so no address, user agent, cookie, referrer or ``Authorization``); the time to
  the second; a request id of the server's own, a client's only when it comes through the trusted
  proxies (``[api] trusted_proxies``): an id a client chose could follow it from request to request.
"""
from __future__ import annotations

import logging
import re
import time
import uuid
from datetime import datetime, timezone

import orjson
from flask import Flask, Response, g, request

from locator.core.coarse_area import CELL_DEGREES

log = logging.getLogger("partner_locator.access")
_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_COORDINATES = {"lat", "lon", "bbox"}
_SECRETS = {"token"}
# Parameters whose values come from a closed list (or are numbers, ids and flags): logged as sent.
_CLOSED = {"tier", "cert", "country", "language", "sort", "unit", "page", "per_page", "radius_km", "collapse",
           "facets", "zoom", "limit", "lang", "embed", "place", "site"}
_CODE = re.compile(r"^[A-Za-z0-9._-]{1,40}$")
REDACTED = "[redacted]"


def coarse(value: float) -> float:
    """To the analytics' cell size (a quarter degree, ~28 km of latitude): no finer than they keep."""
    return round(value / CELL_DEGREES) * CELL_DEGREES


def logged_value(name: str, value: str, *, with_text: bool = False) -> str:
    """What the log keeps of one parameter value."""
    if name in _SECRETS:
        return REDACTED
    if name in _COORDINATES:
        try:
            return ",".join(f"{coarse(float(part)):.2f}" for part in value.split(","))
        except ValueError:
            return "?"
    if with_text:
        return value[:200]
    if name in _CLOSED and _CODE.match(value):  # a value that is no code or number may be typed text
        return value
    return f"[{len(value)} chars]"


def logged_args(with_text: bool = False) -> dict:
    return {name: [logged_value(name, value, with_text=with_text) for value in request.args.getlist(name)]
            for name in request.args}


def init_app(app: Flask, *, log_search_text: bool = False, trust_incoming_ids: bool = False) -> None:
    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID", "") if trust_incoming_ids else ""
        g.request_id = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
        g.es_took = 0

    @app.after_request
    def _log(response: Response) -> Response:
        request_id = g.get("request_id") or uuid.uuid4().hex
        response.headers["X-Request-ID"] = request_id
        if log.isEnabledFor(logging.INFO):
            log.info(orjson.dumps({
                "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "request_id": request_id, "method": request.method, "path": request.path,
                "args": logged_args(log_search_text), "status": response.status_code,
                "duration_ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 2),
                "es_took_ms": g.get("es_took", 0),
            }).decode())
        return response
