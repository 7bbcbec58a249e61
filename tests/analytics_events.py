"""Handmade analytics events, exactly as the events writer stores them (``event_document``, ``event_id``,
``events_index`` of locator.core.events): for the report's integration tests, the staff app's browser
tests and screenshot, and the report's benchmark (benchmarks/analytics_report.py).

``realistic_events`` streams a plausible month of a busy locator, deterministic for a seed: searches
of every kind over real gazetteer places and coarse cells, filters, zero results and nearest-anyway
answers, next pages (not searches), details, contacts and site pages, embedding hosts, five UI
languages; the rare countries and hosts fall under the report's ``min_count``. It never holds more
than one day's answers, so a million events take little memory. ``handmade_events`` is a small
exact set (numbers a test can name, HANDMADE_PERIOD); ``store_events`` writes either and refreshes.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterator

from locator.core.events import CONTACTS, event_document, event_id, events_index, site_page_facts

# Gazetteer ids (GeoNames) of towns customers type, per country, with a weight.
PLACES = {
    "DK": [("2618425", 6), ("2624652", 3), ("2615876", 2)],
    "DE": [("2950159", 6), ("2867714", 4), ("2911298", 3)],
    "US": [("5128581", 6), ("4887398", 4), ("5368361", 4), ("4699066", 2)],
    "GB": [("2643743", 6), ("2643123", 2)],
    "FR": [("2988507", 5), ("2996944", 2)],
    "SE": [("2673730", 4), ("2711537", 2)],
    "NL": [("2759794", 4), ("2747891", 2)],
    "ES": [("3117735", 4), ("3128760", 3)],
    "JP": [("1850147", 5), ("1853909", 2)],
    "IT": [("3169070", 3), ("3173435", 3)],
    "NO": [("3143244", 1)], "PL": [("756135", 1)], "AT": [("2761369", 1)], "CH": [("2657896", 1)],
    "AE": [("292223", 1)], "AU": [("2147714", 1)], "CA": [("6167865", 1)],
    "IS": [("3413829", 1)], "MT": [("2562305", 1)],  # rare: a handful of searches a month
}
COUNTRY_WEIGHTS = {"US": 24, "DE": 16, "DK": 12, "GB": 10, "FR": 8, "SE": 5, "NL": 5, "ES": 5, "JP": 5, "IT": 4,
                   "NO": 1.5, "PL": 1.5, "AT": 1, "CH": 1, "AE": 0.6, "AU": 0.6, "CA": 0.8, "IS": 0.02, "MT": 0.02}
LANGUAGE_OF = {"DE": "de", "AT": "de", "CH": "de", "FR": "fr", "ES": "es", "JP": "ja"}
# Coarse cells of point searches far from any town of 15,000 people (coarse_area.py names them so).
CELLS = [("cell:56.75,9.00", "DK"), ("cell:62.25,13.50", "SE"), ("cell:44.00,-103.50", "US"), ("cell:47.00,3.75", "FR")]
LONG_TAIL, LONG_TAIL_FIRST_ID = 3000, 20_000_000
SOURCES = [("direct", 70), ("www.milestonesys.com", 20), ("partners.example.com", 8)]
INDUSTRIES = ["retail", "banking", "transport", "education", "other"]
CERTS = ["MCIE", "MCIT", "MCDE"]


def _pick(rng: random.Random, weighted) -> str:
    keys, weights = zip(*(weighted.items() if isinstance(weighted, dict) else weighted))
    return rng.choices(keys, weights)[0]


def _facts(rng: random.Random, country: str) -> dict:
    roll = rng.random()
    facts = {"kind": "browse", "country": None, "place": None, "area": None, "words": 0}
    if roll < 0.5:
        # A month's long tail: places typed a few times each (made-up ids: labelled by id if ever shown).
        place = _pick(rng, PLACES[country]) if rng.random() < 0.8 else str(LONG_TAIL_FIRST_ID + rng.randrange(LONG_TAIL))
        facts.update(kind="place", country=country, place=place)
    elif roll < 0.7:
        area = rng.random()
        if area < 0.3:  # a cell has no country: a few known ones, and the countryside at large
            cell = rng.choice(CELLS)[0] if area < 0.15 else \
                f"cell:{rng.randrange(140, 260) * 0.25:.2f},{rng.randrange(-40, 120) * 0.25:.2f}"
            facts.update(kind="point", area=cell, country=None)
        else:
            facts.update(kind="point", area=_pick(rng, PLACES[country]), country=country)
    elif roll < 0.8:
        facts.update(kind="country", country=country)
    elif roll < 0.9:
        facts.update(kind="words", words=rng.randint(1, 3), country=country if rng.random() < 0.5 else None)
    elif roll < 0.95:
        facts.update(kind="area")
    language = LANGUAGE_OF.get(country, "da" if country == "DK" else "en")
    facts.update({
        "tier": ["premier"] if rng.random() < 0.25 else (["advanced", "premier"] if rng.random() < 0.07 else []),
        "cert": [rng.choice(CERTS)] if rng.random() < 0.15 else [],
        "language": [language] if rng.random() < 0.1 else [],
        "industry": [rng.choice(INDUSTRIES)] if rng.random() < 0.08 else [],
        "radius_km": 100.0 if facts["kind"] in ("place", "point") else None,
    })
    rare = COUNTRY_WEIGHTS[country] < 1
    zero_odds = 0.04 + (0.25 if rare else 0) + (0.15 if facts["cert"] else 0) + (0.1 if facts["industry"] else 0)
    zero = rng.random() < zero_odds
    nearest = not zero and facts["kind"] in ("place", "point") and rng.random() < 0.08
    total = 0 if zero else rng.randint(1, 120)
    facts.update(page=1, total=total, zero=zero, nearest=nearest,
                 sites=[f"S{rng.randrange(1, 400_000):07d}" for _ in range(min(total, 10))])
    return facts


def _minute(rng: random.Random, day: date) -> datetime:
    hour = min(23, max(0, int(rng.gauss(13, 4))))  # office hours, mostly
    return datetime.combine(day, time(hour, rng.randrange(60)), timezone.utc)


def _ui_language(rng: random.Random, country: str) -> str:
    own = LANGUAGE_OF.get(country, "en")
    return own if rng.random() < 0.85 else "en"


def day_factor(day: date) -> float:
    """How busy a day is against the average: weekdays more, weekends less (5 x 1.2 + 2 x 0.5 = 7)."""
    return 1.2 if day.weekday() < 5 else 0.5


def realistic_events(prefix: str, start: date, days: int, searches_per_day: int,
                     seed: int = 1) -> Iterator[tuple[str, str, dict]]:
    """(index, id, document) of ``days`` days from ``start``, about 1.85 events a search."""
    rng = random.Random(seed)
    serial = 0
    for offset in range(days):
        day = start + timedelta(days=offset)
        # Fewer searches at weekends, and some noise: about searches_per_day on average.
        usual = searches_per_day * day_factor(day)
        for _ in range(max(0, round(rng.gauss(usual, usual * 0.08)))):
            serial += 1
            country = _pick(rng, COUNTRY_WEIGHTS)
            facts, minute = _facts(rng, country), _minute(rng, day)
            beacon = {"token": f"answer-{seed}-{serial}", "lang": _ui_language(rng, country),
                      "source": _pick(rng, SOURCES) if rng.random() > 0.01 else f"integrator-{rng.randrange(40)}.example.net"}
            yield from _answer_events(rng, prefix, facts, beacon, minute, serial)


def _event(prefix: str, facts: dict, beacon: dict, kind: str, site: str | None, minute: datetime, nonce: str):
    beacon = {**beacon, "type": kind, "nonce": nonce, "site_id": site}
    return events_index(prefix, minute), event_id(beacon["token"], nonce, kind, site), event_document(facts, beacon, minute)


def _answer_events(rng, prefix, facts, beacon, minute, serial) -> Iterator[tuple[str, str, dict]]:
    nonce = f"page-load-{serial:012d}"
    yield _event(prefix, facts, beacon, "search", None, minute, nonce)
    if facts["total"] > 10 and rng.random() < 0.15:  # the next page: a search event, not a search
        yield _event(prefix, {**facts, "page": 2}, {**beacon, "token": beacon["token"] + "-p2"}, "search", None,
                     minute, nonce)
    if facts["sites"] and rng.random() < 0.35:
        site = rng.choice(facts["sites"])
        yield _event(prefix, facts, beacon, "detail", site, minute, nonce)
        for contact, odds in zip(CONTACTS, (0.25, 0.2, 0.4, 0.2)):
            if rng.random() < odds:
                yield _event(prefix, facts, beacon, contact, site, minute, nonce)
    if facts["sites"] and rng.random() < 0.05:
        site = rng.choice(facts["sites"])
        page = site_page_facts(site, facts["country"])
        yield _event(prefix, page, {**beacon, "token": f"site-page-{serial}"}, "site_page", site, minute, nonce)


# ---------------------------------------------------------------- a small exact set (tests/integration)

HANDMADE_PERIOD = (date(2026, 5, 31), date(2026, 6, 3))  # across two monthly indices; one event on each side


def _search(serial, country=None, place=None, area=None, kind="place", zero=False, nearest=False,
            page=1, tier=(), cert=(), lang="en", source="direct", sites=("S0000001", "S0000002")):
    facts = {"kind": kind, "country": country, "place": place, "area": area, "words": 0, "tier": list(tier),
             "cert": list(cert), "language": [], "industry": [], "radius_km": None, "page": page,
             "total": 0 if zero else len(sites), "zero": zero, "nearest": nearest, "sites": [] if zero else list(sites)}
    return facts, {"token": f"answer-{serial}", "nonce": f"nonce-{serial:08d}", "lang": lang, "source": source}


def _handmade(prefix, when, facts, beacon, kind="search", site=None):
    moment = datetime.fromisoformat(when).replace(tzinfo=timezone.utc)
    beacon = {**beacon, "type": kind, "site_id": site}
    return (events_index(prefix, moment), event_id(beacon["token"], beacon["nonce"], kind, site),
            event_document(facts, beacon, moment))


def handmade_events(prefix: str) -> list[tuple[str, str, dict]]:
    """Seven searches in Copenhagen (2 zero, 1 nearest), five in Berlin, two in Reykjavik (folded), one
    of words alone; a second page; a detail, a phone click and a site page; and events just outside
    the period."""
    events, serial = [], 0

    def search(when, **facts):
        nonlocal serial
        serial += 1
        made = _search(serial, **facts)
        events.append(_handmade(prefix, when, *made))
        return made

    for n in range(7):
        search(f"2026-05-31T23:{n:02d}:00", country="DK", place="2618425", zero=n < 2, nearest=n == 2,
               tier=("premier",) if n < 5 else (), lang="da" if n < 6 else "en",
               source="www.milestonesys.com" if n < 5 else "direct")
    berlin = None
    for n in range(5):
        berlin = search(f"2026-06-02T10:{n:02d}:00", country="DE", place="2950159", cert=("MCIE",), lang="de")
    for n in range(2):
        search(f"2026-06-03T23:5{n}:00", country="IS", place="3413829", zero=True, source="rare.example.net")
    search("2026-06-01T08:00:00", kind="words", zero=True)
    facts, beacon = berlin  # the last Berlin answer: its second page, a detail and a call, its site's page
    events.append(_handmade(prefix, "2026-06-02T10:10:00", {**facts, "page": 2}, {**beacon, "token": "answer-page-2"}))
    events.append(_handmade(prefix, "2026-06-02T10:11:00", facts, beacon, "detail", "S0000001"))
    events.append(_handmade(prefix, "2026-06-02T10:12:00", facts, beacon, "phone", "S0000001"))
    events.append(_handmade(prefix, "2026-06-02T10:13:00", site_page_facts("S0000001", "DE"),
                            {**beacon, "token": "site-page-1"}, "site_page", "S0000001"))
    search("2026-05-30T23:59:00", country="DK", place="2618425")  # the day before: not in the report
    search("2026-06-04T00:00:00", country="DK", place="2618425")  # the day after
    return events


def store_events(es, events, batch_size: int = 2000) -> int:
    """Write the events as the events writer does (EventStore: op_type=create, the mapping), then
    refresh their indices so that a report sees them at once; how many are stored."""
    from locator.analytics.store import EventStore

    store, batch, stored, indices = EventStore(es), [], 0, set()
    for event in events:
        batch.append(event)
        indices.add(event[0])
        if len(batch) >= batch_size:
            stored += store.write(batch)
            batch = []
    if batch:
        stored += store.write(batch)
    if indices:
        es.indices.refresh(index=",".join(sorted(indices)))
    return stored
