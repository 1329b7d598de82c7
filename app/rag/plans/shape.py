"""Which plan a question gets, from its shape: one fact, a list, several parts, a comparison,
a summary or a figure worked out from stated ones."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from app.rag.plans.words import words
from app.rag.question import Question, kind_of, opens_with_who
from app.rag.rules import on
from app.rag.spans import is_place, located
from index.lang import packs
from index.lemmas import STOP, proper_terms

PlanName = Literal[
    "single", "list", "parts", "chain", "comparison", "summary", "derived", "documents"
]
PLANS: tuple[PlanName, ...] = (
    "single",
    "list",
    "parts",
    "chain",
    "comparison",
    "summary",
    "derived",
    "documents",
)

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
    docs: tuple[tuple[str, ...], ...] = ()  # the documents each step names, to search in


def plan_of(q: Question, asks_summary: bool = False) -> Plan:
    """The plan of an analysed question (the first shape that fits, in this order).
    ``asks_summary``: the fitted detector reads it as asking for a summary
    (plans.asks_summary), where the packs' cue may not."""
    w = words(q.lang)
    text = q.focus or q.text
    if w.summary.search(text) or asks_summary:
        return Plan("summary", (text,))
    if w.comparison.search(text):
        sides = comparison_sides(text, q.lang)
        # sides without names of their own: the reader's answer and another passage's
        return Plan("comparison", sides if len(sides) >= 2 else ())
    if w.contrast.search(text) and not _each_document(q):
        # "How do UNHCR and UNICEF each work …?": sides named, each asked on its own
        sides = comparison_sides(text, q.lang, w.contrast) if on("named_sides") else ()
        return Plan("comparison", sides if len(sides) >= 2 else ())
    if w.months.search(text) and on("month_span"):
        return Plan("derived", q.parts)
    if w.derived.search(text) and q.kind in ("amount", "number", "date"):
        return Plan("derived", q.parts)
    if w.adding.search(text) and on("count_total"):
        return Plan("derived", q.parts)
    if w.excluding.search(text) and q.kind == "number" and on("count_less"):
        return Plan("derived", q.parts)
    # the statement before the sentence that asks, which each part is asked with
    context = q.text[: q.text.rfind(text)].strip() if q.focus and q.focus != q.text else ""
    if len(q.parts) > 1 and (_own_subjects(q) or _own_documents(q)) and not _one_name_for_both(q):
        return Plan("parts", q.parts, context, q.part_docs)
    if len(q.parts) > 1 and _chained(q):
        return Plan("chain", q.parts, context)
    if len(q.parts) > 1 and _asks_a_name_and_more(q):
        return Plan("parts", q.parts, context, q.part_docs)
    if q.asked_docs and on("premise_document"):
        # a statement about one document, a question about another: each asked of its own
        return Plan("documents", (text, q.context), q.context, (q.asked_docs, q.told_docs))
    if _each_document(q):
        return Plan("documents", (q.text,) * len(q.docs), docs=tuple((d,) for d in q.docs))
    return Plan("list" if q.plural else "single", (text,))


def _each_document(q: Question) -> bool:
    """It asks each document ("What do both reports say about …?", "¿Quién encargó cada uno
    de los dos documentos?"): each is asked alone, however else it reads ("each" asks a
    contrast of two names)."""
    return q.every_doc and len(q.docs) >= 2 and on("per_document")


def _chained(q: Question) -> bool:
    """The first part asks for a name and the others ask about it, naming nothing of their own
    ("Which agency works with INTERPOL on the project, and what crimes does it target?"): the
    first part is answered first, and the others are asked of the name its answer finds."""
    if not on("chain") or kind_of(q.parts[0]) != "actor" or opens_with_who(q.parts[0]):
        return False  # "Who negotiated the Compact, and how does it …": "it" is the Compact
    return not any(proper_terms(p, q.lang) for p in q.parts[1:])


def _own_subjects(q: Question) -> bool:
    """Each part names a subject of its own, not all the same ("What is the Quito Process and
    who leads R4V?"). Parts that lean on the first ("What did it find, and what does it
    recommend?") ask one subject two things: the reader answers them in one reading."""
    # A place is no subject of its own: "…, and which of them are in Latin America?" asks
    # the first part's subject where it is.
    named = [
        frozenset(
            t
            for t in proper_terms(p, q.lang)
            if not (on("place_no_subject") and is_place(t) and _asks_where(p))
        )
        for p in q.parts
    ]
    return all(named) and len(set(named)) > 1


def _asks_where(part: str) -> bool:
    """The part asks for places ("which LAC countries took part") or puts its subject in one
    ("which of them are in Latin America"): its places say where, not what it is about; in
    "how much does Canada provide" the country is the subject."""
    return kind_of(part) == "place" or located(part)


def _asks_a_name_and_more(q: Question) -> bool:
    """A later part asks who ("…, and who have governance systems left out?") after a first
    that asks something else (rule ``name_part``): one reading answers one of the two; each is
    answered on its own."""
    if not on("name_part"):
        return False
    kinds = [kind_of(p) for p in q.parts]
    return kinds[0] != "actor" and any(k == "actor" for k in kinds[1:])


def _own_documents(q: Question) -> bool:
    """Each part names a document, not all the same ("who leads R4V according to the donor
    mapping, and what does the coordination review want done with it?"): each is asked of
    its own. (A part that names none is no sign: "the review" may be a subject's word.)"""
    docs = {frozenset(d) for d in q.part_docs}
    return len(q.part_docs) == len(q.parts) and all(q.part_docs) and len(docs) > 1


