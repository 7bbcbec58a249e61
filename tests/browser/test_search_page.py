"""The search page, the embed snippet and the API docs page, used as a person would in Chromium."""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, quote, urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.integration]

SCREENSHOT = "/tmp/partner-locator.png"
UNKNOWN_PLACE = "Qxzqxzville"


@pytest.fixture(scope="module")
def aarhus(api) -> dict:
    places = api("/api/v1/suggest", q="Aar")["places"]
    return next(place for place in places if place["name"] in ("Århus", "Aarhus"))


# ---------------------------------------------------------------- helpers


def wait_idle(page) -> None:
    """The search in flight (if any) has answered and been drawn."""
    page.wait_for_function("() => document.querySelector('#results').getAttribute('aria-busy') === 'false'")


def site_ids(page) -> list[str]:
    return page.eval_on_selector_all("#results > li", "items => items.map(item => item.dataset.siteId)")


def distances(page) -> list[float]:
    return page.eval_on_selector_all("#results > li", "items => items.map(item => parseFloat(item.dataset.distanceKm))")


def facet_counts(page, name: str) -> dict[str, int]:
    rows = page.eval_on_selector_all(
        f'fieldset[data-facet="{name}"] li',
        "items => items.map(li => [li.querySelector('input').value, li.querySelector('.facet-count').textContent])")
    return {value: int(count.replace(",", "")) for value, count in rows}


def nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {key: value for key, value in counts.items() if value}


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def search_box(page):
    return page.get_by_role("combobox", name="Place, postal code or partner name")


# ---------------------------------------------------------------- the search page


def test_typing_suggests_places_and_picking_one_lists_nearest_sites_first(page, live_server, api, aarhus, expect, page_log):
    page.goto(live_server.url + "/")
    wait_idle(page)
    search_box(page).press_sequentially("Aar", delay=30)
    suggestion = page.get_by_role("option", name=re.compile(r"^(Å|Aa)rhus"))
    expect(suggestion).to_be_visible()
    expect(page.get_by_role("listbox")).to_contain_text("Denmark")

    suggestion.click()
    expect(page).to_have_url(re.compile(rf"[?&]place={aarhus['id']}(&|$)"))
    wait_idle(page)
    expected = api("/api/v1/partners", place=aarhus["id"])
    assert not expected["nearest_fallback"] and len(expected["results"]) >= 2, "the sample should list sites near Aarhus"
    assert site_ids(page) == [site["site_id"] for site in expected["results"]]
    shown = distances(page)
    assert shown == sorted(shown) and all(km <= 100 for km in shown)
    assert shown == [site["distance_km"] for site in expected["results"]]
    texts = page.locator("#results .distance").all_inner_texts()
    assert len(texts) == len(shown) and all(re.fullmatch(r"[\d,.]+ km away", text) for text in texts)
    expect(page.locator("#status")).to_contain_text(f"{expected['total']} partner sites within 100 km of {aarhus['label']}")
    expect(page.locator("#origin-chip")).to_contain_text(aarhus["label"])

    # Clicking a result shows the site's detail, with the partner's other sites in that country.
    first = expected["results"][0]
    page.locator("#results > li").first.get_by_role("button", name="Details").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", level=2)).to_have_text(first["company"])
    detail = api(f"/api/v1/partners/{first['site_id']}")
    for other in detail["other_sites_in_country"][:3]:
        expect(dialog.locator(".other-sites")).to_contain_text(other["site_name"] or other["address"]["city"])
    assert query(page)["site"] == [first["site_id"]]
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page).not_to_have_url(re.compile(r"[?&]site="))

    marker = page.locator("#map path.site-marker").first  # the map drew its markers without any tile
    marker.wait_for()
    page.screenshot(path=SCREENSHOT)
    marker.click(force=True)  # a marker shows its site's detail too
    expect(dialog).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]site=S"))
    expect(dialog.get_by_role("heading", level=2)).not_to_have_text("Loading…")
    page.get_by_role("button", name="Close details").click()
    expect(dialog).to_be_hidden()
    assert all("/api/" not in url and "127.0.0.1" not in url for url in page_log.external)


