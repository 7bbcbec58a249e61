"""The search page: rendered from templates, with the first page of results when its URL carries a search."""
from __future__ import annotations

import functools
import posixpath
import re

import elasticsearch
from flask import Blueprint, Response, current_app, render_template, request
from marshmallow import ValidationError
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from locator.api import display, i18n
from locator.api.chip import chip_view
from locator.api.errors import RETRY_AFTER_S, ApiError, failed
from locator.api.headers import embeddable
from locator.api.params import SearchParams, load_params
from locator.api.urls import relative_root
from locator.core.es_failures import Failure
from locator.core.resources import static_dir

pages = Blueprint("pages", __name__)

# Read by the page (and its script), not by the search; embed_origin and analytics: static/js/beacons.js.
PAGE_ONLY_PARAMS = ("site", "embed", "lang", "unit", "embed_origin", "analytics")
ORIGIN_PARAMS = ("near", "place", "lat", "text")  # a search that may have an origin, so a radius
EMBED_PER_PAGE = 10  # a shorter page inside someone else's page (static/js/state.js reads it from the page)
_search_params = SearchParams()
_BETWEEN_TAGS = re.compile(r">\s+<")


@pages.app_template_filter("tight")
def tight(html: str) -> Markup:
    """Drop the whitespace between tags, so a template's markup gives the DOM that script builds.
    Escaped text holds no "<" or ">", so only markup is touched."""
    return Markup(_BETWEEN_TAGS.sub("><", str(html)).strip())


pages.after_request(i18n.vary_by_language)
# Every page's way up to static/ (the icon in base.html): relative, so a path prefix works too.
pages.add_app_template_global(relative_root)

# `import ... from "./x.js"` and `import "./x.js"` at the start of a line: the static imports of a module.
_IMPORTS = re.compile(r"""^\s*import\s+(?:[^;"']*?\bfrom\s*)?["'](\./[\w./-]+\.js)["']""", re.MULTILINE)


@pages.app_template_global("module_imports")
@functools.lru_cache(maxsize=8)
def module_imports(entry: str) -> tuple[str, ...]:
    """The modules of static/js/ that ``entry`` (e.g. "main.js") imports, directly or through others,
    as paths relative to static/js/, for ``<link rel="modulepreload">``: the browser then fetches them
    all at once instead of one level of imports after another. Read from the files themselves once
    per process (the graph follows the scripts, no hand-kept list; the files ship with the package)."""
    folder = static_dir() / "js"
    found: dict[str, None] = {}
    todo = [entry]
    while todo:
        name = todo.pop(0)
        text = (folder / name).read_text(encoding="utf-8")
        for spec in _IMPORTS.findall(text):
            path = posixpath.normpath(posixpath.join(posixpath.dirname(name), spec))
            if path != entry and path not in found:
                found[path] = None
                todo.append(path)
    return tuple(found)


@pages.get("/")
@embeddable
def index():
    ui = i18n.current()
    response, failure = initial_search(request.args, ui)
    links = i18n.lang_query()
    cards = [display.card_view(site, ui, links) for site in response["results"]] if response else []
    catalog = display.catalog(ui)
    html = render_template("index.html", catalog=catalog, response=response, cards=cards,
                           chip=chip_view(request.args, response, ui, catalog["countries"]), embed_per_page=EMBED_PER_PAGE,
                           lang_query=links,
                           tiles=current_app.extensions["partner_locator"].settings.pages)
    if failure is None:
        return html
    # Never a 200 without results when the search failed: a cache or crawler would keep it as the
    # answer. The page still comes with it: its script asks the API again and explains.
    page = Response(html, status=503 if failure.passing else 500, mimetype="text/html")
    page.headers["Cache-Control"] = "no-store"
    if failure.passing:
        page.headers["Retry-After"] = RETRY_AFTER_S
    return page


@pages.get("/api/v1/docs")
def docs():
    """The API reference, in the visitor's language: the OpenAPI spec rendered by static/docs.js."""
    return render_template("docs.html", catalog=display.catalog(i18n.current()), lang_query=i18n.lang_query())


def initial_search(args: MultiDict, ui: i18n.Ui) -> tuple[dict | None, Failure | None]:
    """The API's answer for the page's own query (None when there is no search in it, or a bad one:
    the page's script then shows the API's message), and how Elasticsearch failed, if it did."""
    query = search_query(args, ui)
    if not query:
        return None, None
    try:
        return current_app.extensions["partner_locator"].search(load_params(_search_params, query)), None
    except (ValidationError, ApiError):
        return None, None  # a bad or unknown parameter: the script shows the API's message
    except (elasticsearch.ApiError, elasticsearch.TransportError) as exc:  # refused, down or slow
        return None, failed(exc)


def search_query(args: MultiDict, ui: i18n.Ui) -> MultiDict:
    """The page's query without its page-only parameters, with the page size and the radius (the
    default of the visitor's unit) the script would ask for (static/js/state.js apiParams)."""
    query = MultiDict((name, value) for name, value in args.items(multi=True) if name not in PAGE_ONLY_PARAMS)
    if query and args.get("embed") in ("1", "true") and "per_page" not in query:
        query["per_page"] = str(EMBED_PER_PAGE)
    if query and "facets" not in query:
        query["facets"] = "true"  # a page opened on page 3 still shows its filters' counts
    radius = display.catalog(ui)["units"][ui.unit]["default_radius"]
    if "radius_km" not in query and any(name in query for name in ORIGIN_PARAMS) and radius != display.API_DEFAULT_RADIUS:
        query["radius_km"] = radius
    return query
