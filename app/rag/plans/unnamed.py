"""A comparison whose sides have no names of their own ("How do IOM's two regional strategies
differ?", "What is the difference between what the IDB's perception laboratory and its DataMIG
portal offer?"): the reader's answer, then the best sentence of another passage, so that the
answer speaks of a second thing and not twice of the first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from app.rag.choose import Reading
from app.rag.compose import extractive_answer
from app.rag.reader import Unit
from app.rag.rules import on
from app.rag.types import Answer
from index.types import Hit

# The least answer probability of the other passage's best sentence (below it the passage
# is rarely the second side: a neighbour of the first, found for its words).
SPREAD_MIN = 0.1


def second_side(reading: Reading) -> Unit | None:
    """The best sentence of a passage the reader's answer does not quote; None when the
    reader refused or no such sentence scores SPREAD_MIN."""
    if reading.refused or not reading.units or not on("unnamed_sides"):
        return None
    quoted = {u.hit for u in reading.units}
    other = next((u for u in reading.ranked if u.hit not in quoted), None)
    return other if other is not None and other.p >= SPREAD_MIN else None


def unnamed_sides(
    question: str, reading: Reading, hits: Sequence[Hit], notice: str
) -> Answer | None:
    """The reader's answer with the second side's sentence after it; None (the reader's own
    answer) when there is no second side."""
    other = second_side(reading)
    if other is None:
        return None
    both = replace(reading, units=(*reading.units, other))
    return extractive_answer(question, both, list(hits), notice)
