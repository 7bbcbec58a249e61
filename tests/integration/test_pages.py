"""The search page as the server renders it: the card template, the catalog, and the first results
of a search in its URL (with the API's answer for the page's script), or none when that fails."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from elasticsearch import Elasticsearch

from locator.api import create_app, display

HOSTILE = "</script><img src=x onerror=alert(1)> & Co"


class PageParser(HTMLParser):
    """The bits of the page these tests read: JSON blocks, the template, the result cards."""

    def __init__(self):
        super().__init__()
        self.blocks, self.cards, self.templates, self._block, self._in_results = {}, [], 0, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("type") == "application/json":
            self._block = attrs["id"]
            self.blocks[self._block] = ""
        if tag == "template" and attrs.get("id") == "card-template":
            self.templates += 1
        if tag == "ol" and attrs.get("id") == "results":
            self._in_results = True
        if tag == "li" and attrs.get("class") == "result" and self._in_results:
            self.cards.append(attrs.get("data-site-id"))

    def handle_endtag(self, tag):
        if tag == "script":
            self._block = None
        if tag == "ol":
            self._in_results = False

    def handle_data(self, data):
        if self._block:
            self.blocks[self._block] += data


def parse(response, status: int = 200) -> PageParser:
    assert response.status_code == status and response.mimetype == "text/html"
    parser = PageParser()
    parser.feed(response.get_data(as_text=True))
    return parser


@pytest.mark.parametrize("query", ["", "?embed=1", "?site=S1", "?radius_km=-5&near=Aarhus", "?tier=gold", "?near=Qxzqxzville",
                                   "?country=DK&utm_source=mail", "?page=0", "?q="])
def test_the_page_renders_without_results_when_there_is_no_valid_search(api, query):
    page = parse(api.get("/" + query))
    assert page.templates == 1 and page.cards == []
    assert "initial-response" not in page.blocks
    catalog = json.loads(page.blocks["locator-catalog"])
    assert catalog["countries"]["DK"] == "Denmark" and catalog["tiers"]["premier"] == "Premier"


def test_the_card_template_is_the_prototype_the_script_fills(api):
    html = api.get("/").get_data(as_text=True)
    template = re.search(r'<template id="card-template">(.*?)</template>', html, re.S).group(1)
    assert template.startswith('<li class="result" data-attrs="data-site-id:site_id data-distance-km:distance_value">')
    for slot in ("company", "tier_badge", "site_name", "distance", "address", "code", "n", "languages", "name", "phone",
                 "email", "website_host", "other_sites"):
        assert f'data-slot="{slot}"' in template
    assert template.count('data-each="certs"') == 1 and template.count('data-each="industries"') == 1
    assert not re.search(r">\s+<", template), "no whitespace between tags: the same DOM as script builds"


def test_a_search_in_the_url_is_rendered_with_the_apis_answer(api):
    answer = api.get("/api/v1/partners?near=Aarhus&tier=premier").get_json()
    page = parse(api.get("/?near=Aarhus&tier=premier&site=S1"))
    assert json.loads(page.blocks["initial-response"]) == answer
    assert page.cards == [site["site_id"] for site in answer["results"]] and page.cards


def test_an_embedded_page_renders_the_shorter_page_its_script_asks_for(api):
    answer = api.get("/api/v1/partners?country=DK&per_page=10").get_json()
    page = parse(api.get("/?embed=1&country=DK"))
    assert json.loads(page.blocks["initial-response"]) == answer and len(page.cards) == 10


def test_the_page_with_a_search_is_a_503_that_still_renders_when_elasticsearch_is_down(listed_sample, gazetteer):
    # Never a 200 without results (a cache or a crawler would keep it as the answer); the page still
    # comes with it, so its script asks the API again and tells the visitor to retry.
    app = create_app(listed_sample.settings, es=Elasticsearch("http://127.0.0.1:9", request_timeout=1), gazetteer=gazetteer)
    response = app.test_client().get("/?country=DK")
    assert response.status_code == 503 and response.headers["Retry-After"] == "1"
    assert response.headers["Cache-Control"] == "no-store"
    page = parse(response, 503)
    assert page.templates == 1 and page.cards == [] and "initial-response" not in page.blocks


def test_data_cannot_break_out_of_the_page(api_app):
    site = {"site_id": "S1", "company": HOSTILE, "tier": "premier", "address": {"city": HOSTILE, "country": "DK"},
            "contact": {"website": "javascript:alert(1)"}, "distance_km": None}
    answer = {"total": 1, "total_relation": "eq", "page": 1, "per_page": 20, "origin": None, "nearest_fallback": False,
              "results": [site], "facets": {}}

    real = api_app.extensions["partner_locator"]

    class Service:
        settings = real.settings

        def search(self, params):
            return answer

    api_app.extensions["partner_locator"] = Service()
    try:
        response = api_app.test_client().get("/?country=DK")
    finally:
        api_app.extensions["partner_locator"] = real
    html = response.get_data(as_text=True)
    assert "<img" not in html and html.count("</script>") == html.count("<script")  # nothing closed a script early
    assert 'href="javascript' not in html
    page = parse(response)
    assert json.loads(page.blocks["initial-response"]) == answer
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp; Co" in html
    assert display.country_name("DK") in html


@pytest.mark.parametrize(("query", "headers", "lang", "title"), [
    ("", {}, "en", "Find a Milestone partner"),
    ("?lang=de", {}, "de", "Milestone-Partner finden"),
    ("", {"Accept-Language": "ja-JP,ja;q=0.9,en;q=0.5"}, "ja-JP", "Milestone パートナーを探す"),
    ("?lang=fr", {"Accept-Language": "de"}, "fr", "Trouver un partenaire Milestone"),
    ("?lang=pt", {"Accept-Language": "es-MX"}, "es-MX", "Encontrar un socio de Milestone"),
])
def test_the_page_is_in_the_visitors_language(api, query, headers, lang, title):
    response = api.get("/" + query, headers=headers)
    assert "Accept-Language" in response.vary  # a cache must keep one copy per language
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html and f"<h1>{title}</h1>" in html
    catalog = json.loads(parse(response).blocks["locator-catalog"])
    assert catalog["locale"] == lang and catalog["messages"].get("Find a Milestone partner", title) == title


def test_the_docs_page_is_in_the_visitors_language(api):
    html = api.get("/api/v1/docs?lang=es").get_data(as_text=True)
    assert '<html lang="es">' in html and "<h1 id=\"api-title\">API de Partner Locator</h1>" in html
    assert '<a href="../../?lang=es">Página de búsqueda</a>' in html  # the way back keeps the language


def test_in_miles_the_first_results_use_the_default_radius_of_miles(api):
    answer = api.get("/api/v1/partners?near=Aarhus&radius_km=80.467").get_json()
    page = parse(api.get("/?lang=en-US&near=Aarhus"))
    assert json.loads(page.blocks["initial-response"]) == answer
    assert json.loads(page.blocks["locator-catalog"])["unit"] == "mi"
    in_km = parse(api.get("/?lang=en-US&unit=km&near=Aarhus"))  # the visitor switched to km
    assert json.loads(in_km.blocks["initial-response"]) == api.get("/api/v1/partners?near=Aarhus").get_json()


def test_a_text_search_in_the_url_is_rendered_with_how_it_was_read(api):
    answer = api.get("/api/v1/partners?text=Dinamarca").get_json()
    page = parse(api.get("/?text=Dinamarca&lang=es"))
    assert json.loads(page.blocks["initial-response"]) == answer and answer["interpreted_as"]["country"] == "DK"
    assert page.cards == [site["site_id"] for site in answer["results"]]
