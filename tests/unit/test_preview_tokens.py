"""Preview links: what a token carries, and every way one stops working."""
from __future__ import annotations

import pytest
from itsdangerous import URLSafeSerializer

from locator.core import preview_tokens as tokens

SECRET = "s" * 40
NOW = 1_780_000_000_000  # ms
DAY = tokens.DAY_MS


def test_a_token_carries_the_partner_the_country_and_when_it_was_issued_and_expires():
    claims = tokens.read(SECRET, tokens.issue(SECRET, "P000311", "DK", 30, now=NOW), now=NOW + DAY)
    assert claims == tokens.PreviewClaims("P000311", "DK", NOW, NOW + 30 * DAY)
    assert tokens.read(SECRET, tokens.issue(SECRET, "P1", None, 1, now=NOW), now=NOW).country is None


def test_a_token_works_until_its_last_millisecond():
    token = tokens.issue(SECRET, "P1", None, 2, now=NOW)
    assert tokens.read(SECRET, token, now=NOW + 2 * DAY - 1) == tokens.PreviewClaims("P1", None, NOW, NOW + 2 * DAY)
    assert tokens.read(SECRET, token, now=NOW + 2 * DAY) is None


@pytest.mark.parametrize("mangle", [
    lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature changed
    lambda token: token[:4] + ("x" if token[4] != "x" else "y") + token[5:],  # payload changed
    lambda token: token[: len(token) // 2],  # cut
    lambda token: token + token,
    lambda token: "",
    lambda token: None,
    lambda token: "x" * (tokens.MAX_TOKEN_LENGTH + 1),
])
def test_a_tampered_truncated_or_missing_token_is_not_valid(mangle):
    assert tokens.read(SECRET, mangle(tokens.issue(SECRET, "P1", "DK", 30, now=NOW)), now=NOW) is None


def test_a_token_signed_with_another_secret_or_for_another_purpose_is_not_valid():
    assert tokens.read(SECRET, tokens.issue("t" * 40, "P1", None, 30, now=NOW), now=NOW) is None
    other_purpose = URLSafeSerializer(SECRET, salt="something-else").dumps({"p": "P1", "c": None, "i": NOW, "e": NOW + DAY})
    assert tokens.read(SECRET, other_purpose, now=NOW) is None


@pytest.mark.parametrize("payload", [["P1"], {"p": "P 1", "c": None, "i": NOW, "e": NOW + DAY},
                                     {"p": "P1", "c": "dk", "i": NOW, "e": NOW + DAY},
                                     {"p": "P1", "c": None, "i": "now", "e": NOW + DAY}, {"p": "P1"}])
def test_a_genuine_signature_over_claims_of_the_wrong_shape_is_not_valid(payload):
    assert tokens.read(SECRET, URLSafeSerializer(SECRET, salt=tokens.SALT).dumps(payload), now=NOW) is None


def test_only_partner_ids_and_country_codes_are_signed():
    for partner, country in (("P 1", None), ("P1", "Denmark"), ("", None)):
        with pytest.raises(ValueError):
            tokens.issue(SECRET, partner, country, 1)
    assert tokens.read(SECRET, tokens.issue(SECRET, "P1", "unknown", 1, now=NOW), now=NOW).country == "unknown"


def test_a_revocation_refuses_the_tokens_issued_before_it_and_not_after():
    claims = tokens.read(SECRET, tokens.issue(SECRET, "P1", None, 30, now=NOW), now=NOW)
    assert not tokens.is_revoked(claims, None)
    assert tokens.is_revoked(claims, tokens.revocation_time(NOW + 1))
    assert not tokens.is_revoked(claims, tokens.revocation_time(NOW))
    assert tokens.revocation_time(NOW + 7) == "2026-05-28T20:26:40.007+00:00"
