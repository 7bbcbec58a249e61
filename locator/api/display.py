"""What the result card shows and how: names (CLDR via Babel), messages (gettext), number and
distance rules, safe links, the card's view.

One source for the server's templates and the browser: `catalog()` is shipped to the page as JSON
(`#locator-catalog`) and static/js/i18n.js + format.js apply the same rules to it, static/js/card.js
builds the same view as `card_view()`. Pure functions of a site and the visitor's `Ui` (i18n.py).
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from urllib.parse import urlsplit

from babel import Locale, numbers
from babel.messages.plurals import get_plural
from babel.units import format_unit

from locator.api.i18n import Ui, default_unit, ui_for
from locator.core.contract import CERT_TYPES, LISTED_TIERS
from locator.core.geo import KM_PER_MILE
from locator.core.languages import UI_LANGUAGES

TIERS = tuple(reversed(LISTED_TIERS))  # highest first, as the filters list them
CERTS = CERT_TYPES



def N_(message: str) -> str:
    """Marks a message for the catalog (`make messages`) where it is translated later, by Ui.gettext."""
    return message


# Program names are not in CLDR: they are messages (brand names, the same in every language so far).
_TIER_NAMES = {"premier": N_("Premier"), "advanced": N_("Advanced")}
_CERT_NAMES = {"MCDE": N_("Milestone Certified Design Engineer"), "MCIT": N_("Milestone Certified Integration Technician"),
               "MCIE": N_("Milestone Certified Integration Engineer")}

# CLDR's minimumGroupingDigits where it is not 1 (Babel does not carry it): Spanish writes "1234"
# but "12.345", as Intl.NumberFormat does (tests/browser checks every UI locale against Intl).
MIN_GROUPING_DIGITS = {"es": 2}
ANY_DISTANCE_KM = 20000  # the largest radius the API takes: "any distance"
# The distance choices of the page, in each unit, and the default (the API's 100 km; 50 mi).
RADII = {"km": (10, 25, 50, 100, 250, 500, 1000), "mi": (5, 10, 25, 50, 100, 250, 500)}
DEFAULT_RADIUS = {"km": 100, "mi": 50}
API_DEFAULT_RADIUS = "100"  # params.SearchParams radius_km: the page leaves it out of its queries
_UNIT_NAMES = {"km": "length-kilometer", "mi": "length-mile"}

# The API only takes ISO 3166-1 alpha-2 countries and ISO 639-1 languages: CLDR's regions ("150")
# and scripts or variants ("zh_Hans") would only make the catalog bigger.
_COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
_LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")

# The same checks as static/js/links.js: data only becomes a link with one of these schemes.
_EMAIL = re.compile(r"^[^\s@<>()\"',;:]+@[^\s@<>()\"',;:]+\.[^\s@<>()\"',;:]+$")
_WEB = re.compile(r"^https?://(?:[^\s/?#@]*@)?([^\s/?#:@]+)", re.IGNORECASE)
_NOT_PHONE = re.compile(r"[^0-9+]")
MIN_PHONE_DIGITS = 5


def _ui(ui: Ui | None) -> Ui:
    return ui if ui is not None else ui_for()


@lru_cache(maxsize=64)
def catalog(ui: Ui | None = None) -> dict:
    """Everything the browser needs to write like the server. Shared: do not mutate."""
    ui = _ui(ui)
    cldr = ui.locale
    return {
        "locale": ui.tag,
        "language": cldr.language,
        "messages": messages(ui),
        "plural": get_plural(cldr.language).plural_expr,
        "countries": {code: name for code, name in cldr.territories.items() if _COUNTRY_CODE.match(code)},
        "languages": {code: name for code, name in cldr.languages.items() if _LANGUAGE_CODE.match(code)},
        "tiers": {tier: ui.gettext(name) for tier, name in _TIER_NAMES.items()},
        "certs": {code: ui.gettext(name) for code, name in _CERT_NAMES.items()},
        "number": number_rules(ui.locale),
        "unit": ui.unit,
        "default_unit": default_unit(ui.locale),
        "units": {unit: _unit(unit, ui) for unit in RADII},
        "any_distance": str(ANY_DISTANCE_KM),
        "ui_languages": {code: capitalise(Locale.parse(code).get_display_name(code)) for code in UI_LANGUAGES},
    }


@lru_cache(maxsize=64)
def number_rules(locale: Locale) -> dict:
    return {"decimal": numbers.get_decimal_symbol(locale), "group": numbers.get_group_symbol(locale),
            "min_grouping": MIN_GROUPING_DIGITS.get(locale.language, 1)}


def messages(ui: Ui) -> dict[str, str | list[str]]:
    """The translated messages: msgid -> text, or -> its plural forms (keyed by the singular)."""
    out: dict[str, str | list[str]] = {}
    for key, text in sorted(getattr(ui.translations, "_catalog", {}).items(), key=lambda item: str(item[0])):
        if isinstance(key, tuple):
            out.setdefault(key[0], []).append(text)
        elif key:  # "" is the catalog's header
            out[key] = text
    return out


def _unit(unit: str, ui: Ui) -> dict:
    factor = 1.0 if unit == "km" else KM_PER_MILE
    pattern = format_unit("{n}", _UNIT_NAMES[unit], "short", locale=ui.locale)
    return {
        "pattern": pattern,
        "name": pattern.replace("{n}", "").strip(),
        "km": factor,
        "radii": [{"value": km_value(r, unit), "label": pattern.replace("{n}", format_number(r, ui=ui))} for r in RADII[unit]],
        "default_radius": km_value(DEFAULT_RADIUS[unit], unit),
    }


def km_value(distance: float, unit: str) -> str:
    """A distance in the unit as the radius_km the API takes, as text (3 decimals at most)."""
    km = distance * (KM_PER_MILE if unit == "mi" else 1.0)
    return js_number(float(Decimal(km).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)))


def country_name(code: str | None, ui: Ui | None = None) -> str:
    return catalog(ui)["countries"].get(code.upper(), code) if code else ""


def language_name(code: str | None, ui: Ui | None = None) -> str:
    return catalog(ui)["languages"].get(code, code) if code else ""


def tier_label(tier: str | None, ui: Ui | None = None) -> str:
    return catalog(ui)["tiers"].get(tier) or capitalise(tier)


def cert_name(code: str, ui: Ui | None = None) -> str:
    return catalog(ui)["certs"].get(code, code)


def capitalise(text: str | None) -> str:
    """First letter up, the rest as it is (not str.capitalize, which lowers the rest)."""
    text = str(text or "")
    return text[:1].upper() + text[1:]


def format_number(value: float, min_decimals: int = 0, max_decimals: int = 3, ui: Ui | None = None) -> str:
    """As Intl.NumberFormat writes it: rounded half away from zero on the shortest decimal form of
    the number (1.0005 -> "1.001"), trailing zeros dropped down to ``min_decimals``; symbols and
    grouping from CLDR (static/js/format.js formatNumber twin)."""
    rules = number_rules(_ui(ui).locale)
    exact = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-max_decimals), rounding=ROUND_HALF_UP)
    whole, _, fraction = f"{exact:.{max_decimals}f}".partition(".")
    fraction = fraction.rstrip("0").ljust(min_decimals, "0") if max_decimals > min_decimals else fraction
    sign, digits = ("-", whole[1:]) if whole.startswith("-") else ("", whole)
    if len(digits) >= 3 + rules["min_grouping"]:
        digits = f"{int(digits):,}".replace(",", rules["group"])
    return sign + digits + (rules["decimal"] + fraction if fraction else "")


def format_distance(km: float | None, ui: Ui | None = None) -> str:
    """In the visitor's unit: "4.2 km" / "2.6 mi" under 10, "1,234 km" from there."""
    if km is None:
        return ""
    ui = _ui(ui)
    return format_distance_in(km / catalog(ui)["units"][ui.unit]["km"], ui.unit, ui)


