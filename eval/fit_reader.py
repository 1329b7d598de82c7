"""Fit the reader's model on labelled question sets, check it set by set, and write it:

    python -m eval.fit_reader SET.jsonl [SET.jsonl ...] [--write] [--cache FILE]

Two models are fitted, both logistic regressions (numpy):
- the sentence model (app/rag/reader.py FEATURES): every sentence of the passages of every
  answerable question is a row, labelled by whether it holds a gold evidence span or key fact;
- the no-answer model (app/rag/noanswer.py FEATURES): every question is a row, labelled by
  whether it is unanswerable; its refusal threshold is the one with the least cost on the
  training sets, a wrong refusal counting three times a wrong answer.

Cross-validation by set: for each set, both models are fitted on the other sets and that set is
answered and scored exactly as `ruta eval` scores it (retrieval replayed, eval/replay.py); the
table printed is those out-of-set figures. Then both models are fitted on all the sets given and,
with ``--write``, saved with the sets' names and hashes to app/rag/reader_model.json (or
``--out``). Thresholds other than the refusal one are kept from the current model file.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from app.rag import join, noanswer, reader
from app.rag.choose import _heading, _same, candidate, first_units
from app.rag.model import DEFAULT_PATH, DEFAULT_TUNING, Tuning, dump
from eval.fitting import fit_parser, provenance
from eval.metrics import _overlaps, norm
from eval.questions import Item
from eval.replay import QuestionSet, Replay, load_set

PROG = "python -m eval.fit_reader"

Rows = list[tuple[str, np.ndarray, np.ndarray]]  # (item id, features, labels) per question


def sentence_rows(replay: Replay, items: Sequence[Item]) -> Rows:
    """Feature rows of every answerable item's candidate sentences (first reading only)."""
    out: Rows = []
    for item in items:
        if not item.evidence or item.type == "unanswerable":
            continue
        q, hits = replay.candidates(item)[0]
        units = reader.score_units(q, hits, replay.base.stats, replay.base.embedder)
        if not units:
            continue
        spans = [n for n in (norm(e) for e in item.evidence) if len(n) >= 8]
        facts = [n for n in (norm(k) for k in item.key_facts) if n]
        x = np.array([u.features for u in units], dtype=np.float64)
        y = np.array(
            [
                any(_overlaps(norm(u.text), s) for s in spans)
                or any(f in norm(u.text) for f in facts)
                for u in units
            ],
            dtype=float,
        )
        out.append((item.id, x, y))
    return out


def fit_sentences(
    rows: Rows, l2: float = 30.0, steps: int = 4000, lr: float = 0.5, rank: float = 1.0
) -> np.ndarray:
    """Logistic loss (calibrated probabilities, for the thresholds) plus ``rank`` times a
    per-question softmax loss (the best sentence first), on standardised features."""
    x = np.vstack([r[1] for r in rows])
    y = np.concatenate([r[2] for r in rows])
    mu, sd = x.mean(axis=0), x.std(axis=0)
    mu[0], sd[0] = 0.0, 1.0
    sd[sd == 0] = 1.0
    z = (x - mu) / sd
    bounds = np.cumsum([0] + [len(r[2]) for r in rows])
    groups = [(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if y[a:b].any()]
    w = np.zeros(x.shape[1])
    reg = np.full(x.shape[1], l2)
    reg[0] = 0.0  # no penalty on the bias
    for _ in range(steps):
        s = z @ w
        p = 1 / (1 + np.exp(-s))
        grad = z.T @ (p - y) / len(y)
        g2 = np.zeros_like(w)
        for a, b in groups:
            e = np.exp(s[a:b] - s[a:b].max())
            soft = e / e.sum()
            pos = soft * y[a:b]
            target = pos / pos.sum()
            g2 += z[a:b].T @ (soft - target)
        grad += rank * g2 / max(1, len(groups)) + reg * w / len(y)
        w -= lr * grad
    # back to the raw features: w·(x-mu)/sd = (w/sd)·x - w·mu/sd
    raw = w / sd
    raw[0] = w[0] - float(np.sum(w[1:] * mu[1:] / sd[1:]))
    return raw


def noanswer_rows(
    replay: Replay, items: Sequence[Item], t: Tuning
) -> tuple[np.ndarray, np.ndarray]:
    """One row per question: the no-answer features of its reading under ``t``; label 1 for
    an unanswerable question."""
    xs, ys = [], []
    for item in items:
        r = replay.reading(item, t)
        if r.evidence is None:  # no sentence at all: refused whatever the model says
            continue
        xs.append(noanswer.features(r.evidence))
        ys.append(float(item.type == "unanswerable"))
    return np.array(xs, dtype=np.float64), np.array(ys)


# Candidates past this rank are never reached by an answer of at most max_list sentences.
JOIN_RANKS = 12
# The join thresholds tried; the one with the best key facts plus evidence precision on the
# training sets is kept.
JOIN_AT = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95)


