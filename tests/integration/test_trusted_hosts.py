"""The Host a request names never becomes an address the app hands out: only trusted hosts are
answered (a JSON 400 for any other, before any page or address is made), redirects are relative and
cacheable for a while only, and X-Forwarded-* are believed only behind configured proxies. Through
Flask's test client and through a real `partner-locator serve` (gunicorn, which has forwarded-header
handling of its own)."""
from __future__ import annotations

import http.client
import json
import re
from urllib.parse import urljoin, urlsplit

import pytest

from locator.api import create_app
from locator.api.urls import site_path
from locator.core.es import connect
from tests.processes import Server

FORGED = "evil.example"
CANONICAL = re.compile(r'<link rel="canonical" href="([^"]+)">')


def some_site(listed_sample) -> dict:
    return listed_sample.documents[min(listed_sample.documents)]


def pages_and_feeds(listed_sample) -> list[str]:
    """Everything that writes absolute addresses or redirects: a site page (and its redirect), the
    search page with results, the sitemap, robots.txt, an API search."""
    site = some_site(listed_sample)
    return ["/" + site_path(site), f"/sites/{site['site_id']}", f"/sites/{site['site_id']}/old-name?lang=de",
            "/?country=DK", "/sitemap.xml", "/robots.txt", "/api/v1/partners?country=DK", f"/api/v1/partners/{site['site_id']}"]


def assert_untrusted_host_error(status: int, content_type: str, body: bytes) -> None:
    assert (status, content_type) == (400, "application/json"), body[:300]
    error = json.loads(body)["error"]
    assert (error["status"], error["code"]) == (400, "untrusted_host") and "trusted_hosts" in error["message"]
    assert FORGED.encode() not in body


def app_with(listed_sample, gazetteer, **api):
    settings = listed_sample.settings.replace("api", **api) if api else listed_sample.settings
    return create_app(settings, es=connect(settings, "reader"), gazetteer=gazetteer)


# ---------------------------------------------------------------- the test client


def test_a_forged_host_gets_a_json_400_on_every_page_and_feed(api, listed_sample):
    for path in pages_and_feeds(listed_sample):
        response = api.get(path, base_url=f"http://{FORGED}")
        assert_untrusted_host_error(response.status_code, response.mimetype, response.get_data())
        assert "Location" not in response.headers and response.headers["Cache-Control"] == "no-store", path
        forged_header = api.get(path, headers={"Host": FORGED + ":5000"})
        assert forged_header.status_code == 400, path


def test_health_checks_answer_whatever_the_host(api):
    for host in (FORGED, "10.0.3.7:5000", ""):
        assert api.get("/livez", headers={"Host": host}).status_code == 200
        assert api.get("/readyz", headers={"Host": host}).get_json()["status"] == "ready"


def test_the_trusted_hosts_are_answered_on_any_port(api, listed_sample):
    site = some_site(listed_sample)
    for host in ("localhost", "localhost:5000", "127.0.0.1:5000"):
        page = api.get("/" + site_path(site), headers={"Host": host})
        assert page.status_code == 200
        assert CANONICAL.search(page.get_data(as_text=True)).group(1) == f"http://{host}/" + site_path(site)


def test_a_redirect_to_the_right_slug_is_relative_and_cached_for_a_while_only(api, listed_sample):
    site = some_site(listed_sample)
    right = "/" + site_path(site)
    for wrong, query in ((f"/sites/{site['site_id']}", ""), (f"/sites/{site['site_id']}/old-name", "?lang=de")):
        response = api.get(wrong + query)
        location = response.headers["Location"]
        assert response.status_code == 301 and not urlsplit(location).netloc and not location.startswith("/")
        assert urljoin("http://any.where" + wrong, location) == "http://any.where" + right + query
        assert response.headers["Cache-Control"] == "public, max-age=300"
        assert api.get(urljoin(wrong, location)).status_code == 200


def test_the_public_urls_host_is_trusted_and_makes_every_address(listed_sample, gazetteer):
    client = app_with(listed_sample, gazetteer, public_url="https://partners.example/locator").test_client()
    site = some_site(listed_sample)
    page = client.get("/" + site_path(site), headers={"Host": "partners.example"})
    assert CANONICAL.search(page.get_data(as_text=True)).group(1) == "https://partners.example/locator/" + site_path(site)
    assert client.get("/" + site_path(site)).status_code == 200  # localhost: still a trusted host
    forged = client.get("/sitemap.xml", headers={"Host": FORGED})
    assert_untrusted_host_error(forged.status_code, forged.mimetype, forged.get_data())


