"""Geocoding of export records whose location is absent.

The default is the offline gazetteer (no network at run time: RULES and the deployment forbid
it). A real geopy service can be configured instead; it is then rate limited (Nominatim's usage
policy: at most one request a second, an identifying user agent) and its answers are kept in an
on-disk cache, so the next export does not ask again for addresses already seen.

Either way a record that cannot be placed raises ``GeocodeError`` with a reason fit for the
rejection report; nothing is ever placed at a made-up point.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import get_geocoder_for_service
from geopy.geocoders.base import Geocoder as GeopyBackend

from locator.core.contract import ADDRESS_FIELDS
from locator.core.gazetteer import Gazetteer, Place
from locator.core.text import fold

log = logging.getLogger(__name__)

NOMINATIM_MIN_DELAY_S = 1.0  # https://operations.osmfoundation.org/policies/nominatim/
CACHE_FILE = "geocode-cache.sqlite"
# Our address fields -> the names of Nominatim's structured search.
_STRUCTURED = {"street": "street", "postal_code": "postalcode", "city": "city", "region": "state", "country": "country"}


class GeocodeError(LookupError):
    """The address cannot be placed; the message says why ("no place named 'Xyzville' in DK")."""


class Geocoder(Protocol):
    def locate(self, address: Mapping[str, Any]) -> tuple[float, float]:
        """(lat, lon) of a record's address dict, or raise GeocodeError (a LookupError)."""


def _field(address: Mapping[str, Any], name: str) -> str:
    value = address.get(name) if isinstance(address, Mapping) else None
    return " ".join(value.split()) if isinstance(value, str) else ""


def _require(address: Mapping[str, Any]) -> tuple[str, str]:
    city, country = _field(address, "city"), _field(address, "country").upper()
    if not city:
        raise GeocodeError("address has no city to geocode")
    if not country:
        raise GeocodeError("address has no country to geocode")
    return city, country


class GazetteerGeocoder:
    """Offline geocoding to the centre of the named town (region used to pick between namesakes)."""

    def __init__(self, gazetteer: Gazetteer, memo_size: int = 20_000):
        self.gazetteer = gazetteer
        self._memo: dict[tuple[str, str, str], Place | None] = {}
        self._memo_size = memo_size

    def place(self, address: Mapping[str, Any]) -> Place:
        city, country = _require(address)
        region = _field(address, "region")
        # Many sites share a city: memoised per spelling-insensitive key. Different spellings
        # with one fold resolve alike (fold(x) is always among the keys stored for x).
        key = (fold(city), country, fold(region))
        if key not in self._memo:
            if len(self._memo) >= self._memo_size:
                self._memo.clear()  # crude bound; a full export rarely has this many towns
            self._memo[key] = self._resolve(city, country, region)
        place = self._memo[key]
        if place is None:
            raise GeocodeError(f"no place named {city!r} in {country}")
        return place

    def _resolve(self, city: str, country: str, region: str) -> Place | None:
        if self.gazetteer.country(country) is None:
            raise GeocodeError(f"unknown country code {country!r}")
        return self.gazetteer.resolve(city, country, region or None)

    def locate(self, address: Mapping[str, Any]) -> tuple[float, float]:
        place = self.place(address)
        return place.lat, place.lon


@dataclass(frozen=True)
class Cached:
    point: tuple[float, float] | None  # None: the service answered that it knows no such place


