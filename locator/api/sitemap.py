"""``/sitemap.xml`` and ``/robots.txt``: every listed site's page, for search engines.

The sitemap is streamed as Elasticsearch pages through the live index (a point in time and
``search_after``, ``SearchService.listed_sites``): the whole index is never in memory. Up to
``pages.sitemap_max_urls`` sites (the protocol's limit is 50,000) it is one ``urlset``; beyond, it
is a sitemap index of files of that many URLs each, ``/sitemaps/sites-<first site id>.xml`` (named
by where they start, so serving one needs no counting from the beginning). Every ``lastmod`` is
the live index's ``as_of``. The answers are public and cacheable: their ETag is the live index's
name (a new index is a new name), so a crawler's revalidation costs one alias lookup.

A sitemap is whole or it is not one: the status and the cache headers go out before the body is
complete, so the stream holds exactly the live index's count of sites, from every shard
(``listed_sites``); a failure half-way raises, and the server then closes the connection without
the chunked encoding's last chunk. Clients and caches see a broken response, never a well-formed
short sitemap (which would revalidate as 304 until the next index).
"""
from __future__ import annotations

import logging
import re
from itertools import islice
from typing import Callable, Iterable, Iterator
from xml.sax.saxutils import escape

from flask import Blueprint, Response, current_app, request

from locator.api.caching import cached, entity_tag, entity_tags
from locator.api.errors import NotFound
from locator.api.urls import public_base, site_path
from locator.core.contract import SITE_ID_PATTERN

log = logging.getLogger("partner_locator.pages")

sitemap = Blueprint("sitemap", __name__)

XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
SLUG_FIELDS = ("company", "address.city")  # what a site's page address is made of (urls.site_path)
LINES_PER_CHUNK = 1000  # URLs per piece sent: few writes, little memory
_SITE_ID = re.compile(SITE_ID_PATTERN)


def _service():
    return current_app.extensions["partner_locator"]


def _max_age() -> int:
    return _service().settings.pages.cache_max_age_s


@sitemap.get("/robots.txt")
def robots() -> Response:
    body = (f"User-agent: *\nDisallow: /api/\nAllow: /api/v1/docs\nDisallow: /preview\n\n"
            f"Sitemap: {public_base()}sitemap.xml\n")
    return cached(body.encode(), "text/plain", _max_age())


@sitemap.get("/sitemap.xml")
def sitemap_xml() -> Response:
    service = _service()
    live = service.live_index()
    index, count, limit, base = live["index"], live["documents"], service.settings.pages.sitemap_max_urls, public_base()

    def body() -> Iterator[str]:
        if count <= limit:
            return url_set(service.listed_sites(index, count, fields=SLUG_FIELDS), base, live["as_of"])
        return sitemap_index(service.listed_sites(index, count), limit, base, live["as_of"])

    return _xml(body, index, base, limit)


@sitemap.get("/sitemaps/sites-<start>.xml")
def sitemap_part(start: str) -> Response:
    if not _SITE_ID.fullmatch(start):
        raise NotFound("no such sitemap")
    service = _service()
    live = service.live_index()
    index, limit, base = live["index"], service.settings.pages.sitemap_max_urls, public_base()

    def body() -> Iterator[str]:
        count = min(limit, service.count_sites(index, start))
        return url_set(service.listed_sites(index, count, start=start, fields=SLUG_FIELDS), base, live["as_of"])

    return _xml(body, index, base, limit)


def _xml(body: Callable[[], Iterable[str]], index: str, base: str, limit: int) -> Response:
    """A 304 from the tag alone (no scan); else ``body()``, whose first page of sites is fetched
    before the status goes out, streamed."""
    etag = entity_tag(index.encode(), base.encode(), str(limit).encode(), request.path.encode())
    if etag in entity_tags(request.headers.get("If-None-Match", "")):
        return cached(b"", "application/xml", _max_age(), etag)
    return cached(_logged(body()), "application/xml", _max_age(), etag)


def _logged(body: Iterable[str]) -> Iterator[str]:
    """The body as it is sent; a failure half-way is logged and raised again, so that the server
    breaks the response off (the client sees no end of the chunked body, never a short sitemap)."""
    try:
        yield from body
    except Exception:
        log.exception("sitemap cut short")
        raise


def url_set(sites: Iterable[dict], base: str, lastmod: str | None) -> Iterator[str]:
    """A ``urlset`` of the sites' pages, in pieces of LINES_PER_CHUNK URLs."""
    modified = f"<lastmod>{escape(lastmod)}</lastmod>" if lastmod else ""
    yield f'{XML_HEAD}<urlset xmlns="{NAMESPACE}">\n'
    sites = iter(sites)
    while chunk := list(islice(sites, LINES_PER_CHUNK)):
        yield "".join(f"<url><loc>{escape(base + site_path(site))}</loc>{modified}</url>\n" for site in chunk)
    yield "</urlset>\n"


def sitemap_index(sites: Iterable[dict], per_file: int, base: str, lastmod: str | None) -> Iterator[str]:
    """A ``sitemapindex``: one file per ``per_file`` sites, named by the first one's id."""
    modified = f"<lastmod>{escape(lastmod)}</lastmod>" if lastmod else ""
    yield f'{XML_HEAD}<sitemapindex xmlns="{NAMESPACE}">\n'
    for position, site in enumerate(sites):
        if position % per_file == 0:
            yield f"<sitemap><loc>{escape(base)}sitemaps/sites-{escape(site['site_id'])}.xml</loc>{modified}</sitemap>\n"
    yield "</sitemapindex>\n"
