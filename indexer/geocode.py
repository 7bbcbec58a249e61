"""Geocoding of export records whose location is absent.

The default is the offline gazetteer (no network at run time: RULES and the deployment forbid
it). A real geopy service can be configured instead; it is then rate limited (Nominatim's usage
policy: at most one request a second, an identifying user agent) and its answers are kept in an
on-disk cache, so the next export does not ask again for addresses already seen.

Either way a record that cannot be placed raises ``GeocodeError`` with a reason fit for the
rejection report; nothing is ever placed at a made-up point.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from locator.core.gazetteer import Gazetteer, Place
from locator.core.text import fold

# The online geocoders (geopy) are in ``indexer.geocode_online``, imported only when one is configured
# (``sitelocator.make_geocoder``): geopy and its HTTP stack cost ~15 MB in every validating worker
# process, which the default offline gazetteer never uses.


class GeocodeError(LookupError):
    """The address cannot be placed; the message says why ("no place named 'Xyzville' in DK")."""


class Geocoder(Protocol):
    def locate(self, address: Mapping[str, Any]) -> tuple[float, float]:
        """(lat, lon) of a record's address dict, or raise GeocodeError (a LookupError)."""


def address_field(address: Mapping[str, Any], name: str) -> str:
    """One field of an address as text, whitespace collapsed ("" when absent): every geocoder's reading."""
    value = address.get(name) if isinstance(address, Mapping) else None
    return " ".join(value.split()) if isinstance(value, str) else ""


def city_and_country(address: Mapping[str, Any]) -> tuple[str, str]:
    """What every geocoder needs at least; GeocodeError naming what is missing."""
    city, country = address_field(address, "city"), address_field(address, "country").upper()
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
        city, country = city_and_country(address)
        region = address_field(address, "region")
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
