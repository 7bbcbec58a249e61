"""The pages' analytics beacons (issue 18, static/js/beacons.js), as a visitor and a privacy reviewer
see them: what is reported, when, and what is never sent or stored.

The beacons' endpoint (POST /api/v1/events) is intercepted: every test records the bodies the page
sends and answers 204, so what is checked here is the page's side only.
"""
from __future__ import annotations

import json
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from locator.core.events import BeaconSchema
from tests.browser.conftest import LOCAL_EMBEDDERS, embedding_page, serve
from tests.browser.test_search_page import search_box, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.integration]

NONCE = re.compile(r"[A-Za-z0-9_-]{22}")
KEYS = {"type", "token", "nonce", "lang", "source"}
QUIET_S = 0.6  # how long "nothing was sent" is watched for, after everything that would send was done


@pytest.fixture(scope="module")
def token_app(listed_sample, gazetteer):
    """The suite's app with analytics on (a token secret) and framable by local pages."""
    from locator.api import create_app
    from locator.core.es import connect

    settings = (listed_sample.settings.replace("pages", frame_ancestors=LOCAL_EMBEDDERS)
                .replace("analytics", token_secret="x" * 40))
    return create_app(settings, es=connect(settings, "reader"), gazetteer=gazetteer)


@pytest.fixture(scope="module")
def locator(token_app):
    server = serve(token_app)
    yield server.url
    server.stop()


@pytest.fixture(scope="module")
def answer(token_app):
    """GET /api/v1/partners from the test's app: the answer (and its token) the page should show."""
    client = token_app.test_client()

    def get(**params) -> dict:
        response = client.get("/api/v1/partners", query_string=params)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    return get


@pytest.fixture(scope="module")
def contactable(answer) -> str:
    """A site on the first page for Denmark with a phone, an email and a website."""
    return next(site["site_id"] for site in answer(country="DK")["results"]
                if all((site.get("contact") or {}).get(kind) for kind in ("phone", "email", "website")))


@pytest.fixture
def beacons(context) -> list[dict]:
    """Every beacon body the pages of the test send (POST /api/v1/events, answered 204)."""
    sent = []

    def record(route):
        assert route.request.method == "POST"
        assert route.request.headers.get("content-type", "").startswith("application/json")
        sent.append(json.loads(route.request.post_data))
        route.fulfill(status=204)

    context.route("**/api/v1/events", record)
    return sent


@pytest.fixture
def api_queries(context) -> list[dict]:
    """The query of every request the pages make to the API (but the beacons)."""
    queries = []
    context.on("request", lambda request: queries.append(parse_qs(urlsplit(request.url).query))
               if "/api/v1/" in request.url and "/api/v1/events" not in request.url else None)
    return queries


def wait_for(page, sent: list, count: int) -> list[dict]:
    """Wait until `count` beacons have arrived, then a moment more: never more than `count`."""
    deadline = time.monotonic() + 8
    while len(sent) < count and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert len(sent) >= count, f"expected {count} beacons, got {sent}"
    page.wait_for_timeout(300)
    assert len(sent) == count, f"expected {count} beacons, got {sent}"
    assert [BeaconSchema().validate(body) for body in sent] == [{}] * count, "each one as the server takes it"
    return sent


def search_call_and_open_the_page(page, locator: str, site: str, expect) -> None:
    """A visit: a search in Denmark, the site's listing opened and its phone used, then its own page."""
    page.goto(locator + "/?country=DK")
    wait_idle(page)
    keep_links_in_the_page(page)
    page.locator(f'#results > li[data-site-id="{site}"] .details-button').click()
    expect(page.locator("#detail .facts")).to_be_visible()
    page.locator("#detail .facts a[href^='tel:']").click()
    page.goto(locator + f"/sites/{site}")
    page.locator("#site-map").wait_for()


def stays_quiet(page, sent: list) -> None:
    page.wait_for_timeout(QUIET_S * 1000)
    assert sent == []


def keep_links_in_the_page(page_or_frame) -> None:
    """Clicking a phone, email or website link does everything the page does, but leave it."""
    page_or_frame.evaluate("""() => document.addEventListener("click", e => {
        if (e.target.closest && e.target.closest("a[href]")) e.preventDefault(); })""")


def first_result(page_or_frame) -> str:
    return page_or_frame.locator("#results > li").first.get_attribute("data-site-id")


def initial_token(page) -> str:
    return json.loads(page.locator("#initial-response").text_content())["search_token"]


# ---------------------------------------------------------------- the search page


def test_each_answer_shown_is_reported_once_with_its_token(page, locator, beacons, answer):
    page.goto(locator + "/?country=DK")  # the first answer comes with the page
    wait_idle(page)
    first = wait_for(page, beacons, 1)[0]
    assert set(first) == KEYS, "a search names no site, and nothing else is sent"
    assert first["type"] == "search" and first["token"] == initial_token(page) == answer(country="DK")["search_token"]
    assert (first["lang"], first["source"]) == ("en", "direct") and NONCE.fullmatch(first["nonce"])

    with page.expect_response(re.compile(r"/api/v1/partners\?")) as response:
        search_box(page).fill("Aarhus")
        search_box(page).press("Enter")
    wait_idle(page)
    second = wait_for(page, beacons, 2)[1]
    assert second == {**first, "token": response.value.json()["search_token"]}
    assert second["token"] != first["token"]


