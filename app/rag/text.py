"""Sentence splitting and content-term matching shared by the answer and citation steps."""

from __future__ import annotations

import re
from functools import lru_cache

_SPLIT = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“(]?[A-Z0-9¿¡])")
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")

STOP = set(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing done down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself just me
    more most much many my no nor not now of off on once only or other our out over own same she
    should so some such than that the their them then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would you
    your yours according review report documents document say says said tell give list describe
    mention mentioned named name kind type one two both either""".split()
)


def split_sentences(text: str) -> list[str]:
    """Sentences and list items, in order; a list item is always its own unit."""
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if line.startswith("- "):
            out.append(line)
            continue
        out.extend(s.strip() for s in _SPLIT.split(line) if s.strip())
    return out


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix-stripper: enough to match 'trains'/'training', 'aims'/'aim'."""
    w = word.lower()
    for suffix in ("ations", "ation", "ings", "ing", "ies", "es", "ed", "s"):
        if len(w) > len(suffix) + 2 and w.endswith(suffix):
            return w[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return w


def terms(text: str) -> list[str]:
    """Content terms (stemmed, lower-case), stop words removed; acronyms and numbers kept."""
    out = []
    for w in _WORD.findall(text):
        lw = w.lower()
        if lw.endswith(("'s", "’s")):  # possessive; endswith, not re.sub: this runs per word
            lw = lw[:-2]
        if lw in STOP or (len(lw) < 2 and not lw.isdigit()):
            continue
        out.append(stem(lw))
    return out


def proper_terms(question: str) -> list[str]:
    """Capitalised words past the first (names, places, acronyms), as content terms."""
    words = _WORD.findall(question)[1:]
    return [t for w in words if w[:1].isupper() for t in terms(w)]
