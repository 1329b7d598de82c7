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
    "derived",
    "difference",
    "impersonal",
    "leans_on",
    "years",
    "period_start",
    "excluding",
    "duration_asked",
    "month_to",
)


@dataclass(frozen=True)
class PlanWords:
    """One language's cues: what asks for a summary, a comparison, a derived figure …"""

    lang: str
    summary: re.Pattern[str]
    comparison: re.Pattern[str]
    contrast: re.Pattern[str]  # a comparison whose sides are seldom names ("… differ?")
    joiners: re.Pattern[str]
    derived: re.Pattern[str]
    difference: re.Pattern[str]  # of a derived figure, the cues that subtract
    impersonal: re.Pattern[str]
    leans_on: re.Pattern[str]  # a pronoun a follow-up leans on
    years: re.Pattern[str]  # a derived figure counted in years
    period_start: re.Pattern[str]  # ... from the year a period starts (else the year it ends)
    excluding: re.Pattern[str]  # a count that leaves some out ("are not co-chairs")
    duration_asked: re.Pattern[str]  # "how many months …": group 1 is the unit asked
    month_to: re.Pattern[str]  # between the two months of a period ("February to July")
    limit: str  # "{shown} of {total} points; ask for more."
    not_said: str  # "the documents do not say."
    both: str  # "Both": a comparison's line on what names both sides
    not_compared: str  # "no passage speaks of both."
    years_word: str  # "years", in a worked figure of years
    as_asked: str  # "as asked": a year the question states itself, in the working
    months_word: str  # "months", in a worked duration
    numbers: tuple[str, ...] = ()  # the small numbers' words, from zero
    unit_year: tuple[str, ...] = ()  # the words of a year as a unit ("year", "years")
    unit_month: tuple[str, ...] = ()  # ... and of a month


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
            "as_asked",
            "months_word",
        )
    }
    lists = {
        k: tuple(str(n).lower() for n in raw.get(k, ()))  # type: ignore[attr-defined]
        for k in ("numbers", "unit_year", "unit_month")
    }
    return PlanWords(lang, **pats, **plain, **lists)
