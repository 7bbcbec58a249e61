"""The pages' security headers as Chromium enforces them: no Content-Security-Policy violation in any
flow, framing only by the configured embedders, and an embed that survives its host page's CSS.

(Every browser test also fails on a CSP violation: tests/browser/conftest.py collects them from
every frame; this file walks through every flow in one test and checks that the collector works.)
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import embedding_page, serve
from tests.browser.test_search_page import search_box, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.integration]

HOSTILE_CSS = "iframe { border: 5px solid red; max-width: 50% } * { font: 12px serif !important }"
# The same, insisting: only the frame's own inline !important styles (embed.js) still win.
INSISTING_CSS = ("iframe { border: 5px solid red !important; max-width: 50% !important; height: 100px !important } "
                 "* { font: 12px serif !important }")


def test_no_flow_breaks_the_content_security_policy(page, live_server, host_page, page_log, expect):
    page.goto(live_server.url + "/")
    wait_idle(page)
    # The collector sees violations: an inline script the page did not send is refused and reported.
    refused = page.evaluate("""() => new Promise(resolve => {
        document.addEventListener("securitypolicyviolation", e => resolve(e.effectiveDirective), { once: true });
        const script = document.createElement("script");
        script.textContent = "window.__ran = 1";
        document.body.append(script);
    })""")
    page.wait_for_function("() => true")  # the report reaches the test
    assert refused == "script-src-elem" and page.evaluate("window.__ran") is None
    assert [violation["directive"] for violation in page_log.csp] == ["script-src-elem"]
    page_log.csp.clear()

    search_box(page).fill("Aarhus")  # search
    search_box(page).press("Enter")
    page.wait_for_url(re.compile(r"[?&]text=Aarhus"))
    wait_idle(page)
    page.get_by_role("checkbox", name=re.compile(r"^Premier")).check()  # filters
    wait_idle(page)
    page.locator("#map path.site-marker").first.wait_for()  # the map and its markers
    page.locator("#map").focus()
    page.keyboard.press("ArrowRight")  # moved by the visitor: "Search this area"
    page.get_by_role("button", name="Search this area").click()
    page.wait_for_url(re.compile(r"[?&]bbox="))
    wait_idle(page)
    page.locator("#results .details-button").first.click()  # the detail dialog
    expect(page.locator("#detail .facts")).to_be_visible()
    page.keyboard.press("Escape")
    page.locator("#results a.company").first.click()  # a site page, with its map
    page.wait_for_url(re.compile(r"/sites/"))
    page.locator("#site-map path.site-marker").wait_for()
    page.goto(live_server.url + "/api/v1/docs")  # the docs page
    expect(page.locator('section.endpoint[data-path="/api/v1/partners"]')).to_be_visible()
    page.goto(host_page(embedding_page(live_server.url, 'data-country="DK"')))  # the embed
    frame = page.frame_locator("iframe.partner-locator-frame")
    expect(frame.locator("#results > li").first).to_be_visible()
    frame.locator("#results .details-button").first.click()
    expect(frame.locator("#detail .facts")).to_be_visible()
    assert page_log.csp == []


def test_an_embed_on_a_site_not_allowed_to_frame_the_locator_is_blocked_by_the_browser(
        page, listed_sample, gazetteer, host_page, expect):
    from locator.api import create_app
    from locator.core.es import connect

    settings = listed_sample.settings.replace("pages", frame_ancestors=("https://www.milestonesys.com",))
    locator = serve(create_app(settings, es=connect(settings, "reader"), gazetteer=gazetteer))
    try:
        with page.expect_console_message(lambda message: "frame-ancestors" in message.text) as refusal:
            page.goto(host_page(embedding_page(locator.url, 'data-country="DK" data-loading="eager"')))
        assert "https://www.milestonesys.com" in refusal.value.text
        frame = page.locator("iframe.partner-locator-frame").content_frame
        assert frame.locator("#search-form").count() == 0, "the locator must not render inside a frame it forbids"
        page.goto(locator.url + "/")  # the same page, not framed, works
        expect(page.locator("#search-form")).to_be_visible()
    finally:
        locator.stop()


@pytest.mark.parametrize("css", [HOSTILE_CSS, INSISTING_CSS], ids=["hostile", "hostile-important"])
def test_the_embed_stays_whole_sized_and_usable_on_a_page_with_hostile_css(page, live_server, host_page, api, expect, css):
    page.goto(host_page(embedding_page(live_server.url, 'data-country="DK" data-tier="premier"', css)))
    frame_element = page.locator("iframe.partner-locator-frame")
    frame = page.frame_locator("iframe.partner-locator-frame")
    expect(frame.locator("#results > li").first).to_be_visible()
    page.wait_for_function("""() => {  // the frame grew to its content
        const frame = document.querySelector('iframe.partner-locator-frame');
        return frame && parseInt(frame.style.height, 10) > 900; }""")
    box = frame_element.evaluate("""frame => { const s = getComputedStyle(frame), r = frame.getBoundingClientRect();
        return {width: r.width, container: frame.parentElement.getBoundingClientRect().width, border: s.borderTopWidth,
                height: r.height}; }""")
    assert box["border"] == "0px" and box["width"] == box["container"] > 1000  # not 50%, no red border
    inner = frame.locator("body").evaluate("body => body.scrollHeight")
    assert abs(box["height"] - inner) <= 2, "sized to its content: nothing cut off, no inner scrollbar"
    font = frame.locator("h1").evaluate("h => getComputedStyle(h).fontFamily + ' ' + getComputedStyle(h).fontSize")
    assert "serif" not in font.replace("sans-serif", "") and not font.endswith(" 12px")  # the host's CSS stays outside
    expected = api("/api/v1/partners", country="DK", tier="premier", per_page=10)
    assert frame.locator("#results > li").evaluate_all("items => items.map(i => i.dataset.siteId)") == \
        [site["site_id"] for site in expected["results"]]
    frame.get_by_role("checkbox", name=re.compile(r"^Premier")).uncheck()  # usable: a filter changes the list
    expect(frame.locator("#status")).to_contain_text(re.compile(r"\b{:,} partner sites\b".format(
        api("/api/v1/partners", country="DK")["total"])))
    last = frame.locator("#results > li").last
    last.scroll_into_view_if_needed()
    expect(last).to_be_in_viewport()


def test_near_me_works_inside_the_embed(page, context, live_server, host_page, expect):
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"latitude": 56.1567, "longitude": 10.2108})
    page.goto(host_page(embedding_page(live_server.url, 'data-country="DK"')))
    frame = page.frame_locator("iframe.partner-locator-frame")
    expect(frame.locator("#results > li").first).to_be_visible()
    frame.get_by_role("button", name="Near me").click()
    expect(frame.locator("#status")).to_contain_text("within 100 km of your location")
    src_frame = page.frames[1]
    assert re.search(r"[?&]lat=56\.1567&lon=10\.2108", src_frame.url)


def test_a_site_page_can_be_framed_by_the_allowed_embedders(page, live_server, host_page, api, expect):
    site = api("/api/v1/partners", country="DK")["results"][0]
    src = live_server.url + urlsplit(site["page_url"]).path
    page.goto(host_page(f'<!doctype html><title>x</title><iframe title="site" src="{src}" width="900" height="700"></iframe>'))
    expect(page.frame_locator("iframe").locator("h1")).to_have_text(site["company"])
