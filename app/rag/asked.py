"""What a "which …" or "who leads …" question asks of an answering sentence beyond a span:
that its names stand beside the noun the question word asks about ("coordination
mechanisms, particularly the REDLAC …"), and that it says what is led ("Who heads UN Women's
regional office?" is not answered by a role in a network)."""

from __future__ import annotations

import re

from app.rag.question import Question, asked_words
from app.rag.reader import Unit
from app.rag.rules import on
from app.rag.termstats import TermStats, root_set
from index.lang import packs
from index.lang.lexicon import in_english
from index.lemmas import root, terms
from index.types import Hit

# How far down the ranking a sentence naming things beside the asked-for noun may lead.
HEAD_RANKS = 5
_APPOSITION = re.compile(
    rf"[\s,;]*(?:(?:{packs().alternation('spans.apposition')})\b|[:(])[\s,:;(]*"
    rf"(?:(?:{packs().alternation('spans.article')})\s+)?",
    re.I,
)


def head_roots(q: Question, stats: TermStats) -> set[str]:
    """The roots of the noun the question word asks about, in the documents' words (a
    cognate or the lexicon's word for another language's: "mecanismos" -> "mechanism")."""
    got = {root(t) for t in terms(asked_words(q.focus or q.text), q.lang)} - set(q.names)
    if q.lang != "en":
        got |= {c for t in got for c in (*stats.alike(t), *in_english(t, q.lang))}
    return got


def beside(u: Unit, heads: set[str]) -> bool:
    """A span of the sentence stands right after the asked-for noun, as its apposition ("…
    mechanisms, particularly the REDLAC", "… mechanisms: R4V …")."""
    if not heads:
        return False

    def said(word: str) -> bool:
        return bool(heads & {root(t) for t in terms(word)})

    befores = (u.text[max(0, s - 60) : s] for s, _ in u.spans)
    return any(
        said(m.group()) and _APPOSITION.fullmatch(before[m.end() :])
        for before in befores
        for m in re.finditer(r"[\w-]+", before)
    )


def says_object(u: Unit, q: Question, hit: Hit) -> bool:
    """ "Who heads UN Women's regional office?": the sentence says a word of what is headed as
    well ("office"), not only someone's role in something else ("ECLAC (co-chair)" of a
    network). What is headed only by name ("Who leads R4V?", "… the UN Women Regional
    Office") is said by its last word in the sentence or in the passage's heading."""
    if not on("actor_object"):
        return True
    run = _object_words(q.focus or q.text, q)
    if not run:
        return True
    named = {root(n) for n in q.names}
    words = {w for w in run if w not in named}
    if words:
        return bool(words & root_set(u.text))
    heading = f"{hit.referent} {hit.chunk.title} {hit.chunk.section}"
    return run[-1] in root_set(u.text) | root_set(heading)


def _object_words(text: str, q: Question) -> list[str]:
    """The first run of content words after the question's actor verb ("… heads UN Women's
    regional office for …" -> un, woman, regional, office); none when a pronoun or nothing
    follows ("who leads it")."""
    words = re.findall(r"[\w'’-]+", text)
    at = next(
        (i for i, w in enumerate(words) if {root(t) for t in terms(w, q.lang)} & q.actor_verbs),
        None,
    )
    run: list[str] = []
    for w in words[at + 1 :] if at is not None else ():
        got = terms(w, q.lang)
        if got:
            run += [root(t) for t in got]
        elif run or w.lower() not in _ARTICLES:
            break
    return run


_ARTICLES = frozenset(packs().words("spans.article"))
