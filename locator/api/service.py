"""What the views call: one per process, built once (client, gazetteer, settings), no per-request setup.

Views stay thin: validate parameters, call one method here, shape the answer.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Iterator

from elasticsearch import Elasticsearch
from flask import g

from locator.api import interpret, queries, shaping
from locator.api.errors import BadRequest, NotFound, Unavailable
from locator.api.interpret import Area, Reading
from locator.api.urls import public_base
from locator.core.geo import Origin
from locator.core.contract import MARKER_SOURCE, RESULT_SOURCE, SUGGEST_SOURCE
from locator.core.gazetteer import Gazetteer, Place
from locator.core.mapping import sites_alias
from locator.core.settings import Settings

if TYPE_CHECKING:
    from locator.api.answer_tokens import AnswerTokens

log = logging.getLogger("partner_locator.api")

PLACE_IDS_PER_WORD = 3
MAX_COUNTRY_SUGGESTIONS = 2
MIN_PLACE_WORD = 3
PIT_KEEP_ALIVE = "1m"  # between two pages of a stream, not for the whole of it
LISTED_FIELDS = "pit_id,_shards,hits.hits._source,hits.hits.sort"  # _shards kept: a partial page must show


# Only what shaping reads comes back: big responses (500 map points, 20 hits with scores, sort
# values and index names) cost more to send and parse than to compute. Documents' fields: only
# those the contract returns, whatever a body asks for.
_RETURNED = dict.fromkeys((*RESULT_SOURCE, *MARKER_SOURCE, *SUGGEST_SOURCE))
RESPONSE_FIELDS = ",".join(["took", "hits.total", "hits.hits.inner_hits.*.hits.total", "aggregations",
                            *(f"hits.hits._source.{name}" for name in _RETURNED),
                            *(f"suggest.*.options._source.{name}" for name in SUGGEST_SOURCE)])


def run_search(es: Elasticsearch, index: str, body: dict) -> dict:
    """One search round trip; the body is exactly what the query builders made."""
    arguments = {("from_" if key == "from" else key): value for key, value in body.items()}
    # A shard copy lost mid-search (a node gone) must not pass for fewer results: fail, answer 503.
    response = es.search(index=index, filter_path=RESPONSE_FIELDS, allow_partial_search_results=False,
                         **arguments).body
    response.setdefault("hits", {}).setdefault("hits", [])  # filter_path drops empty lists
    g.es_took = g.get("es_took", 0) + response.get("took", 0)
    return response


def _area(place: Place) -> Area:
    return Area(place.id, place.label, place.lat, place.lon, place.name, place.population)


class TextLookups:
    """What reading a visitor's text needs (interpret.Lookups): the gazetteer, and the index for
    postal codes (only the codes of listed sites count, within the request's country filter)."""

    def __init__(self, service: "SearchService", countries: list[str] | None):
        self.service, self.countries = service, countries

    def country_named(self, text: str) -> str | None:
        return self.service.gazetteer.country_named(text)

    def places_named(self, text: str) -> list[Area]:
        return [_area(place) for place in self.service.gazetteer.named(text, interpret.MAX_ALTERNATIVES)]

    def closest_places(self, text: str) -> list[Area]:
        return [_area(place) for place in self.service.gazetteer.closest(text, limit=3)]

    def postal_areas(self, code: str) -> list[Area]:
        response = run_search(self.service.es, self.service.alias, queries.build_postal_areas(code, self.countries))
        return [shaping.postal_area(code, bucket) for bucket in response.get("aggregations", {}).get("countries", {}).get("buckets", [])]


class IncompleteListing(Unavailable):
    """Elasticsearch gave part of the listed sites (a failed shard, a short page): a 503 before a
    stream starts, a broken response once it has."""


class SearchService:
    def __init__(self, es: Elasticsearch, gazetteer: Gazetteer, settings: Settings, tokens: AnswerTokens | None = None):
        self.es, self.gazetteer, self.settings = es, gazetteer, settings
        self.alias = sites_alias(settings.index_prefix)
        self.api = settings.api
        self.tokens = tokens  # signs each answer's search_token; None: analytics off

    # ------------------------------------------------------------ where

    def read_text(self, params: dict) -> Reading | None:
        """How the request's ``text`` reads (interpret.py), or None without one."""
        return interpret.read_text(params["text"], self.text_lookups(params)) if "text" in params else None

    def text_lookups(self, params: dict) -> TextLookups:
        return TextLookups(self, params.get("country"))

    def resolve_origin(self, params: dict, reading: Reading | None = None) -> tuple[Origin | None, list[dict]]:
        """The origin and, for a typed place, the other places the name could mean."""
        if reading is not None and reading.place is not None:  # text cannot come with near or place
            place = reading.place
            return Origin(place.lat, place.lon, place.label, place.id), []
        if "lat" in params:
            return Origin(params["lat"], params["lon"]), []
        if "place" in params:
            place = self.gazetteer.get(params["place"])
            if place is None:
                raise BadRequest("unknown place id", {"place": ["no place has this id: take one from /api/v1/suggest"]})
            return Origin(place.lat, place.lon, place.label, place.id), []
        if "near" in params:
            best, others = self.gazetteer.resolve_query(params["near"])
            if best is None:
                suggestions = [shaping.place_out(place) for place in others]
                raise BadRequest("unknown place", {"near": [f"no place called {params['near']!r} is known"]},
                                 {"suggestions": suggestions})
            return Origin(best.lat, best.lon, best.label, best.id), [shaping.place_out(p) for p in others if p.id != best.id]
        return None, []

    def place_ids(self, q: str | None) -> dict[str, list[str]]:
        """Words of the query that name a place -> that place's ids (most populous first)."""
        found = {}
        for word in queries.query_words(q):
            if len(word) >= MIN_PLACE_WORD:
                places = sorted(self.gazetteer.lookup(word), key=lambda place: -place.population)
                if places:
                    found[word] = [place.id for place in places[:PLACE_IDS_PER_WORD]]
        return found

    # ------------------------------------------------------------ endpoints

    def search(self, params: dict) -> dict:
        reading = self.read_text(params)
        origin, alternatives = self.resolve_origin(params, reading)
        country = reading.country if reading else None
        if params.get("sort") == "distance" and origin is None:
            raise BadRequest("invalid parameters: sort", {"sort": [f"sort=distance needs an origin: the text reads as {reading.kind}"]})
        params = _with_words(params, reading)
        place_ids = self.place_ids(params.get("q"))
        response = self._exact_then_typos(params, lambda typos: queries.build_search(
            params, origin, place_ids, track_total_hits=self.api.track_total_hits, country=country, typos=typos))
        fallback = None
        # Only the first page falls back: later pages of "nothing within the radius" are empty. A
        # country read from the text has no radius, so nothing to fall back from.
        # A box (the map's area) is where the visitor looks: nothing in it is the answer.
        nothing = response["hits"]["total"]["value"] == 0 and params["page"] == 1
        if origin is not None and not country and "bbox" not in params and nothing:
            fallback = self._exact_then_typos(params, lambda typos: queries.build_nearest(params, origin, place_ids,
                                                                                          typos=typos))
        answer = shaping.search_response(response, params, origin, public_base(), fallback)
        if alternatives:
            answer["origin"]["alternatives"] = alternatives
        if reading is not None and answer["total"] == 0:
            reading = interpret.with_place_hints(reading, self.text_lookups(params))
        answer["interpreted_as"] = reading.out() if reading else None
        if self.tokens is not None:
            answer["search_token"] = self.tokens.token(params, answer)
        return answer

    def markers(self, params: dict) -> dict:
        reading = self.read_text(params)
        params = _with_words(params, reading)
        place_ids = self.place_ids(params.get("q"))
        response = self._exact_then_typos(params, lambda typos: queries.build_markers(
            params, params["bbox"], params["zoom"], place_ids, max_points=self.api.markers_max_points,
            max_clusters=self.api.markers_max_clusters, country=reading.country if reading else None, typos=typos))
        return shaping.markers_response(response, self.api.markers_max_points)

    def _exact_then_typos(self, params: dict, build) -> dict:
        """The search ``build(typos)`` makes, its words matched exactly; asked again allowing typos
        only when that finds nothing (fuzzy matching costs Elasticsearch ~8x: docs/benchmarks.md)."""
        response = run_search(self.es, self.alias, build(False))
        hits = response["hits"]
        found = hits["total"]["value"] if "total" in hits else len(hits["hits"])  # the fallback counts no total
        if found == 0 and queries.typos_may_help(params.get("q")):
            return run_search(self.es, self.alias, build(True))
        return response

    def site(self, site_id: str) -> dict:
        body = {"query": {"ids": {"values": [site_id]}}, "size": 1, "_source": queries.RESULT_FIELDS}
        hits = run_search(self.es, self.alias, body)["hits"]["hits"]
        if not hits:
            raise NotFound(f"no listed site has id {site_id!r}")
        base = public_base()
        site = shaping.result(hits[0], None, base)
        others = run_search(self.es, self.alias, queries.build_partner_sites(site["partner_id"], site["address"]["country"], site_id))
        site.pop("distance_km")
        site["other_sites_in_country"] = [{k: v for k, v in shaping.result(hit, None, base).items() if k != "distance_km"}
                                          for hit in others["hits"]["hits"]]
        return site

    def suggest(self, params: dict) -> dict:
        places = [shaping.place_out(place) for place in self.gazetteer.suggest(params["q"], params["limit"])]
        response = run_search(self.es, self.alias, queries.build_company_suggest(params["q"], params["limit"]))
        options = response.get("suggest", {}).get("companies", [{}])[0].get("options", [])
        companies = [{name: option["_source"][name] for name in SUGGEST_SOURCE} for option in options]
        countries = [{"code": country.code, "name": country.name}
                     for country in self.gazetteer.suggest_countries(params["q"], MAX_COUNTRY_SUGGESTIONS)]
        return {"countries": countries, "places": places, "companies": companies}

    def live_index(self) -> dict:
        """The live index's facts (``live_index_facts``); Unavailable unless the alias points at a
        non-empty index."""
        facts = live_index_facts(self.es, self.alias)
        if facts is None:
            raise Unavailable(f"no index is live under {self.alias}")
        if facts["documents"] == 0:
            raise Unavailable("the live index is empty")
        return facts

    def listed_sites(self, index: str, expected: int, *, start: str | None = None,
                     fields: tuple[str, ...] = ()) -> Iterator[dict]:
        """Exactly ``expected`` sites of ``index`` (the caller knows how many it holds: the live
        index's count, or ``count_sites``) in site_id order, from ``start`` on when given. Each item
        is ``{"site_id": ..., **the fields asked for}``. Streamed ``pages.sitemap_page_size`` at a
        time through a point in time, so the whole index is never in memory.

        Whole or not at all: every page must come from every shard and be full until the known count
        is reached (the stream ends on that count, never on a short page); anything else raises
        ``IncompleteListing`` (or the client's error) while iterating, which the sitemap turns into a
        broken response. The point in time and the first page are asked for in this call, before the
        caller sends anything: a failure there is still a clean 503."""
        if expected <= 0:
            return iter(())
        pit = {"id": self.es.open_point_in_time(index=index, keep_alive=PIT_KEEP_ALIVE)["id"], "keep_alive": PIT_KEEP_ALIVE}
        try:
            first = self._listed_page(pit, None, 0, expected, start, fields)
        except BaseException:
            self._close_point_in_time(pit)
            raise
        return self._listed_stream(pit, first, expected, start, fields)

    def _listed_stream(self, pit: dict, hits: list, expected: int, start: str | None,
                       fields: tuple[str, ...]) -> Iterator[dict]:
        sent = 0
        try:
            while True:
                for hit in hits:
                    yield {"site_id": hit["sort"][0], **hit.get("_source", {})}
                sent += len(hits)
                if sent >= expected:
                    return
                hits = self._listed_page(pit, hits[-1]["sort"], sent, expected, start, fields)
        finally:
            self._close_point_in_time(pit)

    def _listed_page(self, pit: dict, after: list | None, sent: int, expected: int, start: str | None,
                     fields: tuple[str, ...]) -> list[dict]:
        """The page after ``sent`` of ``expected`` sites: from every shard, and full."""
        size = min(self.settings.pages.sitemap_page_size, expected - sent)
        page = self.es.search(filter_path=LISTED_FIELDS, allow_partial_search_results=False,
                              **queries.build_listed_page(pit, after, size, start, fields)).body
        _require_every_shard(page, "a page of listed sites")
        pit["id"] = page.get("pit_id", pit["id"])
        hits = page.get("hits", {}).get("hits", [])
        if len(hits) < size:
            raise IncompleteListing(f"listed sites: a page came back with {len(hits)} of {size}, "
                                    f"after {sent} of the {expected} known")
        return hits

    def _close_point_in_time(self, pit: dict) -> None:
        # Cleanup only: the sites were all sent (or the stream has failed already), and an unclosed
        # point in time expires by itself after PIT_KEEP_ALIVE.
        try:
            self.es.close_point_in_time(id=pit["id"])
        except Exception as exc:
            log.warning("could not close a point in time (it expires in %s): %s", PIT_KEEP_ALIVE, type(exc).__name__)

    def count_sites(self, index: str, start: str | None = None) -> int:
        """How many sites ``index`` holds from site id ``start`` on, counted on every shard."""
        query = {"range": {"site_id": {"gte": start}}} if start is not None else {"match_all": {}}
        answer = self.es.count(index=index, query=query).body
        _require_every_shard(answer, "the count of listed sites")
        return answer["count"]

    def readiness(self) -> dict:
        """Raise Unavailable unless the alias points at a non-empty index; else its as_of and age."""
        facts = self.live_index()
        return {"status": "ready", "index": facts["index"], "sites": facts["documents"], "as_of": facts["as_of"],
                "indexed_at": facts["indexed_at"], "age_s": facts["age_s"]}


def live_index_facts(es: Elasticsearch, alias: str) -> dict | None:
    """The index behind the read alias: its name, documents, as_of, build time and age; None when none is live."""
    targets = list(es.indices.get_alias(name=alias))
    if not targets:
        return None
    index = targets[0]
    counted = es.count(index=alias)
    _require_every_shard(counted, "the live index's count")  # a short count would end the sitemap early
    count = counted["count"]
    meta = es.indices.get_mapping(index=index)[index]["mappings"].get("_meta", {})
    indexed_at = meta.get("indexed_at")
    age = (datetime.now(timezone.utc) - datetime.fromisoformat(indexed_at)).total_seconds() if indexed_at else None
    return {"index": index, "documents": count, "as_of": meta.get("as_of"), "indexed_at": indexed_at,
            "age_s": round(age) if age is not None else None}


def _require_every_shard(answer: dict, what: str) -> None:
    """An answer of every shard, or IncompleteListing (``_shards`` is how a partial one shows)."""
    shards = answer.get("_shards") or {}
    if shards.get("failed", 1) > 0 or shards.get("successful", 0) < shards.get("total", 1):
        raise IncompleteListing(f"{what} came from only part of the shards: {shards}")


def _with_words(params: dict, reading: Reading | None) -> dict:
    """The parameters the query builders read: the words of the text become ``q``."""
    if reading is None or not reading.words:
        return params
    return {**params, "q": reading.words}
