"""The public addresses of the pages: the site's base URL, a listed site's page and its slug.

A site page lives at ``sites/<site_id>/<slug>`` under the base; the slug (company and city, folded
to ASCII words: "nordlys-sikring-aps-aarhus") only makes the address readable: the site id finds
the page, and any other slug redirects to this one.
"""
from __future__ import annotations

import re
from functools import lru_cache

from flask import current_app, request

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


def public_base() -> str:
    """The base URL ending in "/": ``api.public_url``, else where this request came in."""
    configured = current_app.extensions["partner_locator"].settings.api.public_url
    return configured.rstrip("/") + "/" if configured else request.url_root


def site_url(site: dict) -> str:
    return public_base() + site_path(site)


def relative_root() -> str:
    """The way from this request's page up to the base, for links and static files ("../../" on
    /sites/<id>/<slug>): relative, so the locator also works under a path prefix."""
    return "../" * (request.path.count("/") - 1) or "./"
