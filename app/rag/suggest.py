"""Follow-up questions: made from the cited sections' headings and names by each language's
templates (app/rag/followups/), each offered only when the extractive reader answers it from the
same section with something the answer did not already say."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from functools import partial
from itertools import chain, zip_longest

from app.rag.answer import Answerer
from app.rag.choose import read
from app.rag.compose import extractive_answer
from app.rag.followups import phrases
from app.rag.question import analyse
from app.rag.refusals import heading
from app.rag.spans import _NAME
from app.rag.termstats import TermStats, root_set
from app.rag.text import split_sentences
from app.rag.types import Answer, Message
from index.filters import FiltersIn
from index.lang import detect_language, packs
from index.lemmas import fold
from index.retrieve import doc_label
from ingest.errors import RutaError
from ingest.types import Chunk

log = logging.getLogger(__name__)

MAX_SUGGESTIONS = 3
# Readings one call may run at most (each is a retrieval and a reading, ~10-30 ms): the cost
# stays bounded when few candidates pass.
MAX_TRIALS = 8
SOURCES = 3  # sections a refusal's suggestions come from: its first passages
_P = packs()
_POSSESSIVE = re.compile(rf"(?:{_P.alternation('terms.possessive')})$")
# Words that open a sentence and so look like the start of a name ("The Platform").
_OPENERS = frozenset(_P.words("suggest.openers"))


# "United Nations Regional Network … (UNNM-LAC)": the name, and its acronym.
_ACRONYM_END = re.compile(r"\s*\(([A-Z][\w-]*[A-Z][\w-]*)\)$")


def is_name(text: str) -> bool:
    """A heading that names something ("UNICEF", "Inter-American Development Bank (IDB)"),
    not a topic ("Coordination gaps")."""
    text = _ACRONYM_END.sub("", text)
    m = _NAME.fullmatch(text)
    return m is not None and (" " in text or sum(ch.isupper() for ch in text) >= 2)


def specific(name: str, stats: TermStats) -> bool:
    """Whether a name is particular to a few passages: one of its words is in at most a
    quarter of them. "Latin America and the Caribbean" is in most; asked about, it is answered
    from any section, rarely from the one it was taken from (a wasted reading)."""
    df = [stats.df.get(r, 0) for r in root_set(name)]
    return bool(df) and min(df) <= max(2, stats.n // 4)


def names(
    text: str, skip: set[str], limit: int = 5, keep: Callable[[str], bool] = bool
) -> list[str]:
    """The first ``limit`` names the text says (several words, or an acronym) that ``keep``
    keeps, in its own words, without sentence openers, a possessive "’s" and those in
    ``skip`` (folded)."""
    out: list[str] = []
    for m in _NAME.finditer(text):
        words = _POSSESSIVE.sub("", m.group()).split()
        while words and words[0] in _OPENERS:
            words = words[1:]
        name = " ".join(words)
        # An acronym of three capitals or more: "MMC", "EU-LAC", not "EU" or "South-South".
        acronym = len(words) == 1 and sum(ch.isupper() for ch in name) >= 3
        if (len(words) > 1 or acronym) and fold(name) not in skip and keep(name):
            skip.add(fold(name))
            out.append(name)
            if len(out) == limit:
                break
    return out


def candidates(
    chunk: Chunk,
    lang: str,
    skip: set[str],
    quoted: set[str],
    keep: Callable[[str], bool] = bool,
) -> list[list[str]]:
    """The questions the templates make of one section, as alternatives per subject: its
    heading first, then the names (those ``keep`` keeps) of its sentences that ``quoted`` does
    not hold."""
    p = phrases(lang)
    out: list[list[str]] = []
    h = heading(chunk)
    if h and fold(h) not in skip:
        skip.add(fold(h))
        if is_name(h.split(" ", 1)[-1] if h.split()[0] in _OPENERS else h):
            named = h[0].lower() + h[1:] if h.split()[0] in _OPENERS else h  # "the Platform"
            short = _ACRONYM_END.search(h)  # "United Nations … Network (UNNM-LAC)": its acronym
            named = short.group(1) if short else named
            out.append([t.format(heading=named) for t in p.name_heading])
        else:  # "Coordination gaps" -> "… say about coordination gaps?"; "African …" stays
            sentence_case = not any(w[:1].isupper() for w in h.split()[1:])
            topic = h[0].lower() + h[1:] if sentence_case and h[1:2].islower() else h
            out.append([t.format(heading=topic, doc=doc_label(chunk)) for t in p.topic_heading])
    rest = " ".join(x for x in split_sentences(chunk.text) if x not in quoted)
    out += [[t.format(name=n) for t in p.name] for n in names(rest, skip, keep=keep)]
    return out


def reader_answer(answerer: Answerer, question: str, filters: FiltersIn | None) -> Answer:
    """What the extractive reader answers to ``question`` alone (no history, no LLM)."""
    hits = answerer.retriever.search(question, answerer.config.top_k, filters)
    q = analyse(question, detect_language(question))
    reading = read(q, hits, answerer.stats, answerer.embedder, answerer.config.tuning)
    return extractive_answer(question, reading, hits, "")


def sources(answer: Answer) -> list[Chunk]:
    """The sections to suggest from: the cited ones, or a refusal's first passages."""
    if answer.refused:
        return [h.chunk for h in answer.hits[:SOURCES]]
    by_id = {h.chunk.chunk_id: h.chunk for h in answer.hits}
    return [by_id[c.chunk_id] for c in answer.citations if c.chunk_id in by_id]


