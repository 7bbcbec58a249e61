"""The staff app's coverage page in Chromium, over the test sample (4,000 sites, its own prefix) and a
month of realistic searches: no accessibility violation at all (axe, every impact), no
Content-Security-Policy violation and no page error (the ``page`` fixture fails on either), the map
draws a circle per gap place over the light layers, and the tables say the same; in two languages.

``PARTNER_LOCATOR_DOCS_SCREENSHOT=1`` also writes the page's picture to docs/staff-coverage.png
(otherwise to the test's temporary directory, so that a test run leaves the checkout as it was).
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from indexer.geocode import GazetteerGeocoder
from indexer.pipeline import IndexOptions, run_index
from indexer.program import load_program
from indexer.sample import generate
from indexer.sitelocator import SiteLocator
from tests.analytics_events import realistic_events, store_events
from tests.browser.staff import all_violations, picture, serve_staff, sign_in
from tests.browser.test_accessibility import axe_source  # noqa: F401 - a fixture
from tests.conftest import SAMPLE_AS_OF, SAMPLE_SEED, SAMPLE_SITES

pytestmark = [pytest.mark.browser, pytest.mark.integration]

# The browser keeps the cookie by its own clock: the app runs on today's, the searches are the last 30 days.
FIRST_DAY = datetime.now(timezone.utc).date() - timedelta(days=29)
US = "country=US"  # ~1,000 places of 50,000+ people, a few hundred gaps, many with upgrade candidates


@pytest.fixture(scope="module")
def coverage_server(settings, indexer_es, gazetteer):
    prefix = f"{settings.index_prefix}-cvui{uuid.uuid4().hex[:6]}"
    lines = enumerate(generate(SAMPLE_SITES, SAMPLE_SEED, gazetteer=gazetteer, as_of=SAMPLE_AS_OF), start=1)
    run_index(indexer_es, prefix, lines, load_program(), lambda: SiteLocator(gazetteer, GazetteerGeocoder(gazetteer)),
              IndexOptions(as_of=SAMPLE_AS_OF))
    store_events(indexer_es, realistic_events(prefix, FIRST_DAY, 30, 100, seed=19))
    server = serve_staff(settings, gazetteer, prefix)
    yield server
    server.stop()


def open_coverage(page, server, lang: str, query: str = US) -> None:
    """Sign in with a staff link, then open the coverage page; wait until its map is drawn."""
    sign_in(page, server, lang)
    page.goto(f"{server.url}/coverage?{query}&lang={lang}")
    page.locator("#coverage-map[data-drawn]").wait_for()


def shown(page) -> dict:
    return json.loads(page.locator("#coverage-map-data").text_content())


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_coverage_page_has_no_accessibility_violation(page, coverage_server, axe_source, lang):
    open_coverage(page, coverage_server, lang)
    assert page.locator("html").get_attribute("lang") == lang
    assert all_violations(page, axe_source) == []


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_map_draws_a_circle_per_gap_place_over_the_light_layers(page, coverage_server, lang):
    open_coverage(page, coverage_server, lang)
    data = shown(page)
    assert 100 < len(data["gaps"]) <= 1500 and data["covered"] and data["sites"]
    assert page.locator("#coverage-map").get_attribute("data-drawn") == str(len(data["gaps"]))
    assert page.locator("#coverage-map path.gap-place").count() == len(data["gaps"])
    bands = {band: page.locator(f"#coverage-map path.gap-{band}").count() for band in range(4)}
    assert sum(bands.values()) == len(data["gaps"]) and bands[0] > 0  # coloured by distance
    assert page.locator("#coverage-map canvas").count() == 1  # the light dots: one canvas, no element each
    # The table lists the same gap places (every one: fewer than the page's limit here).
    assert page.locator("#places-table tbody tr").count() == len(data["gaps"])
    assert page.locator("#places-table ul.candidates li").count() > 50


def test_the_tables_scroll_on_a_phone(page, coverage_server):
    page.set_viewport_size({"width": 390, "height": 844})
    open_coverage(page, coverage_server, "en")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # the page itself never scrolls sideways: the tables do, in their boxes
    box = page.locator("#places-table").locator("xpath=..")
    assert box.evaluate("element => element.scrollWidth > element.clientWidth")


def test_the_filters_and_the_csv_link_keep_what_was_asked(page, coverage_server):
    open_coverage(page, coverage_server, "en")
    page.select_option("#tier", "premier")
    page.check("input[name=cert][value=MCDE]")
    page.fill("#radius", "50")
    page.click("form.filters-form button[type=submit]")
    page.wait_for_url("**/coverage?*tier=premier*")
    page.locator("#coverage-map[data-drawn]").wait_for()
    href = page.locator("a[download]").get_attribute("href")
    assert href.startswith("/coverage.csv?") and "tier=premier" in href and "cert=MCDE" in href and "radius=50" in href


def test_a_picture_of_the_coverage_page(page, coverage_server, tmp_path):
    page.set_viewport_size({"width": 1366, "height": 900})
    open_coverage(page, coverage_server, "en")
    page.wait_for_timeout(300)  # the map's fit-to-bounds settles
    width, height = picture(page, "staff-coverage.png", tmp_path)
    assert width == 1366 and height > 1200
