"""Fit the reader's sentence weights (app/rag/reader.py WEIGHTS) on question sets, and check
them across sets: ``python -m eval.fit_reader DEV.jsonl DEV-B.jsonl``.

Every sentence of the top-k passages of every answerable question is a row; its label is
whether it holds a gold evidence span (as the evidence-precision metric counts). The weights
are a logistic regression (L2, numpy); the folds tune on one set and test on the other, then
on the union. Printed per fold: top-1 precision (the best sentence holds evidence) and AUC.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from app.rag import reader
from app.rag.answer import prepare
from app.rag.question import analyse
from eval.metrics import _overlaps, norm
from eval.questions import Item, load_items

Rows = list[tuple[str, np.ndarray, np.ndarray]]  # (item id, features, labels) per question


def collect(items: Sequence[Item], answerer) -> Rows:  # type: ignore[no-untyped-def]
    """Feature rows of every answerable item's candidate sentences."""
    out: Rows = []
    for item in items:
        if not item.evidence or item.type == "unanswerable":
            continue
        _, queries = prepare(item.question, item.history, answerer.config.max_question_chars)
        query = queries[0]
        hits = answerer.retriever.search(query, answerer.config.top_k)
        q = analyse(query)
        units = reader.score_units(q, hits, answerer.stats, answerer.embedder)
        if not units:
            continue
        spans = [n for n in (norm(e) for e in item.evidence) if len(n) >= 8]
        x = np.array([u.features for u in units], dtype=np.float64)
        facts = [n for n in (norm(k) for k in item.key_facts) if n]
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


def fit(
    rows: Rows, l2: float = 3.0, steps: int = 4000, lr: float = 0.5, rank: float = 1.0
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


def evaluate(rows: Rows, w: np.ndarray) -> dict[str, float]:
    top1, top2, aucs = [], [], []
    for _, x, y in rows:
        s = x @ w
        order = np.argsort(-s)
        top1.append(float(y[order[0]]))
        top2.append(float(y[order[:2]].any()))
        pos, neg = s[y == 1], s[y == 0]
        if len(pos) and len(neg):
            aucs.append(float(np.mean(pos[:, None] > neg[None, :])))
    return {
        "top1": float(np.mean(top1)),
        "top2": float(np.mean(top2)),
        "auc": float(np.mean(aucs)),
        "n": len(rows),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.fit_reader", description=__doc__)
    parser.add_argument("sets", nargs="+", type=Path, help="question sets (JSONL)")
    parser.add_argument("--l2", type=float, default=30.0, help="L2 penalty (default 30)")
    parser.add_argument("--cache", type=Path, help="keep the feature rows in this file")
    parser.add_argument("--rank", type=float, default=1.0, help="weight of the ranking loss")
    args = parser.parse_args(argv)

    from app.services import make_answerer
    from app.settings import Settings

    if args.cache and args.cache.exists():
        data = pickle.loads(args.cache.read_bytes())
    else:
        answerer = make_answerer(Settings())
        data = {}
        for path in args.sets:
            items, errors = load_items(path)
            if errors:
                print("\n".join(errors), file=sys.stderr)
            data[path.stem] = collect(items, answerer)
        if args.cache:
            args.cache.write_bytes(pickle.dumps(data))
    names = list(data)
    print(f"{'fold':28} {'train top1':>10} {'test top1':>10} {'test top2':>10} {'test auc':>9}")
    current = {n: evaluate(r, reader.WEIGHTS) for n, r in data.items()}
    for n, m in current.items():
        print(
            f"{'current weights on ' + n:28} {'':>10} {m['top1']:10.3f} {m['top2']:10.3f} "
            f"{m['auc']:9.3f}"
        )
    for train in names:
        w = fit(data[train], args.l2, rank=args.rank)
        for test in names:
            if test != train:
                tr, te = evaluate(data[train], w), evaluate(data[test], w)
                print(
                    f"{train + ' -> ' + test:28} {tr['top1']:10.3f} {te['top1']:10.3f} "
                    f"{te['top2']:10.3f} {te['auc']:9.3f}"
                )
    union = [r for n in names for r in data[n]]
    w = fit(union, args.l2, rank=args.rank)
    m = evaluate(union, w)
    print(f"{'union (in-sample)':28} {m['top1']:10.3f} {'':>10} {m['top2']:10.3f} {m['auc']:9.3f}")
    print("WEIGHTS = [" + ", ".join(f"{v:.2f}" for v in w) + "]")
    print("features: " + ", ".join(reader.FEATURES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
