"""A partner's private preview against the real node: the page and its JSON, links and their refusals.

One purpose-built export (tests/previews.py) is indexed once for the module; every test reads it
through the real app, with the public search's client and the preview user's client.
"""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from elasticsearch import AuthorizationException, Elasticsearch

from locator.api import create_app
from locator.core import preview_tokens
from locator.core.es import connect, connection_for
from locator.core.mapping import eligibility_alias, revocations_index
from locator.core.settings import load_settings
from tests.conftest import with_index_prefix
from tests.exports import AS_OF
from tests.previews import (COMPANY, EXPIRING_SOON, NEVER_SHOWN, SECRET, captured_logs, index_preview_export, run_cli)

PREVIEW_HEADERS = {"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex", "Cache-Control": "private, no-store"}


@pytest.fixture(scope="module")
def indexed(settings, indexer_es, tmp_path_factory):
    return index_preview_export(settings, tmp_path_factory.mktemp("preview"))


@pytest.fixture(scope="module")
def preview_settings(settings, indexed):
    return with_index_prefix(settings, indexed[0]).replace("preview", secret=SECRET)


@pytest.fixture(scope="module")
def app(preview_settings, gazetteer):
    return create_app(preview_settings, es=connect(preview_settings, "reader"), gazetteer=gazetteer,
                      preview_es=connect(preview_settings, "preview"))


@pytest.fixture
def client(app):
    return app.test_client()


def link(partner: str = "P1", country: str | None = None, days: int = 30, **options) -> str:
    return preview_tokens.issue(SECRET, partner, country, days, **options)


