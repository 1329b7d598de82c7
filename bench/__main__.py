"""`make bench`: ingestion cost, latency (real and generated corpus), server load, cold start,
the LlamaIndex baseline and profiles. Prints figures and writes bench/results.json.

    python -m bench            everything, with a generated 100k-chunk index (built once, cached)
    python -m bench --quick    real corpus only, 10 s of load: a fast check
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import CORPUS, NOISY_CORES, ROOT, loadavg, questions

RESULTS = ROOT / "bench" / "results.json"
PARTS = ("ingest", "latency", "baseline", "server", "profile", "scale")


@dataclass(frozen=True)
class Plan:
    """How much of each part to run."""

    reps: int  # ingestion repetitions
    cold_passes: int  # rounds over the questions with empty embedding caches
    warm_passes: int  # rounds asking them again
    tries: int  # runs of a figure at most while other processes load the machine
    users: int
    seconds: float
    launches: int  # cold starts measured
    chunks: int  # generated corpus size (0: none)
    profile_passes: int


QUICK = Plan(1, 1, 1, tries=1, users=20, seconds=10, launches=1, chunks=0, profile_passes=1)
FULL = Plan(3, 2, 2, tries=2, users=20, seconds=60, launches=2, chunks=100_000, profile_passes=1)


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="real corpus only, 10 s of load")
    p.add_argument("--skip", default="", help=f"comma-separated parts to skip: {','.join(PARTS)}")
    p.add_argument("--chunks", type=int, help="generated corpus size (default 100000; 0 = none)")
    p.add_argument("--seconds", type=float, help="load test duration")
    p.add_argument("--regenerate", action="store_true", help="rebuild the generated index")
    p.add_argument("--out", type=Path, default=RESULTS, help="results file")
    return p.parse_args(argv)


class Run:
    """Runs the parts in order, prints each as it ends, and keeps the results file current."""

    def __init__(self, out: Path, skip: set[str], meta: dict[str, Any]) -> None:
        self.out = out
        self.skip = skip
        self.results: dict[str, Any] = {"meta": meta}

    def part(
        self,
        key: str,
        title: str,
        fn: Callable[[], dict[str, Any]],
        report: Callable[[dict[str, Any]], list[str]],
        group: str,
    ) -> dict[str, Any] | None:
        if group in self.skip:
            return None
        print(f"\n{title}  [load {loadavg()[0]}]", flush=True)
        t = time.perf_counter()
        try:
            r = fn()
        except Exception as exc:  # one failing part must not lose the others' figures
            print(f"  FAILED: {exc.__class__.__name__}: {exc}")
            traceback.print_exc(limit=4)
            self.results[key] = {"error": f"{exc.__class__.__name__}: {exc}"}
            return None
        r.setdefault("part_s", round(time.perf_counter() - t, 1))
        for line in report(r):
            print(line)
        print(f"  ({r['part_s']} s)", flush=True)
        self.results[key] = {k: v for k, v in r.items() if not k.startswith("_")}
        self.write()
        return r

    def write(self) -> None:
        self.out.write_text(json.dumps(self.results, indent=2, ensure_ascii=False) + "\n")


@dataclass
class Context:
    """What every part needs: the plan, the questions, the settings and the shared services."""

    plan: Plan
    args: argparse.Namespace
    skip: set[str]
    qs: list[Any]
    tmp: Path
    settings: Any  # app.settings.Settings
    services: Any  # app.services.Services, its embedders resettable (bench.common)


def _quiet_logs() -> None:
    logging.basicConfig(level=logging.WARNING)
    for handler in logging.getLogger().handlers:  # bm25s sets its own logger to DEBUG
        handler.setLevel(logging.WARNING)
    # eval/baseline.py reads plain text only; LlamaIndex warns about its optional PDF readers.
    logging.getLogger("llama_index.core.readers.file.base").setLevel(logging.ERROR)


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    plan = QUICK if args.quick else FULL
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    _quiet_logs()

    from app.services import Services
    from app.settings import Settings
    from bench.common import bench_services
    from bench.summary import summary

    qs = questions()
    started = time.perf_counter()
    meta: dict[str, Any] = {
        "mode": "quick" if args.quick else "full",
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "questions": len(qs),
        "loadavg_start": loadavg(),
    }
    run = Run(args.out, skip, meta)
    print(
        f"Ruta bench ({meta['mode']}): {os.cpu_count()} CPUs, load {loadavg()}, {len(qs)} questions"
    )
    print(
        "  (others = cores other processes kept busy meanwhile; "
        f"a figure is rerun when > {NOISY_CORES})"
    )

    with tempfile.TemporaryDirectory(prefix="ruta-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp) / "data", corpus_dir=CORPUS)
        t = time.perf_counter()
        models = Services(settings)
        _ = models.embedder, models.multilingual_embedder
        meta["models_load_s"] = round(time.perf_counter() - t, 1)
        print(f"  models loaded in {meta['models_load_s']} s")
        ctx = Context(plan, args, skip, qs, Path(tmp), settings, bench_services(settings, models))
        ing = _in_process(run, ctx)
        _served(run, ctx)
        _profiles(run, ctx)
        _scale(run, ctx, ing)
    meta["total_s"] = round(time.perf_counter() - started, 1)
    meta["loadavg_end"] = loadavg()
    run.write()
    print("\nSummary")
    for line in summary(run.results):
        print(line)
    print(f"\nDone in {meta['total_s']} s; load {loadavg()}; figures in {_rel(args.out)}")
    return 1 if any("error" in v for v in run.results.values() if isinstance(v, dict)) else 0


def _in_process(run: Run, ctx: Context) -> dict[str, Any] | None:
    """[1] ingestion, [2a] latency on the real corpus, [5] the baseline beside them."""
    from app.services import ingest_corpus
    from bench import abuse, baseline_timing, ingest_modes, ingest_rate, latency

    plan, services = ctx.plan, ctx.services
    ing = run.part(
        "ingest",
        "[1] Ingestion vs the embedders alone (real corpus, same texts, same run)",
        lambda: ingest_rate.bench_ingest(services, CORPUS, plan.reps, plan.tries),
        ingest_rate.report,
        "ingest",
    )
    run.part(
        "ingest_modes",
        "[1b] `ruta ingest` per character (sentence pass included): issue-time, default, "
        "both chunk-vector modes, the LlamaIndex build; same run",
        lambda: ingest_modes.bench_modes(
            services, CORPUS, ctx.tmp / "modes", plan.reps, plan.tries
        ),
        ingest_modes.report,
        "ingest",
    )
    if ing is None and not ctx.settings.index_dir.exists():  # later parts need an index
        ingest_corpus(services, corpus=CORPUS, progress=True)  # as `ruta ingest` builds it
    lat = run.part(
        "latency_real",
        "[2a] Latency, real corpus (in process)",
        lambda: latency.bench_latency(
            services, ctx.qs, plan.cold_passes, plan.warm_passes, plan.tries
        ),
        latency.report,
        "latency",
    )
    run.part(
        "history_abuse",
        "[2c] A follow-up after a huge history turn (issue 15), in process",
        lambda: abuse.bench_abuse(services, reps=plan.warm_passes + 1, tries=plan.tries),
        abuse.report,
        "latency",
    )
    ruta: dict[str, Any] = {"ingest_s": (ing or {}).get("ingest_s")}
    for regime in ("cold", "warm"):
        got = (lat or {}).get(regime, {}).get("retrieval", {}).get("p50_ms")
        ruta[f"{regime}_retrieval_p50_ms"] = got
    run.part(
        "baseline",
        "[5] LlamaIndex default pipeline (eval/baseline.py), same run",
        lambda: baseline_timing.bench_baseline(
            CORPUS, services.embedder, ctx.qs, plan.warm_passes, plan.tries, ruta
        ),
        baseline_timing.report,
        "baseline",
    )
    return ing


def _served(run: Run, ctx: Context) -> None:
    """[4] cold start of `ruta serve`, [3] the server under load, [6c] its start-up profile."""
    from bench import hotspots, load, saturation, server

    plan = ctx.plan
    served: dict[str, Any] = {}

    def serve() -> dict[str, Any]:
        # The server reads the index as `ruta ingest` leaves it: every sentence embedded
        # (RUTA_PRECOMPUTE_SENTENCES), whichever parts ran before ([1] builds without the
        # sentence pass, [2a] adds it). Without them each new question embeds its passages'
        # sentences in the server (seconds of CPU each), and [3] measures that instead.
        primed = _sentences_as_ingested(ctx)
        cold, served["load"] = server.bench_server(
            ctx.settings.data_dir,
            CORPUS,
            ctx.qs,
            users=plan.users,
            seconds=ctx.args.seconds or plan.seconds,
            launches=plan.launches,
            tries=plan.tries,
            log_dir=ctx.tmp,
            spy="profile" not in ctx.skip,
        )
        return {**cold, "sentences_primed": primed}

    title = "[4] Cold start of `ruta serve` (index built), memory"
    cold = run.part("cold_start", title, serve, server.report, "server")
    if cold is not None:
        title = f"[3] Server under load: {plan.users} users, POST /api/ask, rate limit off"
        run.part("load", title, lambda: served["load"], load.report, "server")
    if cold is not None:
        title = (
            "[3b] Staying power: a short page question behind 8 long ones, 50 maximum-cost "
            "requests at once, SIGTERM under that load"
        )
        run.part(
            "saturation",
            title,
            lambda: saturation.bench_saturation(ctx.settings.data_dir, ctx.qs, ctx.tmp),
            saturation.report,
            "server",
        )
    if cold and cold.get("_profile"):
        title = "[6c] Profile: `ruta serve` from launch to ready (an extra, uncounted launch)"
        report = lambda r: hotspots.report("start-up", r)  # noqa: E731
        run.part("profile_start", title, lambda: cold["_profile"], report, "profile")


def _sentences_as_ingested(ctx: Context) -> int:
    """Embed the sentences `ruta ingest` would have (none when RUTA_PRECOMPUTE_SENTENCES is off
    or they are there already); returns how many were new."""
    if not ctx.settings.precompute_sentences:
        return 0
    from app.rag.reader import prime_sentence_vectors

    services = ctx.services
    return prime_sentence_vectors(services.retriever().chunks, services.sentence_embedder)


def _profiles(run: Run, ctx: Context) -> None:
    """[6a] answers to new and repeated questions, [6b] a full ingestion."""
    from app.services import make_answerer
    from app.settings import Settings
    from bench import hotspots, workload
    from bench.common import bench_services, reset_caches

    plan, services, qs = ctx.plan, ctx.services, ctx.qs
    answerer = make_answerer(ctx.settings, services)
    run.part(
        "profile_answer",
        "[6a] Profile: answers to new questions (embedding caches emptied before each)",
        lambda: hotspots.profile(
            workload.answers(
                answerer, qs, plan.profile_passes, lambda: reset_caches(services, answerer)
            )
        ),
        lambda r: hotspots.report("answer, cold", r),
        "profile",
    )
    workload.answers(answerer, qs, 1)()  # fill the caches
    run.part(
        "profile_answer_warm",
        "[6a'] Profile: answers to repeated questions (caches full)",
        lambda: hotspots.profile(workload.answers(answerer, qs, 5 * plan.profile_passes)),
        lambda r: hotspots.report("answer, warm", r),
        "profile",
    )

    def profile_ingest() -> dict[str, Any]:
        where = ctx.tmp / "profile-ingest"
        fresh = bench_services(Settings(data_dir=where, corpus_dir=CORPUS), services)
        return hotspots.profile(workload.ingestion(fresh))

    run.part(
        "profile_ingest",
        "[6b] Profile: ingestion (full rebuild of the real corpus, empty caches)",
        profile_ingest,
        lambda r: hotspots.report("ingest", r),
        "profile",
    )


def _scale(run: Run, ctx: Context, ing: dict[str, Any] | None) -> None:
    """[2b] latency and [6d, 6e] profiles over a generated corpus of ``--chunks`` chunks."""
    from bench import hotspots, latency, synth, workload
    from bench.common import reset_caches

    chunks = ctx.plan.chunks if ctx.args.chunks is None else ctx.args.chunks
    if not chunks:
        return
    rates = {n: e["chunks_per_s"] for n, e in (ing or {}).get("embedders", {}).items()}
    vectors = (ing or {}).get("_vectors", {})
    scaled: dict[str, Any] = {}

    def scale() -> dict[str, Any]:
        scaled["services"], info = synth.generated_index(
            chunks, ctx.services, rates, vectors, regenerate=ctx.args.regenerate
        )
        # 100k chunks hold ~600k sentences: hours to precompute on 2 cores, so this
        # measures RUTA_PRECOMPUTE_SENTENCES=false, answers embedding as they go.
        got = latency.bench_latency(scaled["services"], ctx.qs, 1, 1, ctx.plan.tries, prime=False)
        return {**got, "index": info}

    title = f"[2b] Latency, generated corpus of {chunks} chunks (in process)"
    big = run.part("latency_generated", title, scale, synth.report, "scale")
    if big is None:
        return
    reset = lambda: reset_caches(scaled["services"], big["_answerer"])  # noqa: E731
    run.part(
        "profile_answer_generated",
        f"[6d] Profile: answers to new questions over {chunks} generated chunks",
        lambda: hotspots.profile(workload.answers(big["_answerer"], ctx.qs, 1, reset)),
        lambda r: hotspots.report("answer at scale, cold", r),
        "profile",
    )
    run.part(
        "profile_index_load_generated",
        f"[6e] Profile: loading the {chunks}-chunk index for serving (chunks, BM25, "
        "term statistics)",
        lambda: hotspots.profile(workload.index_load(scaled["services"])),
        lambda r: hotspots.report("index load at scale", r),
        "profile",
    )


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