def format_distance_in(value: float, unit: str, ui: Ui) -> str:
    number = format_number(value, 1, 1, ui) if value < 10 else format_number(value, 0, 0, ui)
    return format_unit("{n}", _UNIT_NAMES[unit], "short", locale=ui.locale).replace("{n}", number)


def js_number(value: float) -> str:
    """A number as JavaScript's String() writes it, for the distances the API returns (0 to 20,040,
    three decimals at most): 12.0 -> "12", 4.25 -> "4.25"."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def safe_tel(text: str | None) -> str | None:
    digits = _NOT_PHONE.sub("", str(text or ""))
    return "tel:" + digits if len(digits) >= MIN_PHONE_DIGITS else None


def safe_email(text: str | None) -> str | None:
    return "mailto:" + text if text and _EMAIL.fullmatch(text) else None


def safe_web_url(text: str | None) -> str | None:
    """An absolute http(s) URL as given, else None (javascript:, data:, relative...)."""
    if not text or not _WEB.match(text):
        return None
    try:
        urlsplit(text)
    except ValueError:  # e.g. an unclosed IPv6 bracket: the browser would not follow it either
        return None
    return text


def web_host(url: str) -> str:
    """The host a card shows for a website: lower case, without "www."."""
    host = _WEB.match(url).group(1).lower()
    return host[4:] if host.startswith("www.") else host


def address_lines(address: dict | None, ui: Ui | None = None) -> list[str]:
    address = address or {}
    city_line = " ".join(part for part in (address.get("postal_code"), address.get("city")) if part)
    lines = (address.get("street"), city_line, address.get("region"), country_name(address.get("country"), ui))
    return [line for line in lines if line]


def card_view(site: dict, ui: Ui | None = None, link_query: str = "") -> dict:
    """The values of the card's slots (templates/card.html) for one API result; card.js cardView twin.
    ``link_query`` ("?lang=de") goes on the link to the site's page, so it opens in the same language."""
    ui = _ui(ui)
    distance = site.get("distance_km")
    others = site.get("other_matching_sites") or 0
    return {
        "site_id": site["site_id"],
        "title_id": "r-" + site["site_id"],
        "distance_value": "" if distance is None else js_number(distance),
        "company": site.get("company") or "",
        "page_href": (site.get("page_url") or "") + link_query,
        "tier_class": "badge tier-" + (site.get("tier") if site.get("tier") in TIERS else "other"),
        "tier_badge": ui.gettext("%(tier)s partner", tier=tier_label(site.get("tier"), ui)),
        "site_name": site.get("site_name") or "",
        "distance": "" if distance is None else ui.gettext("%(distance)s away", distance=format_distance(distance, ui)),
        "address": ", ".join(address_lines(site.get("address"), ui)),
        "certs": [_cert_view(code, (site.get("certifications") or {}).get(code) or 0, ui) for code in CERTS],
        "languages": ", ".join(language_name(code, ui) for code in site.get("languages") or []),
        "industries": [{"name": capitalise(name)} for name in site.get("industries") or []],
        **_contact_view(site.get("contact") or {}),
        "other_sites": ui.ngettext("+ %(count)s other matching site", "+ %(count)s other matching sites", others,
                                   count=format_number(others, ui=ui)) if others else "",
    }


def _cert_view(code: str, n: int, ui: Ui) -> dict:
    name = cert_name(code, ui)
    return {"code": code, "name": name, "n": str(n), "class": "cert" if n else "cert cert-none",
            "title": ui.ngettext("%(name)s: %(count)s person", "%(name)s: %(count)s people", n, name=name,
                                 count=format_number(n, ui=ui))}


def _contact_view(contact: dict) -> dict:
    """Only checked links: a value that fails its check is left out of the card."""
    tel, mail, web = safe_tel(contact.get("phone")), safe_email(contact.get("email")), safe_web_url(contact.get("website"))
    return {"contact": bool(tel or mail or web),
            "phone": contact.get("phone") if tel else "", "phone_href": tel or "",
            "email": contact.get("email") if mail else "", "email_href": mail or "",
            "website_host": web_host(web) if web else "", "website_href": web or ""}
