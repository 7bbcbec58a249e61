"""HTTP views: validate, call the service, shape the answer. Nothing else."""
from __future__ import annotations

import hashlib
import re

import orjson

from flask import Blueprint, Response, current_app, request

from locator.api.errors import BadRequest, NotFound
from locator.api.jsonio import json_response
from locator.api.params import MarkersParams, SearchParams, SuggestParams, load_params
from locator.api.service import SearchService
from locator.core.contract import SITE_ID_PATTERN

api = Blueprint("api", __name__, url_prefix="/api/v1")
health = Blueprint("health", __name__)

_SITE_ID = re.compile(SITE_ID_PATTERN)
_search_params, _markers_params, _suggest_params = SearchParams(), MarkersParams(), SuggestParams()


def service() -> SearchService:
    return current_app.extensions["partner_locator"]


def cacheable(data: dict) -> Response:
    """Search answers may be cached by the embedding site's CDN; ETag lets browsers revalidate.

    Headers are set directly: werkzeug's cache_control/add_etag/make_conditional cost ~200 us a
    request here (docs/benchmarks.md), a large share of the API's own CPU.
    """
    body = orjson.dumps(data)
    etag = f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={service().api.cache_max_age_s}"}
    if etag in _entity_tags(request.headers.get("If-None-Match", "")):
        return Response(status=304, headers=headers)
    return Response(body, mimetype="application/json", headers=headers)


def _entity_tags(header: str) -> set[str]:
    """The tags of an If-None-Match header; weak tags compare equal (RFC 9110 weak comparison)."""
    return {tag.strip().removeprefix("W/") for tag in header.split(",")} if header else set()


@api.get("/partners")
def search_partners():
    return cacheable(service().search(load_params(_search_params, request.args)))


@api.get("/partners/markers")
def partner_markers():
    return cacheable(service().markers(load_params(_markers_params, request.args)))


@api.get("/partners/<site_id>")
def partner_site(site_id: str):
    if not _SITE_ID.fullmatch(site_id):
        raise NotFound(f"no listed site has id {site_id[:64]!r}")
    if request.args:
        raise BadRequest("this endpoint takes no parameters", {name: ["Unknown field."] for name in request.args})
    return cacheable(service().site(site_id))


@api.get("/suggest")
def suggest():
    return cacheable(service().suggest(load_params(_suggest_params, request.args)))


@health.get("/livez")
def livez():
    return json_response({"status": "alive"})


@health.get("/readyz")
def readyz():
    return json_response(service().readiness())
