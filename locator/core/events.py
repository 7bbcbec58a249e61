"""Analytics events (issue 18): what the page reports, checked, and what is kept of it.

A beacon says what happened to a search answer the server signed (its search token): it was shown
("search"), or the customer opened a site's details, its page, or its phone, email, website or
directions. The server believes only the token's facts; the beacon adds the event's type, the site
(which must be one the answer showed), the UI language and where the page was embedded (a host,
checked against the embed allowlist by the caller). The event kept has no identifier of any kind:
the nonce (random per page load) only makes the event's id, so that the same report sent twice is
refused as a duplicate, and is not kept. Pure: the endpoint, the buffer and the writer are elsewhere.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from fnmatch import fnmatchcase

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from locator.core.contract import SITE_ID_PATTERN
from locator.core.languages import UI_LANGUAGES
from locator.core.search_tokens import MAX_TOKEN_LENGTH

SEARCH = "search"
CONTACTS = ("phone", "email", "website", "directions")
INTERACTIONS = ("detail", *CONTACTS, "site_page")
EVENT_TYPES = (SEARCH, *INTERACTIONS)
SITE_PAGE = "site_page"  # also the "kind" of a site page's token: a page view, not a search
DIRECT = "direct"
_HOST = r"(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::\d{1,5})?"


class BeaconSchema(Schema):
    """POST /api/v1/events: closed vocabularies, bounded sizes, nothing else accepted."""

    type = fields.String(required=True, validate=validate.OneOf(EVENT_TYPES))
    token = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TOKEN_LENGTH))
    nonce = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_-]{16,64}$",
                                                                   error="must be 16-64 random URL-safe characters"))
    site_id = fields.String(validate=validate.Regexp(rf"^{SITE_ID_PATTERN}$", error="not a site id"))
    lang = fields.String(required=True, validate=validate.OneOf(UI_LANGUAGES))
    source = fields.String(required=True, validate=validate.Regexp(rf"^(?:{DIRECT}|{_HOST})$",
                                                                    error="must be a host name or \"direct\""))

    @validates_schema
    def _site_for_interactions(self, data, **kwargs):
        if data.get("type") in INTERACTIONS and not data.get("site_id"):
            raise ValidationError("an interaction names its site", "site_id")
        if data.get("type") == SEARCH and data.get("site_id"):
            raise ValidationError("a search event names no site", "site_id")


class BeaconRefused(ValueError):
    """A beacon the token does not vouch for: ``field`` names what is wrong (the API's 400)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def site_page_facts(site_id: str, country: str | None) -> dict:
    """What a site page's token vouches for: a view of that site's page (in that country)."""
    return {"kind": SITE_PAGE, "country": country, "sites": [site_id]}


def check_beacon(beacon: dict, facts: dict, embedders: tuple[str, ...]) -> None:
    """Raise BeaconRefused unless the token's answer showed the beacon's site and the type fits it
    (a search answer's: the search and what was done with its listings; a site page's: the page
    seen and its phone, email, website or directions used),
    and the source is direct or a host the embed allowlist (``pages.frame_ancestors``) names."""
    page_view = facts.get("kind") == SITE_PAGE
    if page_view and beacon["type"] not in (SITE_PAGE, *CONTACTS):
        raise BeaconRefused("type", "a site page's token vouches for its view and its contacts only")
    if not page_view and beacon["type"] == SITE_PAGE:
        raise BeaconRefused("type", "a site_page event needs a site page's token")
    if beacon.get("site_id") and beacon["site_id"] not in facts.get("sites", ()):
        raise BeaconRefused("site_id", "that site was not on the answer this token was given with")
    if not source_allowed(beacon["source"], embedders):
        raise BeaconRefused("source", "not a host the locator may be embedded in (pages.frame_ancestors)")


def source_allowed(source: str, embedders: tuple[str, ...]) -> bool:
    """``source`` ("host" or "host:port") against CSP frame-ancestors sources ("https://*.example.com",
    "http://localhost:*"); "direct" always. 'self' names the locator itself: its pages are direct."""
    if source == DIRECT:
        return True
    host, _, port = source.partition(":")
    for allowed in embedders:
        if "://" not in allowed:
            continue  # 'self' and 'none'
        allowed_host, _, allowed_port = allowed.split("://", 1)[1].partition(":")
        # CSP's "*." matches any subdomain depth, never the domain itself: so does fnmatch's "*".
        if fnmatchcase(host, allowed_host.lower()) and (allowed_port == "*" or allowed_port == port):
            return True
    return False


def event_id(token: str, nonce: str, event_type: str, site_id: str | None) -> str:
    """The same report twice is the same id (op_type=create refuses the second); nothing of the nonce
    can be read back from it."""
    return hashlib.sha256("\x1f".join((token, nonce, event_type, site_id or "")).encode()).hexdigest()[:40]


def answer_ref(token: str) -> str:
    """Which answer an event is about: a digest of its token, so that "searches followed by an
    interaction" can be counted. The token is in a public, cacheable body, the same for everyone
    given that answer in those ten minutes: this refers to an answer, never to a visitor or a page
    load (the nonce, which would, is not part of it)."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def event_document(facts: dict, beacon: dict, now: datetime | None = None) -> dict:
    """What is kept: the minute, the type, the token's facts, the site, the language and the source."""
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(second=0, microsecond=0)
    document = {"minute": moment.isoformat().replace("+00:00", "Z"), "type": beacon["type"],
                "answer": answer_ref(beacon["token"]),
                "site_id": beacon.get("site_id"), "lang": beacon["lang"], "source": beacon["source"]}
    document.update({name: value for name, value in facts.items() if name != "sites"})
    # Which sites a search showed (times shown, per partner); an interaction names its one site.
    document["sites_shown"] = facts.get("sites", []) if beacon["type"] == SEARCH else []
    return document


def events_index(prefix: str, moment: datetime) -> str:
    """Monthly indices: whole expired months are deleted (retention) without a delete-by-query."""
    return f"{prefix}-events-{moment.astimezone(timezone.utc):%Y.%m}"


def events_pattern(prefix: str) -> str:
    """Every month's events (reports, prune); the roles grant ``<prefix>*-events-*``."""
    return f"{prefix}-events-*"


_KEYWORD, _COUNT = {"type": "keyword"}, {"type": "integer"}
# Strict: a field this list does not name is refused, so nothing else can ever be stored by mistake.
EVENTS_MAPPING = {"dynamic": "strict", "properties": {
    "minute": {"type": "date"}, "type": _KEYWORD, "answer": _KEYWORD, "site_id": _KEYWORD, "lang": _KEYWORD, "source": _KEYWORD,
    "kind": _KEYWORD, "country": _KEYWORD, "place": _KEYWORD, "area": _KEYWORD, "words": _COUNT,
    "tier": _KEYWORD, "cert": _KEYWORD, "language": _KEYWORD, "industry": _KEYWORD, "radius_km": {"type": "float"},
    "page": _COUNT, "total": _COUNT, "zero": {"type": "boolean"}, "nearest": {"type": "boolean"},
    "sites_shown": _KEYWORD}}
