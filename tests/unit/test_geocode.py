"""Geocoding: the offline gazetteer for real, online geopy backends with a canned fake (no network)."""
from __future__ import annotations

from pathlib import Path

import pytest
from geopy.exc import GeocoderServiceError
from geopy.geocoders import Nominatim
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from indexer.geocode import GazetteerGeocoder, GeocodeError
from indexer.geocode_online import GeocodeCache, GeopyGeocoder
from indexer.sitelocator import make_geocoder
from locator.core.gazetteer import Gazetteer

AARHUS = {"street": "Banegårdspladsen 4", "postal_code": "8000", "city": "Aarhus", "country": "DK"}


class CountingGazetteer:
    """Delegates to the real gazetteer, counting resolve() calls (to see the memo at work)."""

    def __init__(self, real: Gazetteer):
        self.real, self.resolves = real, 0

    def resolve(self, *args, **kwargs):
        self.resolves += 1
        return self.real.resolve(*args, **kwargs)

    def country(self, code: str):
        return self.real.country(code)


class CannedGeocoder(Geocoder):
    """A geopy backend answering from a dict keyed by city; records every query it gets."""

    def __init__(self, answers: dict[str, tuple[float, float]], fail: bool = False):
        super().__init__()
        self.answers, self.fail, self.queries = answers, fail, []

    def geocode(self, query, *, exactly_one=True, timeout=None, **options):
        self.queries.append((query, options))
        if self.fail:
            raise GeocoderServiceError("503 Service Unavailable")
        city = query.get("city") if isinstance(query, dict) else query.split(", ")[-2].split()[-1]
        if city not in self.answers or (isinstance(query, dict) and query.get("street") == "Nowhere 1"):
            return None
        lat, lon = self.answers[city]
        return Location(f"{city} (canned)", (lat, lon), {"canned": True})


# -- offline -------------------------------------------------------------------------------------


def test_gazetteer_geocoder_places_a_real_town(gazetteer: Gazetteer) -> None:
    lat, lon = GazetteerGeocoder(gazetteer).locate(AARHUS)
    assert (round(lat, 2), round(lon, 2)) == (56.16, 10.21)


def test_gazetteer_geocoder_uses_spellings_and_region(gazetteer: Gazetteer) -> None:
    geocoder = GazetteerGeocoder(gazetteer)
    assert geocoder.place({"city": "KOEBENHAVN", "country": "DK"}).name == "Copenhagen"
    assert geocoder.place({"city": "Springfield", "region": "IL", "country": "US"}).region == "Illinois"
    assert geocoder.place({"city": "Springfield", "region": "Missouri", "country": "US"}).region == "Missouri"
    assert geocoder.place({"city": "Paris", "country": "us"}).region == "Texas"


@pytest.mark.parametrize(("address", "reason"), [
    ({"city": "Xyzville", "country": "DK"}, "no place named 'Xyzville' in DK"),
    ({"city": "Paris", "country": "XX"}, "unknown country code 'XX'"),
    ({"city": "", "country": "DK"}, "address has no city"),
    ({"city": "Aarhus"}, "address has no country"),
    ({"city": 42, "country": "DK"}, "address has no city"),
])
def test_gazetteer_geocoder_refuses_with_a_reason(gazetteer: Gazetteer, address: dict, reason: str) -> None:
    with pytest.raises(GeocodeError, match=reason) as caught:
        GazetteerGeocoder(gazetteer).locate(address)
    assert isinstance(caught.value, LookupError)


def test_gazetteer_geocoder_memoises_per_folded_city(gazetteer: Gazetteer) -> None:
    counting = CountingGazetteer(gazetteer)
    geocoder = GazetteerGeocoder(counting)
    points = {geocoder.locate({"city": spelling, "country": "DK"}) for spelling in ("Århus", "ÅRHUS", "århus", "Århus")}
    assert len(points) == 1 and counting.resolves == 1
    for _ in range(2):
        with pytest.raises(GeocodeError):
            geocoder.locate({"city": "Xyzville", "country": "DK"})
    assert counting.resolves == 2  # misses are remembered too


def test_make_geocoder_default_is_the_gazetteer(gazetteer: Gazetteer, cache_dir: Path) -> None:
    geocoder = make_geocoder("gazetteer", cache_dir, "partner-locator-tests")
    assert isinstance(geocoder, GazetteerGeocoder)
    assert geocoder.locate(AARHUS) == GazetteerGeocoder(gazetteer).locate(AARHUS)


# -- online, with a canned backend ---------------------------------------------------------------


class FakeTime:
    """A clock that moves only when the limiter sleeps (or a test says time passed), recording each sleep.

    A sleep moves the clock a microsecond past what was asked, as a real one never ends early
    (exactly the asked amount could leave a float rounding short of the delay, and the limiter
    would ask again and again)."""

    def __init__(self) -> None:
        self.now, self.sleeps = 1000.0, []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        assert len(self.sleeps) < 100, "the limiter keeps sleeping"
        self.now += seconds + 1e-6


