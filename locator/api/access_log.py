"""One JSON access-log line per request, and the request id returned in ``X-Request-ID``.

Customers' coordinates are personal data: they are logged rounded to 2 decimals (about 1 km).
Preview links are secrets: a ``token`` parameter is logged as "[redacted]", and no header is logged
at all (so neither is ``Authorization``).
"""
from __future__ import annotations

import logging
import re
import time
import uuid
from datetime import datetime, timezone

import orjson
from flask import Flask, Response, g, request

log = logging.getLogger("partner_locator.access")
_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_COORDINATES = {"lat", "lon"}
_SECRETS = {"token"}
REDACTED = "[redacted]"


def _rounded(name: str, value: str) -> str:
    if name in _SECRETS:
        return REDACTED
    try:
        if name in _COORDINATES:
            return f"{float(value):.2f}"
        if name == "bbox":
            return ",".join(f"{float(part):.2f}" for part in value.split(","))
    except ValueError:
        return "?"
    return value[:200]


def _logged_args() -> dict:
    return {name: [_rounded(name, value) for value in request.args.getlist(name)] for name in request.args}


def init_app(app: Flask) -> None:
    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
        g.es_took = 0

    @app.after_request
    def _log(response: Response) -> Response:
        request_id = g.get("request_id") or uuid.uuid4().hex
        response.headers["X-Request-ID"] = request_id
        if log.isEnabledFor(logging.INFO):
            log.info(orjson.dumps({
                "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
                "request_id": request_id, "method": request.method, "path": request.path, "args": _logged_args(),
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 2),
                "es_took_ms": g.get("es_took", 0),
            }).decode())
        return response
