"""`ruta ingest` per character in three configurations and the LlamaIndex build, same run.

Each configuration runs what `ruta ingest --rebuild` runs (app.services.ingest_corpus: load,
clean, chunk, embed, store, the prepared state and the sentence-vector pass) into a fresh data
folder with empty embedding caches, as a new process would. The models are loaded once.
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.services import Services, ingest_corpus
from app.settings import Settings
from bench.common import Resettable, bench_services, machine_note, measured, reset_caches
from eval.baseline import build_baseline
from ingest.pipeline import load_corpus

GOAL = 3.0  # issue 16: at least 3x the issue-time rate per character


@dataclass(frozen=True)
class Mode:
    key: str
    label: str
    overrides: dict[str, Any]


# (a) as at issue 16: every embedder built (MiniLM too), e5 over each chunk, then each sentence.
MODES = (
    Mode("issue", "(a) issue-time: MiniLM + e5 chunks + e5 sentences", {"embed_all": True}),
    Mode("default", "(b) default settings", {}),
    Mode("direct", "(c) e5 chunks + e5 sentences", {"chunk_vectors": "direct"}),
    Mode("sentences", "(d) e5 sentences, chunks pooled", {"chunk_vectors": "sentences"}),
)


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def bench_modes(
    models: Services, corpus_dir: Path, work: Path, reps: int, tries: int
) -> dict[str, Any]:
    """Per rep, each mode's full ingestion and the LlamaIndex default build, the order rotated
    between reps (a drift of the machine then hits every mode alike). Medians over the reps."""
    work.mkdir(parents=True, exist_ok=True)
    docs, _ = load_corpus(corpus_dir)
    chars = sum(len(d.text) for d in docs)
    base = models.settings
    wanted = [m for m in MODES if m.key != "default" or _differs(base, MODES)]
    peer = Resettable(models.embedder)
    runs: dict[str, list[tuple[float, float]]] = {m.key: [] for m in wanted}
    runs["llamaindex"] = []
    machine = []

    def one(mode: Mode) -> tuple[float, float]:
        # A new folder each time: `--rebuild` keeps the sentence vectors already stored.
        data_dir = Path(tempfile.mkdtemp(prefix=f"{mode.key}-", dir=work))
        settings = Settings(**{**base.model_dump(), **mode.overrides, "data_dir": data_dir})
        services = bench_services(settings, models)
        reset_caches(services)  # a fresh `ruta ingest` process: nothing embedded yet
        t, c = time.perf_counter(), _cpu()
        ingest_corpus(services, corpus=corpus_dir, rebuild=True, sentences=True)
        wall, cpu = time.perf_counter() - t, _cpu() - c
        services.sentence_embedder.close()
        shutil.rmtree(data_dir, ignore_errors=True)
        return wall, cpu

    def llamaindex() -> tuple[float, float]:
        peer.reset()
        c = _cpu()
        built = build_baseline(corpus_dir, peer)
        return built.build_s, _cpu() - c

    steps = [(m.key, lambda m=m: one(m)) for m in wanted]
    steps.append(("llamaindex", llamaindex))
    llamaindex()  # one-off imports (LlamaIndex, its Chroma adapter) paid outside the figures
    for rep in range(reps):
        order = steps[rep % len(steps) :] + steps[: rep % len(steps)]

        def one_rep(order: list = order) -> dict[str, tuple[float, float]]:
            return {key: fn() for key, fn in order}

        got, rec = measured(one_rep, tries)
        for key, figure in got.items():
            runs[key].append(figure)
        machine.append(rec)
    out: dict[str, Any] = {"chars": chars, "documents": len(docs), "reps": reps, "modes": {}}
    for key, figures in runs.items():
        wall = statistics.median(w for w, _ in figures)
        cpu = statistics.median(c for _, c in figures)
        out["modes"][key] = {
            "wall_s": round(wall, 3),
            "cpu_s": round(cpu, 3),
            "chars_per_s": round(chars / wall),
        }
    if "default" not in out["modes"]:  # the default is one of the others: same figures
        same = next(m.key for m in MODES if m.key != "default" and not _differs_from(base, m))
        out["modes"]["default"] = {**out["modes"][same], "same_as": same}
    ref = out["modes"]["issue"]["chars_per_s"]
    ref_cpu = out["modes"]["issue"]["cpu_s"]
    peer_rate = out["modes"]["llamaindex"]["chars_per_s"]
    for figures in out["modes"].values():
        figures["over_issue"] = round(figures["chars_per_s"] / ref, 2)
        # CPU seconds for the same characters: steadier than wall while others load the cores.
        figures["over_issue_cpu"] = round(ref_cpu / max(figures["cpu_s"], 1e-9), 2)
        figures["over_llamaindex"] = round(figures["chars_per_s"] / peer_rate, 3)
    out["default_over_issue"] = out["modes"]["default"]["over_issue"]
    out["default_over_issue_cpu"] = out["modes"]["default"]["over_issue_cpu"]
    out["goal_met"] = out["default_over_issue"] >= GOAL
    out["machine"] = machine
    return out


def _differs_from(base: Settings, mode: Mode) -> bool:
    return any(getattr(base, k) != v for k, v in mode.overrides.items())


def _differs(base: Settings, modes: tuple[Mode, ...]) -> bool:
    """Whether the default settings differ from every named mode (then measured on its own)."""
    return all(_differs_from(base, m) for m in modes if m.key != "default")


def report(r: dict[str, Any]) -> list[str]:
    lines = [f"  corpus: {r['documents']} documents, {r['chars']} chars; median of {r['reps']}"]
    labels = {m.key: m.label for m in MODES} | {"llamaindex": "LlamaIndex default build"}
    for key, e in r["modes"].items():
        same = f"  (= {e['same_as']})" if "same_as" in e else ""
        lines.append(
            f"  {labels[key]:<52} {e['wall_s']:6.2f} s  CPU {e['cpu_s']:6.2f} s"
            f"  {e['chars_per_s']:6d} chars/s  {e['over_issue']:5.2f}x (a) (CPU"
            f" {e['over_issue_cpu']:5.2f}x)"
            f"  {e['over_llamaindex']:5.3f}x LlamaIndex{same}"
        )
    met = "met" if r["goal_met"] else "NOT met"
    lines.append(
        f"  default over issue-time: {r['default_over_issue']:.2f}x wall, "
        f"{r['default_over_issue_cpu']:.2f}x CPU ({met}; goal >= 3)"
    )
    lines += [f"  rep {i + 1}: {machine_note(m)}" for i, m in enumerate(r["machine"])]
    return lines
