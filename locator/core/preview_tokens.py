"""Partners' preview links: signed, expiring tokens, made by ``preview-link`` and read by the app.

A token is an ``itsdangerous`` signature over the partner id, the optional country it is scoped to,
when it was issued and when it expires (milliseconds since the epoch), signed with
``PARTNER_LOCATOR_PREVIEW_SECRET``. Nobody without the secret can make or alter one; anyone holding
one sees that partner's preview until it expires or ``preview-revoke`` sets a not-before time
for the partner (a revocation: every token issued before it is refused). Reading a token says
only "valid" (the claims) or "not valid" (None), never why: the app answers every refusal alike.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone


from locator.core.contract import SITE_ID_PATTERN
from locator.core.eligibility import UNKNOWN_COUNTRY
from locator.core.signing import sign, signed_payload

SECRET_SETTING = "PARTNER_LOCATOR_PREVIEW_SECRET"
SALT = "partner-locator.preview-link"
MAX_TOKEN_LENGTH = 600  # far above any real token; longer input is refused before any work
DAY_MS = 86_400_000
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_PARTNER = re.compile(SITE_ID_PATTERN)
_COUNTRY = re.compile(rf"[A-Z]{{2}}|{UNKNOWN_COUNTRY}")


@dataclass(frozen=True)
class PreviewClaims:
    partner_id: str
    country: str | None  # the one country the link shows; None: every country of the partner
    issued_ms: int
    expires_ms: int


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def is_country_scope(value: str) -> bool:
    return bool(_COUNTRY.fullmatch(value))


def is_partner_id(value: str) -> bool:
    return bool(_PARTNER.fullmatch(value))


def issue(secret: str, partner_id: str, country: str | None, days: int, now: int | None = None) -> str:
    """A token for ``partner_id`` (and only ``country`` when given), valid for ``days`` from now."""
    if not is_partner_id(partner_id) or (country is not None and not is_country_scope(country)):
        raise ValueError("not a partner id or a country code")
    issued = now_ms() if now is None else now
    return sign(secret, SALT, {"p": partner_id, "c": country, "i": issued, "e": issued + days * DAY_MS})


def read(secret: str, token: str | None, now: int | None = None) -> PreviewClaims | None:
    """The claims of a token that is genuine and not expired; None for anything else."""
    claims = _claims(signed_payload(secret, SALT, token, MAX_TOKEN_LENGTH))
    if claims is None or claims.expires_ms <= (now_ms() if now is None else now):
        return None
    return claims


def _claims(payload) -> PreviewClaims | None:
    """Checked even though signed: a token made by a future version must not crash this one."""
    if not isinstance(payload, dict):
        return None
    partner, country, issued, expires = (payload.get(key) for key in ("p", "c", "i", "e"))
    if not (isinstance(partner, str) and is_partner_id(partner)):
        return None
    if country is not None and not (isinstance(country, str) and is_country_scope(country)):
        return None
    if not (type(issued) is int and type(expires) is int):
        return None
    return PreviewClaims(partner, country, issued, expires)


def revocation_time(now: int | None = None) -> str:
    """Now, as ``preview-revoke`` stores it: an ISO date-time in UTC, to the millisecond."""
    ms = now_ms() if now is None else now
    return (_EPOCH + timedelta(milliseconds=ms)).isoformat(timespec="milliseconds")


def is_revoked(claims: PreviewClaims, not_before: str | None) -> bool:
    """Issued before the partner's not-before time (from ``preview-revoke``)."""
    if not_before is None:
        return False
    return claims.issued_ms < (datetime.fromisoformat(not_before) - _EPOCH) // timedelta(milliseconds=1)
