"""The sample export generator: deterministic, realistic, with the right share of broken lines."""
from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import math
import re
import types
from collections import Counter, defaultdict

import pycountry
import pytest

from indexer.geocode import GazetteerGeocoder
from indexer.sample import generate, write_sample
from locator.core.gazetteer import Gazetteer

AS_OF = dt.date(2026, 6, 1)
REQUIRED = ("site_id", "partner_id", "company", "address", "program")
DATE_FIELDS = ("onboarding_completed", "sales_training_completed")


@pytest.fixture(scope="module")
def lines(gazetteer: Gazetteer) -> list[str]:
    return list(generate(20_000, seed=7, gazetteer=gazetteer, as_of=AS_OF))


@pytest.fixture(scope="module")
def records(lines: list[str]) -> list[dict]:
    """The lines without problems, parsed."""
    seen: set[str] = set()
    return [record for record in map(_parse, lines) if record is not None and _problem(record, seen) is None]


def _parse(line: str) -> dict | None:
    try:
        return json.loads(line)
    except ValueError:
        return None


def _is_date(value) -> bool:
    try:
        return value is None or dt.date.fromisoformat(value).isoformat() == value
    except (TypeError, ValueError):
        return False


def _problem(record: dict | None, seen: set[str]) -> str | None:
    """Why a line breaks RULES.md section 1 (for the kinds the generator produces), or None."""
    if record is None:
        return "not json"
    if record["site_id"] in seen:
        return "duplicate site_id"
    seen.add(record["site_id"])
    if pycountry.countries.get(alpha_2=record["address"]["country"]) is None:
        return "bad country"
    if "location" in record and set(record["location"]) != {"lat", "lon"}:
        return "lat without lon"
    program = record["program"]
    dates = [program.get(name) for name in DATE_FIELDS] + [c["valid_until"] for c in program.get("certifications", [])]
    return None if all(map(_is_date, dates)) else "bad date"


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((phi2 - phi1) / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 12742 * math.asin(math.sqrt(a))


def test_deterministic_for_a_seed(gazetteer: Gazetteer) -> None:
    first = list(generate(3000, seed=3, gazetteer=gazetteer, as_of=AS_OF))
    assert first == list(generate(3000, seed=3, gazetteer=gazetteer, as_of=AS_OF))
    assert first != list(generate(3000, seed=4, gazetteer=gazetteer, as_of=AS_OF))
    assert first[:1000] == list(generate(1000, seed=3, gazetteer=gazetteer, as_of=AS_OF))


def test_write_sample_writes_identical_utf8_bytes(gazetteer: Gazetteer, tmp_path) -> None:
    paths = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    for path in paths:
        write_sample(path, 2500, 5, gazetteer=gazetteer, as_of=AS_OF)
    data = paths[0].read_bytes()
    assert data == paths[1].read_bytes()
    assert data.decode("utf-8").count("\n") == 2500 and "\\u00" not in data.decode()
    stream = io.StringIO()
    write_sample(stream, 2500, 5, gazetteer=gazetteer, as_of=AS_OF)
    assert stream.getvalue().encode() == data


def test_streams(gazetteer: Gazetteer) -> None:
    stream = generate(10**12, gazetteer=gazetteer, as_of=AS_OF)  # a trillion sites: only a lazy stream copes
    assert isinstance(stream, types.GeneratorType)
    assert len(list(itertools.islice(stream, 10))) == 10


def test_line_count_and_broken_ratio(lines: list[str]) -> None:
    assert len(lines) == 20_000
    seen: set[str] = set()
    problems = Counter(_problem(_parse(line), seen) for line in lines)
    broken = len(lines) - problems.pop(None)
    assert 0.0015 <= broken / len(lines) <= 0.006, problems
    assert set(problems) == {"not json", "duplicate site_id", "bad country", "lat without lon", "bad date"}


def test_valid_lines_have_required_fields(records: list[dict]) -> None:
    assert len(records) > 19_800
    languages = {lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2")}
    for record in records:
        assert all(record.get(name) for name in REQUIRED)
        assert re.fullmatch(r"[A-Za-z0-9._-]{1,64}", record["site_id"])
        assert {"city", "country"} <= set(record["address"])
        assert isinstance(record["program"]["terms_accepted"], bool)
        assert record["program"]["revenue_eur"] >= 0
        assert record["contact"]["email"].endswith(".example") and record["contact"]["website"].startswith("https://")
        assert set(record["languages"]) <= languages


def test_revenue_has_two_decimals(lines: list[str]) -> None:
    revenues = [re.search(r'"revenue_eur":\s*([0-9.]+)', line) for line in lines]
    assert all(re.fullmatch(r"\d+\.\d\d", match[1]) for match in revenues if match)


def test_partners_and_names_look_real(records: list[dict]) -> None:
    sites = Counter(record["partner_id"] for record in records)
    assert max(sites.values()) <= 8 and min(sites.values()) >= 1
    countries = defaultdict(set)
    for record in records:
        countries[record["partner_id"]].add(record["address"]["country"])
    assert sum(len(c) > 1 for c in countries.values()) > 50  # some partners span countries
    assert len({record["address"]["country"] for record in records}) > 30
    companies = {record["company"] for record in records}
    assert any(not name.isascii() for name in companies) and any(name.endswith(" ApS") for name in companies)
    people = defaultdict(set)
    for record in records:
        for cert in record["program"]["certifications"]:
            people[record["partner_id"], cert["person_id"]].add(record["site_id"])
    assert any(len(site_ids) > 1 for site_ids in people.values())  # a person listed at two sites


def test_coordinates_are_real_places(records: list[dict], gazetteer: Gazetteer) -> None:
    located = [record for record in records if "location" in record][:400]
    for record in located:
        address, location = record["address"], record["location"]
        towns = gazetteer.lookup(address["city"], address["country"])
        assert min(_km(location["lat"], location["lon"], town.lat, town.lon) for town in towns) < 3, record


def test_sites_without_location_are_geocodable(records: list[dict], gazetteer: Gazetteer) -> None:
    unlocated = [record for record in records if "location" not in record]
    assert 0.07 <= len(unlocated) / len(records) <= 0.13
    geocoder = GazetteerGeocoder(gazetteer)
    for record in unlocated:
        geocoder.locate(record["address"])  # raises if not
    cities = {record["address"]["city"] for record in unlocated}
    assert any(city.isupper() for city in cities) and any("oe" in city or "ue" in city for city in cities)


def _tier(group: list[dict], country: str) -> str:
    """RULES.md section 2 with the default configuration, evaluated at AS_OF."""
    limits = {"US": (10_000, 75_000, 300_000), "JP": (8_000, 50_000, 200_000)}.get(country, (10_000, 60_000, 250_000))
    programs = [record["program"] for record in group]
    revenue = sum(p["revenue_eur"] for p in programs)
    certified = {kind: len({c["person_id"] for p in programs for c in p["certifications"]
                            if c["type"] == kind and c["valid_until"] >= AS_OF.isoformat()}) for kind in ("MCDE", "MCIT", "MCIE")}
    trained = [dt.date.fromisoformat(p["sales_training_completed"]) for p in programs if p["sales_training_completed"]]
    advanced = (any(p["onboarding_completed"] and p["onboarding_completed"] <= AS_OF.isoformat() for p in programs)
                and any(0 <= (AS_OF - day).days < 365 for day in trained) and certified["MCDE"] >= 1 and certified["MCIT"] >= 1)
    premier = advanced and certified["MCIE"] >= 1 and any(p["ambassador"] for p in programs) and any(
        p["business_plan_year"] == AS_OF.year for p in programs)
    if not any(p["terms_accepted"] for p in programs):
        return "none"
    for tier, met, limit in (("premier", premier, limits[2]), ("advanced", advanced, limits[1]), ("authorized", True, limits[0])):
        if met and revenue >= limit:
            return tier
    return "none"


def test_tier_mix_is_realistic(records: list[dict]) -> None:
    groups = defaultdict(list)
    for record in records:
        groups[record["partner_id"], record["address"]["country"]].append(record)
    tiers = Counter(_tier(group, country) for (_, country), group in groups.items() if country in ("DK", "DE", "FR", "US", "JP"))
    total = sum(tiers.values())
    assert 0.28 <= (tiers["premier"] + tiers["advanced"]) / total <= 0.42, tiers
    assert all(tiers[tier] / total > 0.05 for tier in ("premier", "advanced", "authorized", "none")), tiers
