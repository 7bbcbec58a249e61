"""The public addresses of the pages: the site's base URL, a listed site's page and its slug.

A site page lives at ``sites/<site_id>/<slug>`` under the base; the slug (company and city, folded
to ASCII words: "nordlys-sikring-aps-aarhus") only makes the address readable: the site id finds
the page, and any other slug redirects to this one.

The base of absolute addresses is ``api.public_url``, else the request's own scheme and host. That
host can be trusted only because the app answers no other: Flask's ``TRUSTED_HOSTS`` is
``trusted_hosts(...)`` (``api.trusted_hosts`` and public_url's host), checked before any view runs
(``app.py``), and the scheme and host come from X-Forwarded-* only behind ``api.trusted_proxies``
proxies. Redirects never carry a host at all: their Location is relative.
"""
from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from flask import Response, current_app, redirect, request

from locator.core.settings import ApiSettings
from locator.core.text import fold

MAX_SLUG = 80
DEFAULT_SLUG = "site"  # a name with no Latin letter or digit in it (the id still finds the page)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=20_000)  # every result carries its page: folding the same names again costs ~5 us each
def slug(company: str | None, city: str | None) -> str:
    """ "Nordlys Sikring ApS", "Århus" -> "nordlys-sikring-aps-arhus" (cut at a word, at most 80)."""
    words = _NOT_SLUG.sub("-", fold(" ".join(part for part in (company, city) if part))).strip("-")
    if len(words) > MAX_SLUG:
        words = words[:MAX_SLUG + 1].rsplit("-", 1)[0]
    return words or DEFAULT_SLUG


def site_path(site: dict) -> str:
    """The page of a site (an API result or a document), relative to the base."""
    return f"sites/{site['site_id']}/{slug(site.get('company'), (site.get('address') or {}).get('city'))}"


def trusted_hosts(api: ApiSettings) -> list[str]:
    """The hosts requests may name (Flask's ``TRUSTED_HOSTS``): ``api.trusted_hosts`` and the host of
    ``api.public_url`` (a proxy or CDN in front passes it on as the Host)."""
    hosts = [host.lower() for host in api.trusted_hosts]
    if api.public_url:
        hosts.append(urlsplit(api.public_url).hostname)
    return list(dict.fromkeys(hosts))


def public_base() -> str:
    """The base URL ending in "/": ``api.public_url``, else where this request came in (a trusted
    host: any other was refused before the view ran)."""
    configured = current_app.extensions["partner_locator"].settings.api.public_url
    return configured.rstrip("/") + "/" if configured else request.url_root


def relative_root() -> str:
    """The way from this request's page up to the base, for links and static files ("../../" on
    /sites/<id>/<slug>): relative, so the locator also works under a path prefix."""
    return "../" * (request.path.count("/") - 1) or "./"


def moved_permanently(path: str) -> Response:
    """A 301 to ``path`` (relative to the base), keeping the request's query. The Location is
    relative, never built from the request's Host: a cache keyed by path may serve it to everyone.
    Caches keep it as long as a page (``pages.cache_max_age_s``), not forever: a slug changes again
    when a company is renamed, and a redirect cached for good could then loop."""
    query = request.query_string.decode("latin-1")
    response = redirect(relative_root() + path + (f"?{query}" if query else ""), 301)
    max_age = current_app.extensions["partner_locator"].settings.pages.cache_max_age_s
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response
