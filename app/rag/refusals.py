"""A helpful refusal: "The documents do not say.", then the closest subject they do cover, named
in the passage's own words (its heading) and cited once, instead of a list of unsupported passages."""

from __future__ import annotations

import re
from dataclasses import replace

from app.rag.citations import make_citation
from app.rag.followups import phrases
from app.rag.prompt import REFUSAL
from app.rag.text import split_sentences
from app.rag.types import Answer
from index.lemmas import terms
from index.retrieve import doc_label
from index.types import Hit
from ingest.types import Chunk

# "3.5 UNICEF" -> "UNICEF"; "II. Findings" -> "Findings".
_NUMBERING = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[IVXLC]+\.)\s+")


def heading(chunk: Chunk) -> str:
    """The passage's own heading: the last of its section path, without its numbering."""
    last = chunk.section.split(" > ")[-1]
    return _NUMBERING.sub("", last).strip()


def closest_sentence(question: str, hit: Hit) -> tuple[str, float]:
    """The passage's sentence that holds most of the question's terms (the first on a tie), and
    the share of those terms it holds."""
    wanted = set(terms(question))
    best, share = "", -1.0
    for sentence in split_sentences(hit.chunk.text):
        got = len(wanted & set(terms(sentence))) / len(wanted) if wanted else 0.0
        if got > share:
            best, share = sentence, got
    return (best, share) if best else (hit.chunk.text[:200], 0.0)


def refusal(question: str, hits: list[Hit], lang: str, backend: str, notice: str) -> Answer:
    """'The documents do not say. The closest subject they cover is “UNICEF” (K4DD helpdesk
    review) [1].' The subject is the best passage's heading (its document's title when it has
    none); its citation quotes the passage's sentence nearest the question, not verified: it
    answers nothing. Without passages (a filter that leaves none), the refusal alone."""
    text = REFUSAL.get(lang, REFUSAL["en"])
    if not hits:
        return Answer(question, text, (), True, backend, tuple(hits), notice, lang)
    best = hits[0]
    quote, share = closest_sentence(question, best)
    cite = replace(make_citation(1, best, quote, share), verified=False)
    subject = heading(best.chunk) or best.chunk.title
    text += " " + phrases(lang).nearest.format(subject=subject, doc=doc_label(best.chunk))
    return Answer(question, text, (cite,), True, backend, tuple(hits), notice, lang)