Candidate = tuple[Chunk, list[str]]


def _interleaved(per_source: list[list[Candidate]]) -> Iterator[Candidate]:
    """One subject of each section in turn, so the suggestions cover several sections."""
    for pair in chain.from_iterable(zip_longest(*per_source)):
        if pair is not None:
            yield pair


def follow_ups(
    answerer: Answerer,
    answer: Answer,
    history: Sequence[Message] = (),
    filters: FiltersIn | None = None,
    *,
    limit: int = MAX_SUGGESTIONS,
    trials: int = MAX_TRIALS,
) -> tuple[str, ...]:
    """Up to ``limit`` questions the answer's sections answer. Each candidate is read by the
    extractive reader and kept only when it is answered (not refused), cites the section it was
    made from, and quotes a sentence neither the answer nor an earlier suggestion quotes. A
    subject's next wording is tried only when the reader refused the previous one."""
    lang = answer.language
    asked = {fold(answer.question)} | {fold(m.content) for m in history if m.role == "user"}
    skip = {fold(w) for w in _NAME.findall(answer.question)}  # what was asked about already
    quoted = {c.quote for c in answer.citations if not answer.refused}
    keep = partial(specific, stats=answerer.stats)
    per_source = [
        [(c, alts) for alts in candidates(c, lang, skip, quoted, keep)] for c in sources(answer)
    ]
    out: list[str] = []
    tried = 0
    for chunk, wordings in _interleaved(per_source):
        for question in wordings:
            if len(out) == limit or tried == trials:
                return tuple(out)
            if fold(question) in asked:
                continue
            tried += 1
            try:
                trial = reader_answer(answerer, question, filters)
            except RutaError as exc:  # suggestions are extras: the answer stands without them
                log.warning("no follow-up questions: %s", exc)
                return tuple(out)
            if trial.refused:
                continue
            section = (chunk.doc_id, chunk.section)
            same = [c for c in trial.citations if (c.doc_id, c.section) == section]
            if same and same[0].quote not in quoted:
                quoted.add(same[0].quote)
                asked.add(fold(question))
                out.append(question)
            break  # answered: the subject's other wordings would say the same
    return tuple(out)


def with_suggestions(
    answerer: Answerer,
    answer: Answer,
    history: Sequence[Message] = (),
    filters: FiltersIn | None = None,
) -> Answer:
    """``answer`` with its follow-up questions, their cost in ``timings_ms["suggestions"]``."""
    t0 = time.perf_counter()
    found = follow_ups(answerer, answer, history, filters)
    timings = {**answer.timings_ms, "suggestions": (time.perf_counter() - t0) * 1000}
    return replace(answer, suggestions=found, timings_ms=timings)
