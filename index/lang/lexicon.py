"""The documents' words said in another language: each pack's ``lexicon`` (an English word of
the documents -> that language's words for it, "funding" -> "financiación", "fondos"). A question
in Spanish, Portuguese or French meets the English text through it where a cognate does not
("¿Qué enfoque …?" holds no word spelled like "approach"); see app/rag/reader.py."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from index.lang.packs import packs
from index.lemmas import root, terms


@cache
def english_roots(lang: str) -> Mapping[str, frozenset[str]]:
    """Each root of a word in ``lang`` (as the question's terms are rooted) -> the roots of
    the documents' English words it says; empty for English and for a language without a
    lexicon."""
    pack = packs().get(lang)
    if pack is None or lang == "en":
        return MappingProxyType({})
    out: dict[str, set[str]] = {}
    for english, forms in pack["lexicon"].table.items():
        said = {root(t) for t in terms(english)}
        for form in forms:
            for t in terms(form, lang):
                out.setdefault(root(t), set()).update(said)
    return MappingProxyType({k: frozenset(v) for k, v in out.items()})


def in_english(term: str, lang: str) -> frozenset[str]:
    """The roots of the documents' words that a term of a question in ``lang`` says."""
    return english_roots(lang).get(root(term), frozenset())
