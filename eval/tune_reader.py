"""Choose the reader's thresholds (app/rag/reader.py Tuning) on folds across question sets:
``python -m eval.tune_reader DEV.jsonl DEV-B.jsonl``. Every combination of a small grid is
scored on each set (key-fact recall, evidence precision, refusals); printed are the setting
tuned on each set with its figures on the other, and the setting best on both."""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from app.rag.choose import read
from app.rag.question import analyse
from app.rag.reader import Tuning
from eval.metrics import evidence_precision, key_fact_recall
from eval.questions import load_items

GRID: dict[str, Sequence[Any]] = {
    "strict_min": (0.05, 0.1, 0.2),
    "add_min": (0.2, 0.35),
    "add_ratio": (0.4, 0.6),
    "sure": (0.6, 0.8, 0.95),
    "breadth_min": (0.05, 0.15, 0.3),
    "tie": (0.0, 0.03, 0.06),
}


def score(rows: list, answerer: Any, t: Tuning) -> dict[str, float]:
    """Key facts, evidence precision and refusal rates of the extractive answers under ``t``."""
    facts, evidence, refused_u, refused_a = [], [], [], []
    for item, candidates in rows:
        r = max(
            (read(q, hits, answerer.stats, answerer.embedder, t) for q, hits in candidates),
            key=lambda x: x.best,
        )
        refused = r.refused or r.near_miss
        if item.type == "unanswerable":
            refused_u.append(refused)
            continue
        refused_a.append(refused)
        text = "" if refused else " ".join(u.text for u in r.units)
        kf, _ = key_fact_recall(item.key_facts, text)
        if kf is not None:
            facts.append(kf)
        ev = None if refused else evidence_precision(item.evidence, text)
        if ev is not None:
            evidence.append(ev)
    return {
        "key_facts": float(np.mean(facts)),
        "evidence": float(np.mean(evidence)),
        "refused_unanswerable": float(np.mean(refused_u)) if refused_u else 1.0,
        "refused_answerable": float(np.mean(refused_a)),
    }


def grid(base: Tuning) -> list[Tuning]:
    """Every combination of GRID's thresholds, each on ``base`` (the shipped model: its
    sentence and no-answer weights, which a bare Tuning() does not hold)."""
    return [
        replace(base, **dict(zip(GRID, values, strict=True)))
        for values in itertools.product(*GRID.values())
    ]


def objective(m: dict[str, float]) -> float:
    """Key facts first; evidence precision up to the 0.65 a reader needs; refusals both ways."""
    return (
        m["key_facts"]
        + 0.5 * min(m["evidence"], 0.65)
        + 0.5 * m["refused_unanswerable"]
        - 2 * m["refused_answerable"]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.tune_reader", description=__doc__)
    parser.add_argument("sets", nargs="+", type=Path, help="question sets (JSONL)")
    args = parser.parse_args(argv)

    from app.rag.answer import prepare
    from app.services import make_answerer
    from app.settings import Settings

    answerer = make_answerer(Settings())
    data = {}
    for path in args.sets:
        items, _ = load_items(path)
        rows = []
        for item in items:
            _, queries = prepare(item.question, item.history, answerer.config.max_question_chars)
            rows.append(
                (
                    item,
                    [
                        (analyse(q), answerer.retriever.search(q, answerer.config.top_k))
                        for q in queries
                    ],
                )
            )
        data[path.stem] = rows
    results = []
    for t in grid(answerer.config.tuning):
        results.append((t, {name: score(rows, answerer, t) for name, rows in data.items()}))

    def show(label: str, t: Tuning, by_set: dict[str, dict[str, float]]) -> None:
        print(label, {k: getattr(t, k) for k in GRID})
        for name, m in by_set.items():
            print(f"    {name:10} " + "  ".join(f"{k} {v:.3f}" for k, v in m.items()))

    for tuned in data:
        t, by_set = max(results, key=lambda r: objective(r[1][tuned]))
        show(f"tuned on {tuned}:", t, by_set)
    t, by_set = max(results, key=lambda r: sum(objective(m) for m in r[1].values()))
    show("best on all sets:", t, by_set)
    return 0


if __name__ == "__main__":
    sys.exit(main())
