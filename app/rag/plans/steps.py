"""The parts and comparison plans: each part (or side) searched and read on its own, answered
in order; one the documents do not answer says so; refused only when no part is answered."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

from app.rag.choose import Reading, _heading, rejudged
from app.rag.compose import extractive_answer
from app.rag.framing import frame
from app.rag.plans.combine import combine
from app.rag.plans.shape import names_in, runs_of
from app.rag.plans.words import words
from app.rag.reader import Unit
from app.rag.rules import on
from app.rag.types import Answer
from index.lemmas import fold, proper_terms
from index.parts import pronoun_to
from index.parts import subject_of as _subject
from index.types import Hit


class AskOne(Protocol):
    """Searches and reads one question: what the Answerer does for a single fact; given a
    name, the passages searched are those that name it, when the first ones found do not;
    given documents, the passages searched are theirs; a claim is a statement whose source is
    sought (Question.claim)."""

    def __call__(
        self, query: str, name: str = "", docs: tuple[str, ...] = (), claim: bool = False
    ) -> tuple[list[Hit], Reading]: ...


# The least answer probability of the best sentence that names a side of a comparison.
SIDE_MIN = 0.02


def names(hit: Hit, name: str) -> bool:
    """Whether a passage (or what its opening refers to) names ``name``."""
    return says(fold(name), fold(f"{hit.referent} {hit.chunk.section} {hit.chunk.text}"))


def says(key: str, text: str) -> bool:
    """Whether ``text`` holds ``key`` as words of its own: "ILO" is not in "pilot", nor "OIT"
    in "exploitation" (both folded)."""
    return re.search(rf"(?<!\w){re.escape(key)}(?!\w)", text) is not None


def step_query(part: str, first: str, lang: str, context: str = "", own_docs: bool = False) -> str:
    """A part that names no subject of its own ("how active was the platform in 2023") borrows
    the first part as its context, the way a follow-up borrows the previous question, or
    (``own_docs``: it is asked of a document of its own) only the first part's subject; a
    statement before the question ("The study flags … .") is every part's context."""
    query = part
    if part is not first and not proper_terms(part, lang):
        # a part that names a document of its own asks that document about the first part's
        # subject ("…, and what does the coordination review want done with it?" -> … (R4V))
        subject = _subject(first) if own_docs else ""
        said = pronoun_to(part, subject) if subject else ""
        query = said or (f"{part} ({subject})" if subject else f"{first.rstrip(' ?¿')}. {part}")
    return f"{context} {query}" if context else query


