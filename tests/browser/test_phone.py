"""The pages as a phone gets them (issue 17; the figures are benchmarks/lighthouse.py's): an icon and
no failing request, every module the search page needs announced up front, and nothing that moves
once it is painted."""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

from tests.browser.conftest import LOCAL_HOSTS, REPORT_CSP_VIOLATIONS
from tests.browser.test_search_page import wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.integration]

# Lighthouse's mobile device (a Moto G Power): what a phone's browser lays the page out for.
PHONE = {"viewport": {"width": 412, "height": 823}, "device_scale_factor": 1.75, "is_mobile": True, "has_touch": True}
STATIC_IMPORT = re.compile(r"""^\s*import\s+(?:[^;"']*?\bfrom\s*)?["'](\./[\w./-]+\.js)["']""", re.MULTILINE)
# Every layout shift of the page so far that no input caused (CLS counts these), with what moved.
SHIFTS = """() => new Promise(resolve => {
    const shifts = [];
    new PerformanceObserver(list => list.getEntries().filter(e => !e.hadRecentInput).forEach(e => shifts.push({
        value: e.value, moved: e.sources.map(s => s.node ? (s.node.id ? "#" + s.node.id
            : s.node.nodeName + "." + String(s.node.className || "")) : "?")}))).observe({type: "layout-shift", buffered: true});
    setTimeout(() => resolve(shifts), 500);  // the buffered entries come at once; none may come
})"""


@pytest.fixture
def phone(browser, page_log):
    """A page in a phone-sized context, only the local servers reachable (as conftest's `page`)."""
    context = browser.new_context(**PHONE, locale="en", timezone_id="UTC")
    context.set_default_timeout(8000)
    context.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).hostname in LOCAL_HOSTS
                  else route.abort())
    context.expose_binding("__reportCspViolation", lambda source, violation: page_log.csp.append(violation))
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    page.on("pageerror", lambda error: page_log.errors.append(str(error)))
    yield page
    context.close()
    assert page_log.errors == [], f"uncaught errors in the page: {page_log.errors}"
    assert page_log.csp == [], f"Content-Security-Policy violations: {page_log.csp}"


def site_page(api, live_server) -> str:
    return live_server.url + urlsplit(api("/api/v1/partners", text="Aarhus")["results"][0]["page_url"]).path


def test_every_page_has_an_icon_and_no_request_of_it_fails(phone, live_server, api):
    """A browser asks for /favicon.ico unless the page names its icon: a 404 in every console."""
    failed = []
    phone.on("response", lambda response: failed.append(f"{response.status} {response.url}")
             if response.status >= 400 and urlsplit(response.url).hostname in LOCAL_HOSTS else None)
    for url in (live_server.url + "/", live_server.url + "/?text=Aarhus", site_page(api, live_server),
                live_server.url + "/api/v1/docs"):
        phone.goto(url)
        phone.wait_for_load_state("networkidle")
        icon = phone.locator('link[rel="icon"]')
        assert icon.count() == 1, url
        answer = phone.request.get(urljoin(url, icon.get_attribute("href")))
        assert answer.status == 200 and answer.headers["content-type"].startswith("image/svg+xml"), url
    assert failed == []


@pytest.mark.parametrize("page", ["search", "site"])
def test_a_page_announces_every_module_it_imports(phone, live_server, api, page):
    """<link rel="modulepreload"> for each module the page's script imports, directly or not: all are
    fetched at once, not one level of imports after another. The list is the server's reading of
    the files, so it follows the scripts as they change; none is announced in vain."""
    loaded = {}

    def keep(response):
        path = urlsplit(response.url).path
        if path.startswith("/static/js/") and path.endswith(".js"):
            loaded[path] = response.text()

    phone.on("response", keep)
    phone.goto(live_server.url + "/?text=Aarhus" if page == "search" else site_page(api, live_server))
    if page == "search":
        wait_idle(phone)
    phone.wait_for_load_state("networkidle")
    preloaded = {urlsplit(href).path for href in phone.eval_on_selector_all(
        'link[rel="modulepreload"]', "links => links.map(link => link.href)")}
    imported = {urlsplit(urljoin(live_server.url + path, spec)).path
                for path, text in loaded.items() for spec in STATIC_IMPORT.findall(text)}
    assert preloaded, "no modulepreload"
    assert preloaded <= set(loaded), f"announced, never used: {preloaded - set(loaded)}"
    assert imported <= preloaded, f"imported, not announced: {imported - preloaded}"


