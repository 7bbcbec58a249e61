"""Every search answer's ``search_token`` (issue 18; docs/privacy.md): the answer's facts
(analytics_facts.py) signed (locator/core/search_tokens.py), so that the page's later report of the
answer ("shown", "this site's phone was clicked") can be believed without the server keeping
anything about the visitor. Made only when ``[analytics] token_secret`` is set.

Two things come from outside the answer: the coarse areas (the gazetteer's towns, loaded once) and
the industries the live index knows (an unknown one is kept as "other": it could be anything typed
into a URL), asked of Elasticsearch at most every ``INDUSTRIES_REFRESH_S``; when that fails the
last known list is used, and the search goes on.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from elasticsearch import Elasticsearch

from locator.api.analytics_facts import search_facts
from locator.core import search_tokens
from locator.core.coarse_area import CITY_MIN_POPULATION, CoarseAreas
from locator.core.contract import FACET_FIELDS
from locator.core.events import site_page_facts
from locator.core.gazetteer import Gazetteer

log = logging.getLogger("partner_locator.api")
INDUSTRIES_REFRESH_S = 600
MAX_INDUSTRIES = 1000


class AnswerTokens:
    def __init__(self, secret: str, es: Elasticsearch, alias: str, gazetteer: Gazetteer,
                 clock: Callable[[], float] = time.time):
        self._secret, self._es, self._alias, self._clock = secret, es, alias, clock
        self._areas = CoarseAreas(gazetteer.places_from(CITY_MIN_POPULATION))
        self._industries: frozenset[str] = frozenset()
        self._industries_at = -INDUSTRIES_REFRESH_S
        self._lock = threading.Lock()

    def token(self, params: dict, answer: dict) -> str:
        facts = search_facts(params, answer, self._areas.of, self.known_industries())
        return search_tokens.issue(self._secret, facts, self._clock())

    def site_page_token(self, site: dict) -> str:
        """A site page's token: it vouches for one view of that page (the same for every visitor)."""
        facts = site_page_facts(site["site_id"], (site.get("address") or {}).get("country"))
        return search_tokens.issue(self._secret, facts, self._clock())

    def known_industries(self) -> frozenset[str]:
        now = time.monotonic()
        if now - self._industries_at < INDUSTRIES_REFRESH_S or not self._lock.acquire(blocking=False):
            return self._industries  # fresh, or another thread is asking: the last list will do
        try:
            answer = self._es.search(index=self._alias, size=0, filter_path="aggregations", aggs={
                "industries": {"terms": {"field": FACET_FIELDS["industry"], "size": MAX_INDUSTRIES}}})
            self._industries = frozenset(bucket["key"] for bucket in answer["aggregations"]["industries"]["buckets"])
        except Exception:  # noqa: BLE001 - a token with "other" is better than a failed search
            log.warning("could not read the live index's industries for search tokens: the last known list is used")
        finally:
            self._industries_at = now
            self._lock.release()
        return self._industries