class GeocodeCache:
    """Answers of an online geocoder by normalised address, in SQLite (shared by processes)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS answers"
                         " (key TEXT PRIMARY KEY, lat REAL, lon REAL, stored_at REAL NOT NULL)")

    @staticmethod
    def key(service: str, address: Mapping[str, Any]) -> str:
        return "|".join([service] + [fold(_field(address, name)) for name in ADDRESS_FIELDS])

    def get(self, key: str) -> Cached | None:
        with self._lock:
            row = self._db.execute("SELECT lat, lon FROM answers WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        return Cached(None if row[0] is None else (row[0], row[1]))

    def put(self, key: str, point: tuple[float, float] | None) -> None:
        lat, lon = point if point else (None, None)
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?)", (key, lat, lon, time.time()))

    def close(self) -> None:
        with self._lock:
            self._db.close()


class PacedRateLimiter(RateLimiter):
    """geopy's RateLimiter reading time from ``clock`` and waiting with ``sleep`` (default: real time).

    geopy asks its own ``_clock`` and ``_sleep`` methods for both, so a test can pass a fake pair
    and see every wait the limiter asks for without waiting at all."""

    def __init__(self, func: Callable, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, **options: Any):
        super().__init__(func, **options)
        self._clock_source, self._sleep_with = clock, sleep

    def _clock(self) -> float:
        return self._clock_source()

    def _sleep(self, seconds: float) -> None:
        self._sleep_with(seconds)


class GeopyGeocoder:
    """Any geopy backend, rate limited, optionally cached.

    Asks for the full address first and, when that finds nothing (a misspelt street), for the
    town alone: a town-level point is still a real place, never an invented one.
    """

    def __init__(self, geocoder: GeopyBackend, min_delay_seconds: float, *, cache: GeocodeCache | None = None,
                 service: str | None = None, structured: bool = False, country_param: str | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self.service = service or type(geocoder).__name__.lower()
        self.geocode = PacedRateLimiter(geocoder.geocode, clock=clock, sleep=sleep, min_delay_seconds=min_delay_seconds,
                                        error_wait_seconds=max(min_delay_seconds, 2.0), swallow_exceptions=False)
        self._cache, self._structured, self._country_param = cache, structured, country_param

    def locate(self, address: Mapping[str, Any]) -> tuple[float, float]:
        city, country = _require(address)
        key = GeocodeCache.key(self.service, address)
        cached = self._cache.get(key) if self._cache else None
        if cached is None:
            cached = Cached(self._ask(address, country))
            if self._cache:
                self._cache.put(key, cached.point)
        if cached.point is None:
            raise GeocodeError(f"{self.service} knows no place for {city!r} in {country}")
        return cached.point

    def _ask(self, address: Mapping[str, Any], country: str) -> tuple[float, float] | None:
        options = {self._country_param: country.lower()} if self._country_param else {}
        for query in self._queries(address):
            try:
                location = self.geocode(query, exactly_one=True, **options)
            except GeopyError as exc:  # not cached: the next run may reach the service
                raise GeocodeError(f"{self.service} geocoding failed: {exc}") from exc
            if location is not None:
                return float(location.latitude), float(location.longitude)
        return None

    def _queries(self, address: Mapping[str, Any]) -> list[dict[str, str] | str]:
        full = {name: _field(address, name) for name in ADDRESS_FIELDS}
        town = dict(full, street="", postal_code="")
        queries = [full, town] if full["street"] or full["postal_code"] else [full]
        return [self._query(parts) for parts in queries]

    def _query(self, parts: dict[str, str]) -> dict[str, str] | str:
        if self._structured:
            return {_STRUCTURED[name]: value for name, value in parts.items() if value}
        postal_city = " ".join(filter(None, (parts["postal_code"], parts["city"])))
        return ", ".join(filter(None, (parts["street"], postal_city, parts["region"], parts["country"])))


def make_geocoder(name: str, cache_dir: Path, user_agent: str, *, gazetteer: Gazetteer | None = None,
                  min_delay_seconds: float | None = None, timeout: float = 10.0, **options: Any) -> Geocoder:
    """The geocoder configured by name: "gazetteer" (default, offline), "nominatim", or another
    geopy service name (its options, e.g. api_key, passed through)."""
    name = name.strip().lower()
    if name == "gazetteer":
        return GazetteerGeocoder(gazetteer or Gazetteer.open(Path(cache_dir)))
    if not user_agent or user_agent.strip().lower().startswith("geopy"):
        raise ValueError(f"geocoder {name!r}: a user agent naming this application is required")
    backend = get_geocoder_for_service(name)(user_agent=user_agent, timeout=timeout, **options)
    nominatim = name == "nominatim"
    delay = min_delay_seconds if min_delay_seconds is not None else 0.0
    if nominatim:
        delay = max(delay, NOMINATIM_MIN_DELAY_S)
    log.info("geocoding with %s (at most one request every %.1f s), cache in %s", name, delay, cache_dir)
    return GeopyGeocoder(backend, delay, cache=GeocodeCache(Path(cache_dir) / CACHE_FILE), service=name,
                         structured=nominatim, country_param="country_codes" if nominatim else None)