@pytest.mark.parametrize("path", ["/", "/?text=Aarhus", "/?text=Copenhagen", "/?near=Aarhus"])
def test_on_a_phone_nothing_moves_once_painted(phone, live_server, path):
    """The parts the script fills in or changes (the filters panel it closes on a phone, the chip
    saying how the search was read, the map) have their place from the first paint. On a slow
    network the page is painted before its script arrives: the script is held back here until the
    page has painted, as there. Lighthouse's limit for a good page is 0.1 of cumulative layout shift;
    nothing at all is the aim (before the chip came from the server and the filters and the status
    line kept their place: 0.086 for a results URL, 0.026 for the search page)."""
    held = []
    phone.route("**/static/js/main.js", lambda route: held.append(route))  # answered once the page has painted
    phone.goto(live_server.url + path, wait_until="commit")
    phone.wait_for_function("() => performance.getEntriesByName('first-contentful-paint').length > 0")
    assert len(held) == 1
    held[0].continue_()
    wait_idle(phone)
    phone.wait_for_load_state("networkidle")
    shifts = phone.evaluate(SHIFTS)
    total = sum(shift["value"] for shift in shifts)
    assert total < 0.005, f"layout shift {total:.3f}: {shifts}"


# Each group's marker as a circle: (centre x, centre y, width, height).
MARKER_BOXES = """els => els.map(e => { const r = e.getBoundingClientRect();
                                    return [r.x + r.width / 2, r.y + r.height / 2, r.width, r.height]; })"""


def test_on_a_phone_every_group_on_the_map_is_a_touch_target_of_its_own(phone, live_server):
    """The world view shows groups of sites (the server's grid cells); two groups never overlap, so
    each can be tapped (WCAG 2.2: 24 px targets with room around them; Lighthouse's target-size)."""
    phone.goto(live_server.url + "/")
    wait_idle(phone)
    phone.locator("#map .cluster-marker").first.wait_for()
    phone.wait_for_function("() => document.getElementById('map').getAttribute('aria-busy') === 'false'")
    boxes = phone.eval_on_selector_all("#map .cluster-marker", MARKER_BOXES)
    assert len(boxes) > 1
    assert all(width >= 24 and height >= 24 for _, _, width, height in boxes)
    for i, (x1, y1, w1, _) in enumerate(boxes):
        for x2, y2, w2, _ in boxes[i + 1:]:
            assert ((x1 - x2) ** 2 + (y1 - y2) ** 2) ** 0.5 >= (w1 + w2) / 2, "two groups overlap"
    total = int(phone.eval_on_selector("#map", "map => map.dataset.markerTotal"))
    counted = sum(int(text.replace(",", "").replace("k", "000") or 0) for text in
                  phone.eval_on_selector_all("#map .cluster-marker", "els => els.map(e => e.textContent.trim())"))
    points = phone.locator("#map .site-marker").count()
    assert counted + points == total  # merging groups loses no site


# Before any script of the page: every result card removed from the list, by its site id.
WATCH_REMOVED_CARDS = """window.__removedCards = [];
new MutationObserver(records => records.forEach(record => record.removedNodes.forEach(node => {
    if (node.classList && node.classList.contains("result")) window.__removedCards.push(node.dataset.siteId);
}))).observe(document, { childList: true, subtree: true });"""


def test_the_first_results_are_painted_once_with_the_page(phone, live_server):
    """The server sends the first results in the page; the script keeps those cards instead of drawing
    them again: a second paint of the list, once the scripts have come over a slow network, is what
    Lighthouse's largest contentful paint would wait for."""
    phone.add_init_script(WATCH_REMOVED_CARDS)
    phone.goto(live_server.url + "/?near=Aarhus&radius_km=250")
    wait_idle(phone)
    assert phone.locator("#results .result").count() == 20
    assert phone.evaluate("window.__removedCards") == []
    phone.get_by_role("button", name=re.compile("^Page 2")).click()
    wait_idle(phone)
    assert phone.evaluate("window.__removedCards.length") > 0  # a new answer is drawn as before


@pytest.mark.parametrize("query", ["text=Copenhagen", "text=Denmark", "text=Aarhus+security", "text=Aarhuss",
                                   "text=zzqxv+nothing", "near=Aarhus", "lat=56.15&lon=10.2", "text=Paris",
                                   "text=Denmark+security&lang=de", "text=Aarhuss&lang=ja", "lat=56.15&lon=10.2&lang=fr",
                                   "text=Copenhagen&lang=es"])
def test_the_server_draws_the_chip_as_the_script_does(browser, phone, live_server, query):
    """How the search was read comes with the page (locator/api/chip.py), as the script then draws it:
    otherwise the chip, a line or three on a phone, would push the list down once the script came."""
    url = f"{live_server.url}/?{query}"
    chip = "() => { const c = document.getElementById('origin-chip'); return [c.hidden, c.innerHTML]; }"
    without_js = browser.new_context(java_script_enabled=False, locale="en", **PHONE)
    server_page = without_js.new_page()
    server_page.goto(url)
    from_server = server_page.evaluate(chip)
    without_js.close()
    phone.goto(url)
    wait_idle(phone)
    assert phone.evaluate(chip) == from_server
    assert from_server[0] is False  # every one of these searches has a chip