def _one_name_for_both(q: Question) -> bool:
    """ "Which country is covered both by X and by Y?" asks for the names true of both parts
    (both open with the same words and ask for no figure): the reader's own answer, not two;
    "How much does USAID provide and how much does Canada provide?" asks two figures."""
    heads = {" ".join(p.lower().split()[:2]) for p in q.parts}
    return len(heads) == 1 and q.kind not in ("amount", "number", "date")


def comparison_sides(
    text: str, lang: str, cue_words: re.Pattern[str] | None = None
) -> tuple[str, ...]:
    """One question per side of a comparison: the question with the other sides taken out
    ("Compare what the review says about USAID and Canada's funding" -> "what the review says
    about USAID funding", "what the review says about Canada's funding")."""
    w = words(lang)
    if on("region_sides") and (regions := _region_sides(text, lang)):
        return regions
    cue = (cue_words or w.comparison).search(text)
    assert cue is not None
    rest = (text[: cue.start()] + text[cue.end() :]).strip(" ?¿:")
    run = _sides(rest, w.joiners)
    if len(run) < 2:  # the cue spans the sides ("How do IOM's and ILO's strategies differ?")
        rest = text.strip(" ?¿:")
        run = _sides(rest, w.joiners)
    if len(run) < 2:  # the cue stands between them ("How does X's work differ from Y's?")
        return _around(text, cue)
    out = []
    for side in run:
        cut = rest
        for other in reversed(run):
            if other is side:
                continue
            # the other side and the joiner before it (or after it, for the first side)
            start, end = other
            before = re.search(rf"(?:{w.joiners.pattern})$", cut[:start], re.I)
            if before and before.start() >= run[0][0]:
                start = before.start()
            else:
                after = re.match(w.joiners.pattern, cut[end:], re.I)
                end += after.end() if after else 0
            cut = cut[:start] + " " + cut[end:]
        out.append(re.sub(r"\s+", " ", cut).strip(" ,"))
    return tuple(out)


def _region_sides(text: str, lang: str) -> tuple[str, ...]:
    """A comparison of two places, one of them several named together as one region ("IOM's
    strategy for North America, Central America and the Caribbean" against "its South America
    strategy"): one question per place, the other place taken out; () for any other text."""
    joiner = words(lang).places_joiner
    places: list[tuple[int, int]] = []
    joined = False
    for r in runs_of(text):
        r = _place_end(text, r)
        if r is None:
            continue
        if places and joiner.fullmatch(text[places[-1][1] : r[0]]):
            places[-1], joined = (places[-1][0], r[1]), True
        else:
            places.append(r)
    if len(places) != 2 or not joined:
        return ()
    out = []
    for i in (0, 1):
        start, end = places[1 - i]
        out.append(re.sub(r"\s+", " ", text[:start] + text[end:]).strip(" ,?¿"))
    return tuple(out)


def _place_end(text: str, run: tuple[int, int]) -> tuple[int, int] | None:
    """The place that ends a name, or the name itself when every word of it is a place's
    ("IOM's South America" -> "South America"; "Central America"); None when it ends in none."""
    words_at = list(re.finditer(r"[\w’']+", text[run[0] : run[1]]))
    start = None
    for m in reversed(words_at):
        if not is_place(m.group().lower()):
            break
        start = m.start()
    return None if start is None else (run[0] + start, run[1])


def _around(text: str, cue: re.Match[str]) -> tuple[str, ...]:
    """The last name before the cue and the first after it, each asked what is asked before
    the cue ("How does UNICEF's work differ from UNHCR's?" -> "How does UNICEF's work", "How
    does UNHCR's work"); () when the cue has no name on either side."""
    asked = text[: cue.start()].strip(" ,")
    before = runs_of(asked)
    after = runs_of(text[cue.end() :])
    if not before or not after:
        return ()
    (start, end), first = before[-1], after[0]
    side = _possessive(text[cue.end() :][first[0] : first[1]], asked[start:end])
    return (asked, f"{asked[:start]}{side}{asked[end:]}")


def runs_of(text: str) -> list[tuple[int, int]]:
    """Where the names of a text stand, names side by side taken as one ("UN" "Regional
    Network on Migration")."""
    out: list[tuple[int, int]] = []
    for m in names_in(text):
        if out and not text[out[-1][1] : m.start()].strip():
            out[-1] = (out[-1][0], m.end())
        else:
            out.append((m.start(), m.end()))
    return out


def _possessive(name: str, like: str) -> str:
    """``name`` with the possessive ending of ``like`` ("UNHCR's", "UNICEF's" -> "UNHCR's")."""
    bare = re.sub(r"[’']s$", "", name)
    end = re.search(r"[’']s$", like)
    return bare + (end.group() if end else "")


def names_in(text: str) -> Iterator[re.Match[str]]:
    """The names of a text; a capitalised function word that opens one ("How do IOM's", "In")
    is no part of it."""
    pos = 0
    while m := _NAME.search(text, pos):
        first = re.match(r"[\w’'-]+", m.group())
        word = first.group() if first else m.group()
        if word.istitle() and word.lower() in STOP:  # ("UN", an acronym, stays a name)
            pos = m.start() + len(word)
            continue
        yield m
        pos = m.end()


def _sides(text: str, joiners: re.Pattern[str]) -> list[tuple[int, int]]:
    """Where the sides stand: the first names that stand next to each other, joined by "and" …"""
    run: list[tuple[int, int]] = []
    for m in runs_of(text):
        if run and joiners.fullmatch(text[run[-1][1] : m[0]]):
            run.append(m)
        elif len(run) < 2:
            run = [m]
    return run
