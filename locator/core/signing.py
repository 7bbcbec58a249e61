"""Signed tokens (itsdangerous), read one way for every kind the project issues (preview links,
search tokens): a token longer than its kind allows is refused before any work, and anything that
is not genuine (tampered, truncated, signed with another secret or salt, not a token at all) reads
as None, never as an error saying why."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from itsdangerous import BadData, URLSafeSerializer


@lru_cache(maxsize=16)
def _serializer(secret: str, salt: str) -> URLSafeSerializer:
    """One per (secret, salt): every search answer signs a token, so the key is derived once."""
    return URLSafeSerializer(secret, salt=salt)


def sign(secret: str, salt: str, payload: Any) -> str:
    return _serializer(secret, salt).dumps(payload)


def signed_payload(secret: str, salt: str, token: Any, max_length: int) -> Any | None:
    """The payload of a genuine token of at most ``max_length`` characters; None for anything else."""
    if not isinstance(token, str) or not token or len(token) > max_length:
        return None
    try:
        return _serializer(secret, salt).loads(token)
    except BadData:
        return None
