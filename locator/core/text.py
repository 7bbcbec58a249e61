"""Text normalisation shared by the indexer and the search API.

Both sides must compute *exactly* the same keys, otherwise a place or a company indexed as
"København" could not be found by a customer typing "kobenhavn": hence one module, used by both.

``fold`` is the primary key (accents and case removed); ``fold_digraphs`` is an alternative key in
which umlaut-style letters become their conventional two-letter spellings, so the German/Danish
ways of typing without the special keys ("Zuerich", "Koebenhavn") also match.
"""
from __future__ import annotations

import unicodedata

__all__ = ["DIGRAPHS", "FOLD_VERSION", "fold", "fold_digraphs", "strip_accents"]

# Bump whenever the output of fold/fold_digraphs changes: stores of folded keys (the gazetteer)
# record it and are rebuilt when it differs.
FOLD_VERSION = 2

# Letters that NFKD does not decompose into base letter + combining mark. Lower case only: the
# text is case-folded before translation. "ß" needs no entry (casefold turns it into "ss").
_TRANSLITERATIONS = {
    "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "ł": "l", "þ": "th", "ı": "i",
    "ħ": "h", "ŧ": "t", "ŋ": "ng", "ĸ": "k", "ƒ": "f", "ɨ": "i", "ʉ": "u", "ɖ": "d",
    "ɗ": "d", "ƙ": "k", "ƴ": "y", "ɓ": "b", "ȥ": "z", "ƶ": "z", "ǥ": "g", "ɍ": "r",
    "ꝁ": "k", "ɇ": "e", "ȼ": "c", "ƀ": "b", "ɉ": "j", "ĳ": "ij", "ɛ": "e", "ɔ": "o",
    "ə": "e", "ʒ": "z", "ɣ": "g", "ƣ": "oi",
    # Not letters, but left over by decomposition of Latin letters: "ŀ" -> "l·", "ŉ" -> "ʼn".
    "·": "", "ʼ": "'",
}

# Umlaut-style letters spelled as digraphs for fold_digraphs (applied before decomposition,
# so "ü" becomes "ue" instead of "u" + diaeresis).
DIGRAPHS = {"ü": "ue", "ö": "oe", "ø": "oe", "ä": "ae", "æ": "ae", "å": "aa"}

# Code points scanned for combining marks: everything where Latin, Greek, Cyrillic, CJK, etc. put
# theirs, plus the variation selectors supplement. Scanning all 1.1M code points would cost a
# noticeable fraction of a second at import for no gain.
_MARK_RANGES = (range(0, 0x20000), range(0xE0100, 0xE01F0))


def _build_table() -> dict[int, str | None]:
    """Translate table: drop non-spacing and enclosing marks, transliterate special letters."""
    table: dict[int, str | None] = {}
    for block in _MARK_RANGES:
        for code in block:
            if unicodedata.category(chr(code)) in ("Mn", "Me"):
                table[code] = None
    table.update({ord(letter): ascii_ for letter, ascii_ in _TRANSLITERATIONS.items()})
    return table


_FOLD_TABLE = _build_table()
_DIGRAPH_TABLE = {ord(letter): digraph for letter, digraph in DIGRAPHS.items()}
# Case-preserving variant for strip_accents: capitals transliterate to capitals ("Ø" -> "O").
_STRIP_TABLE = {
    **_FOLD_TABLE,
    **{ord(letter.upper()): ascii_.capitalize() for letter, ascii_ in _TRANSLITERATIONS.items() if letter.upper() != letter},
    ord("ß"): "ss",
}


def _collapse(text: str) -> str:
    # str.split() without arguments splits on any Unicode whitespace and drops empty parts.
    return " ".join(text.split())


def _fold_non_ascii(text: str) -> str:
    """The slow path: decompose, case-fold, drop marks, transliterate.

    Decomposition and case folding are repeated until stable because each can produce input for
    the other (compatibility characters that decompose to capitals, capitals that fold to
    decomposable letters); two rounds almost always suffice. The fixed point is what makes
    ``fold`` idempotent.
    """
    previous = None
    while text != previous:
        previous = text
        text = unicodedata.normalize("NFKD", text).casefold()
        text = unicodedata.normalize("NFKD", text).translate(_FOLD_TABLE)
    return text


def fold(text: str) -> str:
    """Accent- and case-insensitive key: ``fold("ÅRHUS") == "arhus"``, ``fold("Zürich") == "zurich"``.

    Whitespace runs become one space, the ends are stripped. Pure ASCII input (most of it) takes
    a fast path with the same result.
    """
    if text.isascii():
        return _collapse(text.lower())
    return _collapse(_fold_non_ascii(text))


def fold_digraphs(text: str) -> str:
    """Like ``fold`` but ü/ö/ø/ä/æ/å become ue/oe/oe/ae/ae/aa: ``fold_digraphs("København") == "koebenhavn"``.

    Composed first (NFC) so a decomposed "u" + diaeresis is recognised as "ü" too.
    """
    if text.isascii():
        return _collapse(text.lower())
    text = unicodedata.normalize("NFC", text).casefold()
    text = unicodedata.normalize("NFC", text).translate(_DIGRAPH_TABLE)
    return _collapse(_fold_non_ascii(text))


def strip_accents(text: str) -> str:
    """Remove accents but keep case and spacing: ``strip_accents("Århus") == "Arhus"``.

    For display-like ASCII spellings (e.g. an export written by a system without accents);
    ``fold(strip_accents(x)) == fold(x)`` for Latin text, so it matches the same keys.
    """
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", unicodedata.normalize("NFKD", text).translate(_STRIP_TABLE))
