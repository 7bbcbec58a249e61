"""axe-core (from npm, kept in tests/browser/vendor/, never served to visitors) on every kind of page,
in English and in German: no serious or critical violation."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import embedding_page
from tests.browser.test_search_page import wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.integration]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"  # Makefile AXE_VERSION
BLOCKING = ("serious", "critical")
RUN_AXE = """async ([options, blocking]) => (await axe.run(document, options)).violations
    .filter(violation => blocking.includes(violation.impact))
    .map(violation => ({rule: violation.id, impact: violation.impact, help: violation.help,
                        where: violation.nodes.slice(0, 5).map(node => node.target.join(" ") + ": " + node.failureSummary)}))"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    assert AXE.is_file(), f"{AXE} is missing: `make vendor` restores it from the npm registry"
    return AXE.read_text(encoding="utf-8")


def serious_violations(target, axe_source: str, **options) -> list[dict]:
    """axe's serious and critical findings in a page or a frame (injected by the test, not the page:
    evaluate() is not subject to the page's Content-Security-Policy)."""
    target.evaluate(axe_source)
    return target.evaluate(RUN_AXE, [options, list(BLOCKING)])


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_search_page_with_results(page, live_server, axe_source, lang):
    page.goto(f"{live_server.url}/?text=Aarhus&lang={lang}")
    wait_idle(page)
    page.locator("#map path.site-marker").first.wait_for()
    page.locator("#filters fieldset").first.wait_for()
    assert serious_violations(page, axe_source) == []


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_detail_dialog(page, live_server, axe_source, lang):
    page.goto(f"{live_server.url}/?text=Aarhus&lang={lang}")
    wait_idle(page)
    page.locator("#results .details-button").first.click()
    page.locator("#detail .facts").wait_for()
    assert serious_violations(page, axe_source) == []


@pytest.mark.parametrize("lang", ["en", "de"])
def test_a_site_page(page, live_server, api, axe_source, lang):
    site = next(s for s in api("/api/v1/partners", country="DK", per_page=50)["results"] if s["description"])
    page.goto(f"{live_server.url}{urlsplit(site['page_url']).path}?lang={lang}")
    page.locator("#site-map path.site-marker").wait_for()
    assert serious_violations(page, axe_source) == []


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_not_found_page(page, live_server, axe_source, lang):
    page.goto(f"{live_server.url}/sites/S9999999/nobody?lang={lang}")
    assert serious_violations(page, axe_source) == []


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_embed(page, live_server, host_page, axe_source, lang):
    page.goto(host_page(embedding_page(live_server.url, f'data-country="DK" data-ui-lang="{lang}"')))
    page.frame_locator("iframe.partner-locator-frame").locator("#results > li").first.wait_for()
    frame = next(frame for frame in page.frames if "embed=1" in frame.url)
    wait_idle(frame)
    assert serious_violations(frame, axe_source) == []
    # The host page's side of it: the frame has an accessible name (embed.js), whatever the host.
    assert serious_violations(page, axe_source, iframes=False) == []


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_docs_page(page, live_server, axe_source, lang):
    page.goto(f"{live_server.url}/api/v1/docs?lang={lang}")
    page.locator('section.endpoint[data-path="/api/v1/partners"]').wait_for()
    assert serious_violations(page, axe_source) == []


def test_the_checker_finds_what_it_should(page, live_server, axe_source):
    """A page made worse on purpose fails: the check can fail."""
    page.goto(f"{live_server.url}/?text=Aarhus")
    wait_idle(page)
    page.evaluate("""() => { document.querySelector("#search-input").removeAttribute("aria-describedby");
                             document.querySelector("label[for=search-input]").remove();
                             document.querySelector("#search-input").removeAttribute("placeholder");
                             document.documentElement.removeAttribute("lang"); }""")
    assert {violation["rule"] for violation in serious_violations(page, axe_source)} >= {"label", "html-has-lang"}
