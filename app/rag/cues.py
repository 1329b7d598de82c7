"""Word patterns the question analysis and the reader look for, from the language packs
(index/lang/*.toml): what kind of answer a question asks for, sentences that refer back, and
what something is for."""

from __future__ import annotations

import re
from typing import Literal

from index.lang import packs

Kind = Literal["amount", "number", "date", "place", "actor", "list", "other"]

_P = packs()
# Checked in order: the first kind whose pattern matches the question's opening wins, so
# "which countries" is a place before an actor; a question none matches asks for "other".
KIND_ORDER: tuple[Kind, ...] = ("amount", "number", "date", "place", "actor", "list")
# Each kind's pattern: every language's (the packs' "kind.<kind>").
KINDS: tuple[tuple[Kind, re.Pattern[str]], ...] = tuple(
    (kind, _P.pattern(f"kind.{kind}")) for kind in KIND_ORDER
)

ANAPHOR = _P.pattern("anaphor")


# A question about what something is for, and a sentence that says what something is for.
PURPOSE_ASKED = _P.pattern("purpose.asked")
PURPOSE_SAID = _P.pattern("purpose.said")


# Verbs that ask the same of an actor: "Who runs R4V?" is answered by "co-led by UNHCR and
# IOM", "Who pays for it?" by "funded by the European Union".
# Each group's words in every language, with the language they are read in ("liderar" is
# Spanish, "lead" English): the same group ("lead") gathers them all.
ACTOR_VERBS: tuple[tuple[tuple[str, str], ...], ...] = tuple(
    tuple((p.code, w) for p in _P.packs for w in p["actor_verbs"].table.get(group, ()))
    for group in _P.table("actor_verbs")
)