def test_the_keyboard_picks_a_suggestion_and_near_me_searches_around_the_user(page, context, live_server, api, aarhus, expect):
    page.goto(live_server.url + "/")
    wait_idle(page)
    box = search_box(page)
    box.press_sequentially("Aar", delay=30)
    expect(page.locator("#suggestions").get_by_role("option").first).to_be_visible()
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "suggestion-0")
    expect(page.locator("#suggestions").get_by_role("option").first).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(page).to_have_url(re.compile(rf"[?&]place={aarhus['id']}(&|$)"))
    expect(box).to_have_attribute("aria-expanded", "false")

    context.grant_permissions(["geolocation"], origin=live_server.url)
    context.set_geolocation({"latitude": aarhus["lat"], "longitude": aarhus["lon"]})
    page.get_by_role("button", name="Near me").click()
    expect(page).to_have_url(re.compile(r"[?&]lat=[-\d.]+&lon=[-\d.]+"))
    wait_idle(page)
    expect(page.locator("#status")).to_contain_text("within 100 km of your location")
    assert "place" not in query(page)
    expected = api("/api/v1/partners", lat=query(page)["lat"][0], lon=query(page)["lon"][0])
    assert site_ids(page) == [site["site_id"] for site in expected["results"]]


def test_ticking_premier_filters_the_list_and_updates_the_other_facets(page, live_server, api, aarhus, expect):
    page.goto(f"{live_server.url}/?place={aarhus['id']}&radius_km=250")
    wait_idle(page)
    before = api("/api/v1/partners", place=aarhus["id"], radius_km=250)
    assert facet_counts(page, "tier") == before["facets"]["tier"]
    assert before["facets"]["tier"].get("advanced"), "the sample should have advanced sites near Aarhus"

    page.get_by_role("checkbox", name=re.compile(r"^Premier")).check()
    expect(page).to_have_url(re.compile(r"[?&]tier=premier(&|$)"))
    wait_idle(page)
    after = api("/api/v1/partners", place=aarhus["id"], radius_km=250, tier="premier")
    assert site_ids(page) == [site["site_id"] for site in after["results"]]
    badges = page.locator("#results .badge").all_inner_texts()
    assert badges and all(badge.lower() == "premier partner" for badge in badges)
    expect(page.locator("#status")).to_contain_text(re.compile(rf"\b{after['total']} partner sites? within 250 km"))
    # The tier facet ignores its own filter (advanced stays countable); the others count premier sites only.
    assert facet_counts(page, "tier") == before["facets"]["tier"]
    for name in ("cert", "country", "language", "industry"):
        assert nonzero(facet_counts(page, name)) == nonzero(after["facets"][name]), name
    assert any(nonzero(after["facets"][name]) != nonzero(before["facets"][name]) for name in ("cert", "industry", "language"))
    expect(page.get_by_role("checkbox", name=re.compile(r"^Premier"))).to_be_checked()
    expect(page.locator("#filter-count")).to_have_text("(1)")


def test_the_url_repeats_the_same_search(page, context, live_server, aarhus, expect):
    page.goto(f"{live_server.url}/?place={aarhus['id']}")
    wait_idle(page)
    first_search = site_ids(page)
    page.get_by_label("Within").select_option("250")
    wait_idle(page)
    page.get_by_role("checkbox", name=re.compile(r"^Premier")).check()
    wait_idle(page)
    page.get_by_label("Sort by").select_option("name")
    expect(page).to_have_url(re.compile(r"sort=name"))
    wait_idle(page)
    shared = page.url
    assert query(page) == {"place": [aarhus["id"]], "radius_km": ["250"], "tier": ["premier"], "sort": ["name"]}
    results = site_ids(page)
    assert results and results != first_search

    other = context.new_page()  # someone opening the shared link
    other.goto(shared)
    wait_idle(other)
    assert site_ids(other) == results
    expect(other.get_by_role("checkbox", name=re.compile(r"^Premier"))).to_be_checked()
    expect(other.get_by_label("Sort by")).to_have_value("name")
    expect(other.get_by_label("Within")).to_have_value("250")
    expect(search_box(other)).to_have_value(aarhus["label"])
    other.close()

    page.reload()
    wait_idle(page)
    assert site_ids(page) == results
    page.go_back()  # Back undoes the last change (the sort)
    wait_idle(page)
    assert "sort" not in query(page)
    expect(page.get_by_label("Sort by")).to_have_value("distance")


