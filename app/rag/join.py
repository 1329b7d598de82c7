"""Which sentences join the answer after the first: one join probability per candidate from
named features, a logistic model fitted by ``python -m eval.fit_reader --fit-join`` on the
labelled question sets (a candidate is labelled by whether it holds gold evidence or a key fact
the answer does not hold yet). It replaces the hand-set joining rules (the runner-up when the
best is unsure, a near tie, the rest of a quoted list), which are features here."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from app.rag.model import Tuning


@dataclass(frozen=True)
class Candidate:
    """A sentence that may join the answer, as the join model sees it."""

    p: float  # its answer probability
    best: float  # the best sentence's answer probability
    rank: int  # its place among the ranked sentences (1 = the runner-up)
    same_passage: bool  # in a passage the answer already quotes
    same_doc: bool  # in the best sentence's document
    adjacent: bool  # next to a sentence already chosen, in the same passage
    item: bool  # a list item
    sibling: bool  # an item of a list the answer already quotes
    typed: bool  # holds a span of the asked-for kind (an amount, a date, a name …)
    new_names: bool  # holds such a span the answer does not hold yet
    plural: bool  # the question asks for several things
    strict: bool  # the question asks for a span


def _bias(c: Candidate) -> float:
    return 1.0


def _p(c: Candidate) -> float:
    """The candidate's own answer probability."""
    return c.p


def _ratio(c: Candidate) -> float:
    """Its probability as a share of the best sentence's: nearly as good, or far behind."""
    return c.p / c.best if c.best > 0 else 0.0


def _unsure(c: Candidate) -> float:
    """How unsure the best sentence is: an unsure answer gains from a second sentence."""
    return 1.0 - c.best


def _rank(c: Candidate) -> float:
    """Far down the ranking (log scale): the runner-up is likelier to join than the tenth."""
    return math.log(1 + c.rank)


def _same_passage(c: Candidate) -> float:
    return float(c.same_passage)


def _same_doc(c: Candidate) -> float:
    """Another document is usually another subject."""
    return float(c.same_doc)


def _adjacent(c: Candidate) -> float:
    """The sentence just before or after one chosen: it often goes on about the same thing."""
    return float(c.adjacent)


def _item(c: Candidate) -> float:
    return float(c.item)


def _sibling(c: Candidate) -> float:
    """An item of a list already quoted: the list is one answer."""
    return float(c.sibling)


def _typed(c: Candidate) -> float:
    return float(c.typed)


def _new_names(c: Candidate) -> float:
    """It names something of the asked-for kind that the answer does not name yet."""
    return float(c.new_names)


def _plural_new(c: Candidate) -> float:
    """A question asking for several things, and a sentence naming a new one."""
    return float(c.plural and c.new_names)


def _strict_untyped(c: Candidate) -> float:
    """A question asking for a span, and a sentence that holds none: no answer to it."""
    return float(c.strict and not c.typed)


# In the order of the model file's "join" weights (app/rag/reader_model.json).
NAMED: tuple[tuple[str, Callable[[Candidate], float]], ...] = (
    ("bias", _bias),
    ("p", _p),
    ("ratio", _ratio),
    ("unsure", _unsure),
    ("rank", _rank),
    ("same_passage", _same_passage),
    ("same_doc", _same_doc),
    ("adjacent", _adjacent),
    ("item", _item),
    ("sibling", _sibling),
    ("typed", _typed),
    ("new_names", _new_names),
    ("plural_new", _plural_new),
    ("strict_untyped", _strict_untyped),
)
FEATURES: tuple[str, ...] = tuple(name for name, _ in NAMED)


def features(c: Candidate) -> tuple[float, ...]:
    return tuple(f(c) for _, f in NAMED)


def probability(c: Candidate, t: Tuning) -> float:
    """The probability that ``c`` belongs in the answer; an ablated feature is replaced by its
    mean on the data the model was fitted on."""
    w = np.asarray(t.join, dtype=np.float64)
    x = np.asarray(features(c), dtype=np.float64)
    if t.off:
        for i, name in enumerate(FEATURES):
            if f"join.{name}" in t.off:
                x[i] = t.join_means[i]
    return 1.0 / (1.0 + math.exp(-float(w @ x)))


def joins(c: Candidate, t: Tuning) -> bool:
    return probability(c, t) >= t.join_at


def label_rows(
    candidates: Sequence[tuple[Candidate, bool]],
) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows and labels for fitting (eval/fit_reader.py)."""
    x = np.array([features(c) for c, _ in candidates], dtype=np.float64).reshape(-1, len(NAMED))
    y = np.array([float(lab) for _, lab in candidates])
    return x, y
