"""The reader's sentence features: each a small named function of one sentence (seen with what
was asked, computed once per question) that returns a number. ``FUNCTIONS`` holds them in the
model file's order (app/rag/reader_model.json); app/rag/reader.py builds each sentence's vector
from it and weighs it with the fitted weights."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cached_property

from app.rag.cues import PURPOSE_SAID
from app.rag.spans import Span
from index.lemmas import root, terms

_CLOSED = re.compile(r"[.!?:;]\W*$")  # a sentence's closing punctuation


@dataclass(frozen=True)
class Asked:
    """What every sentence of one reading is scored against, computed once per question."""

    # Each question root's weight: its idf (through a cognate for another language), halved
    # for a word only the statement before the question holds. In the question's order.
    weights: Mapping[str, float] = field(default_factory=dict)
    roots: tuple[str, ...] = ()  # the question's term roots, in order
    names: AbstractSet[str] = frozenset()  # the roots of the names it holds
    typed: bool = False  # it asks for a span the reader finds (an amount, a date, a name …)
    strong: bool = False  # ... one a sentence holds or not (an amount, a number, a date, a place)
    plural: bool = False  # it asks for several things
    purpose: bool = False  # it asks what something is for
    max_dense: float = 0.0  # the best multilingual similarity of a sentence of the passages
    max_lexical: float = 0.0  # the best ``cover`` of a sentence of the passages
    top_score: float = 1.0  # the best passage's retrieval score

    @cached_property
    def total(self) -> float:
        return sum(self.weights.values()) or 1.0

    @cached_property
    def rarest(self) -> float:
        return max(self.weights.values(), default=1.0) or 1.0

    @cached_property
    def bigrams(self) -> set[tuple[str, str]]:
        return set(zip(self.roots, self.roots[1:], strict=False))


@dataclass(frozen=True)
class Sentence:
    """One sentence or list item of a retrieved passage, as the features see it."""

    asked: Asked
    text: str
    hit: int = 0  # its passage's rank among the hits
    pos: int = 0  # its position within the passage
    roots: AbstractSet[str] = frozenset()  # its term roots
    # The header's roots (title, publisher, section), and the sentence before's when this one
    # refers back to it ("It aims to …").
    context: AbstractSet[str] = frozenset()
    header: AbstractSet[str] = frozenset()
    passage: AbstractSet[str] = frozenset()  # the roots and context of its whole passage
    acronyms: AbstractSet[str] = frozenset()  # the question's names it spells out
    dense: float = 0.0  # its multilingual similarity to the question
    score: float = 0.0  # its passage's retrieval score
    spans: tuple[Span, ...] = ()  # spans of the asked-for kind that the question does not hold
    beside: bool = False  # such a span stands beside the question's words (spans.marked_spans)

    @property
    def is_item(self) -> bool:
        return self.text.startswith("- ")


def cover(a: Asked, got: AbstractSet[str]) -> float:
    """The share of the question's weight that ``got`` holds."""
    return sum(w for t, w in a.weights.items() if t in got) / a.total


def _bias(s: Sentence) -> float:
    return 1.0


def _lexical(s: Sentence) -> float:
    """The share of the question's (idf-weighted) words the sentence holds."""
    return cover(s.asked, s.roots)


def _context(s: Sentence) -> float:
    """The share the sentence does not hold but its header or the sentence it refers to does."""
    a = s.asked
    return sum(w for t, w in a.weights.items() if t in s.context and t not in s.roots) / a.total


def _dense(s: Sentence) -> float:
    return s.dense


def _dense_gap(s: Sentence) -> float:
    """How far the sentence's similarity falls below the best sentence's."""
    return s.dense - s.asked.max_dense


def _span_new(s: Sentence) -> float:
    """A question asking for a span, answered by a sentence holding one it does not."""
    return float(s.asked.typed and bool(s.spans))


def _span_missing(s: Sentence) -> float:
    """A question asking for a span, and a sentence holding none."""
    return float(s.asked.typed and not s.spans)


def _rank_prior(s: Sentence) -> float:
    """The better its passage ranked, the likelier the sentence answers."""
    return 1.0 / (1 + s.hit)


