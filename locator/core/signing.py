"""Signed tokens (itsdangerous), read one way for every kind the project issues (preview links,
search tokens): a token longer than its kind allows is refused before any work, and anything that
is not genuine (tampered, truncated, signed with another secret or salt, not a token at all) reads
as None, never as an error saying why."""
from __future__ import annotations

import hashlib
import hmac
import zlib
from functools import lru_cache
from typing import Any

import orjson
from itsdangerous import BadData, Signer, URLSafeSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.signer import HMACAlgorithm
from itsdangerous.url_safe import URLSafeSerializerMixin

_WINDOW_BITS = 12  # 4 KiB: more than any token


class _CompactJson:
    """itsdangerous's compact JSON, by orjson: the same text (no spaces, UTF-8 kept), a fifth of the time."""

    loads = staticmethod(orjson.loads)

    @staticmethod
    def dumps(obj: Any) -> str:  # text: itsdangerous then makes text tokens
        return orjson.dumps(obj).decode()


class _OneShotHmacSha1(HMACAlgorithm):
    """itsdangerous's HMAC-SHA1 by the standard library's one-shot C function: the same bytes."""

    def get_signature(self, key: bytes, value: bytes) -> bytes:
        return hmac.digest(key, value, "sha1")


class _KeyOnceSigner(Signer):
    """itsdangerous derives the signing key again (a hash) for every signature: here once per signer.
    Verifying still derives the key of each secret it is given, as itsdangerous does."""

    default_digest_method = staticmethod(hashlib.sha1)  # itsdangerous's default, imported eagerly

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if type(self.algorithm) is HMACAlgorithm and self.digest_method is hashlib.sha1:  # the default
            self.algorithm = _OneShotHmacSha1()
        self._key = super().derive_key()

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        return self._key if secret_key is None else super().derive_key(secret_key)


class _Serializer(URLSafeSerializer):
    """itsdangerous's URL-safe serializer (tokens read and made alike), with one signer for its own
    salt instead of a new one per token: every search answer carries a token (issue 20)."""

    default_serializer = _CompactJson
    default_signer = _KeyOnceSigner

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._own_signer = super().make_signer()

    def dump_payload(self, obj: Any) -> bytes:
        """As itsdangerous's (zlib when shorter, then URL-safe base64), with a small deflate window:
        a token is at most 2,000 characters, and zlib's default window took 3x the time to set up.
        The reader is unchanged (zlib reads any window size)."""
        text = super(URLSafeSerializerMixin, self).dump_payload(obj)  # the JSON, not yet compressed
        packer = zlib.compressobj(6, zlib.DEFLATED, _WINDOW_BITS, 1)
        packed = packer.compress(text) + packer.flush()
        if len(packed) < len(text) - 1:
            return b"." + base64_encode(packed)
        return base64_encode(text)

    def make_signer(self, salt: str | bytes | None = None) -> Signer:
        if salt is not None and salt != self.salt:
            return super().make_signer(salt)
        return self._own_signer


@lru_cache(maxsize=16)
def _serializer(secret: str, salt: str) -> URLSafeSerializer:
    """One per (secret, salt): every search answer signs a token, so the key is derived once."""
    return _Serializer(secret, salt=salt)


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
