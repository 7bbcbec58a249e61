"""display: the names, number rules, link checks and card view shared by the server's pages and the browser."""
from __future__ import annotations

import pytest

from locator.api import display
from locator.api.i18n import ui_for

EN, DE, FR, ES, JA, US = (ui_for(tag) for tag in ("en", "de", "fr", "es", "ja", "en-US"))

SITE = {
    "site_id": "S42", "partner_id": "P7", "company": "Nordic Vision A/S", "site_name": "Aarhus office", "tier": "premier",
    "certifications": {"MCDE": 2, "MCIT": 1}, "location": {"lat": 56.15, "lon": 10.2}, "distance_km": 12.0,
    "address": {"street": "Banegårdspladsen 1", "postal_code": "8000", "city": "Aarhus", "region": None, "country": "DK"},
    "contact": {"phone": "+45 12 34 56 78", "email": "aarhus@nordic.example", "website": "https://www.Nordic.example/da"},
    "languages": ["da", "en"], "industries": ["retail", "city surveillance"], "description": None,
    "other_matching_sites": 1,
}


def test_country_and_language_names_come_from_cldr():
    assert display.country_name("DK") == "Denmark"
    assert display.country_name("DE") == "Germany"
    assert display.language_name("da") == "Danish"
    assert display.language_name("nb") == "Norwegian Bokmål"


def test_unknown_codes_are_shown_as_they_are():
    assert display.country_name("DENMARK") == "DENMARK"
    assert display.language_name("xx") == "xx"
    assert display.country_name(None) == "" and display.language_name("") == ""


def test_the_catalog_lists_only_codes_the_api_takes():
    catalog = display.catalog(EN)
    assert set(catalog) == {"locale", "language", "messages", "plural", "countries", "languages", "tiers", "certs", "number",
                            "unit", "default_unit", "units", "any_distance", "ui_languages"}
    assert catalog["locale"] == "en" and catalog["messages"] == {}  # English is the source language
    assert all(len(code) == 2 and code.isupper() for code in catalog["countries"]) and "150" not in catalog["countries"]
    assert all(len(code) == 2 and code.islower() for code in catalog["languages"]) and len(catalog["languages"]) > 100
    assert catalog["tiers"] == {"premier": "Premier", "advanced": "Advanced"}
    assert list(catalog["certs"]) == ["MCDE", "MCIT", "MCIE"]
    assert catalog["certs"]["MCIT"] == "Milestone Certified Integration Technician"
    assert catalog["number"] == {"decimal": ".", "group": ",", "min_grouping": 1}


def test_another_language_has_its_own_names_symbols_and_messages():
    catalog = display.catalog(DE)
    assert (catalog["locale"], catalog["countries"]["DK"], catalog["languages"]["da"]) == ("de", "Dänemark", "Dänisch")
    assert catalog["number"] == {"decimal": ",", "group": ".", "min_grouping": 1}
    assert display.format_distance(1234.4, DE) == "1.234 km" and display.format_distance(4.2, DE) == "4,2 km"
    assert catalog["messages"]["Find a Milestone partner"] == "Milestone-Partner finden"
    assert catalog["messages"]["%(count)s partner site"] == ["%(count)s Partnerstandort", "%(count)s Partnerstandorte"]
    assert catalog["tiers"]["premier"] == "Premier"  # a brand name: the same in every language
    assert display.catalog(JA)["countries"]["DK"] == "デンマーク" and display.catalog(FR)["plural"].startswith("(n == 0 || n == 1)")


@pytest.mark.parametrize(("ui", "value", "text"), [
    (ES, 1234, "1234"), (ES, 12345, "12.345"), (ES, 1234567.5, "1.234.567,5"),  # Spanish groups from five digits
    (FR, 12345.5, "12\u202f345,5"), (JA, 12345.5, "12,345.5"), (ui_for("de-CH"), 12345.5, "12'345.5"),
])
def test_numbers_follow_each_locales_cldr_rules(ui, value, text):
    assert display.format_number(value, ui=ui) == text


def test_miles_where_the_region_uses_them():
    assert (US.unit, ui_for("en-GB").unit, ui_for("en").unit, ui_for("de").unit) == ("mi", "mi", "km", "km")
    assert display.format_distance(16.09344, US) == "10 mi" and display.format_distance(4.2, US) == "2.6 mi"
    assert display.format_distance(16.09344, ui_for("en-US", unit="km")) == "16 km"
    miles = display.catalog(US)["units"]["mi"]
    assert [choice["label"] for choice in miles["radii"]][:3] == ["5 mi", "10 mi", "25 mi"]
    assert miles["radii"][1]["value"] == "16.093" and miles["default_radius"] == "80.467"
    assert display.catalog(EN)["units"]["km"]["default_radius"] == display.API_DEFAULT_RADIUS == "100"


