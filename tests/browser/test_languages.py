"""The page in five languages, the visitor's text read on the server, miles where they are used.

The last test renders every page in every language from "marked" catalogs (every translation
wrapped in ⟦ ⟧) and fails on any visible text that did not come from a catalog.
"""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from locator.api import i18n
from locator.core.languages import UI_LANGUAGES
from tests.browser.conftest import serve
from tests.browser.test_search_page import cards, partner_searches, query, search_box, site_ids, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.integration]

TITLES = {"en": "Find a Milestone partner", "de": "Milestone-Partner finden", "fr": "Trouver un partenaire Milestone",
          "es": "Encontrar un socio de Milestone", "ja": "Milestone パートナーを探す"}
BADGES = {"en": "Premier partner", "de": "Premier-Partner", "fr": "Partenaire Premier", "es": "Socio Premier", "ja": "Premierパートナー"}


def catalog_of(page) -> dict:
    return json.loads(page.locator("#locator-catalog").text_content())


# ---------------------------------------------------------------- the chip: how the text was read


def type_and_search(page, url: str, text: str) -> list[str]:
    """Types text in the box of a fresh page and presses Enter; the search requests the page made."""
    page.goto(url)
    wait_idle(page)
    searches = partner_searches(page)
    search_box(page).fill(text)
    search_box(page).press("Enter")
    page.wait_for_url(re.compile(r"[?&]text="))
    wait_idle(page)
    return searches


def test_a_country_name_shows_the_country_and_offers_the_town_of_that_name(page, live_server, api, expect):
    searches = type_and_search(page, live_server.url + "/", "Denmark")
    assert len(searches) == 1 and query(page) == {"text": ["Denmark"]}
    expected = api("/api/v1/partners", country="DK")
    assert site_ids(page) == [site["site_id"] for site in expected["results"]]
    chip = page.locator("#origin-chip")
    expect(chip).to_contain_text("Showing Denmark, the country.")
    town = chip.locator(".origin-alternatives").get_by_role("button", name="Denmark, South Carolina, US")
    expect(town).to_be_visible()
    town.click()  # the visitor meant the town: the search goes there, by its id
    expect(page).to_have_url(re.compile(r"[?&]place=\d+"))
    wait_idle(page)
    assert "text" not in query(page)
    expect(page.locator("#origin-chip")).to_contain_text("Near Denmark, South Carolina, US")


def test_a_place_and_words_search_the_words_around_the_place(page, live_server, api, expect):
    searches = type_and_search(page, live_server.url + "/", "Aarhus retail")
    expected = api("/api/v1/partners", near="Aarhus", q="retail")
    assert expected["results"], "the sample should have retail partners near Aarhus"
    assert site_ids(page) == [site["site_id"] for site in expected["results"]]
    assert len(searches) == 1 and query(page) == {"text": ["Aarhus retail"]}
    expect(page.locator("#origin-chip")).to_contain_text(f"Showing partners near {expected['origin']['label']} matching \u201cretail\u201d.")
    expect(page.locator("#status")).to_contain_text(f"matching \u201cretail\u201d within 100 km of {expected['origin']['label']}")
    page.locator("#clear-origin").click()  # the chip's x forgets the text
    wait_idle(page)
    assert "text" not in query(page)


def test_suggestions_offer_countries_in_the_pages_language(page, live_server, expect):
    page.goto(live_server.url + "/?lang=de")
    wait_idle(page)
    search_box = page.locator("#search-input")
    search_box.press_sequentially("Dän", delay=30)
    country = page.locator("#suggestions").get_by_role("option", name=re.compile("^Dänemark"))
    expect(country).to_be_visible()
    expect(page.locator("#suggestions")).to_contain_text("Länder")
    country.click()
    expect(page).to_have_url(re.compile(r"[?&]text=D%C3%A4nemark(&|$)"))
    wait_idle(page)
    expect(page.locator("#origin-chip")).to_contain_text("Angezeigt: Dänemark, das Land.")


# ---------------------------------------------------------------- each language


