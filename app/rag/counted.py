"""The numbers of a sentence and what they count: the three words after each number ("200
organizations (including", "seven priority axes"), in figures or the documents' number words
(app/rag/plans/derived.py works counts out from them)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from app.rag.spans import NUMBER_WORDS

# A number; the three words after it say what it counts ("200 organizations", "four pillars",
# "19 agencies, funds")
_NUMBER = re.compile(rf"\b\d[\d,.]*|\b(?:{NUMBER_WORDS})\b", re.I)


def numbers_and_after(sentence: str) -> Iterator[tuple[re.Match[str], list[str]]]:
    """Each number of a sentence (in figures or the documents' number words) with the three
    words after it ("200 organizations (including", "seven priority axes")."""
    for m in _NUMBER.finditer(sentence):
        yield m, re.findall(r"[\w-]+", sentence[m.end() :])[:3]
