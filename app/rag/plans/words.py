"""The answer plans' words in each language (words.toml), loaded once into typed objects."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PATTERNS = (
    "summary",
    "comparison",
    "contrast",
    "joiners",
    "places_joiner",
    "derived",
    "adding",
    "months",
    "difference",
    "impersonal",
    "leans_on",
    "years",
    "period_start",
    "period_end",
    "excluding",
)


@dataclass(frozen=True)
class PlanWords:
    """One language's cues: what asks for a summary, a comparison, a derived figure …"""

    lang: str
    summary: re.Pattern[str]
    comparison: re.Pattern[str]
    contrast: re.Pattern[str]  # a comparison whose sides are seldom names ("… differ?")
    joiners: re.Pattern[str]
    places_joiner: re.Pattern[str]  # places named together as one region ("North and Central …")
    derived: re.Pattern[str]
    adding: re.Pattern[str]  # a sum of stated figures, whatever the kind of answer
    difference: re.Pattern[str]  # of a derived figure, the cues that subtract
    impersonal: re.Pattern[str]
    leans_on: re.Pattern[str]  # a pronoun a follow-up leans on
    years: re.Pattern[str]  # a derived figure counted in years
    months: re.Pattern[str]  # a duration asked in months
    period_start: re.Pattern[str]  # ... from the year a period starts (else the year it ends)
    period_end: re.Pattern[str]  # ... a side's, after "the end of" (the nearest word before it)
    excluding: re.Pattern[str]  # a count that leaves some out ("are not co-chairs")
    limit: str  # "{shown} of {total} points; ask for more."
    not_said: str  # "the documents do not say."
    both: str  # "Both": a comparison's line on what names both sides
    not_compared: str  # "no passage speaks of both."
    years_word: str  # "years", in a worked figure of years
    months_word: str  # "months", in a worked duration
    as_asked: str  # "as asked": a year the question states itself, in the working
    numbers: tuple[str, ...] = ()  # the small numbers' words, from zero ("dois|duas")

    def count(self, word: str) -> int | None:
        """The number a word says ("2", "two", "dos"), or None when it says none."""
        w = word.lower()
        if w.isdigit():
            return int(w)
        return next((n for n, forms in enumerate(self.numbers) if w in forms.split("|")), None)


@cache
def table() -> dict[str, dict[str, object]]:
    """The raw file, examples included (the tests check every pattern against them)."""
    with (Path(__file__).with_name("words.toml")).open("rb") as f:
        return tomllib.load(f)


@cache
def words(lang: str) -> PlanWords:
    """The cues of ``lang``; a language without a table reads as English."""
    raw = table().get(lang) or table()["en"]
    pats = {k: re.compile(str(raw[k]), re.I) for k in PATTERNS}
    plain = {
        k: str(raw[k])
        for k in (
            "limit",
            "not_said",
            "both",
            "not_compared",
            "years_word",
            "months_word",
            "as_asked",
        )
    }
    numbers = tuple(str(n).lower() for n in raw.get("numbers", ()))  # type: ignore[attr-defined]
    return PlanWords(lang, **pats, **plain, numbers=numbers)
