"""What a count in another language counts, in the documents' words, by meaning: "¿Cuántos
refugiados …?" counts what a sentence's "… 200 organizations" does not. The question's counted
word and the words after each number of the passages are compared in the multilingual
embedder's space (word to word); a number counts the asked-for thing when its words are that
thing said in English (similarity at least COUNTED_MIN). Used when neither a cognate nor a
pack's count class says it (reader.score_units)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from app.rag.spans import NUMBER_WORDS
from index.embed import Embedder
from index.lemmas import terms

# The least word-to-word similarity (multilingual-e5) at which a word of the documents says
# the asked-for thing: "refugiados"/"refugees" 0.94, "países"/"countries" 0.92, but
# "refugiados"/"migrants" 0.89, "ciudades"/"countries" 0.87, "fondos"/"organizations" 0.87.
COUNTED_MIN = 0.9

# A number; the three words after it say what it counts ("200 organizations", "four pillars",
# "19 agencies, funds")
_NUMBER = re.compile(rf"\b\d[\d,.]*|\b(?:{NUMBER_WORDS})\b", re.I)

# Nothing counts it: no number of these passages is a count of the asked-for thing.
NOTHING = "\x00"


def numbers_and_after(sentence: str) -> Iterator[tuple[re.Match[str], list[str]]]:
    """Each number of a sentence (in figures or the documents' number words) with the three
    words after it ("200 organizations (including", "seven priority axes")."""
    for m in _NUMBER.finditer(sentence):
        yield m, re.findall(r"[\w-]+", sentence[m.end() :])[:3]


def counted_by_meaning(
    counted: str, sentences: Sequence[str], embedder: Embedder
) -> tuple[str, ...]:
    """The documents' words (after a number in ``sentences``) that say what ``counted`` says
    (the question's words: "refugiados"); (NOTHING,) when none does."""
    # the words as the documents write them ("countries"), each kept when it is a term
    after = list(
        dict.fromkeys(
            w.lower()
            for s in sentences
            for _, after in numbers_and_after(s)
            for w in after
            if terms(w)
        )
    )
    if not after or not counted:
        return (NOTHING,)
    sims = embedder.passages(after) @ embedder.queries([counted])[0]
    said = [t for w, sim in zip(after, sims, strict=True) if sim >= COUNTED_MIN for t in terms(w)]
    return tuple(dict.fromkeys(said)) or (NOTHING,)
