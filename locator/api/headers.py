"""Security headers of every response, in one place: an after_request hook with per-view overrides.

Every response: ``X-Content-Type-Options: nosniff``. Every HTML response also gets:

- a Content-Security-Policy: scripts, styles, fetches and fonts from the locator itself only (no
  ``unsafe-inline``, no ``unsafe-eval``: the pages load external module scripts and carry data in
  ``<script type="application/json">`` / ``application/ld+json`` blocks, which are never run),
  images from itself, ``data:`` and the map's tile server (``pages.tile_url``), and ``frame-ancestors``:
  the configured embedders (``pages.frame_ancestors``) on views marked ``@embeddable`` (the
  search page and the site pages), the locator itself on every other page;
- ``Referrer-Policy: strict-origin-when-cross-origin``;
- ``Permissions-Policy``: geolocation for the page's own origin (which is also the embed's
  frame: the embedding page delegates it with ``allow="geolocation"``), nothing else.

A header a view (or its blueprint) already set is left alone: a private page sets its own,
stricter, values and they win. ``@policy(...)`` overrides single CSP directives for one view.
"""
from __future__ import annotations

from typing import Callable
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request

from locator.core.settings import PagesSettings

HTML_HEADERS = {
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "geolocation=(self), camera=(), microphone=(), payment=(), usb=()",
}
_EXTENSION = "partner_locator_headers"
_OVERRIDES = "_locator_csp_overrides"


def tile_origin(tile_url: str) -> str | None:
    """The origin a tile URL template loads from ("{s}" subdomains become a wildcard)."""
    if not tile_url:
        return None
    parts = urlsplit(tile_url.replace("{s}", "*"))
    return f"{parts.scheme}://{parts.netloc}"


def directives(pages: PagesSettings, *, embeddable: bool) -> dict[str, str]:
    """The CSP of an HTML page as directive -> sources."""
    # data: images only: Leaflet blanks a tile it drops with an empty data: GIF (never a script).
    images = " ".join(filter(None, ("'self'", "data:", tile_origin(pages.tile_url))))
    return {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": images,
        "connect-src": "'self'",
        "font-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": " ".join(pages.frame_ancestors) if embeddable else "'self'",
    }


def render(policy: dict[str, str]) -> str:
    return "; ".join(f"{name} {sources}" for name, sources in policy.items())


def policy(**changes: str) -> Callable:
    """A view decorator: these CSP directives ("frame_ancestors='none'") instead of the defaults."""
    def mark(view: Callable) -> Callable:
        setattr(view, _OVERRIDES, {**getattr(view, _OVERRIDES, {}),
                                   **{name.replace("_", "-"): value for name, value in changes.items()}})
        return view
    return mark


def embeddable(view: Callable) -> Callable:
    """A page other sites may frame (the allowlist of ``pages.frame_ancestors``)."""
    view._locator_embeddable = True
    return view


def init_app(app: Flask, pages: PagesSettings) -> None:
    app.extensions[_EXTENSION] = {
        False: directives(pages, embeddable=False),
        True: directives(pages, embeddable=True),
    }
    app.after_request(add_headers)


def add_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.mimetype != "text/html":
        return response
    for name, value in HTML_HEADERS.items():
        headers.setdefault(name, value)
    if "Content-Security-Policy" not in headers:
        view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
        base = current_app.extensions[_EXTENSION][bool(getattr(view, "_locator_embeddable", False))]
        headers["Content-Security-Policy"] = render({**base, **getattr(view, _OVERRIDES, {})})
    return response
