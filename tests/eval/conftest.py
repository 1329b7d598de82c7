"""Small real parts for the eval tests: a few chunks, a word-overlap retriever and answerer."""

from __future__ import annotations

import re

import numpy as np
import pytest

from app.rag.types import Answer, Citation, Message
from eval.questions import Item
from index.types import Hit
from ingest.types import Chunk

TEXTS = {
    "a#0": ("a", "The Andean Route Fund paid 42 million pesos to shelters in Cucuta in 2023."),
    "a#1": ("a", "Border monitoring in Tumbes recorded 1,380 crossings per day during March."),
    "b#0": ("b", "The Quito liaison office of the network opened on 3 May 2021."),
    "b#1": ("b", "<script>alert('x')</script> Markup in a document must stay text & be escaped."),
}
STOP = {"the", "a", "of", "in", "to", "did", "how", "what", "when", "on", "per", "and", "is"}


def words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP}


def make_chunk(chunk_id: str) -> Chunk:
    doc_id, text = TEXTS[chunk_id]
    return Chunk(
        chunk_id=chunk_id, doc_id=doc_id, title=f"Doc {doc_id}", text=text, start=0, end=len(text)
    )


def overlap_search(question: str, history: list[Message]) -> list[Hit]:
    """Rank chunks by shared content words with the question (and earlier user turns)."""
    q = words(question + " " + " ".join(m.content for m in history if m.role == "user"))
    scored = sorted(((len(q & words(t)), cid) for cid, (_, t) in TEXTS.items()), reverse=True)
    return [
        Hit(chunk=make_chunk(cid), score=float(s), rank=i)
        for i, (s, cid) in enumerate(scored, start=1)
        if s > 0
    ]


def extractive_ask(question: str, history: list[Message]) -> Answer:
    """Answer with the best chunk's text cited as [1]; refuse when fewer than two words match."""
    hits = overlap_search(question, history)
    if not hits or hits[0].score < 2:
        return Answer(
            question=question,
            text="The documents do not say.",
            citations=(),
            refused=True,
            backend="overlap",
            hits=tuple(hits),
            timings_ms={"retrieve": 1.0, "generate": 0.0},
        )
    top = hits[0].chunk
    cite = Citation(
        n=1,
        chunk_id=top.chunk_id,
        doc_id=top.doc_id,
        title=top.title,
        section="",
        page=None,
        url="https://example.org/a.pdf",
        quote=top.text,
        verified=True,
    )
    return Answer(
        question=question,
        text=f"{top.text} [1]",
        citations=(cite,),
        refused=False,
        backend="overlap",
        hits=tuple(hits),
        timings_ms={"retrieve": 2.0},
    )


def letter_embed(texts: list[str]) -> np.ndarray:
    """A tiny real embedding: normalised letter counts (cosine 1.0 for the same letters)."""
    vecs = np.zeros((len(texts), 26))
    for i, t in enumerate(texts):
        for c in t.lower():
            if "a" <= c <= "z":
                vecs[i, ord(c) - 97] += 1
    return vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)


@pytest.fixture
def items() -> list[Item]:
    return [
        Item(
            id="q1",
            type="factoid",
            question="How much did the Andean Route Fund pay shelters?",
            answer="42 million pesos.",
            key_facts=("42 million",),
            evidence=("paid 42 million pesos to shelters",),
            doc="a",
        ),
        Item(
            id="q2",
            type="numeric",
            question="How many crossings did Tumbes border monitoring record per day?",
            answer="1,380 crossings a day.",
            key_facts=("1380", "Tumbes"),
            evidence=("Tumbes recorded 1,380 crossings",),
            doc="a",
        ),
        Item(
            id="q3",
            type="factoid",
            question="When did the Quito liaison office open?",
            answer="3 May 2021.",
            key_facts=("3 May 2021",),
            evidence=("opened on 3 May",),
            doc="b",
        ),
        Item(
            id="q4",
            type="unanswerable",
            question="What is Mongolia's wool export volume?",
            answer="not in the documents",
        ),
    ]


# The helpers as fixtures, so test modules never import conftest (fragile across importmodes).
@pytest.fixture
def search():
    return overlap_search


@pytest.fixture
def ask():
    return extractive_ask


@pytest.fixture
def embed():
    return letter_embed


@pytest.fixture
def chunk():
    return make_chunk