def test_another_trusted_host_is_the_base_of_the_addresses(listed_sample, gazetteer):
    client = app_with(listed_sample, gazetteer, trusted_hosts=("partners.example", ".cdn.example")).test_client()
    site = some_site(listed_sample)
    for host in ("partners.example", "edge-1.cdn.example"):
        page = client.get("/" + site_path(site), headers={"Host": host})
        assert CANONICAL.search(page.get_data(as_text=True)).group(1) == f"http://{host}/" + site_path(site)
    assert client.get("/" + site_path(site), headers={"Host": "localhost"}).status_code == 400  # no longer listed


def test_forwarded_headers_count_only_behind_trusted_proxies(listed_sample, gazetteer):
    site = some_site(listed_sample)
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "localhost", "X-Forwarded-For": "203.0.113.9"}
    direct = app_with(listed_sample, gazetteer).test_client()
    page = direct.get("/" + site_path(site), headers=forwarded)
    assert CANONICAL.search(page.get_data(as_text=True)).group(1) == "http://localhost/" + site_path(site)
    assert direct.get("/" + site_path(site), headers={"X-Forwarded-Host": FORGED}).status_code == 200  # ignored

    behind_one = app_with(listed_sample, gazetteer, trusted_proxies=1).test_client()
    page = behind_one.get("/" + site_path(site), headers=forwarded)
    assert CANONICAL.search(page.get_data(as_text=True)).group(1) == "https://localhost/" + site_path(site)
    assert behind_one.get("/sitemap.xml", headers={"X-Forwarded-Proto": "https"}).get_data(as_text=True).count(
        "<loc>https://localhost/sites/") == len(listed_sample.documents)
    # The host a proxy forwards is checked like any other.
    forged = behind_one.get("/" + site_path(site), headers={"X-Forwarded-Host": FORGED})
    assert_untrusted_host_error(forged.status_code, forged.mimetype, forged.get_data())


# ---------------------------------------------------------------- a real `serve`


def _request(server: Server, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, {name.lower(): value for name, value in response.getheaders()}, response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def servers(listed_sample, tmp_path_factory):
    """Two `serve` processes on the sample: one as shipped (no proxy believed), one behind one proxy."""
    env = {"PARTNER_LOCATOR_ELASTICSEARCH_INDEX_PREFIX": listed_sample.prefix, "PARTNER_LOCATOR_API_RATE_LIMIT": ""}
    logs = tmp_path_factory.mktemp("serve-hosts")
    started = {"direct": Server(env, logs / "direct.log", workers=1),
               "behind_proxy": Server({**env, "PARTNER_LOCATOR_API_TRUSTED_PROXIES": "1"}, logs / "proxied.log", workers=1)}
    try:
        for server in started.values():
            server.wait_ready()
        yield started
    finally:
        for server in started.values():
            server.stop()


def test_serve_refuses_a_forged_host_but_answers_health_checks(servers, listed_sample):
    server = servers["direct"]
    for path in ("/" + site_path(some_site(listed_sample)), "/?country=DK", "/sitemap.xml"):
        status, headers, body = _request(server, path, {"Host": FORGED})
        assert_untrusted_host_error(status, headers["content-type"], body)
    for path in ("/livez", "/readyz"):
        assert _request(server, path, {"Host": FORGED})[0] == 200
        assert _request(server, path, {"Host": "10.0.3.7"})[0] == 200


def test_serve_redirects_relatively_with_a_cache_policy(servers, listed_sample):
    site = some_site(listed_sample)
    status, headers, _ = _request(servers["direct"], f"/sites/{site['site_id']}/old-name")
    assert status == 301 and headers["location"] == "../../" + site_path(site)
    assert headers["cache-control"] == "public, max-age=300"


def test_serve_believes_x_forwarded_proto_only_behind_a_trusted_proxy(servers, listed_sample):
    path = "/" + site_path(some_site(listed_sample))
    for name, scheme in (("direct", "http"), ("behind_proxy", "https")):
        server = servers[name]
        status, _, body = _request(server, path, {"X-Forwarded-Proto": "https"})
        assert status == 200
        host = f"127.0.0.1:{server.port}"
        assert CANONICAL.search(body.decode()).group(1) == f"{scheme}://{host}{path}", name