@pytest.mark.parametrize(("km", "text"), [
    (4.2, "4.2 km"), (0, "0.0 km"), (0.04, "0.0 km"), (0.05, "0.1 km"), (4.25, "4.3 km"), (9.94, "9.9 km"),
    (9.96, "10.0 km"), (10, "10 km"), (12.5, "13 km"), (99.499, "99 km"), (1234.4, "1,234 km"), (12345.6, "12,346 km"),
])
def test_distances_have_one_decimal_under_10_km_and_are_rounded_half_up_like_javascript(km, text):
    assert display.format_distance(km) == text


def test_no_distance_is_no_text():
    assert display.format_distance(None) == ""


@pytest.mark.parametrize(("value", "text"), [
    (1234, "1,234"), (1234567, "1,234,567"), (37.5, "37.5"), (1.23456, "1.235"), (1.0004, "1"), (20000, "20,000"), (0, "0"),
])
def test_numbers_are_grouped_with_at_most_three_decimals(value, text):
    assert display.format_number(value) == text


def test_tier_labels_and_capitalising_keep_the_rest_of_the_word():
    assert display.tier_label("premier") == "Premier" and display.tier_label("advanced") == "Advanced"
    assert display.tier_label("gold") == "Gold"
    assert display.capitalise("city surveillance") == "City surveillance" and display.capitalise("iOS apps") == "IOS apps"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "/relative", "www.example.com", "ftp://x.example", "", None])
def test_only_absolute_http_urls_become_links(url):
    assert display.safe_web_url(url) is None


def test_links_keep_what_was_given_and_show_the_host():
    assert display.safe_web_url("https://www.Nordic.example/da") == "https://www.Nordic.example/da"
    assert display.web_host("https://www.Nordic.example/da") == "nordic.example"
    assert display.web_host("http://user@shop.example:8080/x") == "shop.example"
    assert display.safe_email("a@b.example") == "mailto:a@b.example"
    assert display.safe_email("a@b.example\n") is None and display.safe_email("<a>@b.example") is None
    assert display.safe_tel("+45 12 34 56 78") == "tel:+4512345678" and display.safe_tel("1234") is None


def test_the_card_view_of_a_site():
    view = display.card_view(SITE)
    assert view["title_id"] == "r-S42" and view["distance_value"] == "12"
    assert (view["tier_class"], view["tier_badge"]) == ("badge tier-premier", "Premier partner")
    assert view["distance"] == "12 km away"
    assert view["address"] == "Banegårdspladsen 1, 8000 Aarhus, Denmark"
    assert view["languages"] == "Danish, English"
    assert view["industries"] == [{"name": "Retail"}, {"name": "City surveillance"}]
    assert [(c["code"], c["n"], c["class"]) for c in view["certs"]] == [("MCDE", "2", "cert"), ("MCIT", "1", "cert"), ("MCIE", "0", "cert cert-none")]
    assert view["certs"][1]["title"] == "Milestone Certified Integration Technician: 1 person"
    assert view["certs"][2]["title"] == "Milestone Certified Integration Engineer: 0 people"
    assert (view["phone_href"], view["email_href"], view["website_host"]) == ("tel:+4512345678", "mailto:aarhus@nordic.example", "nordic.example")
    assert view["other_sites"] == "+ 1 other matching site"


def test_a_card_without_optional_data_leaves_its_parts_empty():
    bare = {**SITE, "site_name": None, "distance_km": None, "languages": [], "industries": [], "other_matching_sites": None,
            "tier": "gold", "contact": {"phone": "12", "email": "nope", "website": "javascript:x()"}}
    view = display.card_view(bare)
    assert (view["site_name"], view["distance"], view["distance_value"], view["languages"], view["other_sites"]) == ("", "", "", "", "")
    assert view["industries"] == [] and view["contact"] is False
    assert view["tier_class"] == "badge tier-other" and view["tier_badge"] == "Gold partner"
    assert display.card_view({**SITE, "distance_km": 4.25})["distance_value"] == "4.25"


def test_the_card_view_in_german_and_in_miles():
    view = display.card_view(SITE, DE)
    assert (view["tier_badge"], view["distance"], view["other_sites"]) == ("Premier-Partner", "12 km entfernt", "+ 1 weiterer passender Standort")
    assert view["address"] == "Banegårdspladsen 1, 8000 Aarhus, Dänemark" and view["languages"] == "Dänisch, Englisch"
    assert view["certs"][0]["title"] == "Milestone Certified Design Engineer: 2 Personen"
    assert display.card_view(SITE, US)["distance"] == "7.5 mi away"
    assert display.card_view({**SITE, "other_matching_sites": 3}, ui_for("ja"))["other_sites"] == "+ 他に該当する拠点 3 件"
