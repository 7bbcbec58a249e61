"""Online geocoding through geopy, rate limited, its answers cached on disk. ``sitelocator.make_geocoder``
imports this module only when such a backend is configured (``indexer.geocode`` says why)."""
from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import get_geocoder_for_service
from geopy.geocoders.base import Geocoder as GeopyBackend

from indexer.geocode import Geocoder, GeocodeError, address_field, city_and_country
from locator.core.contract import ADDRESS_FIELDS
from locator.core.text import fold

log = logging.getLogger("indexer.geocode")  # the name operators' log filters already know

NOMINATIM_MIN_DELAY_S = 1.0  # https://operations.osmfoundation.org/policies/nominatim/
CACHE_FILE = "geocode-cache.sqlite"
# Our address fields -> the names of Nominatim's structured search.
_STRUCTURED = {"street": "street", "postal_code": "postalcode", "city": "city", "region": "state", "country": "country"}


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
        return "|".join([service] + [fold(address_field(address, name)) for name in ADDRESS_FIELDS])

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
        city, country = city_and_country(address)
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
        full = {name: address_field(address, name) for name in ADDRESS_FIELDS}
        town = dict(full, street="", postal_code="")
        queries = [full, town] if full["street"] or full["postal_code"] else [full]
        return [self._query(parts) for parts in queries]

    def _query(self, parts: dict[str, str]) -> dict[str, str] | str:
        if self._structured:
            return {_STRUCTURED[name]: value for name, value in parts.items() if value}
        postal_city = " ".join(filter(None, (parts["postal_code"], parts["city"])))
        return ", ".join(filter(None, (parts["street"], postal_city, parts["region"], parts["country"])))


def make_online_geocoder(name: str, cache_dir: Path, user_agent: str, *, min_delay_seconds: float | None = None,
                         timeout: float = 10.0, **options: Any) -> Geocoder:
    """A geopy service by name (``indexer.sitelocator.make_geocoder``), rate limited and cached."""
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
