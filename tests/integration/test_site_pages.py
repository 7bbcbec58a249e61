"""A page per listed site and the sitemap, against the real node: what a search engine and a visitor
without JavaScript get, checked against the indexed documents."""
from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from locator.api import create_app, display
from locator.api.i18n import ui_for
from locator.api.sitemap import NAMESPACE
from locator.api.urls import site_path
from locator.core.es import connect
from tests.conftest import SAMPLE_AS_OF

BASE = "http://localhost/"  # where the test client's requests come in


class Head(HTMLParser):
    """What a crawler reads: title, meta, links, JSON-LD, and the visible text (scripts left out)."""

    def __init__(self):
        super().__init__()
        self.title, self.meta, self.links, self.json_ld, self.text, self.h1 = "", {}, [], [], [], []
        self._in, self._block = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._in.append(tag)
        if tag == "meta":
            self.meta[attrs.get("name") or attrs.get("property")] = attrs.get("content")
            self._in.pop()
        elif tag == "link":
            self.links.append(attrs)
            self._in.pop()
        elif tag == "script":
            self._block = attrs.get("type")
            if self._block == "application/ld+json":
                self.json_ld.append("")

    def handle_endtag(self, tag):
        while self._in and self._in.pop() != tag:
            pass
        if tag == "script":
            self._block = None

    def handle_data(self, data):
        if self._block == "application/ld+json":
            self.json_ld[-1] += data
        elif "title" in self._in:
            self.title += data
        elif self._block is None and "template" not in self._in:
            self.text.append(data)
            if "h1" in self._in:
                self.h1.append(data)

    def links_of(self, rel: str) -> list[dict]:
        return [link for link in self.links if link.get("rel") == rel]


def read(response) -> Head:
    assert response.status_code == 200 and response.mimetype == "text/html", response.status_code
    head = Head()
    head.feed(response.get_data(as_text=True))
    return head


@pytest.fixture(scope="module")
def multi_site(listed_sample) -> dict:
    """A listed site whose partner has other listed sites in its country, with every contact detail."""
    by_group = {}
    for doc in listed_sample.documents.values():
        by_group.setdefault((doc["partner_id"], doc["country"]), []).append(doc)
    return next(doc for docs in by_group.values() if len(docs) >= 3 for doc in docs
                if doc.get("contact", {}).get("phone") and doc.get("contact", {}).get("website") and doc.get("description"))


def page_path(doc: dict) -> str:
    return "/" + site_path(doc)


# ---------------------------------------------------------------- the page


def test_a_site_page_is_readable_without_javascript_and_says_what_it_is(api, multi_site, listed_sample):
    response = api.get(page_path(multi_site))
    page = read(response)
    address = multi_site["address"]
    country = display.country_name(multi_site["country"])
    assert page.title.startswith(f"{multi_site['company']} in {address['city']} – ")
    assert page.title.endswith(("Premier partner", "Advanced partner"))
    assert "".join(page.h1) == multi_site["company"]
    text = " ".join(" ".join(page.text).split())
    for value in (address["city"], country, multi_site["contact"]["phone"], multi_site["description"]):
        assert value in text
    others = [doc for doc in listed_sample.documents.values() if doc["partner_id"] == multi_site["partner_id"]
              and doc["country"] == multi_site["country"] and doc["site_id"] != multi_site["site_id"]]
    html = response.get_data(as_text=True)
    for other in others:  # the partner's other sites in that country, each linked to its own page
        assert f'href="{BASE}{site_path(other)}"' in html
    assert page.meta["description"].startswith(f"{multi_site['company']}, ")
    assert f"{address['city']}, {country}" in page.meta["description"]


