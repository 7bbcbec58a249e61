"""Every error the API answers, in one JSON shape, mapped to HTTP in this one place.

    {"error": {"status": 400, "code": "invalid_parameters", "message": "...", "fields": {"lat": ["..."]}}}

No stack trace and no Elasticsearch internals ever reach a client; they go to the log. The one
exception to JSON: a browser asking for a page that does not exist outside ``/api/`` gets the HTML
"not found" page (``register(html_not_found=...)``, the site pages' own).
"""
from __future__ import annotations

import logging
from typing import Callable

import elasticsearch
from flask import Flask, Response, g, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from locator.api.jsonio import json_response
from locator.core.es_failures import Failure, failure_of

log = logging.getLogger("partner_locator.api")
RETRY_AFTER_S = "1"
UNAVAILABLE_MESSAGE = "the search service is temporarily unavailable; retry shortly"


class ApiError(Exception):
    status = 500
    code = "internal_error"

    def __init__(self, message: str, fields: dict | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message, self.fields, self.extra = message, fields, extra or {}


class BadRequest(ApiError):
    status, code = 400, "invalid_parameters"


class NotFound(ApiError):
    status, code = 404, "not_found"


class Unavailable(ApiError):
    status, code = 503, "search_unavailable"


class Forbidden(ApiError):
    """A preview link that is missing, malformed, tampered, expired or revoked: all answered alike."""

    status, code = 403, "forbidden"


class PreviewUnavailable(ApiError):
    """Previews are not configured here, or the live run has no eligibility data."""

    status, code = 503, "preview_unavailable"


def error_body(status: int, code: str, message: str, fields: dict | None = None, extra: dict | None = None) -> dict:
    """The one error shape, for Flask's answers and for those the HTTP server gives before Flask."""
    error = {"status": status, "code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": {**error, **(extra or {})}}


def error_response(status: int, code: str, message: str, fields: dict | None = None, extra: dict | None = None) -> Response:
    response = json_response(error_body(status, code, message, fields, extra), status)
    response.headers["Cache-Control"] = "no-store"
    if status == 503:
        response.headers["Retry-After"] = RETRY_AFTER_S
    return response


def failed(exc: Exception) -> Failure:
    """How an Elasticsearch failure is answered (``locator.core.es_failures``' one table), logged
    once at its level naming the cause: every view and page reads failures through this."""
    failure = failure_of(exc)
    log.log(failure.level, "%s (request %s)", failure.cause, g.get("request_id"))
    return failure


def code_of(reason: str) -> str:
    """ "URI Too Long" -> "uri_too_long": the code of an HTTP error, from its reason phrase."""
    return (reason or "error").lower().replace(" ", "_").replace("-", "_")


def _http_code(exc: HTTPException) -> str:
    return code_of(exc.name)


def wants_a_page() -> bool:
    """A browser asking for a page that does not exist (not the API, which always answers JSON)."""
    preferred = request.accept_mimetypes.best_match(["application/json", "text/html"])  # */* is JSON
    return not request.path.startswith("/api/") and preferred == "text/html"


def register(app: Flask, html_not_found: Callable[[], Response] | None = None) -> None:
    """``html_not_found`` makes the HTML 404 page a browser gets outside ``/api/``."""
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.fields, exc.extra)

    @app.errorhandler(ValidationError)
    def _invalid(exc: ValidationError):
        fields = exc.messages if isinstance(exc.messages, dict) else {"request": exc.messages}
        return error_response(400, BadRequest.code, "invalid parameters: " + ", ".join(sorted(fields)), fields)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if exc.code == 404 and html_not_found is not None and wants_a_page():
            return html_not_found()
        message = exc.description or exc.name
        if exc.code == 429:
            message = f"too many requests (limit {exc.description}): retry after the seconds in Retry-After"
        response = error_response(exc.code or 500, _http_code(exc), message)
        if exc.code == 405 and exc.response is None:
            response.headers["Allow"] = ", ".join(getattr(exc, "valid_methods", None) or ["GET"])
        return response

    @app.errorhandler(elasticsearch.ApiError)
    @app.errorhandler(elasticsearch.TransportError)
    def _search_failed(exc: Exception):
        if failed(exc).passing:
            return error_response(503, Unavailable.code, UNAVAILABLE_MESSAGE)
        return error_response(500, "internal_error", "the search failed; the error was logged")

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error in request %s", g.get("request_id"))
        return error_response(500, "internal_error", "unexpected error; it was logged")
