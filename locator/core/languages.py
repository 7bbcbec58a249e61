"""The user-interface languages: the page's message catalogs and the country names the gazetteer reads.

One list for both sides: the API offers exactly these languages (locator/api/i18n.py), and the
gazetteer store holds every country's name in each of them (CLDR, through Babel), so a visitor
can type a country as the page itself writes it. Adding a language: see README ("Languages").
"""
from __future__ import annotations

DEFAULT_LANGUAGE = "en"
UI_LANGUAGES = ("en", "de", "fr", "es", "ja")  # ISO 639-1, the default first
