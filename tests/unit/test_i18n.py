"""The five UI languages: choosing one, and catalogs that are complete, compiled and in step with the code."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from locator.api.i18n import negotiate, translations_dir, ui_for
from locator.core.languages import DEFAULT_LANGUAGE, UI_LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [language for language in UI_LANGUAGES if language != DEFAULT_LANGUAGE]  # English is the source
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "t": None, "tn": (1, 2), "tParts": None, "N_": None}
# Entries that read the same as English and are right: names and codes (in every language) and
# words the language shares with English. Anything else identical to English is untranslated.
SAME_EVERYWHERE = {"API", "OK", "Premier", "Advanced", "Partner Locator API", "ISO 3166-1 alpha-2",
                   "Milestone Certified Design Engineer", "Milestone Certified Integration Technician",
                   "Milestone Certified Integration Engineer"}
SAME_IN = {"de": {"Name", "Version", "Website", "Partner", "in %(country)s", "%(company)s in %(city)s"},
           "fr": {"Version", "Suggestions", "Distance", "Description", "Type", "Page %(page)s", "Certification"},
           "es": {"error", "no"}, "ja": set()}


def catalog(language: str):
    with open(translations_dir() / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=language)


def template():
    with open(translations_dir() / "messages.pot", "rb") as handle:
        return read_po(handle)


def ids(messages) -> set:
    return {message.id for message in messages if message.id}


@pytest.mark.parametrize(("requested", "accepted", "chosen"), [
    (None, [], "en"),
    ("de", ["fr-FR", "fr"], "de"),
    ("de-CH", [], "de_CH"),
    ("en-US", [], "en_US"),
    ("en_gb", [], "en_GB"),
    ("xx", ["ja-JP", "en"], "ja_JP"),          # an unknown ?lang= falls back to the browser's languages
    (None, ["da-DK", "sv", "fr-CA", "de"], "fr_CA"),  # the first UI language the browser accepts
    ("en", ["en-US", "en"], "en_US"),           # a bare language takes the browser's region for it
    ("en", ["de-DE"], "en"),
    (None, ["pt-BR", "zh"], "en"),
    ("de-XX", [], "de"),                        # a region CLDR does not know is dropped
])
def test_the_language_is_lang_then_the_browsers_then_english(requested, accepted, chosen):
    assert str(negotiate(requested, accepted)) == chosen


def test_miles_in_the_us_and_the_uk_kilometres_elsewhere_unless_chosen():
    assert [ui_for(tag).unit for tag in ("en-US", "en-GB", "en", "en-IE", "de-DE", "ja-JP")] == ["mi", "mi", "km", "km", "km", "km"]
    assert ui_for("en-US", unit="km").unit == "km" and ui_for("de", unit="mi").unit == "mi"
    assert ui_for("de", unit="furlong").unit == "km"


def test_every_ui_language_has_a_catalog_and_nothing_else_does():
    shipped = {path.parent.parent.name for path in translations_dir().glob("*/LC_MESSAGES/messages.po")}
    assert shipped == set(TRANSLATED)


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_catalog_has_every_message_translated(language):
    po = catalog(language)
    assert ids(po) == ids(template()), "run `make messages`: the catalog is not in step with the template"
    assert not [message.id for message in po if message.id and "fuzzy" in message.flags]
    assert not [(message.id, errors) for message, errors in po.check()]  # the same placeholders, the plural forms
    empty = [message.id for message in po if message.id and not all(message.string if isinstance(message.string, tuple) else [message.string])]
    assert not empty, f"untranslated in {language}: {empty}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_entry_is_left_in_english_but_the_words_that_are_the_same(language):
    allowed = SAME_EVERYWHERE | SAME_IN[language]
    left = []
    for message in catalog(language):
        if not message.id:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        words = re.sub(r"%\([a-z_]+\)s", "", sources[0])
        if any(text in sources for text in texts) and re.search(r"[^\W\d_]", words) and sources[0] not in allowed:
            left.append(sources[0])
    assert not left, f"identical to English in {language}: {left}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalog_is_the_source_catalog(language):
    with open(translations_dir() / language / "LC_MESSAGES" / "messages.mo", "rb") as handle:
        compiled = read_mo(handle)
    def entries(messages) -> dict:
        return {_key(message.id): _key(message.string) for message in messages if message.id}

    assert entries(compiled) == entries(catalog(language)), "run `make messages`"


@pytest.mark.parametrize("language", TRANSLATED)
def test_plural_forms_are_cldrs_and_the_browser_knows_the_rule(language):
    rule = get_plural(Locale.parse(language))
    po = catalog(language)
    assert (po.num_plurals, po.plural_expr) == (rule.num_plurals, rule.plural_expr)
    assert f'"{rule.plural_expr}":' in (ROOT / "static" / "js" / "i18n.js").read_text(encoding="utf-8")


def test_the_template_holds_every_visible_string_of_the_code():
    """Extracting again (babel.cfg, the Makefile's keywords) finds exactly the template's messages:
    no string was added to the code without reaching the catalogs."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = {_key(message) for _, _, message, *_ in extract_from_dir(str(ROOT), method_map, options_map, keywords=KEYWORDS)}
    assert found == ids(template())


def _key(value):
    """A message id or text as the catalogs compare it: a string, or a tuple of plural forms."""
    return tuple(value) if isinstance(value, (list, tuple)) else value
