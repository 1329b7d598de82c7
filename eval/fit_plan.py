"""Fit the summary detector (app/rag/plans/asks_summary.py) on labelled question sets, check it
set by set, and write it:

    python -m eval.fit_plan SET.jsonl [SET.jsonl ...] [--write] [--out FILE]

Every question of the sets is a row: its multilingual embedding (the answer step's embedder,
as a query) and whether the packs' summary cue matches it; the label is whether its type is
"summary". The model is a logistic regression (numpy, L2); a question is planned as a summary
when the cue matches or the probability reaches 0.5.

Cross-validation by set: each set's questions are judged by the model fitted on the other
sets. The table printed gives, per set, its summary questions, how many the cue finds, how
many the cue or the model finds, and the questions of other types the model would wrongly
plan as summaries. Then the model is fitted on all the sets given and, with ``--write``, saved
with the sets' names and hashes to app/rag/plans/summary_model.json (or ``--out``).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np

from app.rag.plans.asks_summary import DEFAULT_PATH, SummaryModel, dump
from app.rag.plans.words import words
from app.services import Services
from app.settings import Settings
from eval.fitting import fit_parser, provenance
from eval.replay import QuestionSet, load_set
from index.lang import detect_language

PROG = "python -m eval.fit_plan"
SCALE = 10.0
THRESHOLD = 0.5


def rows(sets: Sequence[QuestionSet], embed) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(design matrix [1, cue, SCALE * vector], labels, each row's set name)."""
    items = [(s.name, it) for s in sets for it in s.items]
    vectors = np.asarray(embed([it.question for _, it in items]), dtype=np.float64)
    cue = np.array(
        [
            bool(words(it.lang or detect_language(it.question)).summary.search(it.question))
            for _, it in items
        ],
        dtype=np.float64,
    )
    x = np.hstack([np.ones((len(items), 1)), cue[:, None], SCALE * vectors])
    y = np.array([it.type == "summary" for _, it in items], dtype=np.float64)
    return x, y, np.array([name for name, _ in items])


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 3000, lr: float = 0.5):
    """Logistic regression by gradient descent; no penalty on the bias."""
    w = np.zeros(x.shape[1])
    reg = np.full(x.shape[1], l2)
    reg[0] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w)))
        w -= lr * (x.T @ (p - y) / len(y) + reg * w / len(y))
    return w


def planned(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Whether each row is planned as a summary: the cue, or the model's probability."""
    return (x[:, 1] > 0) | (1 / (1 + np.exp(-(x @ w))) >= THRESHOLD)


def main(argv: Sequence[str] | None = None) -> int:
    ap = fit_parser(PROG, __doc__, DEFAULT_PATH)
    ap.add_argument("--l2", type=float, default=1.0, help="L2 penalty (default 1)")
    args = ap.parse_args(argv)
    sets = [load_set(p) for p in args.sets]
    services = Services(Settings())
    embedder = services.multilingual_embedder or services.embedder
    print(f"embedding {sum(len(s.items) for s in sets)} questions with {embedder.name} …")
    x, y, names = rows(sets, embedder.queries)
    print(f"{'set':10} {'summaries':>9} {'cue':>4} {'fitted':>6} {'wrongly':>7}")
    totals = np.zeros(4, dtype=int)
    for s in sets:
        here = names == s.name
        w = fit(x[~here], y[~here], args.l2)
        got = planned(x[here], w)
        cue = x[here, 1] > 0
        yy = y[here] > 0
        row = np.array([yy.sum(), (cue & yy).sum(), (got & yy).sum(), (got & ~yy).sum()])
        totals += row
        print(f"{s.name:10} {row[0]:9d} {row[1]:4d} {row[2]:6d} {row[3]:7d}")
    print(f"{'all':10} {totals[0]:9d} {totals[1]:4d} {totals[2]:6d} {totals[3]:7d}")
    w = fit(x, y, args.l2)
    model = SummaryModel(embedder.name, tuple(float(v) for v in w), SCALE, THRESHOLD)
    if args.write:
        args.out.write_text(dump(model, provenance(PROG, sets, args.sets)), encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
