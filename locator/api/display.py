"""What the result card shows and how: names (CLDR via Babel), number rules, safe links, the card's view.

One source for the server's templates and the browser: `catalog()` is shipped to the page as JSON
and static/js/format.js applies the same rules to it, static/js/card.js builds the same view as
`card_view()`. Pure functions; the locale is a parameter (default "en") for the UI languages to come.
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from urllib.parse import urlsplit

from babel import Locale, numbers

from locator.core.contract import CERT_TYPES, LISTED_TIERS

DEFAULT_LOCALE = "en"
TIERS = tuple(reversed(LISTED_TIERS))  # highest first, as the filters list them
CERTS = CERT_TYPES

# Program names are not in CLDR: one table per UI language (English only for now).
_TEXTS = {
    "en": {
        "tiers": {"premier": "Premier", "advanced": "Advanced"},
        "certs": {"MCDE": "Milestone Certified Design Engineer",
                  "MCIT": "Milestone Certified Integration Technician",
                  "MCIE": "Milestone Certified Integration Engineer"},
    },
}

# The API only takes ISO 3166-1 alpha-2 countries and ISO 639-1 languages: CLDR's regions ("150")
# and scripts or variants ("zh_Hans") would only make the catalog bigger.
_COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
_LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")

# The same checks as static/js/links.js: data only becomes a link with one of these schemes.
_EMAIL = re.compile(r"^[^\s@<>()\"',;:]+@[^\s@<>()\"',;:]+\.[^\s@<>()\"',;:]+$")
_WEB = re.compile(r"^https?://(?:[^\s/?#@]*@)?([^\s/?#:@]+)", re.IGNORECASE)
_NOT_PHONE = re.compile(r"[^0-9+]")
MIN_PHONE_DIGITS = 5


@lru_cache(maxsize=16)
def catalog(locale: str = DEFAULT_LOCALE) -> dict:
    """Everything the browser needs to format like the server. Shared: do not mutate."""
    cldr = Locale.parse(locale)
    texts = _TEXTS.get(cldr.language, _TEXTS[DEFAULT_LOCALE])
    return {
        "locale": str(cldr),
        "countries": {code: name for code, name in cldr.territories.items() if _COUNTRY_CODE.match(code)},
        "languages": {code: name for code, name in cldr.languages.items() if _LANGUAGE_CODE.match(code)},
        "tiers": dict(texts["tiers"]),
        "certs": dict(texts["certs"]),
        "number": {"decimal": numbers.get_decimal_symbol(cldr), "group": numbers.get_group_symbol(cldr)},
    }


def country_name(code: str | None, locale: str = DEFAULT_LOCALE) -> str:
    return catalog(locale)["countries"].get(code.upper(), code) if code else ""


def language_name(code: str | None, locale: str = DEFAULT_LOCALE) -> str:
    return catalog(locale)["languages"].get(code, code) if code else ""


def tier_label(tier: str | None, locale: str = DEFAULT_LOCALE) -> str:
    return catalog(locale)["tiers"].get(tier) or capitalise(tier)


def cert_name(code: str, locale: str = DEFAULT_LOCALE) -> str:
    return catalog(locale)["certs"].get(code, code)


def capitalise(text: str | None) -> str:
    """First letter up, the rest as it is (not str.capitalize, which lowers the rest)."""
    text = str(text or "")
    return text[:1].upper() + text[1:]


def format_number(value: float, min_decimals: int = 0, max_decimals: int = 3, locale: str = DEFAULT_LOCALE) -> str:
    """Grouped, rounded half up on the exact value (as JavaScript's toFixed), trailing zeros dropped
    down to ``min_decimals``; symbols from CLDR."""
    exact = Decimal(value).quantize(Decimal(1).scaleb(-max_decimals), rounding=ROUND_HALF_UP)
    text = f"{exact:,.{max_decimals}f}"
    if max_decimals > min_decimals:
        whole, _, fraction = text.partition(".")
        fraction = fraction.rstrip("0").ljust(min_decimals, "0")
        text = f"{whole}.{fraction}" if fraction else whole
    symbols = catalog(locale)["number"]
    return text.translate(str.maketrans({",": symbols["group"], ".": symbols["decimal"]}))


def format_km(km: float | None, locale: str = DEFAULT_LOCALE) -> str:
    """ "4.2 km" under 10 km, "1,234 km" from there."""
    if km is None:
        return ""
    return format_number(km, 1, 1, locale) + " km" if km < 10 else format_number(km, 0, 0, locale) + " km"


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


def address_lines(address: dict | None, locale: str = DEFAULT_LOCALE) -> list[str]:
    address = address or {}
    city_line = " ".join(part for part in (address.get("postal_code"), address.get("city")) if part)
    lines = (address.get("street"), city_line, address.get("region"), country_name(address.get("country"), locale))
    return [line for line in lines if line]


def plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def card_view(site: dict, locale: str = DEFAULT_LOCALE) -> dict:
    """The values of the card's slots (templates/card.html) for one API result; card.js cardView twin."""
    distance = site.get("distance_km")
    others = site.get("other_matching_sites") or 0
    return {
        "site_id": site["site_id"],
        "title_id": "r-" + site["site_id"],
        "distance_value": "" if distance is None else js_number(distance),
        "company": site.get("company") or "",
        "tier_class": "badge tier-" + (site.get("tier") if site.get("tier") in TIERS else "other"),
        "tier_badge": tier_label(site.get("tier"), locale) + " partner",
        "site_name": site.get("site_name") or "",
        "distance": "" if distance is None else format_km(distance, locale) + " away",
        "address": ", ".join(address_lines(site.get("address"), locale)),
        "certs": [_cert_view(code, (site.get("certifications") or {}).get(code) or 0, locale) for code in CERTS],
        "languages": ", ".join(language_name(code, locale) for code in site.get("languages") or []),
        "industries": [{"name": capitalise(name)} for name in site.get("industries") or []],
        **_contact_view(site.get("contact") or {}),
        "other_sites": f"+ {others} other matching {plural(others, 'site', 'sites')}" if others else "",
    }


def _cert_view(code: str, n: int, locale: str) -> dict:
    name = cert_name(code, locale)
    return {"code": code, "name": name, "n": str(n), "class": "cert" if n else "cert cert-none",
            "title": f"{name}: {n} {plural(n, 'person', 'people')}"}


def _contact_view(contact: dict) -> dict:
    """Only checked links: a value that fails its check is left out of the card."""
    tel, mail, web = safe_tel(contact.get("phone")), safe_email(contact.get("email")), safe_web_url(contact.get("website"))
    return {"contact": bool(tel or mail or web),
            "phone": contact.get("phone") if tel else "", "phone_href": tel or "",
            "email": contact.get("email") if mail else "", "email_href": mail or "",
            "website_host": web_host(web) if web else "", "website_href": web or ""}
