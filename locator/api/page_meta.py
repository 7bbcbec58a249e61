"""What a site page tells search engines and other sites, and its links out. Pure functions.

- its language versions: one URL per UI language (``?lang=xx``) plus the ``x-default`` one (no
  ``lang``: the visitor's browser decides), for ``<link rel="alternate" hreflang>``;
- the canonical URL: the version asked for (``?lang=xx`` when the URL named a language);
- Open Graph properties;
- schema.org ``LocalBusiness`` as JSON-LD (data in ``<script type="application/ld+json">``, never run);
- a directions link and a map link built from the coordinates.
"""
from __future__ import annotations

from urllib.parse import urlencode

from locator.core.languages import UI_LANGUAGES

X_DEFAULT = "x-default"
DIRECTIONS = "https://www.google.com/maps/dir/?"  # the documented, stable "Maps URLs" form
OSM = "https://www.openstreetmap.org/"
OSM_ZOOM = 16


def language_url(page_url: str, language: str | None) -> str:
    return f"{page_url}?{urlencode({'lang': language})}" if language else page_url


def alternates(page_url: str) -> list[tuple[str, str]]:
    """(hreflang, URL) of every language version, the x-default last."""
    return [(language, language_url(page_url, language)) for language in UI_LANGUAGES] + [(X_DEFAULT, page_url)]


def canonical(page_url: str, language: str, asked_for_language: bool) -> str:
    return language_url(page_url, language if asked_for_language else None)


def coordinates(site: dict) -> tuple[float, float] | None:
    location = site.get("location") or {}
    return (location["lat"], location["lon"]) if "lat" in location and "lon" in location else None


def directions_url(site: dict) -> str | None:
    point = coordinates(site)
    return DIRECTIONS + urlencode({"api": 1, "destination": f"{point[0]},{point[1]}"}) if point else None


def map_url(site: dict) -> str | None:
    point = coordinates(site)
    if not point:
        return None
    lat, lon = point
    return f"{OSM}?{urlencode({'mlat': lat, 'mlon': lon})}#map={OSM_ZOOM}/{lat}/{lon}"


def open_graph(*, title: str, description: str, url: str, locale: str) -> list[tuple[str, str]]:
    return [("og:type", "website"), ("og:site_name", "Partner Locator"), ("og:title", title),
            ("og:description", description), ("og:url", url), ("og:locale", locale)]


def local_business(site: dict, page_url: str, website: str | None) -> dict:
    """schema.org LocalBusiness of one listed site: only what the site has (no empty properties)."""
    address = site.get("address") or {}
    contact = site.get("contact") or {}
    point = coordinates(site)
    data = {
        "@context": "https://schema.org",
        "@type": "LocalBusiness",
        "@id": page_url + "#site",
        "name": site.get("company"),
        "url": page_url,
        "description": site.get("description"),
        "address": _without_empty({
            "@type": "PostalAddress", "streetAddress": address.get("street"), "postalCode": address.get("postal_code"),
            "addressLocality": address.get("city"), "addressRegion": address.get("region"),
            "addressCountry": address.get("country")}),
        "geo": {"@type": "GeoCoordinates", "latitude": point[0], "longitude": point[1]} if point else None,
        "telephone": contact.get("phone"),
        "email": contact.get("email"),
        "sameAs": [website] if website else None,
    }
    return _without_empty(data)


def _without_empty(data: dict) -> dict:
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}
