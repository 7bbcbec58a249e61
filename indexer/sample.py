"""A realistic sample partner export (docs/program-rules.md, The partner export), for demos, tests and load runs.

Real towns and coordinates from the gazetteer (never invented points), company names from
multi-lingual word lists, a tier mix near the real one (about a third of (partner, country)
groups qualify for Advanced or Premier), ~10% of sites without a location (their town spelled as
exports do: accents stripped, digraphs, capitals) and ~0.3% broken lines of the kinds the indexer
must reject. Deterministic for (sites, seed, as_of); streaming, in constant memory.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import random
import re
import sys
from collections import deque
from itertools import accumulate
from pathlib import Path
from typing import IO, Iterator

import orjson

from indexer.program import load_program
from indexer.sample_words import COUNTRY_WEIGHTS, INDUSTRIES, LEGAL_FORMS, POSTAL, SENTENCES, SITE_KINDS, WORDS
from locator.core.contract import RANKED_TIERS
from locator.core.gazetteer import Country, Gazetteer, Place
from locator.core.text import DIGRAPHS, strip_accents

log = logging.getLogger(__name__)

_TIERS = (("premier", 12), ("advanced", 24), ("authorized", 34), ("none", 30))  # 36% listed
_TIER_NAMES, _TIER_WEIGHTS = [t for t, _ in _TIERS], list(accumulate(w for _, w in _TIERS))
_SITE_COUNT_WEIGHTS = list(accumulate((35, 20, 13, 10, 8, 6, 4, 4)))  # sites per partner, 1 to 8
_REVENUE = "@@revenue_eur@@"  # placeholder, replaced by the 2-decimal number after serialisation
_BROKEN_RATE = 0.003
_NO_LOCATION_RATE = 0.10


def generate(sites: int, seed: int = 1, *, gazetteer: Gazetteer | None = None,
             as_of: dt.date | None = None) -> Iterator[str]:
    """Yield ``sites`` export lines (JSON, no newline). Dates are relative to as_of (default
    today, UTC), so tiers evaluated on that day come out as intended."""
    gazetteer = gazetteer or _default_gazetteer()
    return _Generator(gazetteer, seed, as_of or dt.datetime.now(dt.timezone.utc).date()).lines(sites)


def write_sample(path_or_stdout: str | Path | IO[str] | None, sites: int, seed: int = 1, **options) -> None:
    """Write a sample export to a path, an open text stream, or stdout ("-" or None)."""
    if path_or_stdout in (None, "-"):
        _write(sys.stdout, sites, seed, options)
    elif hasattr(path_or_stdout, "write"):
        _write(path_or_stdout, sites, seed, options)
    else:
        with open(path_or_stdout, "w", encoding="utf-8", newline="\n") as handle:
            _write(handle, sites, seed, options)
    target = getattr(path_or_stdout, "name", path_or_stdout or "-")
    log.info("wrote a sample export of %d sites (seed %d) to %s", sites, seed, target)


def _write(handle: IO[str], sites: int, seed: int, options: dict) -> None:
    batch: list[str] = []
    for line in generate(sites, seed, **options):
        batch.append(line)
        if len(batch) == 2000:  # fewer, larger writes; memory stays constant
            handle.write("\n".join(batch) + "\n")
            batch.clear()
    if batch:
        handle.write("\n".join(batch) + "\n")


def _default_gazetteer() -> Gazetteer:
    from locator.core.settings import load_settings

    return Gazetteer.open(load_settings().cache_dir)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", strip_accents(text).lower()).strip("-")


class _FastRandom(random.Random):
    """choice/randint/randrange from one float draw: half the cost of the exact integer methods
    (they dominate at a million sites); still fully determined by the seed."""

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def randrange(self, n: int) -> int:  # type: ignore[override]  # only the one-argument form is used
        return int(self.random() * n)


class _Generator:
    def __init__(self, gazetteer: Gazetteer, seed: int, as_of: dt.date):
        self.rng, self.gaz, self.as_of = _FastRandom(seed), gazetteer, as_of
        self.program = load_program()
        self.countries = list(COUNTRY_WEIGHTS)
        self.country_weights = list(accumulate(COUNTRY_WEIGHTS.values()))
        self.cities: dict[str, tuple[list[Place], list[float]]] = {}
        self.geocodable: dict[str, bool] = {}
        self.country_info: dict[str, Country] = {}
        self.dates: dict[int, str] = {}
        self.slugs: dict[str, str] = {}
        self.recent_ids: deque[str] = deque(maxlen=64)
        self.site_no = self.partner_no = self.person_no = 0

    def lines(self, sites: int) -> Iterator[str]:
        emitted = 0
        while emitted < sites:
            for record in self._partner()[: sites - emitted]:
                yield self._line(record)
                emitted += 1

    # -- partners and groups ------------------------------------------------------------------

    def _partner(self) -> list[dict]:
        rng = self.rng
        self.partner_no += 1
        home = rng.choices(self.countries, cum_weights=self.country_weights)[0]
        count = rng.choices(range(1, 9), cum_weights=_SITE_COUNT_WEIGHTS)[0]
        abroad = self._abroad(home) if count >= 3 and rng.random() < 0.3 else []
        placed = [home] + [rng.choice(abroad) if abroad and rng.random() < 0.35 else home for _ in range(count - 1)]
        hq = self._city(home)
        partner = self._company(home, hq.name)
        partner["persons"] = [self._person() for _ in range(rng.randint(2, 6))]
        records = []
        for country in dict.fromkeys(placed):  # one (partner, country) group at a time
            flags = self._group_flags()
            programs = self._programs(placed.count(country), country, flags, partner["persons"])
            records += [self._site(partner, country, program, hq if not records else None) for program in programs]
        return records

    def _abroad(self, home: str) -> list[str]:
        near = [code for code in self._country(home).neighbours if code in COUNTRY_WEIGHTS]
        return near[:2] or [self.rng.choices(self.countries, cum_weights=self.country_weights)[0]]

    def _company(self, country: str, town: str) -> dict:
        rng, lang = self.rng, self._language(country)
        stems, trades, forms, trade_first, _ = WORDS.get(lang, WORDS["en"])
        stem, trade = rng.choice(stems) if rng.random() < 0.6 else town, rng.choice(trades)  # "Aarhus Sikring ApS"
        form = rng.choice(LEGAL_FORMS.get(country, forms).split(";"))
        name = f"{trade} {stem} {form}" if trade_first else f"{stem} {trade} {form}"
        return {"id": f"P{self.partner_no:06d}", "name": name, "domain": f"{_slug(stem + ' ' + trade)}.example",
                "industries": rng.sample(INDUSTRIES, rng.randint(1, 3))}

    def _person(self) -> str:
        self.person_no += 1
        return f"E{self.person_no:06d}"

    def _group_flags(self) -> dict[str, bool]:
        """Which requirements the group meets, from a target tier and, below it, one reason."""
        rng = self.rng
        tier = rng.choices(_TIER_NAMES, cum_weights=_TIER_WEIGHTS)[0]
        flags = dict(terms=True, onboarding=True, training=True, certs=True, extras=tier == "premier", tier=tier)
        if tier == "authorized":
            reason = rng.choice(("onboarding", "training", "certs", "revenue"))
            flags[reason] = False
        elif tier == "none" and rng.random() < 0.4:
            flags["terms"] = False
        return flags

    def _revenue(self, country: str, flags: dict) -> float:
        """Group revenue within the band of its target tier (below a threshold when that is the reason)."""
        # The shipped program configuration decides, so the sample's tiers follow any change to it.
        authorized, advanced, premier = (float(self.program.threshold(country, tier))
                                         for tier in RANKED_TIERS)
        tier = flags["tier"]
        if tier == "premier":
            band = (premier * 1.05, premier * 3)
        elif tier == "advanced":
            band = (advanced * 1.05, premier * 0.95)
        elif tier == "authorized":
            band = (authorized * 1.1, advanced * (0.9 if flags.get("revenue") is False else 2))
        else:
            band = (0, authorized * 0.9) if flags["terms"] else (0, premier)
        return self.rng.uniform(*band)

    def _programs(self, count: int, country: str, flags: dict, persons: list[str]) -> list[dict]:
        rng = self.rng
        shares = [rng.random() + 0.2 for _ in range(count)]
        revenue = self._revenue(country, flags)
        programs = []
        for index, share in enumerate(shares):
            first = index == 0  # the first site carries what the group must meet; others vary
            onboarded = flags["onboarding"] and (first or rng.random() < 0.7)
            plan_year = self.as_of.year if flags["extras"] and first else rng.choice((None, self.as_of.year - 1))
            programs.append({"terms_accepted": flags["terms"] and (first or rng.random() < 0.9),
                             "revenue_eur": round(revenue * share / sum(shares), 2),
                             "onboarding_completed": self._date(-rng.randint(60, 2500)) if onboarded else None,
                             "sales_training_completed": self._training(flags["training"] and (first or rng.random() < 0.5)),
                             "business_plan_year": plan_year,
                             "ambassador": flags["extras"] and first,
                             "certifications": self._certs(flags, first, persons)})
        return programs

    def _training(self, recent: bool) -> str | None:
        if recent:
            return self._date(-self.rng.randint(1, 360))
        return self.rng.choice((None, self._date(-self.rng.randint(370, 900))))

    def _certs(self, flags: dict, first: bool, persons: list[str]) -> list[dict]:
        rng = self.rng
        needed = (["MCDE", "MCIT"] + (["MCIE"] if flags["extras"] else [])) if flags["certs"] and first else []
        extra = rng.choices(("MCDE", "MCIT", "MCIE"), k=rng.choice((0, 0, 1, 2)))
        valid = [True] * len(needed) + [flags["certs"] and rng.random() < 0.7 for _ in extra]
        days = [rng.randint(30, 900) if ok else -rng.randint(1, 400) for ok in valid]
        return [{"person_id": rng.choice(persons), "type": kind, "valid_until": self._date(day)}
                for kind, day in zip(needed + extra, days)]

    def _date(self, days_from_as_of: int) -> str:
        if days_from_as_of not in self.dates:  # a few thousand distinct offsets, used a million times
            self.dates[days_from_as_of] = (self.as_of + dt.timedelta(days=days_from_as_of)).isoformat()
        return self.dates[days_from_as_of]

    # -- sites --------------------------------------------------------------------------------

    def _site(self, partner: dict, country: str, program: dict, place: Place | None = None) -> dict:
        rng, place = self.rng, place or self._city(country)
        self.site_no += rng.choice((1, 1, 1, 2, 5))  # ids with gaps, as in a real CRM
        region = (place.region if rng.random() < 0.6 else place.region_code) if place.region else None
        record = {"site_id": f"S{self.site_no:07d}", "partner_id": partner["id"], "company": partner["name"]}
        if rng.random() < 0.9:
            record["site_name"] = f"{place.name} {rng.choice(SITE_KINDS)}"
        record["address"] = {"street": self._street(country), "postal_code": self._postal(country), "city": place.name,
                             **({"region": region} if region else {}), "country": country}
        if rng.random() < _NO_LOCATION_RATE and self._geocodable(place, region):
            record["address"]["city"] = self._spelling(place.name)
        else:
            # Within a kilometre or so of the town centre: offices are not all at one point.
            record["location"] = {"lat": round(place.lat + rng.uniform(-0.01, 0.01), 5),
                                  "lon": round(place.lon + rng.uniform(-0.01, 0.01), 5)}
        city_slug = self.slugs.get(place.name) or self.slugs.setdefault(place.name, _slug(place.name) or "info")
        record["contact"] = {"phone": self._phone(country), "email": f"{city_slug}@{partner['domain']}",
                             "website": f"https://www.{partner['domain']}"}
        record["languages"] = list(dict.fromkeys([self._language(country), "en"]))
        record["industries"] = partner["industries"]
        record["description"] = self._description(partner["industries"], place.name, country)
        record["program"] = program
        return record

    def _city(self, country: str) -> Place:
        if country not in self.cities:  # towns of 2,000+; weight grows less than population
            places = self.gaz.places(country, min_population=2000) or self.gaz.places(country)
            self.cities[country] = (places, list(accumulate(p.population ** 0.8 for p in places)))
        places, weights = self.cities[country]
        return self.rng.choices(places, cum_weights=weights)[0]

    def _geocodable(self, place: Place, region: str | None) -> bool:
        """Whether the gazetteer finds this very town by name (it may have a bigger namesake)."""
        if place.id not in self.geocodable:
            found = self.gaz.resolve(place.name, place.country, region)
            self.geocodable[place.id] = found is not None and found.id == place.id
        return self.geocodable[place.id]

    def _spelling(self, name: str) -> str:
        """How exports write town names: as is, without accents, with digraphs, in capitals."""
        roll = self.rng.random()
        if roll < 0.25:
            return strip_accents(name)
        if roll < 0.4:
            return _DIGRAPH_RE.sub(lambda m: DIGRAPHS[m[0].lower()].capitalize() if m[0].isupper() else DIGRAPHS[m[0]], name)
        return name.upper() if roll < 0.5 else name

    def _street(self, country: str) -> str:
        return self.rng.choice(WORDS.get(self._language(country), WORDS["en"])[4]).format(n=self.rng.randint(1, 180))

    def _postal(self, country: str) -> str:
        pattern = POSTAL.get(country, "#####")
        digits = iter(f"{self.rng.randrange(10 ** 8):08d}")  # one draw per code: this runs a million times
        return "".join(next(digits) if c == "#" else self.rng.choice(_LETTERS) if c == "@" else c for c in pattern)

    def _phone(self, country: str) -> str:
        digits = f"{self.rng.randrange(10 ** 8):08d}"
        return f"+{self._country(country).phone or '1'} {digits[:2]} {digits[2:4]} {digits[4:6]} {digits[6:]}"

    def _language(self, country: str) -> str:
        return (self._country(country).languages or ("en",))[0]

    def _country(self, code: str) -> Country:
        if code not in self.country_info:
            self.country_info[code] = self.gaz.country(code) or Country(code, code, ("en",), "", (), 0)
        return self.country_info[code]

    def _description(self, industries: list[str], city: str, country: str) -> str:
        rng = self.rng
        words = dict(a=industries[0], b=industries[-1] if len(industries) > 1 else "public sector", city=city,
                     country=self._country(country).name)
        first = rng.randrange(len(SENTENCES))
        text = SENTENCES[first].format(**words)
        if rng.random() < 0.5:  # a second, different sentence
            text += " " + SENTENCES[(first + 1 + rng.randrange(len(SENTENCES) - 1)) % len(SENTENCES)].format(**words)
        return text

    # -- lines --------------------------------------------------------------------------------

    def _line(self, record: dict) -> str:
        """Serialise, now and then breaking the record the way real exports break."""
        rng = self.rng
        kind = rng.choice(("json", "country", "lat", "date", "duplicate")) if rng.random() < _BROKEN_RATE else None
        if kind == "country":
            record["address"]["country"] = "XX"
        elif kind == "lat":
            record["location"] = {"lat": record.get("location", {}).get("lat", 55.6761)}
        elif kind == "date":
            record["program"]["onboarding_completed"] = rng.choice(("2024-02-30", "31/12/2024", "2025-13-01"))
        elif kind == "duplicate" and self.recent_ids:
            record["site_id"] = rng.choice(self.recent_ids)
        self.recent_ids.append(record["site_id"])
        revenue = record["program"]["revenue_eur"]
        record["program"]["revenue_eur"] = _REVENUE
        line = _dumps(record).replace(_REVENUE_JSON, f"{revenue:.2f}", 1)
        return line[: len(line) // 2] if kind == "json" else line


def _dumps(record: dict) -> str:
    """Compact JSON as UTF-8 text (no \\u escapes); orjson, several times faster at a million lines."""
    return orjson.dumps(record).decode()


_REVENUE_JSON = json.dumps(_REVENUE)
_DIGRAPH_RE = re.compile("[" + "".join(DIGRAPHS) + "".join(DIGRAPHS).upper() + "]")
_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"

