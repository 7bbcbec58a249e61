"""What the public pages say about themselves, without a server: slugs, the language versions and
canonical URL, schema.org data, maps links, the sitemap's XML, the security headers' policy."""
import dataclasses
import xml.etree.ElementTree as ET

import pytest

from locator.api import headers, page_meta
from locator.api.sitemap import NAMESPACE, sitemap_index, url_set
from locator.api.urls import DEFAULT_SLUG, site_path, slug
from locator.core.settings import load_settings

SITE = {"site_id": "S0001842", "company": "Nordlys Sikring ApS", "site_name": "Aarhus office",
        "address": {"street": "Banegårdspladsen 4", "postal_code": "8000", "city": "Aarhus", "country": "DK"},
        "location": {"lat": 56.1507, "lon": 10.2044},
        "contact": {"phone": "+45 86 12 34 56", "email": "aarhus@nordlys.example", "website": "https://nordlys.example"},
        "description": "Designs and installs video systems."}
PAGE = "https://partners.example/sites/S0001842/nordlys-sikring-aps-aarhus"


@pytest.mark.parametrize(("company", "city", "expected"), [
    ("Nordlys Sikring ApS", "Aarhus", "nordlys-sikring-aps-aarhus"),
    ("Sûreté Provençale S.à r.l.", "Zürich", "surete-provencale-s-a-r-l-zurich"),
    ("Øresund & Co. (Malmö)", "København", "oresund-co-malmo-kobenhavn"),
    ("  --Weird__Name!!  ", None, "weird-name"),
    ("東京セキュリティ", "東京", DEFAULT_SLUG),  # no Latin letter: the id alone finds the page
])
def test_a_slug_is_the_company_and_city_in_ascii_words(company, city, expected):
    assert slug(company, city) == expected


def test_a_long_slug_is_cut_at_a_word():
    cut = slug("Alpha " * 30, "Beta")
    assert len(cut) <= 80 and cut.endswith("alpha") and "--" not in cut


def test_a_sites_page_is_under_its_id_and_slug():
    assert site_path(SITE) == "sites/S0001842/nordlys-sikring-aps-aarhus"


def test_every_language_version_and_the_default_one_are_alternates():
    assert page_meta.alternates(PAGE) == [("en", PAGE + "?lang=en"), ("de", PAGE + "?lang=de"), ("fr", PAGE + "?lang=fr"),
                                          ("es", PAGE + "?lang=es"), ("ja", PAGE + "?lang=ja"), ("x-default", PAGE)]


def test_the_canonical_url_names_the_language_only_when_the_url_did():
    assert page_meta.canonical(PAGE, "de", asked_for_language=True) == PAGE + "?lang=de"
    assert page_meta.canonical(PAGE, "de", asked_for_language=False) == PAGE  # Accept-Language chose it


def test_schema_org_local_business_has_name_address_geo_telephone_and_url():
    data = page_meta.local_business(SITE, PAGE, "https://nordlys.example")
    assert data == {
        "@context": "https://schema.org", "@type": "LocalBusiness", "@id": PAGE + "#site", "name": "Nordlys Sikring ApS",
        "url": PAGE, "description": "Designs and installs video systems.",
        "address": {"@type": "PostalAddress", "streetAddress": "Banegårdspladsen 4", "postalCode": "8000",
                    "addressLocality": "Aarhus", "addressCountry": "DK"},
        "geo": {"@type": "GeoCoordinates", "latitude": 56.1507, "longitude": 10.2044},
        "telephone": "+45 86 12 34 56", "email": "aarhus@nordlys.example", "sameAs": ["https://nordlys.example"]}


def test_schema_org_data_leaves_out_what_a_site_does_not_have():
    bare = {"site_id": "S1", "company": "X", "address": {"city": "Oslo", "country": "NO"}}
    assert page_meta.local_business(bare, PAGE, None) == {
        "@context": "https://schema.org", "@type": "LocalBusiness", "@id": PAGE + "#site", "name": "X", "url": PAGE,
        "address": {"@type": "PostalAddress", "addressLocality": "Oslo", "addressCountry": "NO"}}


def test_directions_and_map_links_are_built_from_the_coordinates():
    assert page_meta.directions_url(SITE) == "https://www.google.com/maps/dir/?api=1&destination=56.1507%2C10.2044"
    assert page_meta.map_url(SITE) == "https://www.openstreetmap.org/?mlat=56.1507&mlon=10.2044#map=16/56.1507/10.2044"
    assert page_meta.directions_url({"site_id": "S1"}) is None and page_meta.map_url({"site_id": "S1"}) is None


def _sites(n: int) -> list[dict]:
    return [{"site_id": f"S{i:04d}", "company": f"Company {i}", "address": {"city": "Aarhus"}} for i in range(n)]


def test_a_sitemap_lists_every_page_with_the_index_date():
    xml = "".join(url_set(iter(_sites(2500)), "https://partners.example/", "2026-06-01"))
    urls = ET.fromstring(xml.encode()).findall(f"{{{NAMESPACE}}}url")
    assert len(urls) == 2500
    assert urls[0].findtext(f"{{{NAMESPACE}}}loc") == "https://partners.example/sites/S0000/company-0-aarhus"
    assert {url.findtext(f"{{{NAMESPACE}}}lastmod") for url in urls} == {"2026-06-01"}


def test_a_sitemap_index_names_one_file_per_so_many_sites_by_its_first_site():
    xml = "".join(sitemap_index(iter(_sites(25)), 10, "https://partners.example/a&b/", None))
    files = [element.findtext(f"{{{NAMESPACE}}}loc") for element in ET.fromstring(xml.encode())]
    assert files == [f"https://partners.example/a&b/sitemaps/sites-{first}.xml" for first in ("S0000", "S0010", "S0020")]


PAGES = load_settings({}).pages


def test_the_content_security_policy_never_allows_inline_or_evaluated_script():
    for embeddable in (True, False):
        policy = headers.directives(PAGES, embeddable=embeddable)
        assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'" and policy["object-src"] == "'none'"
        assert "unsafe" not in headers.render(policy)


def test_only_embeddable_pages_take_the_configured_embedders_and_images_come_from_the_tile_server():
    embedders = dataclasses.replace(PAGES, frame_ancestors=("https://www.milestonesys.com",),
                                    tile_url="https://{s}.tiles.example/{z}/{x}/{y}.png")
    assert headers.directives(embedders, embeddable=True)["frame-ancestors"] == "https://www.milestonesys.com"
    assert headers.directives(embedders, embeddable=False)["frame-ancestors"] == "'self'"
    assert headers.directives(embedders, embeddable=True)["img-src"] == "'self' data: https://*.tiles.example"
    assert headers.directives(dataclasses.replace(PAGES, tile_url=""), embeddable=True)["img-src"] == "'self' data:"


def test_the_shipped_embedders_are_the_locator_itself_only():
    # Not "any localhost page": a page on a visitor's own machine must not frame production pages.
    assert headers.directives(PAGES, embeddable=True)["frame-ancestors"] == "'self'"
    assert headers.directives(PAGES, embeddable=True)["img-src"] == "'self' data: https://tile.openstreetmap.org"