def test_pages_follow_the_api_and_land_in_the_url(page, live_server, api, expect):
    page.goto(live_server.url + "/?country=DK")
    wait_idle(page)
    first = api("/api/v1/partners", country="DK")
    assert first["total"] > first["per_page"], "the sample should have more than one page of Danish sites"
    assert site_ids(page) == [site["site_id"] for site in first["results"]]
    pages = page.get_by_role("navigation", name="Result pages")
    expect(pages.get_by_role("button", name="Page 1")).to_have_attribute("aria-current", "page")
    pages.get_by_role("button", name="Next").click()
    expect(page).to_have_url(re.compile(r"[?&]page=2(&|$)"))
    wait_idle(page)
    second = api("/api/v1/partners", country="DK", page=2)
    assert site_ids(page) == [site["site_id"] for site in second["results"]]
    expect(page.locator("#status")).to_contain_text(f"Showing 21\u2013{20 + len(second['results'])} of {first['total']}")
    page.get_by_role("checkbox", name=re.compile(r"^Premier")).check()  # a new filter starts again at page 1
    expect(page).not_to_have_url(re.compile(r"[?&]page="))


def test_unknown_words_say_nothing_matched_and_offer_the_places_they_may_mean(page, live_server, expect):
    page.goto(live_server.url + "/")
    wait_idle(page)
    searches = partner_searches(page)
    search_box(page).fill(UNKNOWN_PLACE)
    search_box(page).press("Enter")
    expect(page.locator("#status")).to_contain_text(f"No partner site found matching \u201c{UNKNOWN_PLACE}\u201d")
    assert query(page) == {"text": [UNKNOWN_PLACE]}
    assert len(searches) == 1, "the text is sent once, as text=: the server reads it, the page never retries"
    chip = page.locator("#origin-chip")
    expect(chip).to_contain_text(f"Showing partners matching \u201c{UNKNOWN_PLACE}\u201d")
    expect(chip).to_contain_text("Did you mean")
    chip.locator(".origin-alternatives").get_by_role("button").first.click()  # a place it may be a misspelling of
    expect(page).to_have_url(re.compile(r"[?&]place=\d+"))
    wait_idle(page)
    assert "text" not in query(page)


def test_an_unknown_near_place_in_a_link_gets_a_helpful_message(page, live_server, expect):
    page.goto(f"{live_server.url}/?near={UNKNOWN_PLACE}")
    message = page.locator("#message")
    expect(message).to_contain_text(f"We don\u2019t know a place called \u201c{UNKNOWN_PLACE}\u201d")
    expect(message).to_contain_text("Did you mean")
    expect(message).to_contain_text("Try a city name")
    expect(page.locator("#results > li")).to_have_count(0)
    message.get_by_role("button").first.click()  # picking one of the suggested places searches there
    expect(page).to_have_url(re.compile(r"[?&]place=\d+"))
    wait_idle(page)
    expect(page.locator("#message")).not_to_contain_text("We don")


def test_nothing_within_the_radius_explains_the_nearest_fallback(page, live_server, api, expect):
    north_sea = {"lat": "56.0", "lon": "4.0", "radius_km": "10"}
    expected = api("/api/v1/partners", **north_sea)
    assert expected["nearest_fallback"] and len(expected["results"]) == 5
    page.goto(f"{live_server.url}/?lat=56.0&lon=4.0&radius_km=10")
    wait_idle(page)
    expect(page.locator("#message")).to_contain_text("No partner within 10 km of your location; the nearest ones:")
    assert site_ids(page) == [site["site_id"] for site in expected["results"]]
    assert distances(page) == sorted(distances(page))
    page.get_by_role("button", name="Search within 25 km").click()
    expect(page).to_have_url(re.compile(r"radius_km=25(&|$)"))