@pytest.mark.parametrize("lang", UI_LANGUAGES)
def test_each_language_renders_the_page_and_the_same_cards_on_server_and_browser(browser, page, live_server, api, lang, expect):
    url = f"{live_server.url}/?lang={lang}&text=Denmark&tier=premier"
    without_js = browser.new_context(java_script_enabled=False, locale="en")
    server_page = without_js.new_page()
    server_page.goto(url)
    from_server = cards(server_page)
    assert server_page.locator("html").get_attribute("lang") == lang
    without_js.close()

    page.goto(url)
    wait_idle(page)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("h1")).to_have_text(TITLES[lang])
    assert from_server and cards(page) == from_server  # the server's cards, in that language, kept as they are
    badges = page.locator("#results .badge").all_inner_texts()
    assert badges and {badge.lower() for badge in badges} == {BADGES[lang].lower()}
    names = catalog_of(page)
    expect(page.locator("#origin-chip")).to_contain_text(names["countries"]["DK"])
    denmark = page.locator("#f-country-DK")
    expect(page.locator('label[for="f-country-DK"] .facet-label')).to_have_text(names["countries"]["DK"])
    denmark.check()
    wait_idle(page)  # the script redraws the cards itself, in the same language
    assert [card[1]["data-site-id"] for card in cards(page)] == [card[1]["data-site-id"] for card in from_server]
    assert cards(page) == from_server
    expect(page).to_have_url(re.compile(rf"[?&]lang={lang}(&|$)"))  # the language stays in the URL


def test_the_browsers_language_is_the_default_and_lang_wins(browser, live_server, expect):
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    page.goto(live_server.url + "/")
    expect(page.locator("h1")).to_have_text(TITLES["de"])
    expect(page.locator("html")).to_have_attribute("lang", "de-DE")
    page.locator("#ui-language").select_option("fr")  # the switch reloads the page in that language
    expect(page).to_have_url(re.compile(r"[?&]lang=fr(&|$)"))
    expect(page.locator("h1")).to_have_text(TITLES["fr"])
    page.goto(live_server.url + "/api/v1/docs")
    expect(page.locator("h1")).to_have_text("Partner-Locator-API")
    expect(page.locator('section.endpoint[data-path="/api/v1/partners"] h3').first).to_have_text("Parameter")
    context.close()


def test_the_embed_takes_its_language_from_data_ui_lang_and_keeps_data_language_as_a_filter(page, live_server, expect):
    from werkzeug.wrappers import Request, Response

    @Request.application
    def embedder(request):
        return Response(f"""<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Partenaires</title></head><body>
<div data-partner-locator data-ui-lang="fr" data-language="da" data-text="Danemark"></div>
<script src="{live_server.url}/static/embed.js" async></script></body></html>""", mimetype="text/html")

    server = serve(embedder)
    try:
        page.goto(server.url + "/")
        frame_element = page.locator("iframe.partner-locator-frame")
        src = frame_element.get_attribute("src")
        assert parse_qs(urlsplit(src).query) == {"embed": ["1"], "language": ["da"], "text": ["Danemark"], "lang": ["fr"],
                                                 "embed_origin": [server.url]}  # the host page's origin, for analytics
        frame = page.frame_locator("iframe.partner-locator-frame")
        expect(frame.locator("h1")).to_have_text(TITLES["fr"])
        expect(frame.locator("#origin-chip")).to_contain_text("Danemark, le pays")
        expect(frame.get_by_role("checkbox", name=re.compile(r"^danois"))).to_be_checked()
        expect(frame_element).to_have_attribute("title", "Trouver un partenaire Milestone – Partner Locator")
    finally:
        server.stop()


# ---------------------------------------------------------------- miles


