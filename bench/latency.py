"""Latency of retrieval alone and of a whole extractive answer, in process, over the dev questions.

Two regimes, because Ruta caches embeddings and answers in process: *cold* empties the caches
before each call (a question whose passages were never embedded: a fresh server, or any question
on a large corpus), *warm* asks the same questions again (every vector cached; a whole answer is
then the one kept for the question, RUTA_ANSWER_CACHE, while retrieval alone still searches).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from app.rag.answer import prepare
from app.rag.reader import prime_sentence_vectors
from app.services import Services, make_answerer
from bench.common import Question, latency, machine_note, measured, reset_caches
from index.lemmas import read_dictionaries


def bench_latency(
    services: Services,
    qs: Sequence[Question],
    cold_passes: int,
    warm_passes: int,
    tries: int,
    prime: bool = True,
) -> dict[str, Any]:
    """Rounds over the questions; each round is rerun when the machine was busy. ``prime``:
    embed every sentence first, as `ruta ingest` does by default (RUTA_PRECOMPUTE_SENTENCES);
    without it, answers embed each sentence they score (never seen before: no disk file)."""
    t = time.perf_counter()
    retriever = services.retriever()
    retriever_s = time.perf_counter() - t
    t = time.perf_counter()
    answerer = make_answerer(services.settings, services)
    answerer_s = time.perf_counter() - t
    t = time.perf_counter()
    primed = prime_sentence_vectors(retriever.chunks, services.sentence_embedder) if prime else 0
    prime_s = time.perf_counter() - t
    if not prime:
        answerer.embedder = services.sentence_embedder.inner
    k, limit = services.settings.top_k, services.settings.max_question_chars
    for q, history in qs[:3]:  # warm-up: lazy imports, first-call allocations
        answerer.answer(q, history)
    # and what `ruta serve` reads before it reports ready (RUTA_WARM_LANGUAGES): a fresh server's
    # first Spanish question does not read the Spanish dictionary
    read_dictionaries(services.settings.warm_language_list)

    def one_pass(cold: bool) -> dict[str, list[float]]:
        out: dict[str, list[float]] = {"retrieval": [], "answer": [], "compose": []}
        for q, history in qs:
            if cold:
                reset_caches(services, answerer)
            t0 = time.perf_counter()
            retriever.search(prepare(q, history, limit)[1][0], k)  # the query answers run first
            out["retrieval"].append((time.perf_counter() - t0) * 1000)
            if cold:
                reset_caches(services, answerer)
            t0 = time.perf_counter()
            ans = answerer.answer(q, history)
            out["answer"].append((time.perf_counter() - t0) * 1000)
            out["compose"].append(ans.timings_ms.get("answer", 0.0))
        return out

    result: dict[str, Any] = {
        "chunks": len(retriever.chunks),
        "questions": len(qs),
        "retriever_load_s": round(retriever_s, 2),
        "answerer_setup_s": round(answerer_s, 2),
        "sentences_precomputed": prime,
        "sentences_primed": primed,
        "prime_s": round(prime_s, 2),
    }
    for regime, passes in (("cold", cold_passes), ("warm", warm_passes)):
        samples: dict[str, list[float]] = {"retrieval": [], "answer": [], "compose": []}
        machine = []
        if regime == "warm" and passes:
            one_pass(cold=False)  # every question once, so that the measured passes repeat it
        for _ in range(passes):
            got, rec = measured(lambda cold=regime == "cold": one_pass(cold), tries)
            for key, values in got.items():
                samples[key] += values
            machine.append(rec)
        result[regime] = {
            "passes": passes,
            "retrieval": latency(samples["retrieval"]),
            "answer": latency(samples["answer"]),
            "compose": latency(samples["compose"]),  # the answer step after retrieval
            "machine": machine,
        }
    reset_caches(services, answerer)
    return {**result, "_answerer": answerer}  # reused by the profile; not written to results


def report(r: dict[str, Any]) -> list[str]:
    def row(label: str, s: dict[str, Any]) -> str:
        if not s.get("n"):
            return f"  {label:<42} (not measured)"
        return f"  {label:<42} p50 {s['p50_ms']:8.1f} ms  p95 {s['p95_ms']:8.1f} ms  (n={s['n']})"

    lines = [
        f"  {r['chunks']} chunks, {r['questions']} questions; retriever ready in "
        f"{r['retriever_load_s']} s, answerer (term statistics) in {r['answerer_setup_s']} s",
        (
            f"  sentence vectors precomputed as `ruta ingest` does: {r['sentences_primed']} "
            f"new in {r['prime_s']} s"
            if r.get("sentences_precomputed")
            else "  sentence vectors not precomputed (RUTA_PRECOMPUTE_SENTENCES=false)"
        ),
    ]
    for regime, label in (
        ("cold", "new question, fresh process (memory caches empty)"),
        ("warm", "repeated question"),
    ):
        x = r[regime]
        if not x["passes"]:
            continue
        lines += [
            f"  {label} ({x['passes']} pass{'es' if x['passes'] > 1 else ''}):",
            row("  retrieval (search)", x["retrieval"]),
            row("  whole extractive answer", x["answer"]),
            row("    of which the answer step after retrieval", x["compose"]),
        ]
        lines += [f"    pass {i + 1}: {machine_note(m)}" for i, m in enumerate(x["machine"])]
    return lines
