"""Customers for the drills: searches sent at a fixed rate for a while, and what each one got.

The load is paced (open loop): search *i* is sent at ``start + i / rate`` whatever the earlier ones
are doing, by a pool of senders, so a slow answer never slows the load down and the cluster is
never starved by senders that ask again the moment they are answered. The searches go round near a
place, filters, words, a country, map markers and suggestions, over one or more API instances.
Every answer is kept: when it was sent and answered, its status, its total and whether it said when
to retry. Analytics is on in the drills (a token secret): every search answered 200 is followed by
its page's "search" beacon, and the beacon's status is kept too (it must be 204 whatever the cluster
does: events are buffered, never written on the request). ``problems`` says what a customer would
have noticed.
"""
from __future__ import annotations

import json
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
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
MAX_UNAVAILABLE_SHARE = 0.001  # the standard: at most 0.1% of answers may be 503...
MIN_ANSWERS = round(1 / MAX_UNAVAILABLE_SHARE)  # ...judged over at least the 1,000 answers in which 0.1% is one
RATE_PER_S = 20  # searches a second over all API instances (docs/benchmarks.md, "Drills")
SENDERS = 16  # at most this many searches in flight; a search later than that waits for a sender
ANSWER_TIMEOUT_S = 30  # a customer's patience: no answer by then counts as no answer (status 0)
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


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
    sent_s: float  # seconds since the load started
    at_s: float  # when the answer came
    beacon: int | None = None  # the page's beacon after a 200 with a search_token: its status (0: no answer)


def ask(http: urllib3.PoolManager, base: str, name: str, started: float) -> Answer:
    sent = time.monotonic() - started
    try:
        # A new connection each time: a pooled one the server closed while idle is no failure of the
        # cluster, and retries=False must count every real one.
        response = http.request("GET", base + SEARCHES[name], headers={"Connection": "close"},
                                timeout=urllib3.Timeout(total=ANSWER_TIMEOUT_S), retries=False)
    except urllib3.exceptions.HTTPError:
        return Answer(base, name, 0, None, None, None, sent, time.monotonic() - started)
    total = shown = beacon = None
    if response.status == 200:
        body = json.loads(response.data)
        total, shown = total_of(name, body)
        if body.get("search_token"):
            beacon = send_beacon(http, base, body["search_token"])
    return Answer(base, name, response.status, total, shown, response.headers.get("Retry-After"),
                  sent, time.monotonic() - started, beacon)


def send_beacon(http: urllib3.PoolManager, base: str, token: str) -> int:
    body = {"type": "search", "token": token, "nonce": secrets.token_urlsafe(16), "lang": "en", "source": "direct"}
    try:
        return http.request("POST", base + "/api/v1/events", body=json.dumps(body),
                            headers={"Connection": "close", "Content-Type": "application/json",
                                     "User-Agent": BROWSER},
                            timeout=urllib3.Timeout(total=ANSWER_TIMEOUT_S), retries=False).status
    except urllib3.exceptions.HTTPError:
        return 0


class Load:
    """Searches at ``rate`` a second over ``bases`` (API base URLs), round robin, until ``stop``."""

    def __init__(self, bases: list[str], rate: float = RATE_PER_S):
        self.bases, self.rate = bases, rate
        self.answers: list[Answer] = []
        self.late = 0  # searches sent more than a second after their time (every sender was busy)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._senders = ThreadPoolExecutor(SENDERS, thread_name_prefix="customer")
        self._http = urllib3.PoolManager(maxsize=SENDERS)
        self._pacer: threading.Thread | None = None
        self.started = 0.0

    def start(self) -> "Load":
        self.started = time.monotonic()
        self._pacer = threading.Thread(target=self._pace, daemon=True)
        self._pacer.start()
        return self

    def _pace(self) -> None:
        names, number = list(SEARCHES), 0
        while not self._stop.wait(max(0.0, self.started + number / self.rate - time.monotonic())):
            base = self.bases[number % len(self.bases)]
            self._senders.submit(self._send, base, names[number % len(names)], self.started + number / self.rate)
            number += 1

    def _send(self, base: str, name: str, due: float) -> None:
        if time.monotonic() - due > 1.0:
            with self._lock:
                self.late += 1
        answer = ask(self._http, base, name, self.started)
        with self._lock:
            self.answers.append(answer)

    def stop(self) -> list[Answer]:
        """Stop sending (again: a no-op), wait for the searches in flight, and return every answer."""
        self._stop.set()
        if self._pacer is not None:
            self._pacer.join()
        self._senders.shutdown(wait=True)
        return sorted(self.answers, key=lambda answer: answer.sent_s)

    def elapsed(self) -> float:
        return time.monotonic() - self.started


def warm_up(base: str, rounds: int = 3, deadline_s: float = 60) -> dict[str, tuple[int, int]]:
    """Each search's (total, page size) on a healthy cluster, once every search has answered 200
    ``rounds`` times in a row: shard copies a previous drill just moved or recovered answer their
    first searches slowly (cold caches), and a drill measures what its own fault does, not that."""
    http, expected, in_a_row = urllib3.PoolManager(), {}, 0
    deadline = time.monotonic() + deadline_s
    while in_a_row < rounds:
        assert time.monotonic() < deadline, f"the searches did not all answer 200 within {deadline_s}s: {expected}"
        answers = [ask(http, base, name, time.monotonic()) for name in SEARCHES]
        in_a_row = in_a_row + 1 if all(answer.status == 200 for answer in answers) else 0
        for answer in answers:
            if answer.status == 200:
                expected[answer.name] = (answer.total, answer.shown)
    assert all(total for total, _ in expected.values()), f"each drill search must find something: {expected}"
    return expected


def summary(answers: list[Answer]) -> str:
    """For the drill's log: how many answers, how many 503."""
    unavailable = [answer for answer in answers if answer.status == 503]
    when = ", ".join(f"{answer.name}@{answer.sent_s:.1f}s" for answer in unavailable[:10])
    return (f"{len(answers)} answers, {len(unavailable)} x 503 ({len(unavailable) / max(1, len(answers)):.3%})"
            + (f" sent at {when}" if when else ""))


def problems(answers: list[Answer], expected: dict[str, tuple[int, int]], *, max_unavailable: float) -> dict:
    """What customers would have noticed: errors, wrong or empty pages, 503s without Retry-After, too many 503s."""
    unavailable = [answer for answer in answers if answer.status == 503]
    found = {
        "not 200 or 503": [answer for answer in answers if answer.status not in (200, 503)],
        "wrong total or empty page": [answer for answer in answers
                                      if answer.status == 200 and (answer.total, answer.shown) != expected[answer.name]],
        "503 without Retry-After": [answer for answer in unavailable if not answer.retry_after],
        "beacon not answered 204": [answer for answer in answers if answer.beacon not in (None, 204)],
    }
    if len(unavailable) > max_unavailable * len(answers):
        found[f"more than {max_unavailable:.1%} 503"] = unavailable
    return {what: listed[:5] for what, listed in found.items() if listed}
