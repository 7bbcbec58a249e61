"""Staff links and sessions: they work until they expire, and an altered one, one signed with another
secret, or a link used as a session (or the other way round) is refused, saying nothing of why."""
from __future__ import annotations

import pytest

from locator.core.settings import load_settings
from locator.core.signing import sign
from locator.staff.commands import staff_base_url
from locator.staff.tokens import (DAY_MS, LINK_SALT, MAX_TOKEN_LENGTH, StaffClaims, issue_link, read_link, read_session,
                                  session_value)

SECRET = "s" * 40
NOW = 1_780_000_000_000


def test_a_link_works_until_it_expires():
    token = issue_link(SECRET, 2, NOW)
    assert read_link(SECRET, token, NOW) == StaffClaims(NOW, NOW + 2 * DAY_MS)
    assert read_link(SECRET, token, NOW + 2 * DAY_MS - 1) is not None
    assert read_link(SECRET, token, NOW + 2 * DAY_MS) is None


def test_the_session_ends_when_the_link_would():
    claims = read_link(SECRET, issue_link(SECRET, 1, NOW), NOW + 1000)
    value = session_value(SECRET, claims)
    assert read_session(SECRET, value, NOW + DAY_MS - 1) == claims
    assert read_session(SECRET, value, NOW + DAY_MS) is None


def _altered(token: str, position: int) -> str:
    return token[:position] + ("A" if token[position] != "A" else "B") + token[position + 1:]


@pytest.mark.parametrize("position", [0, 5, 20, -1, -10])
def test_an_altered_link_is_refused(position):
    token = issue_link(SECRET, 1, NOW)
    assert read_link(SECRET, _altered(token, position), NOW) is None


def test_a_link_is_not_a_session_nor_a_session_a_link_nor_another_secret_ours():
    token = issue_link(SECRET, 1, NOW)
    value = session_value(SECRET, read_link(SECRET, token, NOW))
    assert read_session(SECRET, token, NOW) is None and read_link(SECRET, value, NOW) is None
    assert read_link("t" * 40, token, NOW) is None


@pytest.mark.parametrize("token", [None, "", "not-a-token", "x" * (MAX_TOKEN_LENGTH + 1), 42,
                                   sign(SECRET, LINK_SALT, ["not", "claims"]), sign(SECRET, LINK_SALT, {"i": "1", "e": "2"})])
def test_anything_else_is_refused_without_an_error(token):
    assert read_link(SECRET, token, NOW) is None


def test_the_link_names_the_staff_apps_own_bind():
    settings = load_settings({})
    assert staff_base_url(settings) == "http://127.0.0.1:5001"
    assert staff_base_url(settings.replace("staff", host="0.0.0.0", port=8443)) == "http://127.0.0.1:8443"
    assert staff_base_url(settings.replace("staff", host="::1")) == "http://[::1]:5001"
