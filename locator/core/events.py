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

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from locator.core.contract import SITE_ID_PATTERN
from locator.core.languages import UI_LANGUAGES
from locator.core.search_tokens import MAX_TOKEN_LENGTH

SEARCH = "search"
INTERACTIONS = ("detail", "phone", "email", "website", "directions", "site_page")
EVENT_TYPES = (SEARCH, *INTERACTIONS)
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


def event_id(token: str, nonce: str, event_type: str, site_id: str | None) -> str:
    """The same report twice is the same id (op_type=create refuses the second); nothing of the nonce
    can be read back from it."""
    return hashlib.sha256("\x1f".join((token, nonce, event_type, site_id or "")).encode()).hexdigest()[:40]


def event_document(facts: dict, beacon: dict, now: datetime | None = None) -> dict:
    """What is kept: the minute, the type, the token's facts, the site, the language and the source."""
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(second=0, microsecond=0)
    document = {"minute": moment.isoformat().replace("+00:00", "Z"), "type": beacon["type"],
                "site_id": beacon.get("site_id"), "lang": beacon["lang"], "source": beacon["source"]}
    document.update({name: value for name, value in facts.items() if name != "sites"})
    # Which sites a search showed (times shown, per partner); an interaction names its one site.
    document["sites_shown"] = facts.get("sites", []) if beacon["type"] == SEARCH else []
    return document


def events_index(prefix: str, moment: datetime) -> str:
    """Monthly indices: whole expired months are deleted (retention) without a delete-by-query."""
    return f"{prefix}-events-{moment.astimezone(timezone.utc):%Y.%m}"