def test_miles_for_an_american_visitor_with_a_switch_to_kilometres_kept_in_the_url(page, live_server, api, expect):
    page.goto(live_server.url + "/?lang=en-US&text=Aarhus")
    wait_idle(page)
    expect(page.get_by_label("Units")).to_have_value("mi")
    expect(page.get_by_label("Within")).to_have_value("80.467")  # 50 mi
    options = page.locator("#radius option").all_inner_texts()
    assert options[:4] == ["5 mi", "10 mi", "25 mi", "50 mi"] and options[-1] == "any distance"
    expected = api("/api/v1/partners", near="Aarhus", radius_km="80.467")
    assert site_ids(page) == [site["site_id"] for site in expected["results"]]
    texts = page.locator("#results .distance").all_inner_texts()
    assert texts and all(re.fullmatch(r"[\d,.]+ mi away", text) for text in texts)
    expect(page.locator("#status")).to_contain_text(f"within 50 mi of {expected['origin']['label']}")

    page.get_by_label("Within").select_option(label="25 mi")
    expect(page).to_have_url(re.compile(r"radius_km=40.234"))
    wait_idle(page)
    page.get_by_label("Units").select_option("km")  # the same search, written in kilometres
    expect(page).to_have_url(re.compile(r"[?&]unit=km(&|$)"))
    wait_idle(page)
    expect(page.get_by_label("Within")).to_have_value("40.234")
    texts = page.locator("#results .distance").all_inner_texts()
    assert texts and all(re.fullmatch(r"[\d,.]+ km away", text) for text in texts)
    assert site_ids(page) == [s["site_id"] for s in api("/api/v1/partners", near="Aarhus", radius_km="40.234")["results"]]
    page.reload()  # the unit is in the URL: the server renders kilometres too
    wait_idle(page)
    expect(page.get_by_label("Units")).to_have_value("km")
    assert all(text.endswith(" km away") for text in page.locator("#results .distance").all_inner_texts())


# ---------------------------------------------------------------- every visible text from a catalog

MARK = re.compile(r"⟦[^⟦⟧]*⟧")
LETTER = re.compile(r"[^\W\d_]")
PART_OF_A_MARK = re.compile(r"⟦[^⟧]*$|^[^⟦]*⟧")
VISIBLE_TEXTS = """() => {
    const skip = new Set(["SCRIPT", "STYLE", "TEMPLATE", "NOSCRIPT", "CODE", "PRE"]);
    const data = el => { for (let e = el; e; e = e.parentElement) if (skip.has(e.tagName) || e.getAttribute("translate") === "no") return true; return false; };
    const out = [];
    document.querySelectorAll("*").forEach(el => {
        if (data(el)) return;
        el.childNodes.forEach(n => { if (n.nodeType === Node.TEXT_NODE && n.data.trim()) out.push([el.tagName, n.data]); });
        ["placeholder", "title", "aria-label", "alt"].forEach(a => { if ((el.getAttribute(a) || "").trim()) out.push([el.tagName + "@" + a, el.getAttribute(a)]); });
        if (el.tagName === "META" && el.getAttribute("name") === "description") out.push(["META", el.getAttribute("content")]);
    });
    return out;
}"""


@pytest.fixture(scope="module")
def marked_server(listed_sample, gazetteer, tmp_path_factory):
    """The app with every catalog's translations wrapped in ⟦ ⟧ (English included)."""
    from locator.api import create_app, display
    from locator.core.es import connect

    app = create_app(listed_sample.settings, es=connect(listed_sample.settings, "reader"), gazetteer=gazetteer)
    i18n.init_app(app, write_marked_catalogs(tmp_path_factory.mktemp("marked-catalogs")))
    server = serve(app)
    yield server
    server.stop()
    display.catalog.cache_clear()


def write_marked_catalogs(directory):
    """Every language's catalog with each translation wrapped in ⟦ ⟧, compiled into ``directory``."""
    with open(i18n.translations_dir() / "messages.pot", "rb") as handle:
        template = read_po(handle)
    for language in UI_LANGUAGES:
        source = i18n.translations_dir() / language / "LC_MESSAGES" / "messages.po"
        catalog = read_po(open(source, "rb"), locale=language) if source.exists() else template
        for message in catalog:
            if message.id:
                english = message.id if isinstance(message.id, tuple) else (message.id,)
                texts = message.string if isinstance(message.string, tuple) else (message.string,)
                texts = [text or english[min(i, len(english) - 1)] for i, text in enumerate(texts if any(texts) else english)]
                marked = [f"⟦{text}⟧" for text in texts]
                message.string = tuple(marked) if isinstance(message.id, tuple) else marked[0]
        target = directory / language / "LC_MESSAGES"
        target.mkdir(parents=True)
        with open(target / "messages.mo", "wb") as handle:
            write_mo(handle, catalog)
    return directory