def test_a_site_page_tells_search_engines_its_address_languages_and_business(api, multi_site):
    page = read(api.get(page_path(multi_site)))
    url = BASE + site_path(multi_site)
    assert [link["href"] for link in page.links_of("canonical")] == [url]
    assert [(link["hreflang"], link["href"]) for link in page.links_of("alternate")] == [
        ("en", url + "?lang=en"), ("de", url + "?lang=de"), ("fr", url + "?lang=fr"), ("es", url + "?lang=es"),
        ("ja", url + "?lang=ja"), ("x-default", url)]
    assert page.meta["og:url"] == url and page.meta["og:title"] == page.title.split(" – ")[0]
    assert page.meta["og:description"] == page.meta["description"] and page.meta["og:type"] == "website"
    [block] = page.json_ld
    business = json.loads(block)
    location, address = multi_site["location"], multi_site["address"]
    assert business["@type"] == "LocalBusiness" and business["name"] == multi_site["company"] and business["url"] == url
    assert business["geo"] == {"@type": "GeoCoordinates", "latitude": location["lat"], "longitude": location["lon"]}
    assert business["telephone"] == multi_site["contact"]["phone"]
    assert business["address"]["addressLocality"] == address["city"] and business["address"]["addressCountry"] == address["country"]


def test_a_site_page_is_in_the_visitors_language_and_its_canonical_url_names_the_one_asked_for(api, multi_site):
    url = BASE + site_path(multi_site)
    german = read(api.get(page_path(multi_site) + "?lang=de"))
    assert german.title.endswith(("Premier-Partner", "Advanced-Partner"))
    assert display.country_name(multi_site["country"], ui_for("de")) in german.meta["description"]
    assert [link["href"] for link in german.links_of("canonical")] == [url + "?lang=de"]
    by_browser = api.get(page_path(multi_site), headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert '<html lang="fr-FR">' in by_browser.get_data(as_text=True)
    assert [link["href"] for link in read(by_browser).links_of("canonical")] == [url]  # the browser chose: no lang in it
    assert "Accept-Language" in by_browser.vary


def test_every_page_keeps_the_language_in_its_links_written_the_same_way(api, multi_site):
    # One helper makes "?lang=..." for every page (it had drifted: the site pages did not quote it).
    asked = "?lang=de%20CH%26x%3D1"  # a language tag with a space, "&" and "=" in it: quoted, never split
    pages = {"search": api.get("/" + asked), "site": api.get(page_path(multi_site) + asked),
             "not found": api.get("/sites/S9999999/nobody" + asked, headers={"Accept": "text/html"})}
    unquoted = "?lang=de CH&amp;x=1"  # the value as it came, written into a link as it is
    for name, response in pages.items():
        html = response.get_data(as_text=True)
        assert f'{asked}"' in html and unquoted not in html, name  # the links to the other pages carry it, quoted


def test_a_wrong_or_missing_slug_redirects_permanently_to_the_right_one(api, multi_site):
    right = site_path(multi_site)  # relative: never the host a request named (tests/integration/test_trusted_hosts.py)
    for wrong, up in ((f"/sites/{multi_site['site_id']}", "../"), (f"/sites/{multi_site['site_id']}/old-name-somewhere", "../../")):
        response = api.get(wrong)
        assert (response.status_code, response.headers["Location"]) == (301, up + right)
    response = api.get(f"/sites/{multi_site['site_id']}/x?lang=de")
    assert (response.status_code, response.headers["Location"]) == (301, "../../" + right + "?lang=de")


@pytest.mark.parametrize("path", ["/sites/S9999999/nobody", "/sites/not%20an%20id/x", "/sites/" + "S" * 65 + "/x"])
def test_an_unknown_site_is_an_html_404_page_in_the_same_style(api, path):
    response = api.get(path)
    assert (response.status_code, response.mimetype) == (404, "text/html")
    html = response.get_data(as_text=True)
    assert '<header class="site-header">' in html and "<h1>Listing not found</h1>" in html
    assert '<meta name="robots" content="noindex">' in html and 'href="../../"' in html
    assert "frame-ancestors" in response.headers["Content-Security-Policy"]


def test_api_errors_stay_json_and_browsers_get_pages_elsewhere(api):
    assert api.get("/api/v1/partners/S9999999").mimetype == "application/json"
    assert api.get("/api/v1/nothing", headers={"Accept": "text/html"}).mimetype == "application/json"
    page = api.get("/nothing/here", headers={"Accept": "text/html,application/xhtml+xml"})
    assert (page.status_code, page.mimetype) == (404, "text/html") and 'href="../"' in page.get_data(as_text=True)
    for accept in ("application/json", "*/*", None):  # tools and scripts, not a browser's navigation
        headers = {"Accept": accept} if accept else {}
        assert api.get("/nothing/here", headers=headers).mimetype == "application/json"


def test_a_site_page_is_cacheable_and_revalidates_with_its_etag(api, multi_site):
    first = api.get(page_path(multi_site))
    assert first.headers["Cache-Control"] == "public, max-age=300" and first.headers["ETag"]
    again = api.get(page_path(multi_site), headers={"If-None-Match": first.headers["ETag"]})
    assert (again.status_code, again.get_data()) == (304, b"")
    german = api.get(page_path(multi_site) + "?lang=de", headers={"If-None-Match": first.headers["ETag"]})
    assert german.status_code == 200 and german.headers["ETag"] != first.headers["ETag"]


def test_search_results_link_to_the_site_pages(api, listed_sample):
    results = api.get("/api/v1/partners?country=DK&per_page=5").get_json()["results"]
    detail = api.get(f"/api/v1/partners/{results[0]['site_id']}").get_json()
    for site in [*results, detail, *detail["other_sites_in_country"]]:
        assert site["page_url"] == BASE + site_path(listed_sample.documents[site["site_id"]])
        assert api.get(urlsplit(site["page_url"]).path).status_code == 200
    html = api.get("/?country=DK&lang=de").get_data(as_text=True)  # the cards link there, in the page's language
    assert f'<a class="company" translate="no" data-attrs="href:page_href" href="{results[0]["page_url"]}?lang=de"' in html


def test_the_public_url_setting_makes_the_addresses(listed_sample, gazetteer, multi_site):
    settings = listed_sample.settings.replace("api", public_url="https://partners.example/locator")
    client = create_app(settings, es=connect(settings, "reader"), gazetteer=gazetteer).test_client()
    url = "https://partners.example/locator/" + site_path(multi_site)
    assert [link["href"] for link in read(client.get(page_path(multi_site))).links_of("canonical")] == [url]
    assert client.get(f"/api/v1/partners/{multi_site['site_id']}").get_json()["page_url"] == url
    assert "Sitemap: https://partners.example/locator/sitemap.xml" in client.get("/robots.txt").get_data(as_text=True)


def test_data_in_a_site_page_stays_data(api_app, multi_site):
    hostile = "</script><script>window.__pwned=1</script><img src=x onerror=alert(1)>"
    site = {**multi_site, "company": hostile, "description": hostile, "page_url": BASE + "sites/S1/x",
            "other_sites_in_country": [], "contact": {"website": "javascript:alert(1)"}}

    class Service:
        settings = api_app.extensions["partner_locator"].settings
        tokens = None

        def site(self, site_id):
            return {**site, "site_id": site_id}

    real = api_app.extensions["partner_locator"]
    api_app.extensions["partner_locator"] = Service()
    try:
        response = api_app.test_client().get("/sites/S1/" + site_path({**site, "site_id": "S1"}).rsplit("/", 1)[1])
    finally:
        api_app.extensions["partner_locator"] = real
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<img" not in html and 'href="javascript' not in html
    assert html.count("<script") == html.count("</script>") == 4  # leaflet, site.js, JSON-LD, catalog: nothing closed early
    assert json.loads(read(response).json_ld[0])["name"] == hostile


# ---------------------------------------------------------------- the sitemap


def sitemap_urls(client, path: str) -> list[str]:
    response = client.get(path)
    assert (response.status_code, response.mimetype) == (200, "application/xml")
    root = ET.fromstring(response.get_data())
    assert root.tag == f"{{{NAMESPACE}}}urlset"
    assert {url.findtext(f"{{{NAMESPACE}}}lastmod") for url in root} == {SAMPLE_AS_OF.isoformat()}
    return [url.findtext(f"{{{NAMESPACE}}}loc") for url in root]


def test_the_sitemap_lists_every_listed_site_page_once(api, listed_sample):
    urls = sitemap_urls(api, "/sitemap.xml")
    assert sorted(urls) == sorted(BASE + site_path(doc) for doc in listed_sample.documents.values())
    assert len(set(urls)) == len(urls)
    robots = api.get("/robots.txt")
    assert robots.mimetype == "text/plain" and f"Sitemap: {BASE}sitemap.xml" in robots.get_data(as_text=True).splitlines()


def test_beyond_the_limit_the_sitemap_is_an_index_of_files_within_it(listed_sample, gazetteer):
    per_file = 300
    total = len(listed_sample.documents)
    assert total > 3 * per_file, "the sample should need several files"
    settings = listed_sample.settings.replace("pages", sitemap_max_urls=per_file)
    client = create_app(settings, es=connect(settings, "reader"), gazetteer=gazetteer).test_client()
    index = ET.fromstring(client.get("/sitemap.xml").get_data())
    assert index.tag == f"{{{NAMESPACE}}}sitemapindex"
    files = [entry.findtext(f"{{{NAMESPACE}}}loc") for entry in index]
    assert len(files) == math.ceil(total / per_file)
    assert {entry.findtext(f"{{{NAMESPACE}}}lastmod") for entry in index} == {SAMPLE_AS_OF.isoformat()}
    seen = []
    for url in files:
        urls = sitemap_urls(client, urlsplit(url).path)
        assert 0 < len(urls) <= per_file
        seen += urls
    assert sorted(seen) == sorted(BASE + site_path(doc) for doc in listed_sample.documents.values())
    assert client.get("/sitemaps/sites-not*an*id.xml").status_code == 404


def test_the_sitemap_is_cacheable_and_a_crawlers_revalidation_costs_no_scan(api):
    first = api.get("/sitemap.xml")
    assert first.headers["Cache-Control"].startswith("public, max-age=") and first.headers["ETag"]
    again = api.get("/sitemap.xml", headers={"If-None-Match": first.headers["ETag"]})
    assert (again.status_code, again.get_data()) == (304, b"")


def test_pages_for_crawlers_are_not_part_of_the_per_client_api_budget(listed_sample, gazetteer, multi_site):
    settings = listed_sample.settings.replace("api", rate_limit="3 per minute")
    client = create_app(settings, es=connect(settings, "reader"), gazetteer=gazetteer).test_client()
    statuses = [client.get("/api/v1/partners?country=DK").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]  # the budget is spent...
    for _ in range(5):  # ...and a crawler still gets every page
        assert client.get(page_path(multi_site)).status_code == 200
        assert client.get("/sitemap.xml").status_code == 200
        assert client.get("/robots.txt").status_code == 200


# ---------------------------------------------------------------- headers


@pytest.mark.parametrize(("path", "embeddable"), [("/", True), ("/?country=DK", True), ("/api/v1/docs", False),
                                                  ("/sites/S9999999/x", True), ("/nothing", False)])
def test_every_html_page_forbids_inline_script_and_says_who_may_frame_it(api, path, embeddable):
    response = api.get(path, headers={"Accept": "text/html"})
    assert response.mimetype == "text/html"
    policy = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'" and "unsafe" not in response.headers["Content-Security-Policy"]
    assert policy["img-src"] == "'self' data: https://tile.openstreetmap.org" and policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'self'"  # as shipped, embeddable or not: pages.frame_ancestors adds embedders
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "geolocation=(self)" in response.headers["Permissions-Policy"]
    assert re.search(r'<script(?![^>]*\b(src=|type="application/(ld\+)?json"))', response.get_data(as_text=True)) is None


@pytest.mark.parametrize("path", ["/api/v1/partners?country=DK", "/api/v1/openapi.json", "/livez", "/sitemap.xml",
                                  "/static/js/main.js", "/api/v1/partners?tier=gold"])
def test_every_other_answer_is_nosniff_without_a_page_policy(api, path):
    response = api.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in response.headers


def test_a_view_can_set_its_own_stricter_headers(listed_sample, gazetteer):
    from flask import Response

    from locator.api import headers

    app = create_app(listed_sample.settings, es=connect(listed_sample.settings, "reader"), gazetteer=gazetteer)

    @app.get("/private")
    def private():  # as a private page does: its own policy, which the defaults leave alone
        return Response("<p>secret</p>", mimetype="text/html",
                        headers={"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
                                 "Referrer-Policy": "no-referrer"})

    @app.get("/overridden")
    @headers.policy(frame_ancestors="'none'", img_src="'self'")
    def overridden():
        return Response("<p>x</p>", mimetype="text/html")

    client = app.test_client()
    response = client.get("/private")
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert response.headers["Referrer-Policy"] == "no-referrer" and response.headers["X-Content-Type-Options"] == "nosniff"
    policy = client.get("/overridden").headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "img-src 'self';" in policy and "script-src 'self'" in policy


# ---------------------------------------------------------------- "search this area": bbox on /api/v1/partners


def in_box(doc: dict, south: float, west: float, north: float, east: float) -> bool:
    lat, lon = doc["location"]["lat"], doc["location"]["lon"]
    return south <= lat <= north and (west <= lon <= east if west <= east else (lon >= west or lon <= east))


@pytest.mark.parametrize("box", [(55.5, 9.0, 57.0, 11.5), (-60.0, 150.0, 0.0, -150.0)], ids=["aarhus", "antimeridian"])
def test_a_search_in_a_box_finds_exactly_the_sites_in_it(api, listed_sample, box):
    expected = {sid for sid, doc in listed_sample.documents.items() if in_box(doc, *box)}
    assert 0 < len(expected) <= 50
    body = api.get(f"/api/v1/partners?bbox={','.join(map(str, box))}&per_page=50").get_json()
    assert body["total"] == len(expected) and {site["site_id"] for site in body["results"]} == expected
    assert sum(body["facets"]["tier"].values()) == len(expected)  # the facets count in the box too
    markers = api.get(f"/api/v1/partners/markers?bbox={','.join(map(str, box))}").get_json()
    assert {point["site_id"] for point in markers["points"]} == expected  # the same box as the map's markers


def test_a_box_replaces_the_radius_and_the_origin_only_orders(api, listed_sample):
    box = (54.0, 7.0, 58.0, 13.0)
    body = api.get(f"/api/v1/partners?bbox={','.join(map(str, box))}&lat=56.16&lon=10.21&radius_km=1&per_page=50").get_json()
    expected = {sid for sid, doc in listed_sample.documents.items() if in_box(doc, *box)}
    assert body["total"] == len(expected) and not body["nearest_fallback"]
    distances = [site["distance_km"] for site in body["results"]]
    assert distances == sorted(distances) and distances[-1] > 1
    empty = api.get("/api/v1/partners?bbox=-80,-170,-79,-169&lat=56.16&lon=10.21").get_json()
    assert (empty["total"], empty["results"], empty["nearest_fallback"]) == (0, [], False)  # nothing there is the answer


def test_a_page_url_with_a_box_is_rendered_with_its_results(api):
    answer = api.get("/api/v1/partners?bbox=54,7,58,13").get_json()
    html = api.get("/?bbox=54,7,58,13").get_data(as_text=True)
    block = re.search(r'<script type="application/json" id="initial-response">(.*?)</script>', html, re.S).group(1)
    assert json.loads(block) == answer and answer["results"]