def _first(s: Sentence) -> float:
    """The passage's first sentence (which often says what the passage is about)."""
    return float(s.pos == 0)


def _log_words(s: Sentence) -> float:
    return math.log(1 + len(s.text.split()))


def _names(s: Sentence) -> float:
    """The share of the question's names the sentence or its context holds."""
    names = s.asked.names
    return len(names & (s.roots | s.acronyms | s.context)) / len(names) if names else 0.0


def _novelty(s: Sentence) -> float:
    """The share of the sentence's words that the question does not hold: what it adds."""
    return len(s.roots - set(s.asked.roots)) / max(1, len(s.roots))


def _lead_in(s: Sentence) -> float:
    """A plural question, and a sentence announcing a list ("… the following:")."""
    return float(s.asked.plural and s.text.rstrip().endswith(":"))


def _lexical_gap(s: Sentence) -> float:
    """How far the sentence's share of the question falls below the best sentence's."""
    return _lexical(s) - s.asked.max_lexical


def _body(s: Sentence) -> float:
    """The share of the question the sentence holds, without the words that name the document
    or section: those say which passage, not what answers."""
    body_w = {t: w for t, w in s.asked.weights.items() if t not in s.header}
    return sum(w for t, w in body_w.items() if t in s.roots) / (sum(body_w.values()) or 1.0)


def _heading(s: Sentence) -> float:
    """A short line without closing punctuation that is no list item: a heading."""
    return float(not s.is_item and not _CLOSED.search(s.text) and len(s.text.split()) < 20)


def _item(s: Sentence) -> float:
    """A list item, for a plural question."""
    return float(s.is_item and s.asked.plural)


def _passage(s: Sentence) -> float:
    """The share of the question the sentence's whole passage holds."""
    return cover(s.asked, s.passage)


def _hit_score(s: Sentence) -> float:
    """The passage's retrieval score, relative to the best passage's."""
    return s.score / s.asked.top_score


def _bigrams(s: Sentence) -> float:
    """The share of the question's adjacent word pairs that the sentence has side by side."""
    pairs = s.asked.bigrams
    if not pairs:
        return 0.0
    r = [root(t) for t in terms(s.text)]
    return len(pairs & set(zip(r, r[1:], strict=False))) / len(pairs)


def _span_strong(s: Sentence) -> float:
    """The sentence holds a span of a kind that a sentence holds or not (an amount, a date)."""
    return float(bool(s.spans) and s.asked.strong)


def _names_here(s: Sentence) -> float:
    """The share of the question's names the sentence itself holds (or spells as acronyms)."""
    names = s.asked.names
    return len(names & (s.roots | s.acronyms)) / len(names) if names else 0.0


def _rare(s: Sentence) -> float:
    """The weight of the rarest question word the sentence holds, relative to the rarest's."""
    a = s.asked
    return max((w for t, w in a.weights.items() if t in s.roots), default=0.0) / a.rarest


def _beside(s: Sentence) -> float:
    """The asked-for span stands beside the question's words in the sentence."""
    return float(s.beside)


def _purpose(s: Sentence) -> float:
    """A question about what something is for, and a sentence saying what something is for."""
    return float(s.asked.purpose and bool(PURPOSE_SAID.search(s.text)))


FUNCTIONS: dict[str, Callable[[Sentence], float]] = {
    "bias": _bias,
    "lexical": _lexical,
    "context": _context,
    "dense": _dense,
    "dense_gap": _dense_gap,
    "span_new": _span_new,
    "span_missing": _span_missing,
    "rank_prior": _rank_prior,
    "first": _first,
    "log_words": _log_words,
    "names": _names,
    "novelty": _novelty,
    "lead_in": _lead_in,
    "lexical_gap": _lexical_gap,
    "body": _body,
    "heading": _heading,
    "item": _item,
    "passage": _passage,
    "hit_score": _hit_score,
    "bigrams": _bigrams,
    "span_strong": _span_strong,
    "names_here": _names_here,
    "rare": _rare,
    "beside": _beside,
    "purpose": _purpose,
}
FEATURES = tuple(FUNCTIONS)


def vector(s: Sentence) -> tuple[float, ...]:
    """The sentence's features, in ``FEATURES`` order."""
    return tuple(f(s) for f in FUNCTIONS.values())
