"""Choose the fusion weights and candidate count by cross-validation over question sets.

    python -m eval.cv ../shared/evalsets/dev.jsonl ../shared/evalsets/dev-b.jsonl [--random 5]

Folds: each set against the others (tune on one, test on the rest), then random halves of the
union. Each fold picks the grid point with the best hit@1 (MRR breaks ties) on its tuning part
and reports it on its test part; the last line is the point chosen on the union, with the
per-set figures of every fold's choice so that a setting that helps one set and hurts the
other shows. Retrieval only; candidate lists are fetched once per query (at the largest
count) and cut down, so the grid costs fusion only.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from app.rag.answer import clean_question
from app.rag.conversation import candidate_queries
from app.services import Services
from app.settings import Settings
from eval import metrics
from eval.questions import Item, load_items
from index.retrieve import HybridRetriever, RetrievalConfig

GRID = {
    "bm25_weight": (0.1, 0.2, 0.3, 0.45, 0.6, 0.8),
    "dense_weight": (0.0, 0.1, 0.2, 0.35),
    "candidates": (15, 30, 45),
    "foreign_lexical": (0.25, 0.5),
}
MULTILINGUAL_WEIGHT = 0.6  # fixed: fusion only depends on the weights' ratios
K = 10


def configs(base: RetrievalConfig) -> list[RetrievalConfig]:
    keys = list(GRID)
    return [
        replace(base, multilingual_weight=MULTILINGUAL_WEIGHT, **dict(zip(keys, vals, strict=True)))
        for vals in itertools.product(*(GRID[k] for k in keys))
    ]


def ranks(retriever: HybridRetriever, items: Sequence[Item], cfg: RetrievalConfig) -> list[int]:
    """The evidence rank (K + 1 when missed) of every answerable item under one config."""
    retriever.config = cfg
    out = []
    for item in items:
        # the query the answer step searches first (a follow-up with what it leans on)
        q = candidate_queries(clean_question(item.question, 2000), list(item.history), 2000)[0]
        hits = retriever.search(q, k=K)
        r = metrics.evidence_rank(item.evidence, [h.chunk.text for h in hits])
        out.append(r or K + 1)
    return out


def score(rs: Sequence[int]) -> tuple[float, float, float]:
    """(hit@1, hit@5, MRR) of evidence ranks."""
    n = max(len(rs), 1)
    return (
        sum(r == 1 for r in rs) / n,
        sum(r <= 5 for r in rs) / n,
        sum(1 / r if r <= K else 0 for r in rs) / n,
    )


def label(cfg: RetrievalConfig) -> str:
    return (
        f"bm25={cfg.bm25_weight:<4} dense={cfg.dense_weight:<4} e5={cfg.multilingual_weight} "
        f"cand={cfg.candidates:<3} foreign={cfg.foreign_lexical}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.cv", description=__doc__.split("\n")[0])
    ap.add_argument("sets", nargs="+", type=Path, help="question sets (JSONL or CSV)")
    ap.add_argument("--random", type=int, default=5, help="random half splits of the union")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--show", type=int, default=10, help="settings listed by their worst set")
    args = ap.parse_args(argv)

    services = Services(Settings())
    retriever = services.retriever()
    default = retriever.config  # the settings' weights (RUTA_BM25_WEIGHT …)
    n_max = max(GRID["candidates"])
    fetch = lru_cache(maxsize=None)(retriever._lists)
    retriever._lists = lambda q, f, n, d, lang: fetch(q, f, n_max, True, lang)  # type: ignore[method-assign]

    sets: dict[str, list[Item]] = {}
    for path in args.sets:
        items, errors = load_items(path)
        if errors:
            print(f"{path}: {len(errors)} bad rows skipped", file=sys.stderr)
        sets[path.stem] = [i for i in items if i.evidence and not i.unanswerable]
    union = [(name, i) for name, items in sets.items() for i in items]
    grid = configs(retriever.config)
    table = {cfg: ranks(retriever, [i for _, i in union], cfg) for cfg in grid}
    index = {id(i): k for k, (_, i) in enumerate(union)}

    def at(cfg: RetrievalConfig, part: Sequence[Item]) -> list[int]:
        return [table[cfg][index[id(i)]] for i in part]

    def best(part: Sequence[Item]) -> RetrievalConfig:
        return max(grid, key=lambda c: (score(at(c, part))[0], score(at(c, part))[2]))

    folds: list[tuple[str, list[Item], list[Item]]] = []
    for name, items in sets.items():
        rest = [i for other, i in union if other != name]
        folds.append((f"tune {name}", items, rest))
    rng = random.Random(args.seed)
    for r in range(args.random):
        shuffled = [i for _, i in union]
        rng.shuffle(shuffled)
        half = len(shuffled) // 2
        folds.append((f"random {r + 1}", shuffled[:half], shuffled[half:]))

    print(f"{len(grid)} settings, {len(union)} answerable questions ({', '.join(sets)})\n")
    names = list(sets)
    head = f"{'fold':<14} {'tune h@1':>8} {'test h@1':>8} {'test h@5':>8}  "
    print(head + "  ".join(f"{n + ' h@1/h@5':>16}" for n in names) + "  chosen")
    tests = []
    for fname, tune, test in folds:
        cfg = best(tune)
        t1, t5, _ = score(at(cfg, test))
        tests.append((t1, t5))
        per = "  ".join(
            "{:>16}".format("{:.3f}/{:.3f}".format(*score(at(cfg, sets[n]))[:2])) for n in names
        )
        print(
            f"{fname:<14} {score(at(cfg, tune))[0]:8.3f} {t1:8.3f} {t5:8.3f}  {per}  {label(cfg)}"
        )
    mean1 = sum(t for t, _ in tests) / len(tests)
    mean5 = sum(t for _, t in tests) / len(tests)
    print(f"{'mean of tests':<14} {'':>8} {mean1:8.3f} {mean5:8.3f}")

    # The settings that hold on every set: ranked by their worst set's hit@1, then hit@5.
    def worst(cfg: RetrievalConfig) -> tuple[float, float, float]:
        per = [score(at(cfg, sets[n])) for n in names]
        return min(p[0] for p in per), min(p[1] for p in per), sum(p[2] for p in per)

    print(f"\nbest on the worst set (of {len(grid)}):")
    for cfg in sorted(grid, key=worst, reverse=True)[: args.show]:
        per = "  ".join("{}: {:.3f}/{:.3f}".format(n, *score(at(cfg, sets[n]))[:2]) for n in names)
        print(f"  {label(cfg)}   {per}")
    final = best([i for _, i in union])
    for title, cfg in (("chosen on all", final), ("the default", default)):
        rs = table.get(cfg) or ranks(retriever, [i for _, i in union], cfg)
        per = "  ".join(
            "{}: {:.3f}/{:.3f}".format(n, *score([rs[index[id(i)]] for i in sets[n]])[:2])
            for n in names
        )
        print(f"{title:<16} {label(cfg)}   {per}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
