"""The visitor's language: which one (``?lang=``, then Accept-Language, else English), its messages
(gettext catalogs in ``translations/``, through Flask-Babel) and its distance unit.

The five UI languages are ``locator.core.languages.UI_LANGUAGES``. A region given with the
language ("en-US", "de-CH") is kept: it picks the number symbols and the unit (miles in the US and
the UK, kilometres elsewhere; ``?unit=km|mi`` overrides). The catalogs are the gettext ``.po``
sources with their compiled ``.mo`` beside them (``make messages``; README "Languages").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from urllib.parse import quote

from babel import Locale, UnknownLocaleError
from babel.support import NullTranslations, Translations
from flask import Flask, current_app, g, request
from flask_babel import Babel

from locator.core.errors import ConfigError
from locator.core.languages import DEFAULT_LANGUAGE, UI_LANGUAGES

DOMAIN = "messages"
UNITS = ("km", "mi")
MILES_REGIONS = frozenset({"US", "GB"})  # where road distances are given in miles


def translations_dir() -> Path:
    """The shipped catalogs, as a real directory (gettext reads .mo files from the file system)."""
    directory = files("locator.api") / "translations"
    if not isinstance(directory, Path):
        raise ConfigError("the message catalogs are not on the file system: install the wheel with pip")
    return directory


@dataclass(frozen=True)
class Ui:
    """One visitor's language and region, its translated messages and the distance unit."""
    locale: Locale
    unit: str
    translations: NullTranslations = field(repr=False)  # one object per locale and directory (cached)

    @property
    def tag(self) -> str:
        """BCP 47, as <html lang> and Intl want it: "de-CH"."""
        return "-".join(part for part in (self.locale.language, self.locale.territory) if part)

    def gettext(self, message: str, **values) -> str:
        text = self.translations.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values) -> str:
        return self.translations.ngettext(singular, plural, n) % {"n": n, **values}


def ui_for(language: str = DEFAULT_LANGUAGE, unit: str | None = None, directory: Path | None = None) -> Ui:
    """The Ui of a locale id ("de", "en_US", "en-US"); the unit from its region unless given."""
    locale = _locale(language) or Locale.parse(DEFAULT_LANGUAGE)
    return Ui(locale, unit if unit in UNITS else default_unit(locale), _translations(str(locale), directory or translations_dir()))


def default_unit(locale: Locale) -> str:
    return "mi" if locale.territory in MILES_REGIONS else "km"


@lru_cache(maxsize=64)
def _translations(locale_id: str, directory: Path) -> NullTranslations:
    """gettext falls back from "de_CH" to "de"; English is the source language (no catalog needed)."""
    return Translations.load(str(directory), [locale_id], DOMAIN)


def negotiate(requested: str | None, accepted: list[str]) -> Locale:
    """The UI locale: the requested tag if it is a UI language, else the first accepted one that is
    (Accept-Language, best first), else English. A bare language takes the region of the first
    accepted tag of the same language ("lang=en" from a browser sending "en-US" reads miles)."""
    candidates = [tag for tag in [requested, *accepted] if tag]
    for tag in candidates:
        locale = _locale(tag)
        if locale is None:
            continue
        if locale.territory is None:
            region = next((other.territory for other in map(_locale, accepted)
                           if other is not None and other.language == locale.language and other.territory), None)
            locale = Locale(locale.language, region) if region else locale
        return locale
    return Locale.parse(DEFAULT_LANGUAGE)


def _locale(tag: str | None) -> Locale | None:
    """A UI language with its region, from "de", "de-CH", "de_ch" or "de-Latn-CH"; None for anything else."""
    parts = str(tag or "").strip().replace("_", "-").split("-")
    language = parts[0].lower()
    if language not in UI_LANGUAGES:
        return None
    region = next((part.upper() for part in parts[1:] if len(part) == 2 and part.isalpha()), None)
    try:  # keep the region only when CLDR knows that combination
        return Locale(language, region) if region else Locale(language)
    except UnknownLocaleError:
        return Locale(language)


def current() -> Ui:
    """The Ui of the request being served (computed once per request)."""
    if "locator_ui" not in g:
        locale = negotiate(request.args.get("lang"), list(request.accept_languages.values()))
        g.locator_ui = ui_for(str(locale), request.args.get("unit"), _directory())
    return g.locator_ui


def _directory() -> Path:
    return Path(current_app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")[0])


def lang_query() -> str:
    """ "?lang=de" when this page was asked for in a language (quoted), so links between pages keep it."""
    return "?lang=" + quote(request.args["lang"]) if request.args.get("lang") else ""


def vary_by_language(response):
    """An after_request hook for pages: a page is in the visitor's language, chosen from
    Accept-Language unless ?lang= says, so a cache in front must not give one visitor's page to another."""
    response.vary.add("Accept-Language")
    return response


def init_app(app: Flask, directory: Path | None = None) -> None:
    """Flask-Babel for the templates (``_``, ``gettext``, ``ngettext``) in the request's locale."""
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(directory or translations_dir())
    app.config["BABEL_DOMAIN"] = DOMAIN
    Babel(app, locale_selector=lambda: str(current().locale))