def test_api_errors_are_shown_politely_and_data_is_never_html(page, live_server, expect):
    hostile = "<img src=x onerror=\"window.__pwned=1\"><b>Evil</b> & Co"

    def fake_search(route):
        site = {"site_id": "S1", "partner_id": "P1", "company": hostile, "site_name": "<script>window.__pwned=2</script>",
                "tier": "premier", "certifications": {"MCDE": 1, "MCIT": 1, "MCIE": 1},
                "address": {"street": "<i>street</i>", "postal_code": "1", "city": "X", "country": "DK"},
                "location": {"lat": 56.1, "lon": 10.2}, "distance_km": None,
                "contact": {"phone": "+45 1234 5678", "email": "a@b.example", "website": "javascript:window.__pwned=3"},
                "languages": ["da"], "industries": ["<u>retail</u>"], "description": None}
        body = {"total": 1, "total_relation": "eq", "page": 1, "per_page": 20, "origin": None, "nearest_fallback": False,
                "results": [site], "facets": {"tier": {"premier": 1}, "cert": {"MCDE": 1}, "country": {"DK": 1},
                                              "language": {"da": 1}, "industry": {"<u>retail</u>": 1}}}
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    page.route(re.compile(r"/api/v1/partners\?|/api/v1/partners$"), fake_search)
    page.goto(live_server.url + "/")
    wait_idle(page)
    expect(page.locator("#results .company")).to_have_text(hostile)
    assert page.locator("#results img, #results b, #results script, #results i, #filters u").count() == 0
    assert page.locator("#results a[href^='javascript']").count() == 0
    assert page.evaluate("window.__pwned") is None

    page.unroute(re.compile(r"/api/v1/partners\?|/api/v1/partners$"))
    page.route(re.compile(r"/api/v1/partners\?"), lambda route: route.fulfill(
        status=503, content_type="application/json", headers={"Retry-After": "1"},
        body=json.dumps({"error": {"status": 503, "code": "search_unavailable", "message": "the search service is temporarily unavailable"}})))
    page.get_by_role("checkbox", name=re.compile(r"^Premier")).check()
    expect(page.locator("#message")).to_contain_text("temporarily unavailable")
    expect(page.locator("#message").get_by_role("button", name="Try again")).to_be_visible()

    page.unroute(re.compile(r"/api/v1/partners\?"))
    page.goto(live_server.url + "/?near=Aarhus&radius_km=-5")
    expect(page.locator("#message")).to_contain_text("Some search settings were not understood")
    expect(page.locator("#message")).to_contain_text("radius_km")
    page.goto(live_server.url + "/?country=Denmark")  # a bad preset from an embedding page
    expect(page.locator("#message")).to_contain_text("country")
    page.get_by_role("checkbox", name=re.compile(r"^DENMARK")).uncheck()
    wait_idle(page)
    expect(page.locator("#message")).to_be_hidden()
    assert site_ids(page)


# ---------------------------------------------------------------- one card, server and browser

# Every element of a card as [tag, {attributes}, children...], text with whitespace normalised.
CARD_TREE = """items => items.map(function tree(node) {
    if (node.nodeType === Node.TEXT_NODE) return node.data.replace(/\\s+/g, " ");
    const attrs = Object.fromEntries(Array.from(node.attributes, a => [a.name, a.name === "class" ? a.value.split(/\\s+/).sort().join(" ") : a.value]));
    return [node.tagName.toLowerCase(), attrs, ...Array.from(node.childNodes, tree)];
})"""


def cards(page) -> list:
    return page.eval_on_selector_all("#results > li", CARD_TREE)


def partner_searches(page) -> list[str]:
    """Every search request the page makes from now on (not markers or details)."""
    requests = []
    page.on("request", lambda request: requests.append(request.url) if re.search(r"/api/v1/partners(\?|$)", request.url) else None)
    return requests


def test_the_server_and_the_browser_render_the_same_cards(browser, page, live_server, api, expect):
    url = f"{live_server.url}/?near=Aarhus&radius_km=250"
    expected = api("/api/v1/partners", near="Aarhus", radius_km=250)
    assert len(expected["results"]) == 20 and any(site["site_name"] for site in expected["results"])

    without_js = browser.new_context(java_script_enabled=False, locale="en")  # the cards exactly as the server sent them
    server_page = without_js.new_page()
    server_page.goto(url)
    from_server = cards(server_page)
    for needs_script in (server_page.locator("#near-me"), server_page.locator("#results .details-button").first):
        expect(needs_script).to_be_attached()  # there, keeping its place, but not offered: without the
        expect(needs_script).to_be_hidden()    # script a click would do nothing
    without_js.close()
    assert [card[1]["data-site-id"] for card in from_server] == [site["site_id"] for site in expected["results"]]

    searches = partner_searches(page)
    page.goto(url)
    wait_idle(page)
    assert searches == [], "the page starts from the server's answer, it does not search again"
    assert cards(page) == from_server  # the server's cards kept (drawing them again would paint them late)
    expect(page.get_by_role("button", name="Near me")).to_be_visible()

    page.get_by_role("checkbox", name=re.compile(r"^Premier")).check()
    wait_idle(page)
    page.go_back()  # the script asks the API for the same search again and draws it
    expect(page).not_to_have_url(re.compile(r"tier="))
    wait_idle(page)
    assert len(searches) == 2
    assert cards(page) == from_server
    expect(page.locator("#results .company").first).to_have_text(expected["results"][0]["company"])