def facts(client, token: str) -> dict:
    response = client.get("/api/v1/preview", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def by_country(answer: dict) -> dict[str, dict]:
    return {country["country"]: country for country in answer["countries"]}


def unmet(requirements: list[dict]) -> set[str]:
    return {f"{item['name']}: {item['status']}" for item in requirements if not item["met"]}


class Sections(HTMLParser):
    """The preview page's country sections: tier and listed flags, card ids, checklist lines, table rows."""

    def __init__(self):
        super().__init__()
        self.countries: dict[str, dict] = {}
        self._current, self._words, self._row = None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and "data-country" in attrs:
            self._current = self.countries.setdefault(attrs["data-country"], {"cards": [], "checks": {}, "rows": []})
        elif self._current is None:
            return
        elif tag == "p" and "data-tier" in attrs:
            self._current.update(tier=attrs["data-tier"], listed=attrs["data-listed"])
        elif tag == "li" and attrs.get("class") == "result":
            self._current["cards"].append(attrs["data-site-id"])
        elif tag == "ul" and attrs.get("class") == "checklist":
            self._checklist = self._current["checks"].setdefault(attrs["data-tier"], {})
        elif tag == "li" and "data-requirement" in attrs:
            self._met = attrs["data-met"] == "yes"
        elif tag == "span" and attrs.get("class") == "check-words":
            self._words = ""
        elif tag == "tr":
            self._row = []

    def handle_endtag(self, tag):
        if tag == "span" and self._words is not None:
            self._checklist[self._words] = self._met
            self._words = None
        elif tag == "tr" and self._row is not None and self._current is not None:
            self._current["rows"].append(self._row)
            self._row = None
        elif tag == "section":
            self._current = None

    def handle_data(self, data):
        if self._words is not None:
            self._words += data
        elif self._row is not None and data.strip():
            self._row.append(data.strip())


def sections(response) -> dict[str, dict]:
    assert response.status_code == 200 and response.mimetype == "text/html"
    parser = Sections()
    parser.feed(response.get_data(as_text=True))
    return parser.countries


# ---------------------------------------------------------------- what the partner sees


def test_a_partner_sees_its_tier_listing_and_missing_requirements_in_each_country(client):
    whole = facts(client, link())
    assert whole["partner_id"] == "P1" and whole["as_of"] == AS_OF and 0 <= whole["age_s"] < 3600
    answer = by_country(whole)
    assert set(answer) == {"DK", "US", "JP", "unknown"}
    assert {code: (c["tier"], c["listed"]) for code, c in answer.items()} == {
        "DK": ("premier", True), "US": ("advanced", True), "JP": ("authorized", False), "unknown": ("none", False)}
    assert all(item["met"] for code in ("DK", "US", "JP") for item in answer[code]["current_requirements"])
    assert answer["DK"]["next_tier"] is None and answer["DK"]["next_requirements"] == []
    assert unmet(answer["US"]["next_requirements"]) == {
        "revenue threshold for Premier: not met", "MCIE certification: none valid", "brand ambassador: no"}
    assert unmet(answer["JP"]["next_requirements"]) == {
        "revenue threshold for Advanced: not met", "MCDE certification: none valid", "MCIT certification: none valid"}
    assert answer["DK"]["company"] == COMPANY and answer["DK"]["certifications"] == {"MCDE": 3, "MCIT": 1, "MCIE": 1}
    assert [listing["site_id"] for listing in answer["DK"]["listings"]] == ["DK-1", "DK-2"]
    assert answer["JP"]["listings"] == []
    # Staff's fields (a site's city and point, what a group misses for Advanced) are not the preview's.
    assert all(set(site) == {"site_id", "site_name", "listed"} for c in answer.values() for site in c["sites"])
    assert not any("missing_for_advanced" in c or "company_sort" in c for c in answer.values())


def test_the_page_shows_the_same_facts_in_words_with_the_public_cards(client):
    page = sections(client.get(f"/preview?token={link()}"))
    assert {code: (c["tier"], c["listed"]) for code, c in page.items()} == {
        "DK": ("premier", "yes"), "US": ("advanced", "yes"), "JP": ("authorized", "no"), "unknown": ("none", "no")}
    assert page["DK"]["cards"] == ["DK-1", "DK-2"] and page["US"]["cards"] == ["US-1"] and page["JP"]["cards"] == []
    assert page["US"]["checks"]["premier"]["MCIE certification: none valid"] is False
    assert page["US"]["checks"]["advanced"] == {words: True for words in page["US"]["checks"]["advanced"]}
    assert page["JP"]["checks"]["advanced"]["annual sales training: completed in the last 365 days"] is True
    assert page["JP"]["checks"]["advanced"]["revenue threshold for Advanced: not met"] is False


def test_each_listed_card_is_the_public_one_and_links_to_the_live_search_centred_on_it(client):
    html = client.get(f"/preview?token={link(country='US')}").get_data(as_text=True)
    public = client.get("/?q=Austin&country=US").get_data(as_text=True)
    card = re.search(r'<li class="result" data-attrs[^>]*data-site-id="US-1".*?</li>(?=</ol>)', html, re.S).group(0)
    assert card in public  # the same markup, byte for byte, as the search page renders for customers
    href = re.search(r'<a href="([^"]+)">See this site in the live search</a>', html).group(1).replace("&amp;", "&")
    query = parse_qs(urlsplit(href).query)
    assert query == {"lat": ["30.2672"], "lon": ["-97.7431"], "site": ["US-1"]}
    found = client.get("/api/v1/partners?lat=30.2672&lon=-97.7431&radius_km=1").get_json()["results"]
    assert [site["site_id"] for site in found] == ["US-1"]


def test_a_rejected_site_shows_its_reason_and_unreadable_countries_go_to_unknown(client):
    answer = by_country(facts(client, link()))
    assert answer["DK"]["rejected"] == [{"line": 3, "site_id": "DK-3", "field": "contact.email",
                                         "reason": "not a valid e-mail address: 'not-an-address'"}]
    (unknown,) = answer["unknown"]["rejected"]
    assert unknown["site_id"] == "XX-1" and unknown["field"] == "address.country"
    assert answer["unknown"]["company"] == COMPANY and answer["unknown"]["sites"] == []
    page = sections(client.get(f"/preview?token={link()}"))
    assert ["3", "DK-3", "contact.email", "not a valid e-mail address: 'not-an-address'"] in page["DK"]["rows"]
    assert all("NP-1" not in json.dumps(country) for country in answer.values())  # no partner id: report only


def test_an_expiring_certification_shows_type_count_and_date(client):
    answer = by_country(facts(client, link(country="DK")))
    # E9 and E10 end within 90 days; E2 and the planted person also hold later ones of the same type.
    assert answer["DK"]["expiring"] == [{"type": "MCDE", "people": 2, "earliest": EXPIRING_SOON[0]}]
    page = sections(client.get(f"/preview?token={link(country='DK')}"))
    assert ["MCDE", "2", EXPIRING_SOON[0]] in page["DK"]["rows"]


def test_a_country_scoped_link_shows_only_that_country(client):
    assert set(by_country(facts(client, link(country="US")))) == {"US"}
    assert set(sections(client.get(f"/preview?token={link(country='JP')}"))) == {"JP"}
    assert facts(client, link(country="SE"))["countries"] == []


def test_another_partners_link_shows_only_that_partner(client):
    answer = facts(client, link("P2"))
    assert [(c["partner_id"], c["country"], c["tier"]) for c in answer["countries"]] == [("P2", "DK", "premier")]
    assert COMPANY not in json.dumps(answer)


def test_the_link_printed_by_the_command_opens_the_preview(indexed, client):
    printed = run_cli(indexed[0], "preview-link", "P1", "--country", "dk", "--days", "2")
    assert printed.code == 0, printed.err
    url = printed.out.strip()
    assert url.startswith("http://127.0.0.1:5000/preview?token=")
    claims = preview_tokens.read(SECRET, parse_qs(urlsplit(url).query)["token"][0])
    assert (claims.partner_id, claims.country) == ("P1", "DK")
    assert 2 * preview_tokens.DAY_MS - 60_000 < claims.expires_ms - preview_tokens.now_ms() <= 2 * preview_tokens.DAY_MS
    assert set(sections(client.get(url.removeprefix("http://127.0.0.1:5000")))) == {"DK"}


def test_a_partner_without_eligibility_document_gets_no_link(indexed):
    for args in (("NOBODY",), ("P1", "--country", "SE")):
        refused = run_cli(indexed[0], "preview-link", *args)
        assert refused.code == 1 and "has no eligibility document" in refused.err and refused.out == ""


# ---------------------------------------------------------------- refusals


def _refusals(client) -> list:
    expired = link(now=preview_tokens.now_ms() - 31 * preview_tokens.DAY_MS)
    good = link()
    tampered = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    forged = preview_tokens.issue("another-secret-of-the-same-length-xyz-12", "P1", None, 30)
    # Another link's claims (scoped to DK) under this link's signature.
    swapped = link(country="DK").rsplit(".", 1)[0] + "." + good.rsplit(".", 1)[1]
    return [None, "", "not-a-token", expired, tampered, forged, swapped, "x" * 5000]


def test_missing_malformed_tampered_forged_and_expired_links_get_the_same_403(client):
    pages, answers = set(), set()
    for token in _refusals(client):
        query = "" if token is None else f"?token={token}"
        page, answer = client.get("/preview" + query), client.get("/api/v1/preview" + query)
        assert (page.status_code, answer.status_code) == (403, 403)
        assert answer.get_json()["error"]["code"] == "forbidden"
        pages.add(page.get_data(as_text=True))
        answers.add(answer.get_data(as_text=True))
    assert len(pages) == 1 and len(answers) == 1  # nothing tells one refusal from another
    assert "P1" not in pages.pop() and "P1" not in answers.pop()


def test_revoking_refuses_every_earlier_link_alike_and_new_links_work(indexed, client):
    earlier, unknown_partner = link("P2"), link("NOBODY")
    assert client.get(f"/preview?token={earlier}").status_code == 200
    before = client.get(f"/preview?token={unknown_partner}")  # a genuine link of a partner with no data
    revoked = run_cli(indexed[0], "preview-revoke", "P2")
    assert revoked.code == 0, revoked.err
    refused = client.get(f"/preview?token={earlier}")
    assert refused.status_code == 403
    assert refused.get_data() == client.get("/preview?token=nonsense").get_data()
    assert client.get("/api/v1/preview", headers={"Authorization": f"Bearer {earlier}"}).status_code == 403
    assert facts(client, link("P2"))["countries"][0]["partner_id"] == "P2"  # issued after the revocation
    assert facts(client, link())["countries"]  # another partner's links are untouched
    assert before.status_code == 200 and "holds nothing for this link" in before.get_data(as_text=True)


def test_without_a_secret_the_routes_and_the_command_name_the_setting(indexed, preview_settings, gazetteer):
    off = preview_settings.replace("preview", secret="")
    client = create_app(off, es=connect(off, "reader"), gazetteer=gazetteer, preview_es=connect(off, "preview")).test_client()
    for url in (f"/preview?token={link()}", f"/api/v1/preview?token={link()}"):
        response = client.get(url)
        assert response.status_code == 503 and "PARTNER_LOCATOR_PREVIEW_SECRET" in response.get_data(as_text=True)
    assert client.get("/api/v1/partners?country=DK").status_code == 200  # the search is unaffected
    refused = run_cli(indexed[0], "preview-link", "P1", secret=None)
    assert refused.code == 1 and "PARTNER_LOCATOR_PREVIEW_SECRET" in refused.err


def test_on_an_external_cluster_without_preview_credentials_search_works_and_previews_503(preview_settings, gazetteer, es_node):
    if not es_node:
        pytest.skip("needs the local node's reader credentials to play an external cluster")
    reader = connection_for(preview_settings, "reader")
    external = load_settings({"ELASTICSEARCH_URL": reader.hosts[0], "ELASTICSEARCH_USERNAME": reader.username,
                              "ELASTICSEARCH_PASSWORD": reader.password,
                              "PARTNER_LOCATOR_ELASTICSEARCH_INDEX_PREFIX": preview_settings.index_prefix,
                              "PARTNER_LOCATOR_PREVIEW_SECRET": SECRET})
    client = create_app(external, gazetteer=gazetteer, connection=external.connection).test_client()
    assert client.get("/api/v1/partners?country=DK").get_json()["total"] == 3
    for url in ("/preview", "/api/v1/preview"):
        response = client.get(f"{url}?token={link()}")
        text = response.get_data(as_text=True)
        assert response.status_code == 503
        assert "ELASTICSEARCH_PREVIEW_USERNAME" in text and "ELASTICSEARCH_PREVIEW_API_KEY" in text


# ---------------------------------------------------------------- secrets stay secret


def test_preview_responses_are_private(client):
    for response in (client.get(f"/preview?token={link()}"), client.get(f"/api/v1/preview?token={link()}"),
                     client.get("/preview?token=bad"), client.get("/api/v1/preview")):
        assert {name: response.headers.get(name) for name in PREVIEW_HEADERS} == PREVIEW_HEADERS
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert '<meta name="robots" content="noindex">' in client.get(f"/preview?token={link()}").get_data(as_text=True)
    assert client.get("/").headers.get("X-Robots-Tag") is None  # the public page stays indexable


def test_tokens_never_reach_the_access_log(client):
    token = link()
    with captured_logs() as lines:
        client.get(f"/preview?token={token}")
        client.get("/api/v1/preview", headers={"Authorization": f"Bearer {token}"})
        client.get(f"/api/v1/preview?token={token}&q=1")
    access = [json.loads(line) for line in lines if line.startswith("{")]
    assert len(access) == 3 and access[0]["args"] == {"token": ["[redacted]"]}
    assert all(token not in line and token[:20] not in line for line in lines)


def test_no_revenue_threshold_or_person_id_anywhere_a_partner_or_staff_can_look(indexed, client, indexer_es, tmp_path):
    prefix, run, report, index_logs = indexed
    csv = tmp_path / "report.csv"
    assert run_cli(prefix, "eligibility-report", "-o", str(csv)).code == 0
    with captured_logs() as logs:
        seen = [client.get(f"/preview?token={link(partner)}").get_data(as_text=True) for partner in ("P1", "P2")]
        seen += [client.get(f"/api/v1/preview?token={link(partner)}").get_data(as_text=True) for partner in ("P1", "P2")]
    index = next(iter(indexer_es.indices.get_alias(name=eligibility_alias(prefix))))
    stored = json.dumps([indexer_es.search(index=index, size=100)["hits"]["hits"], indexer_es.indices.get_mapping(index=index).body,
                         indexer_es.search(index=revocations_index(prefix), size=100, ignore_unavailable=True).body])
    everything = "\n".join([*seen, stored, csv.read_text(encoding="utf-8-sig"), report, run.out, run.err, *index_logs, *logs])
    assert COMPANY in everything and "MCDE" in everything  # the places looked at do hold the partner's facts
    assert '"city": "Skagen"' in stored and '"lat": 57.72' in stored  # and where its sites are (staff's coverage)
    for secret in NEVER_SHOWN:
        assert secret not in everything, secret


# ---------------------------------------------------------------- who may read what


def test_the_reader_cannot_read_the_eligibility_index_and_the_preview_user_only_that(role_clients, indexed):
    prefix = indexed[0]
    reader, preview = role_clients["reader"], role_clients["preview"]
    with pytest.raises(AuthorizationException):
        reader.search(index=eligibility_alias(prefix))
    with pytest.raises(AuthorizationException):
        reader.get(index=eligibility_alias(prefix), id="P1:DK")
    assert preview.search(index=eligibility_alias(prefix), size=0)["hits"]["total"]["value"] == 5  # P1 x 4, P2
    with pytest.raises(AuthorizationException):
        preview.search(index=f"{prefix}-sites")
    with pytest.raises(AuthorizationException):
        preview.index(index=revocations_index(prefix), id="P1", document={"partner_id": "P1", "not_before": "2030-01-01"})


def test_no_public_endpoint_uses_the_preview_client(preview_settings, gazetteer):
    user = connection_for(preview_settings, "preview")
    broken = Elasticsearch(hosts=list(user.hosts), basic_auth=(user.username, "wrong password"), request_timeout=5)
    client = create_app(preview_settings, es=connect(preview_settings, "reader"), gazetteer=gazetteer,
                        preview_es=broken).test_client()
    for url in ("/", "/?q=Nordlys", "/api/v1/partners?q=Nordlys", "/api/v1/partners/DK-1", "/api/v1/suggest?q=Nor",
                "/api/v1/partners/markers?bbox=54,8,58,13&zoom=6", "/readyz", "/api/v1/openapi.json"):
        assert client.get(url).status_code == 200, url
    assert client.get(f"/api/v1/preview?token={link()}").status_code == 503  # the preview itself needs that client
    rules = {rule.rule for rule in client.application.url_map.iter_rules() if rule.endpoint.startswith("preview")}
    assert rules == {"/preview", "/api/v1/preview"}


def test_the_openapi_spec_describes_the_preview(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/preview"]["get"]
    assert set(operation["responses"]) == {"200", "403", "503"}
    country = spec["components"]["schemas"]["PreviewCountry"]["properties"]
    assert {"tier", "listed", "current_requirements", "next_requirements", "expiring", "rejected", "listings"} <= set(country)
    assert not {"revenue", "revenue_eur", "person_id", "threshold"} & set(json.dumps(spec).split('"'))