def test_geopy_geocoder_is_rate_limited(tmp_path: Path) -> None:
    backend, time_ = CannedGeocoder({"Aarhus": (56.15, 10.2), "Odense": (55.4, 10.39)}), FakeTime()
    geocoder = GeopyGeocoder(backend, min_delay_seconds=0.3, cache=GeocodeCache(tmp_path / "cache.sqlite"), structured=True,
                             clock=time_.clock, sleep=time_.sleep)
    assert geocoder.locate(AARHUS) == (56.15, 10.2)
    assert time_.sleeps == []  # the first request goes at once
    assert geocoder.locate({"city": "Odense", "country": "DK"}) == (55.4, 10.39)
    assert time_.sleeps == [pytest.approx(0.3)]  # the second waited min_delay for the first
    time_.now += 0.1
    assert geocoder.locate({"city": "Aarhus", "country": "DK"}) == (56.15, 10.2)
    assert time_.sleeps[1:] == [pytest.approx(0.2)]  # 0.1 s later: only the rest of the delay
    time_.now += 5
    assert geocoder.locate({"city": "Odense", "country": "DK", "region": "Syddanmark"}) == (55.4, 10.39)
    assert len(time_.sleeps) == 2  # long after the last request: no wait
    assert len(backend.queries) == 4
    assert backend.queries[0][0] == {"street": "Banegårdspladsen 4", "postalcode": "8000", "city": "Aarhus", "country": "DK"}


def test_geopy_geocoder_waits_between_the_full_address_and_the_town(tmp_path: Path) -> None:
    backend, time_ = CannedGeocoder({"Aarhus": (56.15, 10.2)}), FakeTime()
    geocoder = GeopyGeocoder(backend, 0.3, structured=True, clock=time_.clock, sleep=time_.sleep)
    assert geocoder.locate(dict(AARHUS, street="Nowhere 1")) == (56.15, 10.2)
    assert len(backend.queries) == 2 and time_.sleeps == [pytest.approx(0.3)]  # two requests, min_delay apart


def test_geopy_cache_prevents_a_second_query_even_in_a_new_run(tmp_path: Path) -> None:
    backend = CannedGeocoder({"Aarhus": (56.15, 10.2)})
    first = GeopyGeocoder(backend, 0, cache=GeocodeCache(tmp_path / "cache.sqlite"), service="canned")
    assert first.locate(AARHUS) == (56.15, 10.2)
    assert first.locate(dict(AARHUS, city="AARHUS ")) == (56.15, 10.2)  # same normalised address
    assert len(backend.queries) == 1
    second_run = GeopyGeocoder(backend, 0, cache=GeocodeCache(tmp_path / "cache.sqlite"), service="canned")
    assert second_run.locate(AARHUS) == (56.15, 10.2)
    assert len(backend.queries) == 1


def test_geopy_not_found_is_an_error_and_is_cached(tmp_path: Path) -> None:
    backend = CannedGeocoder({})
    geocoder = GeopyGeocoder(backend, 0, cache=GeocodeCache(tmp_path / "cache.sqlite"), service="canned")
    for _ in range(2):
        with pytest.raises(GeocodeError, match="canned knows no place for 'Aarhus' in DK"):
            geocoder.locate(AARHUS)
    assert len(backend.queries) == 2  # full address, then the town alone; then never again


def test_geopy_falls_back_to_the_town(tmp_path: Path) -> None:
    backend = CannedGeocoder({"Aarhus": (56.15, 10.2)})
    geocoder = GeopyGeocoder(backend, 0, structured=True)
    assert geocoder.locate(dict(AARHUS, street="Nowhere 1")) == (56.15, 10.2)
    assert [query for query, _ in backend.queries][-1] == {"city": "Aarhus", "country": "DK"}


def test_geopy_plain_text_queries_and_country_option() -> None:
    backend = CannedGeocoder({"Aarhus": (56.15, 10.2)})
    geocoder = GeopyGeocoder(backend, 0, country_param="country_codes")
    geocoder.locate(AARHUS)
    assert backend.queries[0] == ("Banegårdspladsen 4, 8000 Aarhus, DK", {"country_codes": "dk"})


def test_geopy_service_failure_is_reported_and_not_cached(tmp_path: Path) -> None:
    cache = GeocodeCache(tmp_path / "cache.sqlite")
    failing = GeopyGeocoder(CannedGeocoder({}, fail=True), 0, cache=cache, service="canned")
    failing.geocode.error_wait_seconds = 0  # no need to wait between the limiter's retries here
    with pytest.raises(GeocodeError, match="canned geocoding failed"):
        failing.locate(AARHUS)
    assert cache.get(GeocodeCache.key("canned", AARHUS)) is None


def test_make_geocoder_nominatim_is_polite_and_cached(tmp_path: Path) -> None:
    geocoder = make_geocoder("nominatim", tmp_path, "partner-locator-tests/1.0 (ops@example.com)", min_delay_seconds=0.1)
    assert isinstance(geocoder, GeopyGeocoder)
    assert isinstance(geocoder.geocode.func.__self__, Nominatim)
    assert geocoder.geocode.min_delay_seconds == 1.0  # never faster than the usage policy allows
    assert (tmp_path / "geocode-cache.sqlite").exists()


def test_make_geocoder_rejects_anonymous_or_unknown_services(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="user agent"):
        make_geocoder("nominatim", tmp_path, "")
    with pytest.raises(Exception, match="[Uu]nknown|not found|geocoder"):
        make_geocoder("no-such-service", tmp_path, "partner-locator-tests")