def test_the_language_reported_is_the_pages(page, locator, beacons):
    page.goto(locator + "/?country=DK&lang=de")
    wait_idle(page)
    assert page.locator("html").get_attribute("lang").startswith("de")
    assert wait_for(page, beacons, 1)[0]["lang"] == "de"


def test_a_listing_opened_and_its_contacts_used_are_reported_with_the_site(page, locator, beacons, contactable, expect):
    page.goto(locator + "/?country=DK")
    wait_idle(page)
    keep_links_in_the_page(page)
    wait_for(page, beacons, 1)
    card = page.locator(f'#results > li[data-site-id="{contactable}"]')
    card.locator(".details-button").click()
    expect(page.locator("#detail .facts")).to_be_visible()
    for link in ("a[href^='tel:']", "a[href^='mailto:']", "a[href^='http']"):
        page.locator("#detail .facts").locator(link).click()
    page.locator("#detail-close").click()
    card.locator("a.contact-phone").click()  # the card's own link: the same report, not sent twice
    sent = wait_for(page, beacons, 5)
    token = initial_token(page)
    assert [event["type"] for event in sent] == ["search", "detail", "phone", "email", "website"]
    assert all(event["token"] == token and event["nonce"] == sent[0]["nonce"] for event in sent)
    assert all(event["site_id"] == contactable and set(event) == KEYS | {"site_id"} for event in sent[1:])


def test_a_listing_the_answer_did_not_show_is_not_reported(page, locator, beacons, answer):
    danish = answer(country="DK")["results"][0]["site_id"]
    page.goto(locator + f"/?country=SE&site={danish}")  # the server could not verify it against the token
    wait_idle(page)
    page.locator("#detail .facts").wait_for()
    assert [event["type"] for event in wait_for(page, beacons, 1)] == ["search"]
    page.goto(locator + f"/?country=DK&site={danish}")  # shown by the answer: reported
    page.locator("#detail .facts").wait_for()
    sent = wait_for(page, beacons, 3)
    assert [(event["type"], event.get("site_id")) for event in sent[1:]] == [("search", None), ("detail", danish)]


def test_the_nonce_lives_only_as_long_as_the_page_and_nothing_is_stored(page, context, locator, beacons):
    urls = []
    context.on("request", lambda request: urls.append(request.url))
    page.goto(locator + "/?country=DK")
    wait_idle(page)
    nonce = wait_for(page, beacons, 1)[0]["nonce"]
    search_box(page).fill("Aarhus")
    search_box(page).press("Enter")
    wait_idle(page)
    assert wait_for(page, beacons, 2)[1]["nonce"] == nonce, "the same within a page load"
    page.reload()
    wait_idle(page)
    again = wait_for(page, beacons, 3)[2]["nonce"]
    assert NONCE.fullmatch(again) and again != nonce, "a new one for every page load"
    assert context.cookies() == []
    assert page.evaluate("() => [document.cookie, localStorage.length, sessionStorage.length]") == ["", 0, 0]
    assert not [url for url in urls + [page.url] if nonce in url or again in url], "never in a URL"


PRIVACY_SIGNALS = {
    "global-privacy-control": "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true});",
    "do-not-track": "Object.defineProperty(Navigator.prototype, 'doNotTrack', {get: () => '1'});",
    "do-not-track-window": "Object.defineProperty(window, 'doNotTrack', {get: () => '1'});",
}


@pytest.mark.parametrize("signal", sorted(PRIVACY_SIGNALS))
def test_nothing_is_sent_when_the_visitor_asks_not_to_be_tracked(page, context, locator, beacons, contactable, expect,
                                                                 signal):
    context.add_init_script(PRIVACY_SIGNALS[signal])
    search_call_and_open_the_page(page, locator, contactable, expect)
    stays_quiet(page, beacons)


# ---------------------------------------------------------------- the embed


def frame_of(page):
    """The locator's frame in a host page (a Frame: its URL and script, not only its elements)."""
    page.wait_for_function("() => document.querySelector('iframe.partner-locator-frame')")
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline:
        frame = next((frame for frame in page.frames if "embed=1" in frame.url), None)
        if frame:
            return frame
        page.wait_for_timeout(50)
    raise AssertionError("no locator frame")


