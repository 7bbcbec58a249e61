"""The search page's one-way flow, seen from the browser: a search draws the page at most twice (busy,
then the answer or the error), and the page does not wait for the map library."""
from __future__ import annotations

import re

import pytest

from tests.browser.test_search_page import wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.integration]

RENDERS = "performance.getEntriesByName('partner-locator:render').length"  # main.js marks every drawing
SETTLE_MS = 300  # what follows an answer (the map's own markers) is given time to show up in the count


def renders_for(page, act) -> int:
    """How many times the page drew from the moment ``act`` asked for a search until it was drawn."""
    wait_idle(page)
    page.wait_for_timeout(SETTLE_MS)
    before = page.evaluate(f"() => {RENDERS}")
    act()
    page.wait_for_function(f"n => {RENDERS} > n", arg=before)  # the intent drew (busy)...
    wait_idle(page)  # ...and then the answer or the error
    page.wait_for_timeout(SETTLE_MS)
    return page.evaluate(f"() => {RENDERS}") - before


def test_a_filter_a_page_and_a_failing_search_each_draw_the_page_at_most_twice(page, live_server, expect):
    page.goto(f"{live_server.url}/?country=DK")
    page.wait_for_function("() => document.documentElement.classList.contains('scripted')")
    counts = {"filter": renders_for(page, lambda: page.locator("#f-tier-premier").check())}
    expect(page).to_have_url(re.compile(r"tier=premier"))
    # By keyboard: a pointer left over the list would point at a result (the map marks it: a drawing of its own).
    counts["page"] = renders_for(page, lambda: page.locator("#pagination").get_by_role("button", name="2").press("Enter"))
    expect(page).to_have_url(re.compile(r"page=2"))
    page.route("**/api/v1/partners?**", lambda route: route.fulfill(status=503, content_type="application/json", body=(
        '{"error": {"status": 503, "code": "search_unavailable", "message": "busy"}}')))
    counts["failure"] = renders_for(page, lambda: page.locator("#f-tier-premier").uncheck())
    expect(page.locator("#message")).to_contain_text("temporarily unavailable")
    assert counts == {"filter": 2, "page": 2, "failure": 2}


def test_the_page_searches_while_the_map_library_is_still_on_its_way(page, live_server, expect):
    held = []
    page.route("**/vendor/leaflet/leaflet.js", lambda route: held.append(route))  # the map library does not arrive (yet)
    page.goto(f"{live_server.url}/?country=DK")
    page.wait_for_function("() => document.documentElement.classList.contains('scripted')")
    page.locator("#f-tier-premier").check()
    expect(page).to_have_url(re.compile(r"tier=premier"))
    wait_idle(page)
    tiers = page.eval_on_selector_all("#results > li .badge", "badges => badges.map(b => b.className)")
    assert tiers and all("tier-premier" in tier for tier in tiers)
    assert held and page.evaluate("() => window.L === undefined")  # all of it before the map could be drawn
    held[0].continue_()
    expect(page.locator("#map.leaflet-container")).to_have_count(1)  # then the map comes
    expect(page.locator("#map .cluster-marker, #map .site-marker").first).to_be_attached()