def join_rows(replay: Replay, items: Sequence[Item], t: Tuning) -> tuple[np.ndarray, np.ndarray]:
    """One row per candidate sentence of each answerable item's reading under ``t``: its join
    features beside what the answer holds before anything joins, labelled by whether it holds
    gold evidence or a key fact that answer lacks."""
    pairs: list[tuple[join.Candidate, bool]] = []
    a = replay.base
    for item in items:
        if not item.evidence or item.type == "unanswerable":
            continue
        r, hits = replay.reading_and_hits(item, t)
        if not r.ranked:
            continue
        ranked = list(r.ranked)
        units = sorted(ranked, key=lambda u: (u.hit, u.pos))
        q = r.question
        start = first_units(q, ranked, units, hits, a.stats, a.embedder, t)
        spans = [n for n in (norm(e) for e in item.evidence) if len(n) >= 8]
        have = " ".join(norm(u.text) for u in start)
        facts = [f for f in (norm(k) for k in item.key_facts) if f and f not in have]
        for rank, u in enumerate(ranked[1:JOIN_RANKS], start=1):
            if u in start or _same(u, start) or _heading(u):
                continue
            text = norm(u.text)
            label = any(_overlaps(text, s) for s in spans) or any(f in text for f in facts)
            pairs.append((candidate(q, u, rank, start, hits, ranked[0]), label))
    return join.label_rows(pairs)


def fit_join(f: Fit, sets: Sequence[QuestionSet], t: Tuning) -> Tuning:
    """The join model fitted on ``sets`` (readings under ``t``), its threshold the one with the
    best key facts plus evidence precision there."""
    items = [i for s in sets for i in s.items]
    x, y = join_rows(f.replay, items, t)
    w = noanswer.fit(x, y)
    fitted = replace(t, join=tuple(w), join_means=tuple(x.mean(axis=0)))

    def gain(at: float) -> float:
        o = f.replay.metrics(items, replace(fitted, join_at=at))["overall"]
        return (o.get("key_fact_recall") or 0.0) + (o.get("evidence_precision") or 0.0)

    return replace(fitted, join_at=max(JOIN_AT, key=gain))


@dataclass(frozen=True)
class Fit:
    """What every fit shares: the replayed answerer, the model it starts from, each set's
    sentence rows, whether the sentence weights are kept, and the cost of a wrong refusal."""

    replay: Replay
    base: Tuning
    rows: dict[str, Rows]
    keep_weights: bool = False
    cost: float = 3.0
    join: bool = False  # fit the join model too (else the base's, or the joining rules)


