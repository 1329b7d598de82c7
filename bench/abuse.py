"""The history-abuse case of issue 15: a short follow-up ("and it?") after one huge user turn,
answered in process, beside the same follow-up after a normal turn. Before the history cap and
the embedder truncation, 20 KB took 38 s and 200 KB kept a core busy for ~8 minutes."""

from __future__ import annotations

import time
from typing import Any

from app.rag.types import Message
from app.services import Services, make_answerer
from bench.common import latency, machine_note, measured, reset_caches

FOLLOW_UP = "and it?"
TURN = "The platform coordinates the response for refugees and migrants in the region. "
SIZES = {"normal": len(TURN), "20 KB": 20_000, "200 KB": 200_000}


def bench_abuse(services: Services, reps: int = 3, tries: int = 2) -> dict[str, Any]:
    """Milliseconds to answer the follow-up after a previous turn of each size (caches emptied
    before each answer, so nothing is remembered from the previous rep)."""
    answerer = make_answerer(services.settings, services)
    answerer.answer("warm up", [])
    result: dict[str, Any] = {"reps": reps, "budget_s": services.settings.request_timeout_s}
    for label, size in SIZES.items():
        history = [Message("user", (TURN * (size // len(TURN) + 1))[:size])]

        def one(history: list[Message] = history) -> list[float]:
            out = []
            for _ in range(reps):
                reset_caches(services, answerer)
                t = time.perf_counter()
                answerer.answer(FOLLOW_UP, history)
                out.append((time.perf_counter() - t) * 1000)
            return out

        got, machine = measured(one, tries)
        result[label] = {"chars": size, **latency(got), "machine": machine}
    return result


def report(r: dict[str, Any]) -> list[str]:
    lines = []
    for label in SIZES:
        x = r[label]
        lines.append(
            f"  follow-up after a {label:>6} turn ({x['chars']:>7} chars): p50 "
            f"{x['p50_ms']:8.1f} ms  max {x['max_ms']:8.1f} ms  (n={x['n']}) "
            f"{machine_note(x['machine'])}"
        )
    lines.append(f"  (the time budget of one answer is {r['budget_s']:g} s)")
    return lines
