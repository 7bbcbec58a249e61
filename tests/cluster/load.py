"""Customers for the drills: threads that search the API for a while, and what they saw.

Each thread goes round the same searches (near a place, filters, words, map markers, suggestions)
against one or more API instances. Every answer is kept: its status, its total and whether it said
when to retry. ``problems`` says what a customer would have noticed.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass

import urllib3

# Each search and how to read its "total" (what must not change while nodes come and go).
SEARCHES = {
    "near": "/api/v1/partners?near=Berlin&radius_km=500",
    "filters": "/api/v1/partners?lat=51.5&lon=-0.12&radius_km=2000&tier=premier&per_page=50",
    "text": "/api/v1/partners?q=security&sort=relevance",
    "country": "/api/v1/partners?country=US&collapse=partner",
    "markers": "/api/v1/partners/markers?bbox=-60,-180,80,180&zoom=2",
    "suggest": "/api/v1/suggest?q=sec",
}
MAX_UNAVAILABLE_SHARE = 0.001  # the standard: at most 0.1% of answers may be 503


def total_of(name: str, body: dict) -> tuple[int, int]:
    """(total, how many came back on the page): the page must never be empty when the total is not."""
    if name == "suggest":
        return len(body["companies"]), len(body["companies"])
    if name == "markers":
        return body["total"], len(body["points"]) + len(body["clusters"])
    return body["total"], len(body["results"])


@dataclass(frozen=True)
class Answer:
    base: str
    name: str
    status: int  # 0: no HTTP answer at all (connection refused, reset, timed out)
    total: int | None
    shown: int | None
    retry_after: str | None
    at_s: float


def ask(http: urllib3.PoolManager, base: str, name: str, started: float) -> Answer:
    try:
        # A new connection each time: a pooled one the server closed while idle is no failure of the
        # cluster, and retries=False must count every real one.
        response = http.request("GET", base + SEARCHES[name], headers={"Connection": "close"},
                                timeout=urllib3.Timeout(total=60), retries=False)
    except urllib3.exceptions.HTTPError:
        return Answer(base, name, 0, None, None, None, time.monotonic() - started)
    total = shown = None
    if response.status == 200:
        total, shown = total_of(name, json.loads(response.data))
    return Answer(base, name, response.status, total, shown, response.headers.get("Retry-After"),
                  time.monotonic() - started)


class Load:
    """``threads`` customers over ``bases`` (API base URLs) until ``stop``."""

    def __init__(self, bases: list[str], threads: int = 8):
        self.bases, self.threads = bases, threads
        self.answers: list[Answer] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._workers: list[threading.Thread] = []
        self.started = 0.0

    def start(self) -> "Load":
        self.started = time.monotonic()
        for number in range(self.threads):
            worker = threading.Thread(target=self._customer, args=(number,), daemon=True)
            worker.start()
            self._workers.append(worker)
        return self

    def _customer(self, number: int) -> None:
        http, names, turn = urllib3.PoolManager(maxsize=1), list(SEARCHES), number
        base = self.bases[number % len(self.bases)]
        while not self._stop.is_set():
            answer = ask(http, base, names[turn % len(names)], self.started)
            turn += 1
            with self._lock:
                self.answers.append(answer)

    def stop(self) -> list[Answer]:
        """Stop the customers (again: a no-op) and return every answer they got."""
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=30)
        return self.answers

    def elapsed(self) -> float:
        return time.monotonic() - self.started


def expected_totals(base: str, tries: int = 20) -> dict[str, tuple[int, int]]:
    """Each search's (total, page size) on a healthy cluster; each must have results to be a fair check.

    A 503 is asked again (a bounded number of times): shard copies that a previous drill just
    recovered may answer their first searches slower than the API's 1 s timeout while they warm up.
    """
    http, expected = urllib3.PoolManager(), {}
    for name in SEARCHES:
        for _ in range(tries):
            answer = ask(http, base, name, time.monotonic())
            if answer.status != 503:
                break
            time.sleep(0.5)
        assert answer.status == 200 and answer.total, f"{name}: the drill's search must find something ({answer})"
        expected[name] = (answer.total, answer.shown)
    return expected


def summary(answers: list[Answer]) -> str:
    """For the drill's log: how many answers, how many 503."""
    unavailable = sum(1 for answer in answers if answer.status == 503)
    return f"{len(answers)} answers, {unavailable} x 503 ({unavailable / max(1, len(answers)):.3%})"


def problems(answers: list[Answer], expected: dict[str, tuple[int, int]], *, max_unavailable: float) -> dict:
    """What customers would have noticed: errors, wrong or empty pages, 503s without Retry-After, too many 503s."""
    unavailable = [answer for answer in answers if answer.status == 503]
    found = {
        "not 200 or 503": [answer for answer in answers if answer.status not in (200, 503)],
        "wrong total or empty page": [answer for answer in answers
                                      if answer.status == 200 and (answer.total, answer.shown) != expected[answer.name]],
        "503 without Retry-After": [answer for answer in unavailable if not answer.retry_after],
    }
    if len(unavailable) > max_unavailable * len(answers):
        found[f"more than {max_unavailable:.1%} 503"] = unavailable
    return {what: listed[:5] for what, listed in found.items() if listed}
