"""A site's own page and the map's "Search this area", used as a person would in Chromium."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.test_search_page import query, search_box, site_ids, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.integration]

MAX_TABS = 200  # a bound on the keyboard walk, far above what the page needs


def local(url: str, live_server) -> str:
    """An address from the API's answers (made for the test client's host) on the live server."""
    parts = urlsplit(url)
    return live_server.url + parts.path + (f"?{parts.query}" if parts.query else "")


def test_the_list_links_each_result_to_its_page_and_the_page_back_to_the_search(page, live_server, api, expect):
    page.goto(live_server.url + "/?near=Aarhus&lang=de")
    wait_idle(page)
    expected = api("/api/v1/partners", near="Aarhus")["results"]
    first = expected[0]
    link = page.locator("#results a.company").first
    expect(link).to_have_attribute("href", first["page_url"].replace("http://localhost", live_server.url) + "?lang=de")
    search_url = page.url
    link.click()
    page.wait_for_url(re.compile(rf"/sites/{first['site_id']}/[a-z0-9-]+\?lang=de$"))
    expect(page.locator("h1")).to_have_text(first["company"])
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.locator("#site-map path.site-marker").wait_for()  # the small map, its site marked (no tiles needed)
    detail = api(f"/api/v1/partners/{first['site_id']}")
    others = page.locator(".other-sites a")
    expect(others).to_have_count(len(detail["other_sites_in_country"]))
    back = page.get_by_role("link", name="Zurück zur Partnersuche")
    expect(back).to_have_attribute("href", search_url)  # came from a search: back to that search
    back.click()
    page.wait_for_url(search_url)
    wait_idle(page)
    assert site_ids(page) == [site["site_id"] for site in expected]


def test_a_site_page_opened_directly_leads_to_the_search_and_works_without_script(browser, live_server, api, expect):
    site = api("/api/v1/partners", country="DK")["results"][0]
    context = browser.new_context(java_script_enabled=False, locale="en")
    page = context.new_page()
    page.goto(local(site["page_url"], live_server))
    expect(page.locator("h1")).to_have_text(site["company"])
    expect(page.locator(".site-card .address")).to_contain_text("Denmark")
    expect(page.get_by_role("link", name=re.compile("^Directions"))).to_have_attribute(
        "href", re.compile(r"^https://www\.google\.com/maps/dir/\?api=1&destination="))
    expect(page.get_by_role("link", name="Back to the partner search")).to_have_attribute("href", "../../")
    page.get_by_role("link", name="Deutsch").click()  # languages are plain links
    expect(page.locator("h1")).to_have_text(site["company"])
    expect(page.get_by_role("link", name="Zurück zur Partnersuche")).to_be_visible()
    context.close()


def test_keyboard_only_from_the_search_box_to_a_site_page_and_back(page, live_server, api, expect):
    page.goto(live_server.url + "/")
    wait_idle(page)
    search_box(page).focus()
    page.keyboard.type("Aarhus")
    page.keyboard.press("Enter")  # no suggestion chosen: the text is searched
    page.wait_for_url(re.compile(r"[?&]text=Aarhus"))
    wait_idle(page)
    results = site_ids(page)
    tab_until(page, "#results a.company")
    focused = page.evaluate("document.activeElement.closest('li.result').dataset.siteId")
    assert focused == results[0], "the first result's name is the first stop in the list"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/sites/{results[0]}/"))
    expect(page.locator("h1")).to_be_visible()
    tab_until(page, "#back-link")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/\?text=Aarhus$"))
    wait_idle(page)
    assert site_ids(page) == results


def tab_until(page, selector: str) -> None:
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("selector => document.activeElement.matches(selector)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


def test_search_this_area_lists_what_the_map_shows_and_keeps_it_in_the_url(page, live_server, api, expect):
    page.goto(live_server.url + "/?text=Aarhus")
    wait_idle(page)
    area = page.get_by_role("button", name="Search this area")
    expect(area).to_be_hidden()  # the map was fitted by the page, not moved by the visitor
    page.locator("#map path.site-marker").first.wait_for()
    page.locator("#map").focus()
    page.keyboard.press("Minus")  # the visitor zooms out
    expect(area).to_be_visible()
    area.click()
    page.wait_for_url(re.compile(r"[?&]bbox="))
    wait_idle(page)
    expect(area).to_be_hidden()
    bbox = query(page)["bbox"][0]
    assert "text" not in query(page)  # the box is the where now
    expected = api("/api/v1/partners", bbox=bbox)
    assert expected["total"] > api("/api/v1/partners", near="Aarhus")["total"], "a wider area than the radius"
    assert site_ids(page) == [site["site_id"] for site in expected["results"]]
    expect(page.locator("#status")).to_contain_text(f"{expected['total']:,} partner sites in the map area.")
    expect(page.locator("#origin-chip")).to_contain_text("Showing partners in the map area.")
    page.reload()  # the URL keeps the box: the same list, and the map shows that box again
    wait_idle(page)
    assert site_ids(page) == [site["site_id"] for site in expected["results"]]
    expect(area).to_be_hidden()
    page.locator("#clear-origin").click()  # the chip's x forgets the box
    wait_idle(page)
    assert "bbox" not in query(page)


def test_an_area_across_the_antimeridian_in_the_url_lists_both_sides(page, live_server, api, listed_sample, expect):
    bbox = "-60,150,0,-150"
    expected = api("/api/v1/partners", bbox=bbox, per_page=50)
    lons = [site["location"]["lon"] for site in expected["results"]]
    assert any(lon > 150 for lon in lons) and expected["total"] > 0
    page.goto(f"{live_server.url}/?bbox={bbox}&per_page=50")
    wait_idle(page)
    assert sorted(site_ids(page)) == sorted(site["site_id"] for site in expected["results"])
    page.locator("#map path.site-marker").first.wait_for()  # the map shows that area with its sites
    page.locator("#map").focus()
    page.keyboard.press("ArrowLeft")
    page.get_by_role("button", name="Search this area").click()
    page.wait_for_function(f"() => new URLSearchParams(location.search).get('bbox') !== {bbox!r}")
    wait_idle(page)
    moved = parse_qs(urlsplit(page.url).query)["bbox"][0]
    south, west, north, east = map(float, moved.split(","))
    assert west > east, f"still across the antimeridian: {moved}"
    assert sorted(site_ids(page)) == sorted(site["site_id"] for site in api("/api/v1/partners", bbox=moved, per_page=50)["results"])