def answer_steps(
    question: str,
    steps: Sequence[str],
    ask_one: AskOne,
    lang: str,
    notice: str,
    labelled: bool = False,
    context: str = "",
    docs: Sequence[tuple[str, ...]] = (),
    doc_words: frozenset[str] = frozenset(),
    chained: bool = False,
    first: Answer | None = None,
) -> Answer | None:
    """Each step answered on its own, in order; None when none is answered (the caller then
    refuses as for one question). ``labelled``: each line opens with its side's name and a
    side answered by a passage that does not name it is not answered. ``docs``: the documents
    each step names, searched alone ("…, and what does the coordination review want?");
    ``doc_words``: the one-word names of the documents ("K4DD"), which say where to look;
    ``chained``: the first step asks for a name, and the others are asked of the name its
    answer (``first``, when the reader's answer to the whole question gives it) found; a step
    its quotes already answer says nothing more. None when the first is not answered: the
    reader answers the whole."""
    w = words(lang)
    pieces: list[tuple[str, Answer | None]] = []
    answered = 0
    sides = side_names(steps) if labelled else [_side_name(p) for p in steps]
    for i, part in enumerate(steps):
        if chained and i == 0 and first is not None:
            pieces.append(("", frame(first, question, "single")))  # its lead as it was
            answered += 1
            continue
        name = sides[i]
        in_docs = docs[i] if i < len(docs) else ()
        own = bool(in_docs) and in_docs != (docs[0] if docs else ())
        query = step_query(part, steps[0], lang, context, own)
        if own and not proper_terms(part, lang):  # its answer names the subject it borrows
            name = _subject(steps[0])
        if chained and i > 0:
            found = pieces[0][1]
            name = found_name(found) if found is not None else ""
            if not name:
                return None
            query = pronoun_to(part, name) or f"{part} ({name})"
        if in_docs and fold(name) in doc_words and on("doc_not_side"):
            name = ""  # "Who co-leads it according to K4DD?": K4DD says where to look, not what
        hits, reading = ask_one(query, name, in_docs)
        focused = focus_on(reading, name, hits) if name else reading
        label = f"{name}:" if labelled and name else ""
        if focused is None and labelled:  # no passage found speaks of this side
            pieces.append((f"{label} {capital(w.not_said)}", None))
            continue
        reading = focused or reading
        if labelled and on("side_runner_up"):
            reading = with_runner_up(reading)
        elif not labelled and not chained and on("part_runner_up"):
            reading = with_runner_up(reading)
        if chained and i > 0 and reading.units:
            unquoted = _unquoted(reading, pieces)
            if unquoted is None:
                continue
            reading = unquoted
        sub = extractive_answer(part, reading, hits, "")
        if chained and i == 0 and sub.refused:
            return None
        if sub.refused and not reading.near_miss:
            pieces.append((f"{label or _part_label(part)} {capital(w.not_said)}", None))
            continue
        if chained and i > 0:
            sub = _unsaid(sub, pieces)  # what an earlier step quoted is not said twice
            if sub is None:
                continue
        answered += not sub.refused
        if not labelled:  # a part's lead says it back in its own words; a side has its label
            sub = frame(sub, part, "single")
        pieces.append((label or (_part_label(part) if sub.refused else ""), sub))
    if not answered:
        return None
    both = _both(question, sides, pieces, ask_one, lang) if labelled else None
    if both is not None:
        pieces.append(both)
    return combine(question, pieces, lang, notice)


def _unquoted(reading: Reading, pieces: Sequence[tuple[str, Answer | None]]) -> Reading | None:
    """A chained part's reading kept to its best sentence that no earlier step quoted (what
    the found name's passages add); None when every sentence it chose is quoted already."""
    said = "\n".join(a.text for _, a in pieces if a is not None)
    new = [u for u in reading.units if u.text not in said][:1]
    return replace(reading, units=tuple(new)) if new else None


def _unsaid(answer: Answer, pieces: Sequence[tuple[str, Answer | None]]) -> Answer | None:
    """``answer`` without the sentences an earlier step quoted; None when nothing is left."""
    said = {c.quote for _, a in pieces if a is not None for c in a.citations}
    text = answer.text
    for c in answer.citations:
        if c.quote in said:
            text = text.replace(f"{c.quote} [{c.n}]", "")
    text = re.sub(r"[ \t]+", " ", text).strip()
    cites = tuple(c for c in answer.citations if f"[{c.n}]" in text)
    if not cites:
        return None
    return replace(answer, text=text, citations=cites)


def found_name(answer: Answer) -> str:
    """The name a step's answer found: the section its first quote stands in ("Project
    Turquesa"), else the first name it marks."""
    if not answer.citations:
        return ""
    first = answer.citations[0]
    if first.section:
        return first.section
    return next((first.quote[s:e] for s, e in first.spans), "")


def _both(
    question: str,
    sides: Sequence[str],
    pieces: Sequence[tuple[str, Answer | None]],
    ask_one: AskOne,
    lang: str,
) -> tuple[str, Answer | None] | None:
    """A comparison's last line: what the documents say about both sides, from the best
    sentence of the whole question that names every side; or that no passage speaks of both.
    None when that sentence is quoted above already, or there are not two sides."""
    w = words(lang)
    keys = [fold(s) for s in dict.fromkeys(sides) if s]
    quoted = {c.quote for _, sub in pieces if sub is not None for c in sub.citations}
    if len(keys) < 2:
        return None
    hits, reading = ask_one(question, "")

    def names_all(i: int) -> bool:
        u = reading.ranked[i]
        text = fold(f"{hits[u.hit].referent} {u.text}")
        return all(says(k, text) for k in keys) and u.p >= SIDE_MIN

    at = next((i for i in range(len(reading.ranked)) if names_all(i)), None)
    if at is not None:
        u = reading.ranked[at]
        ranked = (u, *reading.ranked[:at], *reading.ranked[at + 1 :])
        sub = extractive_answer(question, replace(reading, units=(u,), ranked=ranked), hits, "")
        if not sub.refused:
            # said above already (a side's sentence named both): no line of its own
            return None if {c.quote for c in sub.citations} <= quoted else (f"{w.both}:", sub)
    return f"{w.both}: {w.not_compared}", None


