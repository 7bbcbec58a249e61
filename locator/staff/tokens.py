"""Staff links and the staff app's session: signed, expiring tokens (the preview links' model).

``partner-locator staff-link`` signs (itsdangerous, ``[staff] secret``) when the link was issued and
when it expires; ``GET /login?token=`` exchanges a genuine, unexpired one for a session cookie that
carries the same two times under another salt, so a link is never a cookie and a cookie never a
link. Nobody without the secret can make or alter either; anyone holding a link can sign in until it
expires (it is a password: share it as one). Changing the secret ends every link and session at once.
Reading says only "valid" (the claims) or "not valid" (None), never why.
"""
from __future__ import annotations

from dataclasses import dataclass

from locator.core.preview_tokens import DAY_MS
from locator.core.signing import sign, signed_payload

SECRET_SETTING = "PARTNER_LOCATOR_STAFF_SECRET"
STAFF_OFF = f"the staff app is off: set {SECRET_SETTING} (at least 32 characters; docs/staff-app.md)"
LINK_SALT = "partner-locator.staff-link"
SESSION_SALT = "partner-locator.staff-session"
MAX_TOKEN_LENGTH = 200  # far above any real token; longer input is refused before any work


@dataclass(frozen=True)
class StaffClaims:
    issued_ms: int
    expires_ms: int


def issue_link(secret: str, days: int, now_ms: int) -> str:
    """A staff link's token, valid for ``days`` from ``now_ms``."""
    return sign(secret, LINK_SALT, {"i": now_ms, "e": now_ms + days * DAY_MS})


def read_link(secret: str, token: str | None, now_ms: int) -> StaffClaims | None:
    return _read(secret, LINK_SALT, token, now_ms)


def session_value(secret: str, claims: StaffClaims) -> str:
    """The session cookie's value: the link's own times, so the session ends when the link would."""
    return sign(secret, SESSION_SALT, {"i": claims.issued_ms, "e": claims.expires_ms})


def read_session(secret: str, value: str | None, now_ms: int) -> StaffClaims | None:
    return _read(secret, SESSION_SALT, value, now_ms)


def _read(secret: str, salt: str, token: str | None, now_ms: int) -> StaffClaims | None:
    payload = signed_payload(secret, salt, token, MAX_TOKEN_LENGTH)
    if not isinstance(payload, dict):  # checked even though signed: a future version's token must not crash this one
        return None
    issued, expires = payload.get("i"), payload.get("e")
    if not (type(issued) is int and type(expires) is int) or expires <= now_ms:
        return None
    return StaffClaims(issued, expires)