def not_from_a_catalog(page) -> list[str]:
    """Visible texts of the page that are neither marked messages nor CLDR names nor data."""
    names = catalog_of(page)
    cldr = sorted({*names["countries"].values(), *names["languages"].values(), *names["ui_languages"].values(),
                   *(unit["name"] for unit in names["units"].values())}, key=len, reverse=True)
    cldr_words = re.compile("|".join(re.escape(name) for name in cldr))
    wrong = []
    for where, text in page.evaluate(VISIBLE_TEXTS):
        rest = text
        while MARK.search(rest):
            rest = MARK.sub(" ", rest)
        rest = PART_OF_A_MARK.sub(" ", rest)  # a message around an element ("⟦Did you mean " <button> "?⟧")
        rest = cldr_words.sub(" ", rest)
        if LETTER.search(rest):
            wrong.append(f"{where}: {text!r}")
    return wrong


@pytest.mark.parametrize("lang", UI_LANGUAGES)
def test_every_visible_text_of_every_page_comes_from_a_catalog(context, marked_server, lang, expect):
    page = context.new_page()
    base = f"{marked_server.url}/?lang={lang}"
    seen = {}

    page.goto(base + "&text=Denmark")
    wait_idle(page)
    page.locator("#results .details-button").first.click()
    expect(page.locator("#detail .facts")).to_be_visible()
    seen["search, chip, facets, detail"] = not_from_a_catalog(page)
    page.keyboard.press("Escape")
    expect(page.locator("#detail")).to_be_hidden()
    # The focus goes back to the card in the dialog's "close" event, a task of its own after the
    # dialog is hidden: typing before it has could see the box lose the focus, and its suggestions.
    expect(page.locator("#results .details-button").first).to_be_focused()
    page.locator("#search-input").fill("")
    page.locator("#search-input").press_sequentially("Sa", delay=30)
    expect(page.locator("#suggestions .suggestion-group").first).to_be_visible(timeout=15_000)  # a busy machine
    seen["suggestions"] = not_from_a_catalog(page)
    for name, url in {"nothing found": "&text=Qxzqxzville", "nearest fallback": "&lat=56.0&lon=4.0&radius_km=10",
                      "unknown place": "&near=Qxzqxzville", "bad setting": "&radius_km=-5&near=Aarhus",
                      "pages": "&country=DK&collapse=partner"}.items():
        page.goto(base + url)
        expect(page.locator("#status")).not_to_be_empty()
        wait_idle(page)
        seen[name] = not_from_a_catalog(page)
    page.goto(base + "&country=DK")
    wait_idle(page)
    page.locator("#map").focus()
    page.keyboard.press("Minus")  # the map moved by the visitor offers to search its area
    page.locator("#search-area").click()
    page.wait_for_url(re.compile(r"[?&]bbox="))
    wait_idle(page)
    seen["search this area"] = not_from_a_catalog(page)
    page.locator("#results a.company").first.click()
    page.wait_for_url(re.compile(r"/sites/"))
    page.locator("#site-map path.site-marker").wait_for()
    seen["site page"] = not_from_a_catalog(page)
    page.goto(f"{marked_server.url}/sites/S9999999/nobody?lang={lang}")
    seen["not found"] = not_from_a_catalog(page)
    page.goto(f"{marked_server.url}/api/v1/docs?lang={lang}")
    expect(page.locator('section.endpoint[data-path="/api/v1/partners"]')).to_be_visible()
    page.locator("details.response").first.evaluate("d => d.open = true")
    seen["docs"] = not_from_a_catalog(page)
    page.close()
    assert {name: texts for name, texts in seen.items() if texts} == {}
