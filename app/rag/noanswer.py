"""Whether to refuse: one no-answer probability from named features of a reading, a logistic
model fitted by ``python -m eval.fit_reader`` on the labelled question sets (unanswerable
items, near misses among them, against answerable ones). It replaces the hand-set refusal
rules: a missing asked-for span, a name the documents never use and a weak best sentence are
features here, weighed against each other by data."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from app.rag.model import Tuning


@dataclass(frozen=True)
class Evidence:
    """What the reader found, as the no-answer model sees it."""

    probs: tuple[float, ...]  # every sentence's answer probability, best first
    coverage: float  # lexical coverage of the question by the best sentence
    dense: float  # best multilingual similarity of a sentence to the question
    missing: bool  # a strict kind (amount, date, name …) asked that no good sentence holds
    unknown_names: int  # the question's names that the documents never use
    strict: bool  # the question asks for a span (an amount, a date, a name …)
    foreign: bool  # the question is not in English


def _best(e: Evidence) -> float:
    """The best sentence's probability."""
    return e.probs[0] if e.probs else 0.0


def _best_logit(e: Evidence) -> float:
    """The same on a log-odds scale, where a weak best sentence is told from a very weak one."""
    p = min(max(_best(e), 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def _margin(e: Evidence) -> float:
    """How far the best sentence stands above the runner-up: one clear answer or several
    equally vague ones."""
    return _best(e) - (e.probs[1] if len(e.probs) > 1 else 0.0)


def _coverage(e: Evidence) -> float:
    return e.coverage


def _dense(e: Evidence) -> float:
    return e.dense


def _missing(e: Evidence) -> float:
    """The near miss: the subject is there, the asked-for amount, date, name or count is not."""
    return float(e.missing)


def _unknown_names(e: Evidence) -> float:
    """A name the documents never mention ('the Pacific Alliance')."""
    return float(min(e.unknown_names, 2))


def _weak_cover(e: Evidence) -> float:
    """How far the best sentence falls short of a third of the question's words: a sentence
    that shares no word with the question answers it only by paraphrase, if at all."""
    return max(0.0, 1 / 3 - e.coverage)


def _strict(e: Evidence) -> float:
    return float(e.strict)


def _foreign(e: Evidence) -> float:
    """Questions in other languages score lower against the English text for the same answer."""
    return float(e.foreign)


FUNCTIONS: dict[str, Callable[[Evidence], float]] = {
    "bias": lambda e: 1.0,
    "best": _best,
    "best_logit": _best_logit,
    "margin": _margin,
    "coverage": _coverage,
    "dense": _dense,
    "missing": _missing,
    "unknown_names": _unknown_names,
    "weak_cover": _weak_cover,
    "strict": _strict,
    "foreign": _foreign,
}
FEATURES = tuple(FUNCTIONS)


def features(e: Evidence) -> tuple[float, ...]:
    return tuple(f(e) for f in FUNCTIONS.values())


def probability(e: Evidence, t: Tuning) -> float:
    """The probability that the documents do not answer the question."""
    x = np.array(features(e))
    if not t.noanswer:
        return 0.0 if e.probs else 1.0
    off = [i for i, n in enumerate(FEATURES) if f"noanswer.{n}" in t.off]
    if off:
        x[off] = np.array(t.noanswer_means)[off]
    return 1.0 / (1.0 + math.exp(-float(np.dot(np.array(t.noanswer), x))))


def fit(
    x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 3000, lr: float = 0.3
) -> np.ndarray:
    """Logistic regression (L2 on standardised features, none on the bias): its outputs are
    probabilities calibrated on the data it saw. Returns raw-feature weights."""
    mu, sd = x.mean(axis=0), x.std(axis=0)
    mu[0], sd[0] = 0.0, 1.0
    sd[sd == 0] = 1.0
    z = (x - mu) / sd
    w = np.zeros(x.shape[1])
    reg = np.full(x.shape[1], l2)
    reg[0] = 0.0
    # Classes weighted equally: unanswerable questions are the fewer.
    pos = max(1.0, y.sum())
    neg = max(1.0, len(y) - y.sum())
    cw = np.where(y == 1, len(y) / (2 * pos), len(y) / (2 * neg))
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(z @ w)))
        grad = z.T @ (cw * (p - y)) / len(y) + reg * w / len(y)
        w -= lr * grad
    raw = w / sd
    raw[0] = w[0] - float(np.sum(w[1:] * mu[1:] / sd[1:]))
    return raw


def threshold(p: Sequence[float], y: Sequence[int], false_refusal_cost: float = 3.0) -> float:
    """The refusal threshold with the least cost on (p, y): a wrongly refused answerable
    question costs ``false_refusal_cost`` times a wrongly answered unanswerable one."""
    pairs = sorted(zip(p, y, strict=True))
    # Between two neighbouring questions, not at one: the middle generalises better.
    values = sorted({v for v, _ in pairs})
    candidates = sorted({0.5, *((a + b) / 2 for a, b in zip(values, values[1:], strict=False))})
    best_cost, best_t = float("inf"), 0.5
    for c in candidates:
        wrong_refusals = sum(1 for v, lab in pairs if v >= c and lab == 0)
        wrong_answers = sum(1 for v, lab in pairs if v < c and lab == 1)
        cost = false_refusal_cost * wrong_refusals + wrong_answers
        # ties: the threshold nearer the middle generalises better than one at an extreme
        if cost < best_cost or (cost == best_cost and abs(c - 0.5) < abs(best_t - 0.5)):
            best_cost, best_t = cost, c
    return best_t
