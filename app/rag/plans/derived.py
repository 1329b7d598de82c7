"""The derived-figure plan: a figure worked out from two stated ones, shown with its working
and both citations ("$25 million + $25 million = $50 million [1][2]"); never a sum of the same
amount named twice (two sentences that say the same thing)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from app.rag.choose import Reading
from app.rag.citations import make_citation
from app.rag.plans.words import words
from app.rag.reader import Unit
from app.rag.termstats import root_set
from app.rag.types import Answer
from index.types import Hit

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
SAME_CLAIM = 0.8  # two sentences sharing this share of their roots say the same thing


@dataclass(frozen=True)
class Figure:
    """A stated figure: its value, its words around the digits ('$', 'million') and where."""

    value: float
    text: str  # as stated: "$25 million"
    prefix: str
    suffix: str
    unit: Unit


def figures(unit: Unit) -> list[Figure]:
    """The figures of the asked-for kind a sentence states (the reader's answer spans)."""
    out = []
    for s, e in unit.spans:
        text = unit.text[s:e]
        m = _NUMBER.search(text)
        if not m:
            continue
        value = float(m.group().replace(",", ""))
        out.append(Figure(value, text, text[: m.start()], text[m.end() :], unit))
    return out


def same_claim(a: Unit, b: Unit) -> bool:
    x, y = root_set(a.text), root_set(b.text)
    return bool(x and y) and len(x & y) / min(len(x), len(y)) > SAME_CLAIM


def pick(reading: Reading, floor: float) -> tuple[Figure, Figure] | None:
    """The two best sentences that each state one figure of the same kind (same currency and
    scale), not the same claim twice."""
    first: Figure | None = None
    for u in reading.ranked:
        if u.p < floor:
            break
        figs = figures(u)
        if len(figs) != 1:
            continue
        f = figs[0]
        if first is None:
            first = f
        elif (
            (f.prefix, f.suffix) == (first.prefix, first.suffix)
            and (u.hit, u.pos) != (first.unit.hit, first.unit.pos)
            and not same_claim(u, first.unit)
        ):
            return first, f
    return None


def _say(value: float, like: Figure) -> str:
    digits = f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
    return f"{like.prefix}{digits}{like.suffix}"


def derive(question: str, reading: Reading, hits: Sequence[Hit], notice: str) -> Answer | None:
    """The worked figure and the two sentences it comes from, or None when the passages do not
    state two figures to work it from (the reader answers then)."""
    q = reading.question
    if reading.refused or reading.near_miss:
        return None
    pair = pick(reading, reading.tuning.add_min * reading.best)
    if pair is None:
        return None
    a, b = sorted(pair, key=lambda f: (f.unit.hit, f.unit.pos))  # as the passages say them
    if words(q.lang).difference.search(q.focus or q.text):
        a, b = (a, b) if a.value >= b.value else (b, a)
        working = f"{a.text} − {b.text} = {_say(a.value - b.value, a)} [1][2]"
    else:
        working = f"{a.text} + {b.text} = {_say(a.value + b.value, a)} [1][2]"
    cites = []
    for n, f in enumerate((a, b), start=1):
        cite = make_citation(n, hits[f.unit.hit], f.unit.text, 1.0)
        cites.append(replace(cite, spans=f.unit.marks))
    text = f"{working}\n{a.unit.text} [1] {b.unit.text} [2]"
    return Answer(question, text, tuple(cites), False, "extractive", tuple(hits), notice, q.lang)