def with_runner_up(reading: Reading) -> Reading:
    """A document's or a side's answer with its next best sentence when the reader is as sure
    of it as of an answer that needs no other ("What do the two documents say about
    information management?": the study's gap and its recommendation)."""
    if not reading.units or reading.refused or reading.near_miss:
        return reading
    have = {(u.hit, u.pos) for u in reading.units}
    nxt = next((u for u in reading.ranked if (u.hit, u.pos) not in have), None)
    if nxt is None or nxt.p < reading.tuning.sure or _heading(nxt):
        return reading
    return replace(reading, units=(*reading.units, nxt))


def focus_on(reading: Reading, name: str, hits: Sequence[Hit]) -> Reading | None:
    """The reading kept to sentences that name ``name`` (or whose passage refers to it): the
    best such sentence answers when the best overall speaks of something else ("Canada's
    funding" is not answered by USAID's $25 million). None when no good sentence names it."""
    key = fold(name)

    def named(u: Unit) -> bool:
        return says(key, fold(u.text)) or says(key, fold(hits[u.hit].referent))

    if any(named(u) for u in reading.units):
        return reading
    at = next((i for i, u in enumerate(reading.ranked) if named(u)), None)
    if at is None or reading.ranked[at].p < SIDE_MIN:
        return None
    u = reading.ranked[at]
    ranked = (u, *reading.ranked[:at], *reading.ranked[at + 1 :])
    # judged again by the sentence naming it, which now leads
    reading = rejudged(reading, ranked) if on("side_rejudged") else replace(reading, ranked=ranked)
    units = reading.units if reading.near_miss or reading.refused else (u,)
    return replace(reading, units=units)


def _side_name(part: str) -> str:
    """The last name of a side's question ("what the review says about Canada's funding" ->
    "Canada")."""
    names = [_bare(m.group()) for m in names_in(part)]
    names = [n for n in names if len(n) > 1]
    return names[-1] if names else ""


def side_names(sides: Sequence[str]) -> list[str]:
    """Each side's name: the last name its question holds that the other sides' questions do
    not ("who do UNHCR work with, per K4DD" beside "who do UNICEF work with, per K4DD" ->
    "UNHCR"), names side by side taken as one ("UN Women"); its last name when it has none of
    its own (see ``_side_name``)."""
    found = [[n for s, e in runs_of(side) if len(n := _bare(side[s:e])) > 1] for side in sides]
    out = []
    for i, names in enumerate(found):
        others = {n for j, ns in enumerate(found) if j != i for n in ns}
        own = [n for n in (_unshared(n, others) for n in names) if n and n not in others]
        out.append(own[-1] if own and on("named_sides") else _side_name(sides[i]))
    return out


def _unshared(name: str, others: set[str]) -> str:
    """The name without the words before it that name another side ("IOM's South America"
    beside "IOM's" -> "South America")."""
    words = name.split()
    while len(words) > 1 and _bare(words[0]) in others:
        words = words[1:]
    return " ".join(words)


def _bare(name: str) -> str:
    return name.removesuffix("'s").removesuffix("’s")


def _part_label(part: str) -> str:
    return f"{part.strip(' ?¿')[:1].upper()}{part.strip(' ?¿')[1:]}?"


def capital(text: str) -> str:
    """``text`` with its first letter in capitals ("the documents do not say." -> "The …")."""
    return text[:1].upper() + text[1:]