def test_an_embed_reports_its_host_page_and_keeps_it_through_the_history(page, locator, host_page, beacons,
                                                                           api_queries, expect):
    host_url = host_page(embedding_page(locator, 'data-country="DK" data-loading="eager"'))
    host = urlsplit(host_url).netloc
    page.goto(host_url)
    frame = frame_of(page)
    expect(frame.locator("#results > li").first).to_be_visible()
    frame.wait_for_function("() => document.querySelector('#results').getAttribute('aria-busy') === 'false'")
    assert parse_qs(urlsplit(frame.url).query)["embed_origin"] == [f"http://{host}"], "the origin only"
    assert frame.locator("#initial-response").count() == 1, "the server rendered the first answer all the same"
    first = wait_for(page, beacons, 1)[0]
    assert (first["type"], first["source"], first["token"]) == ("search", host, initial_token(frame))

    frame.get_by_role("checkbox", name=re.compile(r"^Premier")).check()  # a new search: a new history entry
    frame.wait_for_url(re.compile(r"[?&]tier=premier"))
    frame.wait_for_function("() => document.querySelector('#results').getAttribute('aria-busy') === 'false'")
    assert parse_qs(urlsplit(frame.url).query)["embed_origin"] == [f"http://{host}"], "kept for a reload"
    assert wait_for(page, beacons, 2)[1]["source"] == host
    frame.evaluate("() => history.back()")
    frame.wait_for_url(lambda url: "tier=" not in url)
    frame.wait_for_function("() => document.querySelector('#results').getAttribute('aria-busy') === 'false'")
    assert "embed_origin" in frame.url and frame.locator("#message").is_hidden()
    assert api_queries and not [q for q in api_queries if "embed_origin" in q or "analytics" in q], \
        "page-only parameters never reach the API"


def test_an_embed_with_analytics_off_sends_nothing_even_after_a_reload(page, locator, host_page, beacons, expect):
    page.goto(host_page(embedding_page(locator, 'data-country="DK" data-analytics="off" data-loading="eager"')))
    frame = frame_of(page)
    assert parse_qs(urlsplit(frame.url).query)["analytics"] == ["off"]
    expect(frame.locator("#results > li").first).to_be_visible()
    assert frame.locator("#initial-response").count() == 1, "the server rendered the first answer all the same"
    keep_links_in_the_page(frame)
    frame.locator("#results > li .details-button").first.click()
    expect(frame.locator("#detail .facts")).to_be_visible()
    frame.locator("#detail .facts a").first.click()
    frame.locator("#detail-close").click()
    frame.get_by_role("checkbox", name=re.compile(r"^Premier")).check()
    frame.wait_for_url(re.compile(r"[?&]tier=premier"))
    assert parse_qs(urlsplit(frame.url).query)["analytics"] == ["off"], "kept for a reload"
    frame.evaluate("() => location.reload()")
    frame = frame_of(page)
    expect(frame.locator("#results > li").first).to_be_visible()
    stays_quiet(page, beacons)


# ---------------------------------------------------------------- the site pages


def test_a_site_page_is_reported_once_with_its_own_token(page, locator, beacons, answer):
    site = answer(country="DK")["results"][0]["site_id"]
    page.goto(locator + f"/sites/{site}")  # redirected to its slug
    page.locator("#site-map").wait_for()
    token = page.locator("body").get_attribute("data-event-token")
    assert token
    sent = wait_for(page, beacons, 1)
    assert sent == [{"type": "site_page", "token": token, "nonce": sent[0]["nonce"], "site_id": site, "lang": "en",
                     "source": "direct"}]
    assert NONCE.fullmatch(sent[0]["nonce"])
    # Its directions and contacts used are reported with the page's token (links out are not followed here).
    page.evaluate("() => document.addEventListener('click', event => event.preventDefault(), true)")
    page.locator("a.directions").click()
    page.locator("a.directions").click()  # the same use twice is one report
    links = [kind for kind, selector in (("phone", "a.contact-phone"), ("email", "a.contact-email"))
             if page.locator(selector).count()]
    for kind in links:
        page.locator(f"a.contact-{kind}").first.click()
    used = wait_for(page, beacons, 2 + len(links))[1:]
    assert [(event["type"], event["token"], event["site_id"]) for event in used] == [
        (kind, token, site) for kind in ("directions", *links)]


def test_the_server_takes_every_beacon_the_pages_send(page, context, token_app, locator, contactable, host_page, expect):
    """Not intercepted: the server's own POST /api/v1/events checks each beacon against its token (the
    site among those the answer showed, the embedding host among the allowed ones...). Sent as a
    browser that is not headless: the server answers a crawler's beacons (HeadlessChrome is one) 204
    without reading them."""
    browser_ua = page.evaluate("() => navigator.userAgent").replace("HeadlessChrome", "Chrome")
    probe = token_app.test_client().post("/api/v1/events", json={"type": "search"}, headers={"User-Agent": browser_ua})
    assert probe.status_code == 400, "the server reads this browser's beacons"
    answered = []

    def through(route):
        response = route.fetch(headers={**route.request.headers, "user-agent": browser_ua})
        answered.append((json.loads(route.request.post_data)["type"], response.status, response.text()))
        route.fulfill(response=response)

    context.route("**/api/v1/events", through)
    search_call_and_open_the_page(page, locator, contactable, expect)
    page.goto(host_page(embedding_page(locator, 'data-country="DK" data-loading="eager"')))  # source: this host
    expect(page.frame_locator("iframe.partner-locator-frame").locator("#results > li").first).to_be_visible()
    deadline = time.monotonic() + 8
    while len(answered) < 5 and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert answered == [(kind, 204, "") for kind in ("search", "detail", "phone", "site_page", "search")]
