"""Countries and regions named in a question in another language, with their English names,
from the Unicode CLDR's territory names (through Babel): "¿Cuántos refugiados acoge Turquía?"
names "Türkiye". The documents are in English: a place they never name cannot be checked by
its translated name, but it can by its English one. No hand list: every territory CLDR names
in the language."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from babel import Locale, UnknownLocaleError

from index.lemmas import fold


@cache
def _territories(lang: str) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """A pattern finding the language's territory names (folded, longest first) and each
    folded name's English one; (None, {}) for English or a language CLDR does not have."""
    if lang == "en":
        return None, {}
    try:
        names = Locale.parse(lang).territories
    except (UnknownLocaleError, ValueError):
        return None, {}
    english = Locale("en").territories
    table = {fold(n): english[code] for code, n in names.items() if code in english}
    ordered = sorted(table, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in ordered) + r")(?!\w)")
    return pattern, table


def places_named(text: str, lang: str) -> tuple[str, ...]:
    """The English names of the countries and regions ``text`` (in ``lang``) names, each once,
    in order; a name counts only where it starts with a capital letter, as a name does
    ("Chile", not "chile" in a recipe). None for English text."""
    pattern, table = _territories(lang)
    if pattern is None:
        return ()
    folded = fold(text)
    if len(folded) != len(text):  # folding changed the length: positions would not line up
        return ()
    found = (table[m.group(1)] for m in pattern.finditer(folded) if text[m.start()].isupper())
    return tuple(dict.fromkeys(found))


def read_places(langs: Iterable[str]) -> None:
    """Read CLDR's territory names of ``langs`` now (a server's warm-up): the first question
    in Spanish then does not wait ~60 ms for them."""
    for lang in langs:
        _territories(lang)
