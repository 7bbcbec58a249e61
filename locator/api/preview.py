"""A partner's private preview: ``GET /preview?token=`` (HTML, no script) and ``GET /api/v1/preview``.

Both answer from ``PreviewService`` (the app's second client, the ``preview`` user). The page shows,
per country, whether the partner is listed and at which tier, each listed site's card rendered by
the shared card template exactly as customers see it, the requirements checklist of the current
and the next tier, rejected records, expiring certifications and how old the data is. Links are
secrets: every preview response forbids referrers, framing, indexing and caching, and the access
log never writes the token (``access_log``).
"""
from __future__ import annotations

import elasticsearch
from elasticsearch import Elasticsearch
from flask import Blueprint, Flask, Response, current_app, render_template, request, url_for
from flask_babel import gettext

from locator.api import display, i18n
from locator.api.errors import RETRY_AFTER_S, ApiError, Forbidden, PreviewUnavailable, failed
from locator.api.jsonio import json_response
from locator.api.preview_service import PreviewService
from locator.core import requirement_words
from locator.core.errors import UserFacingError
from locator.core.es import connection_for, make_client
from locator.core.settings import Settings

page = Blueprint("preview_page", __name__)
api = Blueprint("preview_api", __name__, url_prefix="/api/v1")

HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
                               "form-action 'none'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Robots-Tag": "noindex",
    "Cache-Control": "private, no-store",
}
_SERVICE = "partner_locator_preview"


def init_app(app: Flask, settings: Settings, public_es: Elasticsearch, preview_es: Elasticsearch | None = None) -> None:
    """Register the routes with the second client: the one given, else the ``preview`` user's (when
    its settings are missing the search still works and the preview routes answer 503 naming them)."""
    unavailable = None
    if preview_es is None:
        try:
            preview_es = make_client(connection_for(settings, "preview"), settings.elasticsearch, "preview")
        except UserFacingError as exc:
            unavailable = f"previews are unavailable on this server: {exc}"
    app.extensions[_SERVICE] = PreviewService(settings, public_es, preview_es, unavailable)
    app.register_blueprint(page)
    app.register_blueprint(api)


def service() -> PreviewService:
    return current_app.extensions[_SERVICE]


def _private(response: Response) -> Response:
    response.headers.update(HEADERS)
    return response


page.after_request(_private)
api.after_request(_private)


# ---------------------------------------------------------------- JSON


def _bearer() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


@api.get("/preview")
def preview_json():
    preview = service()
    return json_response(preview.preview(preview.claims(_bearer() or request.args.get("token"))))


# ---------------------------------------------------------------- HTML


@page.get("/preview")
def preview_page():
    preview = service()
    facts = preview.preview(preview.claims(request.args.get("token")))
    ui = i18n.current()
    year = (facts["as_of"] or "")[:4]
    countries = [_country_view(country, ui, year) for country in facts["countries"]]
    age_s = facts["age_s"] or 0
    return render_template("preview.html", facts=facts, countries=countries, age_days=age_s // 86400,
                           age_hours=age_s // 3600, catalog=display.catalog(ui))


def _country_view(country: dict, ui: i18n.Ui, year: str) -> dict:
    cards = [{"view": display.card_view(site, ui),
              "search_href": url_for("pages.index", lat=site["location"]["lat"], lon=site["location"]["lon"],
                                     site=site["site_id"], **_lang_of(ui))}
             for site in country["listings"]]
    next_tier = country["next_tier"]
    return {**country, "cards": cards, "country_name": display.country_name(country["country"], ui),
            "tier_name": display.tier_label(country["tier"], ui),
            "next_tier_name": display.tier_label(next_tier, ui) if next_tier else "",
            "current_checklist": _checklist(country, country["tier"], country["current_requirements"], ui, year),
            "next_checklist": _checklist(country, next_tier, country["next_requirements"], ui, year) if next_tier else []}


def _checklist(country: dict, tier: str, items: list[dict], ui: i18n.Ui, year: str) -> list[dict]:
    """The requirements in the visitor's language, from their ids (the index keeps English words)."""
    label = display.tier_label(tier, ui)
    counts = country.get("certifications") or {}
    return [{"requirement": item["requirement"], "met": item["met"],
             "name": requirement_words.name(item["requirement"], label, year, gettext),
             "status": requirement_words.status(item["requirement"], item["met"], _anyone_certified(item, counts),
                                                gettext)}
            for item in items]


def _anyone_certified(item: dict, counts: dict) -> bool:
    cert = item["requirement"].removeprefix(requirement_words.CERTIFIED_PREFIX)
    return bool(counts.get(cert))


def _lang_of(ui: i18n.Ui) -> dict:
    """Links from the preview keep the language it was asked in."""
    return {"lang": request.args["lang"]} if request.args.get("lang") else {}


@page.errorhandler(Forbidden)
@page.errorhandler(PreviewUnavailable)
def _refused_page(exc: ApiError):
    reason = "refused" if isinstance(exc, Forbidden) else "unavailable"
    return render_template("preview_message.html", reason=reason, message=exc.message,
                           catalog=display.catalog(i18n.current())), exc.status


@page.errorhandler(elasticsearch.ApiError)
@page.errorhandler(elasticsearch.TransportError)
def _cluster_failed(exc: Exception):
    passing = failed(exc).passing
    html = render_template("preview_message.html", reason="failed", message="", catalog=display.catalog(i18n.current()))
    return html, 503 if passing else 500, {"Retry-After": RETRY_AFTER_S} if passing else {}
