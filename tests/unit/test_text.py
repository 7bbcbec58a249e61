"""fold / fold_digraphs / strip_accents: the keys shared by indexing and querying."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.documents import search_key
from locator.core.text import fold, fold_digraphs, strip_accents

# Letters of the Latin script as typed in Europe and the Americas: ASCII, Latin-1, Extended-A.
# (The micro sign is excluded: it is a Greek mu in Latin-1's clothing and folds to Greek.)
LATIN = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x17F, categories=("Lu", "Ll", "Lt", "Zs", "Nd"),
                              exclude_characters="µ"))


@pytest.mark.parametrize(("text", "expected"), [
    ("Zürich", "zurich"), ("København", "kobenhavn"), ("ÅRHUS", "arhus"), ("Łódź", "lodz"),
    ("Straße", "strasse"), ("Þórshöfn", "thorshofn"), ("Œuvre Æbelø", "oeuvre aebelo"), ("Đakovo", "dakovo"),
    ("Ðorð", "dord"), ("Iğdır", "igdir"), ("İstanbul", "istanbul"), ("  São \t Paulo\n", "sao paulo"),
    ("Col·legi", "collegi"), ("", ""), ("Aarhus", "aarhus"),
])
def test_fold_examples(text: str, expected: str) -> None:
    assert fold(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("København", "koebenhavn"), ("Zürich", "zuerich"), ("Ærø", "aeroe"), ("Århus", "aarhus"),
    ("MÜNCHEN", "muenchen"), ("Göteborg", "goeteborg"), ("Zu\u0308rich", "zuerich"), ("Paris", "paris"),
])
def test_fold_digraphs_examples(text: str, expected: str) -> None:
    assert fold_digraphs(text) == expected


def test_digraph_spelling_typed_by_a_user_matches() -> None:
    assert fold("Koebenhavn") == fold_digraphs("København")
    assert fold("Zuerich") == fold_digraphs("Zürich")


def test_strip_accents_keeps_case_and_folds_alike() -> None:
    assert strip_accents("Århus") == "Arhus"
    assert strip_accents("Ørsted Straße") == "Orsted Strasse"
    for name in ("Sécurité Vidéo Lyonnaise SARL", "Łódź", "Zürcher Videotechnik AG"):
        assert strip_accents(name).isascii()
        assert fold(strip_accents(name)) == fold(name)


@settings(max_examples=500)
@given(st.text())
def test_folds_are_idempotent_and_never_raise(text: str) -> None:
    assert fold(fold(text)) == fold(text)
    assert fold_digraphs(fold_digraphs(text)) == fold_digraphs(text)
    assert fold(text) == fold(text).strip()
    assert "  " not in fold(text)


@settings(max_examples=500)
@given(LATIN)
def test_latin_text_folds_to_lower_case_ascii(text: str) -> None:
    for folded in (fold(text), fold_digraphs(text)):
        assert folded.isascii(), folded
        assert folded == folded.lower()


@given(LATIN)
def test_case_and_accents_do_not_matter(text: str) -> None:
    assert fold(text.upper()) == fold(text.lower()) == fold(strip_accents(text))


@given(st.text() | st.text(alphabet="aAzZ \t\n\x1c\x85-'", max_size=12))
def test_an_indexed_search_key_is_the_fold_and_the_digraph_fold_when_they_differ(text: str) -> None:
    # documents.search_key folds ASCII text on a fast path of its own: it must say what fold says.
    plain, digraphs = fold(text), fold_digraphs(text)
    assert search_key(text) == (plain if plain == digraphs else f"{plain} {digraphs}")
