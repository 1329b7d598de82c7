"""The LlamaIndex default pipeline (eval/baseline.py) timed in the same run as Ruta."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import Question, Resettable, latency, machine_note, measured
from eval.baseline import Baseline, build_baseline
from index.embed import Embedder


def bench_baseline(
    corpus_dir: Path,
    embedder: Embedder,
    qs: Sequence[Question],
    warm_passes: int,
    tries: int,
    ruta: dict[str, Any],
) -> dict[str, Any]:
    """Build time and query latency of the baseline, with the same embedding cache as Ruta:
    empty for the build and for *cold* queries, full for *warm* (repeated) ones.
    ``ruta`` holds Ruta's figures from the same run to compare with."""
    emb = Resettable(embedder)

    def build() -> Baseline:
        emb.reset()
        return build_baseline(corpus_dir, emb)

    baseline, build_rec = measured(build, tries)
    for q, _ in qs[:2]:  # warm-up
        baseline.search(q)

    def one_pass(cold: bool) -> list[float]:
        ms = []
        for q, _ in qs:  # a bare retriever keeps no history: the question alone
            if cold:
                emb.reset()
            t = time.perf_counter()
            baseline.search(q)
            ms.append((time.perf_counter() - t) * 1000)
        return ms

    out: dict[str, Any] = {
        "nodes": baseline.n_nodes,
        "embedder": embedder.name,
        "index_build_s": round(baseline.build_s, 2),
        "ruta_ingest_s": ruta.get("ingest_s"),
    }
    if out["ruta_ingest_s"]:
        out["build_over_ruta"] = round(baseline.build_s / out["ruta_ingest_s"], 3)
    machine = [build_rec]
    for regime, passes in (("cold", 1), ("warm", warm_passes)):
        samples: list[float] = []
        for _ in range(passes):
            got, rec = measured(lambda cold=regime == "cold": one_pass(cold), tries)
            samples += got
            machine.append(rec)
        query = latency(samples)
        ruta_p50 = ruta.get(f"{regime}_retrieval_p50_ms")
        out[regime] = {
            "query": query,
            "ruta_retrieval_p50_ms": ruta_p50,
            "query_p50_over_ruta": round(query["p50_ms"] / ruta_p50, 3) if ruta_p50 else None,
        }
    out["machine"] = machine
    return out


def report(r: dict[str, Any]) -> list[str]:
    lines = [
        f"  LlamaIndex default ({r['embedder']} only, {r['nodes']} nodes): index build "
        f"{r['index_build_s']:.2f} s; Ruta's ingest (two embedders) {r['ruta_ingest_s']} s, "
        f"baseline/Ruta = {r.get('build_over_ruta')}"
    ]
    for regime in ("cold", "warm"):
        x = r[regime]
        q = x["query"]
        lines.append(
            f"  {regime} query p50 {q['p50_ms']:.1f} ms  p95 {q['p95_ms']:.1f} ms (n={q['n']}); "
            f"Ruta retrieval p50 {x['ruta_retrieval_p50_ms']} ms; baseline/Ruta = "
            f"{x['query_p50_over_ruta']}"
        )
    lines += [f"  {machine_note(m)}" for m in r["machine"][:1]]
    return lines
