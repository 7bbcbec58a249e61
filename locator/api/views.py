"""HTTP views: validate, call the service, shape the answer. Nothing else."""
from __future__ import annotations

import re

import orjson

from flask import Blueprint, Response, current_app, request

from locator.api.caching import cached
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
    """Search answers may be cached by the embedding site's CDN; ETag lets browsers revalidate."""
    return cached(orjson.dumps(data), "application/json", service().api.cache_max_age_s)


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
