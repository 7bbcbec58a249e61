"""The per-client budget's counting, on a clock the test moves."""
from __future__ import annotations

from locator.api.budget import SlidingWindows, parse


START = 3600.0 * 24 * 365  # the start of an hour (and so of a minute)


class Clock:
    def __init__(self, now: float = START):
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_the_setting_reads_as_amounts_per_seconds():
    assert parse("600 per minute; 6000 per hour") == [(600, 60.0), (6000, 3600.0)]


def test_a_client_over_its_budget_waits_until_the_window_ends_and_others_are_not_affected():
    clock = Clock(START)
    windows = SlidingWindows([(3, 60.0)], clock)
    assert [windows.spend("a") for _ in range(3)] == [None, None, None]
    clock.now += 15
    assert windows.spend("a") == 45.0  # refused: until this minute ends
    assert windows.spend("b") is None  # a budget per client


def test_the_previous_window_still_counts_for_the_part_that_overlaps_the_last_period():
    clock = Clock(START)
    windows = SlidingWindows([(4, 60.0)], clock)
    for _ in range(4):
        assert windows.spend("a") is None
    clock.now += 60 + 15  # a quarter into the next minute: 3/4 of the 4 still count
    assert windows.spend("a") is None  # 3 + 1
    assert windows.spend("a") is not None  # 3 + 2 > 4
    clock.now += 30  # three quarters in: 1/4 of 4 + 1 this minute
    assert windows.spend("a") is None


def test_refused_requests_do_not_spend_the_budget_and_every_limit_must_allow():
    clock = Clock(START)
    windows = SlidingWindows([(100, 1.0), (2, 3600.0)], clock)
    assert windows.spend("a") is None and windows.spend("a") is None
    clock.now += 5
    assert windows.spend("a") == 3600 - 5  # the hourly limit refuses, though the per-second one allows
    clock.now += 3600  # the last hour still holds nearly both requests
    assert windows.spend("a") is not None
    clock.now += 3600
    assert windows.spend("a") is None