def fit_model(f: Fit, sets: Sequence[QuestionSet]) -> Tuning:
    """Both models fitted on ``sets``: the sentence weights first (or the base's, kept), then
    the no-answer model on the readings those weights give."""
    if f.keep_weights:  # the base's weights, and the means of the data they were fitted on
        t = replace(f.base, noanswer=(), noanswer_means=())
    else:
        union = [r for s in sets for r in f.rows[s.name]]
        means = np.vstack([r[1] for r in union]).mean(axis=0)
        t = replace(f.base, weights=tuple(fit_sentences(union)), means=tuple(means))
        t = replace(t, noanswer=(), noanswer_means=())
    items = [i for s in sets for i in s.items]
    x, y = noanswer_rows(f.replay, items, t)
    nw = noanswer.fit(x, y)
    p = 1 / (1 + np.exp(-(x @ nw)))
    at = noanswer.threshold(list(p), [int(v) for v in y], f.cost)
    t = replace(t, noanswer=tuple(nw), noanswer_means=tuple(x.mean(axis=0)), refuse_at=at)
    return fit_join(f, sets, t) if f.join else t


SHOWN = (
    ("key_fact_recall", "key facts"),
    ("evidence_precision", "evidence"),
    ("refusal_rate", "unans. refused"),
    ("false_refusal_rate", "ans. refused"),
    ("answer_sentences_p50", "sentences p50"),
)


def show(name: str, m: dict[str, Any]) -> str:
    o = m["overall"]
    cells = " ".join(
        f"{o.get(k):>{len(label)}.3f}"
        if isinstance(o.get(k), float | int)
        else f"{'—':>{len(label)}}"
        for k, label in SHOWN
    )
    return f"{name:18} {o['n']:>4} {cells}"


def crossfit(f: Fit, sets: Sequence[QuestionSet]) -> dict[str, dict[str, Any]]:
    """Each set answered by a model fitted without it: its `ruta eval` metrics."""
    return {
        held.name: f.replay.metrics(held.items, fit_model(f, [s for s in sets if s is not held]))
        for held in sets
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = fit_parser(PROG, __doc__, DEFAULT_PATH)
    parser.add_argument("--no-cv", action="store_true", help="skip the cross-validation by set")
    parser.add_argument(
        "--refusal-cost",
        type=float,
        default=3.0,
        help="a wrong refusal costs this many wrong answers when the threshold is chosen",
    )
    parser.add_argument(
        "--keep-sentence-weights",
        action="store_true",
        help="fit the no-answer model only; keep the model file's sentence weights",
    )
    parser.add_argument(
        "--fit-join",
        action="store_true",
        help="fit the join model too (which sentences join the answer after the first)",
    )
    parser.add_argument(
        "--no-join",
        action="store_true",
        help="drop the join model: sentences join by the rules",
    )
    parser.add_argument(
        "--cache", type=Path, help="keep the searches in this file for a rerun (same index)"
    )
    args = parser.parse_args(argv)

    from app.services import make_answerer
    from app.settings import Settings

    replay = Replay(make_answerer(Settings()), args.cache)
    sets = [load_set(p) for p in args.sets]
    base = replace(DEFAULT_TUNING, join=(), join_means=()) if args.no_join else DEFAULT_TUNING
    rows = (
        {}
        if args.keep_sentence_weights
        else {s.name: sentence_rows(replay, s.items) for s in tqdm(sets, desc="sets", unit="set")}
    )
    fit = Fit(replay, base, rows, args.keep_sentence_weights, args.refusal_cost, args.fit_join)
    replay.remember()
    header = f"{'set':18} {'n':>4} " + " ".join(label for _, label in SHOWN)
    if not args.no_cv and len(sets) > 1:
        print("each set answered by a model fitted without it:")
        print(header)
        folds = crossfit(fit, sets)
        for name, m in folds.items():
            print(show(name, m))
    t = fit_model(fit, sets)
    print("fitted on all sets, in-sample:")
    print(header)
    for s in sets:
        print(show(s.name, replay.metrics(s.items, t)))
    print(f"refuse at no-answer probability {t.refuse_at:.3f}")
    if args.write:
        made = provenance(PROG, sets, args.sets)
        text = dump(t, reader.FEATURES, noanswer.FEATURES, made, join.FEATURES)
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