@pytest.mark.parametrize("lang", ["en", "en-US", "de", "de-CH", "fr", "es", "ja"])
def test_the_browser_formats_numbers_and_names_as_the_server_does_and_as_intl_does(page, live_server, lang):
    from locator.api import display
    from locator.api.i18n import ui_for

    ui = ui_for(lang)
    page.goto(f"{live_server.url}/?lang={lang}")
    wait_idle(page)
    kms = [0, 0.04, 0.05, 4.2, 4.25, 4.35, 9.949, 9.95, 9.96, 10, 12.5, 99.5, 1234.4, 12345.6, 20015.087]
    numbers = [0, 37.5, 1.23456, 1.0005, 1234, 12345, 1234567, 20000]
    got = page.evaluate("""async ([kms, numbers]) => {
        const format = await import("./static/js/format.js");
        const locale = document.documentElement.lang;
        const intl = n => new Intl.NumberFormat(locale, {maximumFractionDigits: 3}).format(n);
        return [kms.map(format.formatDistance), numbers.map(n => format.formatNumber(n)), numbers.map(intl),
                ["DK", "DE", "US", "XX"].map(format.countryName), ["da", "en", "nb", "xx"].map(format.languageName)];
    }""", [kms, numbers])
    server = [display.format_number(n, ui=ui) for n in numbers]
    assert got == [[display.format_distance(km, ui) for km in kms], server, server,
                   [display.country_name(code, ui) for code in ("DK", "DE", "US", "XX")],
                   [display.language_name(code, ui) for code in ("da", "en", "nb", "xx")]]


# ---------------------------------------------------------------- embedding and docs


def test_the_embed_snippet_shows_the_search_with_its_presets_from_another_origin(page, live_server, embedder_server, api, expect):
    assert urlsplit(embedder_server.url).port != urlsplit(live_server.url).port
    page.goto(embedder_server.url + "/")
    frame_element = page.locator("iframe.partner-locator-frame")
    embedder = quote(embedder_server.url, safe="")  # the embedding page's origin, for the analytics' source (beacons.js)
    expect(frame_element).to_have_attribute("src", re.compile(
        rf"^{re.escape(live_server.url)}/\?embed=1&country=DK&tier=premier&embed_origin={re.escape(embedder)}$"))
    sandbox = frame_element.get_attribute("sandbox").split()
    assert "allow-scripts" in sandbox and "allow-same-origin" in sandbox and "allow-top-navigation" not in sandbox
    frame = page.frame_locator("iframe.partner-locator-frame")
    expected = api("/api/v1/partners", country="DK", tier="premier")
    expect(frame.locator("#status")).to_contain_text(re.compile(rf"\b{expected['total']} partner sites?\b"))
    expect(frame.get_by_role("checkbox", name=re.compile(r"^Denmark"))).to_be_checked()
    expect(frame.get_by_role("checkbox", name=re.compile(r"^Premier"))).to_be_checked()
    addresses = frame.locator("#results .address").all_inner_texts()
    assert addresses and all(text.endswith("Denmark") for text in addresses)
    # The frame reports its height: the embedding page grows it to fit, no inner scrollbar.
    page.wait_for_function("""() => {
        const frame = document.querySelector('iframe.partner-locator-frame');
        return frame && frame.style.height !== '720px' && parseInt(frame.style.height, 10) > 900;
    }""")
    height = int(frame_element.evaluate("frame => parseInt(frame.style.height, 10)"))
    inner = frame.locator("body").evaluate("body => body.scrollHeight")
    assert abs(height - inner) <= 2


def test_the_docs_page_describes_the_api_offline(page, live_server, expect, page_log):
    page.goto(live_server.url + "/api/v1/docs")
    section = page.locator('section.endpoint[data-path="/api/v1/partners"]')
    expect(section).to_be_visible()
    expect(section.get_by_role("heading", level=2)).to_have_text("GET /api/v1/partners")
    tier = section.locator('tr[data-param="tier"]')
    expect(tier).to_contain_text("advanced")
    expect(tier).to_contain_text("premier")
    expect(section.locator('tr[data-param="radius_km"]')).to_contain_text("default 100")
    expect(section.locator(".responses")).to_contain_text("nearest_fallback")
    for path in ("/api/v1/partners/markers", "/api/v1/partners/{site_id}", "/api/v1/suggest"):
        expect(page.locator(f'section.endpoint[data-path="{path}"]')).to_be_visible()
    expect(page.get_by_role("navigation", name="API contents")).to_contain_text("/api/v1/partners")
    assert page_log.external == []
