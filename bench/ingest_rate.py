"""Ingestion throughput against the two embedders' own throughput on the same texts."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from app.services import Services
from bench.common import machine_note, measured, reset_caches
from index.build import build_index
from index.embed import Embedder
from index.retrieve import index_text
from ingest.chunk import chunk_document
from ingest.pipeline import load_corpus

GOAL_OVERHEAD = 0.15  # the pipeline should cost less than 15% on top of embedding


class Replay:
    """Replays vectors computed earlier, so a build measures everything but the embedding."""

    def __init__(self, name: str, vectors: dict[str, np.ndarray]) -> None:
        self.name = name
        self._vectors = vectors

    def passages(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._vectors[t] for t in texts]).astype(np.float32)

    def queries(self, texts: list[str]) -> np.ndarray:
        return self.passages(texts)


def _constant(texts: list[str], dim: int) -> dict[str, np.ndarray]:
    unit = np.full(dim, dim**-0.5, dtype=np.float32)
    return {t: unit for t in texts}


def _cpu() -> float:
    """CPU seconds of this process, all threads (less disturbed by other processes than wall)."""
    t = os.times()
    return t.user + t.system


def _embed_as_build(
    models: dict[str, Embedder], batches: list[list[str]]
) -> dict[str, tuple[float, float, dict[str, np.ndarray]]]:
    """Embed in build_index's order (per document, each embedder in turn), timing each embedder:
    its wall s, CPU s and vectors by text."""
    out: dict[str, tuple[float, float, dict[str, np.ndarray]]] = {}
    for texts in batches:
        for name, model in models.items():
            wall, cpu, vectors = out.get(name, (0.0, 0.0, {}))
            t, c = time.perf_counter(), _cpu()
            vecs = model.passages(texts)
            wall, cpu = wall + time.perf_counter() - t, cpu + _cpu() - c
            vectors.update(zip(texts, vecs, strict=True))
            out[name] = (wall, cpu, vectors)
    return out


def bench_ingest(services: Services, corpus_dir: Path, reps: int, tries: int) -> dict[str, Any]:
    """Per rep: each embedder alone and a full rebuild (load, clean, chunk, embed, store) with
    empty embedding caches, as a fresh `ruta ingest`, in alternating order; then the same
    rebuild replaying the vectors (the pipeline alone). Medians over the reps."""
    settings = services.settings
    targets = services.stores()
    models = {emb.name: getattr(emb, "raw", emb) for _, emb in targets}  # uncached
    docs, _ = load_corpus(corpus_dir)
    sizes = settings.chunk_tokens, settings.chunk_max_tokens
    batches = [[index_text(c) for c in chunk_document(d, *sizes)] for d in docs]
    texts = [t for b in batches for t in b]
    # Warm-up: the first pass over the texts runs slower (lazy initialisation, pages of the
    # models touched for the first time); measured alone it would flatter the pipeline.
    dims = {n: m.passages(texts).shape[1] for n, m in models.items()}
    cache: dict[str, dict[str, np.ndarray]] = {}

    def build(with_targets: list) -> tuple[float, float]:
        t, c = time.perf_counter(), _cpu()
        loaded, _ = load_corpus(corpus_dir)
        build_index(loaded, with_targets, settings.data_dir, rebuild=True, progress=False)
        return time.perf_counter() - t, _cpu() - c

    def embed_alone(out: dict[str, float]) -> None:
        for name, (wall, cpu, vectors) in _embed_as_build(models, batches).items():
            out[name], out[f"{name}_cpu"], cache[name] = wall, cpu, vectors

    def ingest(out: dict[str, float]) -> None:
        reset_caches(services)  # as a fresh `ruta ingest` process: nothing embedded yet
        out["ingest"], out["ingest_cpu"] = build(targets)

    def one_rep(rep: int) -> dict[str, float]:
        out: dict[str, float] = {}
        for step in (embed_alone, ingest) if rep % 2 == 0 else (ingest, embed_alone):
            step(out)  # alternating the order between reps cancels a drift of the machine
        cached = [(store, Replay(e.name, cache[e.name])) for store, e in targets]
        out["pipeline_only"], out["pipeline_only_cpu"] = build(cached)
        return out

    # The first build pays one-off imports (LlamaIndex's Chroma adapter): pay them here.
    build([(st, Replay(e.name, _constant(texts, dims[e.name]))) for st, e in targets])

    runs, machine = [], []
    for rep in range(reps):
        run, rec = measured(lambda rep=rep: one_rep(rep), tries)
        runs.append(run)
        machine.append(rec)
    med: Callable[[str], float] = lambda k: statistics.median(r[k] for r in runs)  # noqa: E731
    names = [e.name for _, e in targets]
    embed_s = sum(med(n) for n in names)
    embed_cpu = sum(med(f"{n}_cpu") for n in names)
    ingest_s = med("ingest")
    chars = sum(len(t) for t in texts)
    per_embedder = {
        n: {
            "seconds": round(med(n), 3),
            "chunks_per_s": round(len(texts) / med(n), 2),
            "chars_per_s": round(chars / med(n)),
            "cpu_s": round(med(f"{n}_cpu"), 3),
        }
        for n in names
    }
    return {
        "documents": len(docs),
        "chunks": len(texts),
        "chars": chars,
        "reps": reps,
        "embedders": per_embedder,
        "embedders_total_s": round(embed_s, 3),
        "ingest_s": round(ingest_s, 3),
        "ingest_chunks_per_s": round(len(texts) / ingest_s, 2),
        "pipeline_only_s": round(med("pipeline_only"), 3),
        "ingest_over_embedding": round(ingest_s / embed_s, 3),
        "embedders_total_cpu_s": round(embed_cpu, 3),
        "ingest_cpu_s": round(med("ingest_cpu"), 3),
        "pipeline_only_cpu_s": round(med("pipeline_only_cpu"), 3),
        "ingest_over_embedding_cpu": round(med("ingest_cpu") / embed_cpu, 3),
        "pipeline_share_measured": round(med("pipeline_only") / embed_s, 3),
        "goal_met": ingest_s / embed_s < 1 + GOAL_OVERHEAD,
        "goal_met_cpu": med("ingest_cpu") / embed_cpu < 1 + GOAL_OVERHEAD,
        "machine": machine,
        "_vectors": cache,  # reused by the generated corpus; dropped before writing results
    }


def report(r: dict[str, Any]) -> list[str]:
    lines = [f"  corpus: {r['documents']} documents, {r['chunks']} chunks, {r['chars']} chars"]
    for name, e in r["embedders"].items():
        lines.append(
            f"  embed only  {name:<22} {e['seconds']:7.2f} s  {e['chunks_per_s']:6.2f} chunks/s"
            f"  {e['chars_per_s']:6d} chars/s  (CPU {e['cpu_s']:.2f} s)"
        )
    lines += [
        f"  embed only  {'both (sum)':<22} {r['embedders_total_s']:7.2f} s"
        f"  (CPU {r['embedders_total_cpu_s']:.2f} s)",
        f"  ingest (load+clean+chunk+embed+store)  {r['ingest_s']:7.2f} s"
        f"  {r['ingest_chunks_per_s']:.2f} chunks/s  (CPU {r['ingest_cpu_s']:.2f} s)",
        f"  pipeline without embedding (cached vectors)  {r['pipeline_only_s']:.3f} s"
        f"  (CPU {r['pipeline_only_cpu_s']:.3f} s)",
        f"  ingest / embedders: wall {r['ingest_over_embedding']:.3f} "
        f"({'met' if r['goal_met'] else 'NOT met'}), CPU {r['ingest_over_embedding_cpu']:.3f} "
        f"({'met' if r['goal_met_cpu'] else 'NOT met'}); goal < {1 + GOAL_OVERHEAD:.2f}",
        f"  pipeline alone over embedding: +{100 * r['pipeline_share_measured']:.1f}% wall",
    ]
    lines += [f"  rep {i + 1}: {machine_note(m)}" for i, m in enumerate(r["machine"])]
    return lines
