"""A partner opens its preview link in Chromium: its card is the one customers see, and the link
next to it opens the live search centred on that site."""
from __future__ import annotations

import pytest

from locator.api import create_app
from locator.core import preview_tokens
from locator.core.es import connect
from locator.api import display, i18n
from locator.core.languages import UI_LANGUAGES
from tests.browser.conftest import serve
from tests.browser.test_languages import not_from_a_catalog, write_marked_catalogs
from tests.browser.test_search_page import CARD_TREE, wait_idle
from tests.previews import SECRET

pytestmark = [pytest.mark.browser, pytest.mark.integration]
SCREENSHOT = "/tmp/partner-locator-preview.png"


@pytest.fixture(scope="module")
def preview_server(listed_sample, gazetteer):
    settings = listed_sample.settings.replace("preview", secret=SECRET)
    app = create_app(settings, es=connect(settings, "reader"), gazetteer=gazetteer, preview_es=connect(settings, "preview"))
    server = serve(app)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def site(listed_sample, api_app) -> dict:
    """A listed site with a name and contact details that a search by its company finds on page one."""
    client = api_app.test_client()
    for document in sorted(listed_sample.documents.values(), key=lambda doc: doc["site_id"]):
        if not (document.get("site_name") and document.get("contact")):
            continue
        found = client.get("/api/v1/partners", query_string={"q": document["company"], "country": document["country"],
                                                             "per_page": 50}).get_json()["results"]
        if document["site_id"] in {result["site_id"] for result in found}:
            return document
    raise AssertionError("no listed site is found by its company's name")


def test_the_preview_card_is_the_public_card_and_links_to_the_live_search(browser, page, preview_server, site, expect):
    token = preview_tokens.issue(SECRET, site["partner_id"], site["country"], 1)
    selector = f'li.result[data-site-id="{site["site_id"]}"]'

    partner = browser.new_context(java_script_enabled=False)  # the preview needs no script
    preview = partner.new_page()
    preview.goto(f"{preview_server.url}/preview?token={token}")
    from_preview = preview.eval_on_selector_all(selector, CARD_TREE)
    sections = preview.eval_on_selector_all("section[data-country]", "items => items.map(s => s.dataset.country)")
    preview.screenshot(path=SCREENSHOT, full_page=True)
    partner.close()

    page.goto(f"{preview_server.url}/?q={site['company']}&country={site['country']}&per_page=50")
    wait_idle(page)
    public = page.eval_on_selector_all(f"#results > {selector}", CARD_TREE)
    assert len(public) == 1 and from_preview == public  # same elements, attributes and text
    assert sections == [site["country"]]
    assert site["company"] in str(public) and site["site_name"] in str(public)

    page.goto(f"{preview_server.url}/preview?token={token}")
    page.locator(".preview-card", has=page.locator(selector)).get_by_role("link", name="See this site in the live search").click()
    wait_idle(page)
    expect(page).to_have_url(f"{preview_server.url}/?lat={site['location']['lat']}&lon={site['location']['lon']}"
                             f"&site={site['site_id']}")
    assert page.eval_on_selector("#results > li", "item => item.dataset.siteId") == site["site_id"]
    expect(page.locator("#detail")).to_have_attribute("open", "")


@pytest.fixture(scope="module")
def marked_preview_server(listed_sample, gazetteer, tmp_path_factory):
    """The preview with every catalog's translations wrapped in ⟦ ⟧."""
    settings = listed_sample.settings.replace("preview", secret=SECRET)
    app = create_app(settings, es=connect(settings, "reader"), gazetteer=gazetteer, preview_es=connect(settings, "preview"))
    i18n.init_app(app, write_marked_catalogs(tmp_path_factory.mktemp("marked-preview-catalogs")))
    server = serve(app)
    yield server
    server.stop()
    display.catalog.cache_clear()


@pytest.mark.parametrize("lang", UI_LANGUAGES)
def test_the_preview_is_in_the_partners_language_every_word_from_a_catalog(browser, marked_preview_server, site, lang):
    partner = browser.new_context(java_script_enabled=False)
    page = partner.new_page()
    page.goto(f"{marked_preview_server.url}/preview?lang={lang}&token="
              + preview_tokens.issue(SECRET, site["partner_id"], None, 1))
    assert page.locator("html").get_attribute("lang").startswith(lang)
    assert page.locator(".checklist li").count() > 0  # the checklist's words are in the test too
    unmarked = not_from_a_catalog(page)
    page.goto(f"{marked_preview_server.url}/preview?lang={lang}&token=tampered")
    unmarked += not_from_a_catalog(page)
    partner.close()
    assert unmarked == []
