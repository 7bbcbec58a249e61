"""Search tokens: the same for everyone given the same answer within ten minutes (answers stay
cacheable), good for an hour, and nothing without the secret makes or changes one."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from locator.core.search_tokens import MAX_AGE_S, TIME_STEP_S, issue, read

SECRET = "s" * 40
FACTS = {"kind": "place", "place": "2624652", "country": "DK", "total": 12, "sites": ["S0000001", "S0000002"]}
NOW = 1_780_000_200  # a multiple of ten minutes (2,966,667 x 600 s)


def test_everyone_given_the_same_answer_within_ten_minutes_gets_the_same_token():
    assert issue(SECRET, FACTS, NOW) == issue(SECRET, FACTS, NOW + TIME_STEP_S - 1)
    assert issue(SECRET, FACTS, NOW) != issue(SECRET, FACTS, NOW + TIME_STEP_S)
    assert issue(SECRET, FACTS, NOW) != issue(SECRET, {**FACTS, "total": 13}, NOW)


def test_a_token_reads_back_its_facts_for_an_hour_and_no_longer():
    token = issue(SECRET, FACTS, NOW + TIME_STEP_S - 1)  # made at the end of its ten minutes
    assert read(SECRET, token, NOW + TIME_STEP_S - 1) == FACTS
    assert read(SECRET, token, NOW + TIME_STEP_S - 1 + MAX_AGE_S) == FACTS  # a full hour after it was made
    assert read(SECRET, token, NOW + MAX_AGE_S + TIME_STEP_S + 1) is None
    assert read(SECRET, token, NOW - TIME_STEP_S - 1) is None  # from the future: a clock or a forgery


def test_another_secret_or_an_altered_token_is_refused():
    token = issue(SECRET, FACTS, NOW)
    assert read("t" * 40, token, NOW) is None
    payload, _, signature = token.rpartition(".")
    assert read(SECRET, payload[:-1] + ("A" if payload[-1] != "A" else "B") + "." + signature, NOW) is None
    assert read(SECRET, "x" * 3000, NOW) is None and read(SECRET, "", NOW) is None


@given(st.text(max_size=300))
def test_no_input_raises(text):
    assert read(SECRET, text, NOW) is None


_JSON = st.recursive(st.none() | st.booleans() | st.integers(-2**53, 2**53) | st.floats(allow_nan=False, allow_infinity=False)
                     | st.text(max_size=20),
                     lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
                     max_leaves=30)


@given(_JSON)
def test_tokens_read_alike_by_itsdangerous_itself(payload):
    """The signer is tuned (issue 20: one derived key, orjson, a small deflate window), not a new
    format: during a rolling upgrade, a token made by either version is read by the other."""
    from itsdangerous import URLSafeSerializer

    from locator.core.signing import sign, signed_payload

    plain = URLSafeSerializer(SECRET, salt="a salt")
    assert plain.loads(sign(SECRET, "a salt", payload)) == payload
    assert signed_payload(SECRET, "a salt", plain.dumps(payload), 10_000) == payload
    assert signed_payload(SECRET, "another salt", plain.dumps(payload), 10_000) is None
