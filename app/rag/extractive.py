"""The extractive backend: answers with the passages' own sentences, each cited; needs no model."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from app.rag.text import proper_terms, split_sentences, terms
from index.embed import Embedder
from index.types import Hit
from index.vectors import PersistedEmbedder
from ingest.types import Chunk

MAX_UNITS = 4  # sentences beyond a list; more dilutes the answer a reader must check
MAX_ITEMS = 10
_NUMERIC = re.compile(r"\b(how (many|much)|cu[aá]nt[oa]s?|quant[oa]s?|combien)\b", re.I)
_ANAPHOR = re.compile(
    r"^(It|Its|This|These|They|Their|Such|The (Strategy|Programme|Network|Initiative|Platform|Centre|project|study))\b"
)
_DIGIT = re.compile(r"(?<![\d-])(?!(?:19|20)\d\d\b)\d[\d,.]*\b")


@dataclass(frozen=True)
class Unit:
    """A sentence or list item of a retrieved passage, scored against the question."""

    hit: int  # index into the hits
    pos: int  # position within the passage
    text: str
    lexical: float
    dense: float
    is_item: bool

    @property
    def score(self) -> float:
        return 0.55 * self.lexical + 0.45 * self.dense


@dataclass(frozen=True)
class Selection:
    """The chosen units and how well the best one covers the question."""

    units: tuple[Unit, ...]
    support: float
    coverage: float
    unknown_terms: tuple[str, ...]
    dense: float = 0.0


class TermStats:
    """Document frequencies over the indexed chunks, for idf weights and unknown-term checks."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        self.n = max(1, len(chunks))
        df: Counter[str] = Counter()
        for c in chunks:
            df.update(set(terms(f"{c.title} {c.section} {c.text}")))
        self.df = df

    def idf(self, term: str) -> float:
        return math.log(1 + self.n / (1 + self.df.get(term, 0)))


def select_units(
    question: str, hits: Sequence[Hit], stats: TermStats, embedder: Embedder | None
) -> Selection:
    """Score every sentence of the hits against the question and pick the answer's units."""
    q_terms = list(dict.fromkeys(terms(question)))
    weights = {t: stats.idf(t) for t in q_terms}
    total = sum(weights.values()) or 1.0
    raw: list[tuple[int, int, str, float]] = []
    for i, hit in enumerate(hits):
        header = set(terms(f"{hit.chunk.title} {hit.chunk.section}"))
        previous: set[str] = set()
        for j, sent in enumerate(split_sentences(hit.chunk.text)):
            have = set(terms(sent))
            # "It aims to..." is about what the sentence before named: lend it those terms.
            context = header | (previous if _ANAPHOR.match(sent) else set())
            got = sum(w for t, w in weights.items() if t in have)
            got += 0.5 * sum(w for t, w in weights.items() if t in context and t not in have)
            raw.append((i, j, sent, got / total))
            previous = have
    if not raw:
        return Selection((), 0.0, 0.0, (), 0.0)
    dense = _dense_scores(question, [r[2] for r in raw], embedder)
    units = [
        Unit(i, j, s, lex, float(d), s.startswith("- "))
        for (i, j, s, lex), d in zip(raw, dense, strict=True)
    ]
    if _NUMERIC.search(question):  # "how many/much": the sentence with the number answers it
        units = [
            replace(u, lexical=u.lexical + 0.15) if _DIGIT.search(u.text) else u for u in units
        ]
    # A small preference for higher-ranked passages breaks ties towards the retriever's order.
    ranked = sorted(units, key=lambda u: -(u.score - 0.01 * u.hit))
    best = ranked[0]
    chosen = _expand(best, units)
    # First the best sentence of each other passage (breadth: multi-part questions), then depth.
    firsts = [next(u for u in ranked if u.hit == h) for h in dict.fromkeys(u.hit for u in ranked)]
    for u in firsts[1:] + ranked:
        if len([c for c in chosen if not c.is_item]) >= MAX_UNITS:
            break
        if u.score >= 0.75 * best.score and u not in chosen and not _same(u, chosen):
            chosen.extend(x for x in _expand(u, units) if x not in chosen)
    chosen = sorted(chosen, key=lambda u: (u.hit, u.pos))
    # A name the corpus never mentions (a country, an agency) means the documents don't cover it.
    unknown = tuple(t for t in proper_terms(question) if stats.df.get(t, 0) == 0)
    dense_best = max(u.dense for u in units)
    return Selection(tuple(chosen), best.score, best.lexical, unknown, dense_best)


def prime_sentence_vectors(
    chunks: Sequence[Chunk], embedder: PersistedEmbedder, progress: bool = False
) -> int:
    """Embed and store every sentence an answer may score, so that no question waits for it;
    returns how many were new (an unchanged corpus costs one lookup per sentence)."""
    from tqdm import tqdm

    todo = embedder.missing(s for c in chunks for s in split_sentences(c.text))
    bar = tqdm(total=len(todo), unit="sentence", desc="sentences", disable=not progress or not todo)
    for i in range(0, len(todo), 64):
        embedder.passages(todo[i : i + 64])
        bar.update(len(todo[i : i + 64]))
    bar.close()
    return len(todo)


def _dense_scores(question: str, texts: list[str], embedder: Embedder | None) -> np.ndarray:
    if embedder is None:
        return np.zeros(len(texts), dtype=np.float32)
    q = embedder.queries([question])[0]
    return embedder.passages(texts) @ q


def _expand(unit: Unit, units: list[Unit]) -> list[Unit]:
    """A lead-in sentence brings its list; a list item brings its lead-in and siblings."""
    same = [u for u in units if u.hit == unit.hit]
    if unit.is_item:
        start = unit.pos
        while start > 0 and same[start - 1].is_item:
            start -= 1
        lead = [same[start - 1]] if start > 0 and same[start - 1].text.endswith(":") else []
        return lead + _items_from(same, start)
    if unit.text.rstrip().endswith(":") and unit.pos + 1 < len(same) and same[unit.pos + 1].is_item:
        return [unit] + _items_from(same, unit.pos + 1)
    nxt = same[unit.pos + 1] if unit.pos + 1 < len(same) else None
    if nxt is not None and not nxt.is_item and _ANAPHOR.match(nxt.text):
        return [unit, nxt]  # the next sentence goes on about the same thing ("The Strategy...")
    return [unit]


def _items_from(same: list[Unit], start: int) -> list[Unit]:
    out = []
    for u in same[start:]:
        if not u.is_item or len(out) >= MAX_ITEMS:
            break
        out.append(u)
    return out


def _same(u: Unit, chosen: list[Unit]) -> bool:
    """Near-duplicate sentences (the same claim in two passages) are said once."""
    a = set(terms(u.text))
    for c in chosen:
        b = set(terms(c.text))
        if a and b and len(a & b) / min(len(a), len(b)) > 0.8:
            return True
    return False
