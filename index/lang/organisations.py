"""Organisations a question in another language names by their own names ("la OIM", "o PNUD",
"la Banque mondiale"), given the English names the documents use ("IOM", "UNDP", "World
Bank"), from each language pack's ``organisations`` table. The documents are in English: a
question that says "PNUD" meets no word of the passage about UNDP."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

from index.lang.packs import packs


@cache
def _names(lang: str) -> tuple[re.Pattern[str] | None, Mapping[str, str]]:
    """A pattern finding the language's names (longest first, case-sensitive) and each one's
    English name; (None, {}) for a language without any."""
    pack = packs().get(lang)
    table = pack["organisations"].table if pack is not None else {}
    if not table:
        return None, {}
    ordered = sorted(table, key=len, reverse=True)  # "ONU Mujeres" before "ONU"
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, ordered)) + r")(?!\w)"), table


def english_names(text: str, lang: str) -> str:
    """``text`` (in ``lang``) with the organisations it names by their own names given the
    English ones ("¿Qué hace la OIM?" -> "¿Qué hace la IOM?"); unchanged when it names none."""
    pattern, table = _names(lang)
    return pattern.sub(lambda m: table[m.group()], text) if pattern is not None else text
