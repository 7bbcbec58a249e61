"""Where a site is: its own coordinates, else its geocoded address; and its gazetteer place.

The place id (a GeoNames id) lets a customer's "Kobenhavn" find a site whose address says
"Copenhagen". Lookups are memoised per (city, country, region) in ``GazetteerGeocoder``: many sites share a city.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indexer.geocode import GazetteerGeocoder, GeocodeError, Geocoder
from locator.core.gazetteer import Gazetteer
from locator.core.places import Place
from locator.core.settings import GeocodingSettings


@dataclass(frozen=True)
class Located:
    lat: float
    lon: float
    place_id: str | None
    geocoded: bool


class SiteLocator:
    def __init__(self, gazetteer: Gazetteer, geocoder):
        self.geocoder = geocoder
        # One memoised gazetteer lookup serves both the place id and, by default, the geocoding.
        self.places = geocoder if isinstance(geocoder, GazetteerGeocoder) else GazetteerGeocoder(gazetteer)

    def _place(self, address: dict) -> Place | None:
        try:
            return self.places.place(address)
        except GeocodeError:
            return None  # a site with coordinates in a town the gazetteer lacks: no place id

    def locate(self, record: dict) -> Located:
        """Raise GeocodeError when a site has no coordinates and its address cannot be found."""
        address = record["address"]
        place = self._place(address)
        place_id = place.id if place is not None else None
        location = record.get("location")
        if location:
            return Located(location["lat"], location["lon"], place_id, geocoded=False)
        if place is not None and self.geocoder is self.places:  # the gazetteer geocodes: it just did
            return Located(place.lat, place.lon, place_id, geocoded=True)
        try:
            lat, lon = self.geocoder.locate(address)
        except LookupError as exc:
            raise GeocodeError(str(exc)) from None
        return Located(lat, lon, place_id, geocoded=True)


def build_site_locator(cache_dir: Path, geocoding: GeocodingSettings) -> SiteLocator:
    """A SiteLocator from settings; module-level so worker processes can be handed it (pickled)."""
    gazetteer = Gazetteer.open(cache_dir)
    geocoder = make_geocoder(geocoding.backend, cache_dir, user_agent=geocoding.user_agent,
                             min_delay_seconds=geocoding.min_delay_s, gazetteer=gazetteer)
    return SiteLocator(gazetteer, geocoder)


def make_geocoder(name: str, cache_dir: Path, user_agent: str, *, gazetteer: Gazetteer | None = None,
                  min_delay_seconds: float | None = None, timeout: float = 10.0, **options: Any) -> Geocoder:
    """The geocoder configured by name: "gazetteer" (default, offline), "nominatim", or another
    geopy service name (its options, e.g. api_key, passed through)."""
    name = name.strip().lower()
    if name == "gazetteer":
        return GazetteerGeocoder(gazetteer or Gazetteer.open(Path(cache_dir)))
    from indexer.geocode_online import make_online_geocoder  # geopy: only for an online backend

    return make_online_geocoder(name, cache_dir, user_agent, min_delay_seconds=min_delay_seconds, timeout=timeout,
                                **options)
