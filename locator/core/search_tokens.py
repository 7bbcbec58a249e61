"""Search tokens (issue 18, analytics): what a search answer was, signed, so that the page's later
report of it ("this search was shown", "this site's phone was clicked") can be believed without the
server remembering anything about the visitor.

A token is an ``itsdangerous`` signature (its own secret, ``[analytics] token_secret``) over the
answer's facts and the time it was made, **floored to ten minutes**: everyone who gets the same
answer in the same ten minutes gets the same token, so answers stay cacheable (the same bytes, the
same ETag) and a token identifies nobody. It is good for an hour after that floor and a little
more (at most ``MAX_AGE_S + TIME_STEP_S``). Reading says only "valid" (the facts) or not (None).
"""
from __future__ import annotations

import time

from locator.core.signing import sign, signed_payload

SALT = "partner-locator.search-token"
TIME_STEP_S = 600
MAX_AGE_S = 3600
MAX_TOKEN_LENGTH = 2000  # a page of 50 site ids and every filter fits; longer input is refused before any work


def floored(now_s: float) -> int:
    return int(now_s // TIME_STEP_S * TIME_STEP_S)


def issue(secret: str, facts: dict, now_s: float | None = None) -> str:
    """The token of an answer with these ``facts`` (JSON values), made now."""
    return sign(secret, SALT, {"t": floored(time.time() if now_s is None else now_s), "f": facts})


def read(secret: str, token: str, now_s: float | None = None) -> dict | None:
    """The facts of a valid token made within the last hour (give or take the floor); else None."""
    payload = signed_payload(secret, SALT, token, MAX_TOKEN_LENGTH)
    now = time.time() if now_s is None else now_s
    made = payload.get("t") if isinstance(payload, dict) else None
    if not isinstance(made, int) or not isinstance(payload.get("f"), dict):
        return None
    if not made - TIME_STEP_S <= now <= made + MAX_AGE_S + TIME_STEP_S:  # never one from the future either
        return None
    return payload["f"]
