"""A page per listed site, server-rendered in the visitor's language: ``/sites/<site_id>/<slug>``.

The shared card (``templates/card.html``), the site's description, the partner's other sites in
that country, a small map, directions and map links, and for search engines: title, description,
canonical URL, hreflang alternates, Open Graph and schema.org JSON-LD (``page_meta``). Readable
without JavaScript (the script only draws the map). A missing or wrong slug redirects (301) to the
right one; an unknown or no longer listed site is an HTML 404 page in the same style, a failing
cluster an HTML 503. Pages are public and cacheable (ETag, Cache-Control), never part of the API's
per-client budget.
"""
from __future__ import annotations

import re

import elasticsearch
from flask import Blueprint, Response, current_app, render_template, request
from markupsafe import Markup

from locator.api import display, i18n, page_meta
from locator.api.caching import cached
from locator.api.errors import NotFound, RETRY_AFTER_S, failed
from locator.api.headers import embeddable
from locator.api.urls import moved_permanently, public_base, relative_root, site_path
from locator.core.contract import SITE_ID_PATTERN

site_pages = Blueprint("site_pages", __name__)
site_pages.after_request(i18n.vary_by_language)

_SITE_ID = re.compile(SITE_ID_PATTERN)


def _service():
    return current_app.extensions["partner_locator"]


@site_pages.get("/sites/<site_id>", defaults={"slug": None})
@site_pages.get("/sites/<site_id>/<slug>")
@embeddable
def site_page(site_id: str, slug: str | None) -> Response:
    ui = i18n.current()
    if not _SITE_ID.fullmatch(site_id):
        return not_found_page(ui)
    try:
        site = _service().site(site_id)
    except NotFound:
        return not_found_page(ui)
    except (elasticsearch.ApiError, elasticsearch.TransportError) as exc:
        return unavailable_page(ui) if failed(exc).passing else failed_page(ui)
    path = site_path(site)
    if slug != path.rsplit("/", 1)[-1]:
        return moved_permanently(path)
    tokens = _service().tokens  # the page reports its view (issue 18) when analytics is on
    html = render_template("site.html", **site_context(site, ui, public_base() + path),
                           event_token=tokens.site_page_token(site) if tokens else None)
    return cached(html.encode(), "text/html", _service().settings.pages.cache_max_age_s)


def site_context(site: dict, ui: i18n.Ui, page_url: str) -> dict:
    """What templates/site.html shows of one site (the answer of the site endpoint)."""
    view = display.card_view(site, ui)
    address = site.get("address") or {}
    city, country = address.get("city") or "", display.country_name(address.get("country"), ui)
    title = ui.gettext("%(company)s in %(city)s", company=site["company"], city=city)
    description = ui.gettext("%(company)s, %(partner)s in %(city)s, %(country)s: certified installers of Milestone "
                             "video software. Address, contact details and directions.",
                             company=site["company"], partner=view["tier_badge"], city=city, country=country)
    canonical = page_meta.canonical(page_url, ui.locale.language, "lang" in request.args)
    return {
        "catalog": display.catalog(ui), "root": relative_root(), "lang_query": i18n.lang_query(), "site": site,
        "view": view, "title": title, "description": description, "canonical": canonical,
        "alternates": page_meta.alternates(page_url),
        "open_graph": page_meta.open_graph(title=title, description=description, url=canonical, locale=str(ui.locale)),
        "json_ld": page_meta.local_business(site, page_meta.language_url(page_url, None), view["website_href"] or None),
        # The company is data inside a message: marked so that browser translators leave it alone.
        "company_markup": Markup('<span translate="no">%s</span>') % site["company"], "country_name": country,
        "others": [_other_site(other, ui) for other in site.get("other_sites_in_country") or []],
        "location": page_meta.coordinates(site), "directions_url": page_meta.directions_url(site),
        "map_url": page_meta.map_url(site), "tiles": _service().settings.pages,
    }


def _other_site(other: dict, ui: i18n.Ui) -> dict:
    lines = display.address_lines(other.get("address"), ui)
    return {"name": other.get("site_name") or (other.get("address") or {}).get("city") or other["site_id"],
            "address": ", ".join(lines[:2]), "href": other["page_url"]}


def message_page(ui: i18n.Ui, status: int, heading: str, text: str) -> Response:
    html = render_template("message.html", catalog=display.catalog(ui), root=relative_root(), lang_query=i18n.lang_query(),
                           heading=heading, text=text)
    response = Response(html, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Accept-Language")
    return response


def not_found_page(ui: i18n.Ui) -> Response:
    return message_page(ui, 404, ui.gettext("Listing not found"), ui.gettext("This partner site is not listed (any more)."))


def failed_page(ui: i18n.Ui) -> Response:
    """An operator's failure (a role without rights, a query Elasticsearch refused): logged, a 500."""
    return message_page(ui, 500, ui.gettext("Could not load this listing"),
                        ui.gettext("Something went wrong."))


def unavailable_page(ui: i18n.Ui) -> Response:
    response = message_page(ui, 503, ui.gettext("Could not load this listing"), ui.gettext("Please try again in a moment."))
    response.headers["Retry-After"] = RETRY_AFTER_S
    return response
