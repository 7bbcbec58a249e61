"""What the partner preview routes call: check a link, then gather the partner's own facts.

The preview reads the eligibility index and the revocations through the app's *second* client,
the ``preview`` user, which alone may read them (the public search's ``reader`` user may not);
the listed sites' cards come from the public sites alias through the search's own client, so a
partner sees exactly what customers see. Every refused link raises the same ``Forbidden``: the
answer never tells a missing link from a forged, expired or revoked one, nor whether the partner
exists.
"""
from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlencode

from elasticsearch import Elasticsearch, NotFoundError

from locator.analytics.rollup import COUNTS, WINDOWS, last_rollup, read_stats
from locator.api import shaping, urls
from locator.api.errors import Forbidden, PreviewUnavailable
from locator.api.queries import RESULT_FIELDS
from locator.core import eligibility, preview_tokens
from locator.core.mapping import eligibility_alias, revocations_index, sites_alias
from locator.core.preview_tokens import PreviewClaims
from locator.core.settings import Settings

REFUSED = "this preview link is not valid: ask your Milestone contact for a new one"
DATA_UNAVAILABLE = ("the preview's data is unavailable: the live index has no eligibility data (it was rolled "
                    "back to a run that wrote none); the next indexing run restores it")
MAX_COUNTRIES = 300  # every country there is, and "unknown"
MAX_LISTINGS = 500  # cards per preview; a partner's sites beyond these are still in its sites table


class PreviewService:
    def __init__(self, settings: Settings, public_es: Elasticsearch, preview_es: Elasticsearch | None,
                 unavailable: str | None = None):
        self.secret, self.prefix = settings.preview.secret, settings.index_prefix
        self.public_es, self.preview_es = public_es, preview_es
        self.unavailable = unavailable if preview_es is None else None
        if not self.secret:
            self.unavailable = f"previews are off on this server: {preview_tokens.SECRET_SETTING} is not set"

    def claims(self, token: str | None) -> PreviewClaims:
        """The link's claims, or Forbidden (always the same) when it may not be used."""
        if self.unavailable:
            raise PreviewUnavailable(self.unavailable)
        claims = preview_tokens.read(self.secret, token)
        if claims is None or preview_tokens.is_revoked(claims, self._not_before(claims.partner_id)):
            raise Forbidden(REFUSED)
        return claims

    def _not_before(self, partner_id: str) -> str | None:
        try:
            return self.preview_es.get(index=revocations_index(self.prefix), id=partner_id)["_source"]["not_before"]
        except NotFoundError:  # no revocation for this partner, or none ever made
            return None

    def preview(self, claims: PreviewClaims) -> dict:
        """The partner's facts per country (only the link's country when it has one), with the
        public listing of each of its listed sites."""
        countries = self._documents(claims)
        listed = [site["site_id"] for country in countries for site in country["sites"] if site["listed"]]
        listings, stats = self._listings(listed), read_stats(self.preview_es, self.prefix, listed[:MAX_LISTINGS])
        for country in countries:
            country["listings"] = [listings[site["site_id"]] for site in country["sites"] if site["site_id"] in listings]
            country["numbers"] = [_numbers(site, stats.get(site["site_id"])) for site in country["sites"] if site["listed"]]
        first = countries[0] if countries else {}
        indexed_at = first.get("indexed_at")
        age = (datetime.now(timezone.utc) - datetime.fromisoformat(indexed_at)).total_seconds() if indexed_at else None
        return {"partner_id": claims.partner_id, "as_of": first.get("as_of"), "indexed_at": indexed_at,
                "age_s": round(age) if age is not None else None,
                "numbers_as_of": last_rollup(self.preview_es, self.prefix),
                "countries": countries}

    def _documents(self, claims: PreviewClaims) -> list[dict]:
        filters = [{"term": {"partner_id": claims.partner_id}}]
        if claims.country:
            filters.append({"term": {"country": claims.country}})
        try:
            hits = self.preview_es.search(index=eligibility_alias(self.prefix), query={"bool": {"filter": filters}},
                                          sort=[{"country": "asc"}], size=MAX_COUNTRIES,
                                          source={"includes": list(eligibility.RETURNED),
                                                  "excludes": list(eligibility.NOT_RETURNED)})["hits"]["hits"]
        except NotFoundError:  # the alias points nowhere: rolled back to a run without eligibility data
            raise PreviewUnavailable(DATA_UNAVAILABLE) from None
        return [hit["_source"] for hit in hits]

    def _listings(self, site_ids: list[str]) -> dict[str, dict]:
        """site id -> the site as the public search returns it, with a link to the search centred on it."""
        if not site_ids:
            return {}
        hits = self.public_es.search(index=sites_alias(self.prefix), query={"ids": {"values": site_ids[:MAX_LISTINGS]}},
                                     size=MAX_LISTINGS, source=RESULT_FIELDS)["hits"]["hits"]
        listings = {}
        for hit in hits:
            site = shaping.result(hit, None, urls.public_base())
            site.pop("distance_km")
            location = site["location"]
            query = urlencode({"lat": location["lat"], "lon": location["lon"], "site": site["site_id"]})
            listings[site["site_id"]] = {**site, "search_url": f"{urls.public_base()}?{query}"}
        return listings


def _numbers(site: dict, stats: dict | None) -> dict:
    """A listed site's last 30 and 90 days from the daily rollup; zeros when it has no event yet."""
    empty = dict.fromkeys(COUNTS, 0)
    return {"site_id": site["site_id"], "site_name": site.get("site_name"), "has_data": stats is not None,
            **{f"days_{days}": (stats or {}).get(f"days_{days}", empty) for days in WINDOWS}}
