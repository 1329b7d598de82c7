"""Which plan a question gets, from its shape: one fact, a list, several parts, a comparison,
a summary or a figure worked out from stated ones."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from app.rag.plans.words import words
from app.rag.question import Question
from index.lang import packs
from index.lemmas import proper_terms

PlanName = Literal["single", "list", "parts", "comparison", "summary", "derived"]
PLANS: tuple[PlanName, ...] = ("single", "list", "parts", "comparison", "summary", "derived")

# A name: a capitalised word with another capital or digit in it (USAID, R4V, IBC-HM), or
# capitalised words joined by small ones ("Quito Process", "Government of Canada").
_P = packs()
_NAME = re.compile(
    r"\b(?:[A-Z][\w’'&-]*[A-Z0-9][\w-]*|[A-Z][a-zà-ÿ’'-]+"
    rf"(?:\s+(?:{_P.alternation('plans.name_link')})?\s*[A-Z][\w’'-]+)*)"
    rf"(?:{_P.alternation('terms.possessive')})?"
)


@dataclass(frozen=True)
class Plan:
    """A question's plan: its name and the questions its steps answer (a part, a side …)."""

    name: PlanName
    steps: tuple[str, ...] = ()
    context: str = ""  # a statement before the question ("The study flags … . What did it find?")


def plan_of(q: Question) -> Plan:
    """The plan of an analysed question (the first shape that fits, in this order)."""
    w = words(q.lang)
    text = q.focus or q.text
    if w.summary.search(text):
        return Plan("summary", (text,))
    if w.comparison.search(text):
        sides = comparison_sides(text, q.lang)
        if len(sides) >= 2:
            return Plan("comparison", sides)
    if w.derived.search(text) and q.kind in ("amount", "number", "date"):
        return Plan("derived", q.parts)
    if len(q.parts) > 1 and _own_subjects(q) and not _one_name_for_both(q):
        context = q.text[: q.text.rfind(text)].strip() if q.focus and q.focus != q.text else ""
        return Plan("parts", q.parts, context)
    return Plan("list" if q.plural else "single", (text,))


def _own_subjects(q: Question) -> bool:
    """Each part names a subject of its own, not all the same ("What is the Quito Process and
    who leads R4V?"). Parts that lean on the first ("What did it find, and what does it
    recommend?") ask one subject two things: the reader answers them in one reading."""
    named = [frozenset(proper_terms(p, q.lang)) for p in q.parts]
    return all(named) and len(set(named)) > 1


def _one_name_for_both(q: Question) -> bool:
    """ "Which country is covered both by X and by Y?" asks for the names true of both parts
    (both open with the same words and ask for no figure): the reader's own answer, not two;
    "How much does USAID provide and how much does Canada provide?" asks two figures."""
    heads = {" ".join(p.lower().split()[:2]) for p in q.parts}
    return len(heads) == 1 and q.kind not in ("amount", "number", "date")


def comparison_sides(text: str, lang: str) -> tuple[str, ...]:
    """One question per side of a comparison: the question with the other sides taken out
    ("Compare what the review says about USAID and Canada's funding" -> "what the review says
    about USAID funding", "what the review says about Canada's funding")."""
    w = words(lang)
    cue = w.comparison.search(text)
    assert cue is not None
    rest = (text[: cue.start()] + text[cue.end() :]).strip(" ?¿:")
    # The sides: the names after the cue that stand next to each other, joined by "and" …
    names = [m for m in _NAME.finditer(rest) if m.start() >= 0]
    run: list[re.Match[str]] = []
    for m in names:
        if run and w.joiners.fullmatch(rest[run[-1].end() : m.start()]):
            run.append(m)
        elif len(run) < 2:
            run = [m]
    if len(run) < 2:
        return ()
    out = []
    for side in run:
        cut = rest
        for other in reversed(run):
            if other is side:
                continue
            # the other side and the joiner before it (or after it, for the first side)
            start, end = other.start(), other.end()
            before = re.search(rf"(?:{w.joiners.pattern})$", cut[:start], re.I)
            if before and before.start() >= run[0].start():
                start = before.start()
            else:
                after = re.match(w.joiners.pattern, cut[end:], re.I)
                end += after.end() if after else 0
            cut = cut[:start] + " " + cut[end:]
        out.append(re.sub(r"\s+", " ", cut).strip(" ,"))
    return tuple(out)
