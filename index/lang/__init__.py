"""A tiny offline language guess: a language with a pack (index/lang/*.toml: en, es, pt, fr)
from its function words, letters and forms; questions in other scripts by their script (ar,
he, ru, el, hi, ja, ko, zh), so they are not taken for English."""

from __future__ import annotations

import re
from functools import cache

from index.lang.packs import Pack, Packs, packs

__all__ = ["Pack", "Packs", "detect_language", "packs"]

# Checked in order: kana before the CJK ideographs Japanese shares with Chinese.
_SCRIPTS = (
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("ko", re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("ar", re.compile(r"[\u0600-\u06ff\u0750-\u077f]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
)
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")


def detect_language(text: str) -> str:
    """The most likely of en/es/pt/fr, or the code of a non-Latin script that dominates the
    text; English when nothing points elsewhere."""
    latin = len(_LATIN.findall(text))
    for code, script in _SCRIPTS:
        if len(script.findall(text)) > latin:
            return code
    words = re.findall(r"[^\W\d_]+", text.lower())
    if not words:
        return DEFAULT
    langs = packs().packs
    # Ties go to the first language past English, in pack order; English is the default.
    order = [p for p in langs if p.code != DEFAULT] + [p for p in langs if p.code == DEFAULT]
    scores = {p.code: _score(p, words, text) for p in order}
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] > scores[DEFAULT] else DEFAULT


DEFAULT = "en"  # the documents' language: what a question is taken for when nothing else fits


def _score(pack: Pack, words: list[str], text: str) -> float:
    vocab = _vocabulary(pack.code)
    score: float = sum(w in vocab for w in words)
    for name in ("detect.letters", "detect.forms"):
        entry = pack[name]
        if entry.compiled is not None and entry.compiled.search(text):
            score += entry.weight
    return score


@cache
def _vocabulary(code: str) -> frozenset[str]:
    return frozenset(packs().entry(code, "detect.function_words").words)
