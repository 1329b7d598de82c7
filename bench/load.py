"""Simulated users asking the dev questions over POST /api/ask for a bounded time.

The users share one aiohttp session: the load generator runs on the server's machine, and
httpx's client spent ~5 ms of CPU an answer there (aiohttp ~0.6 ms), twice the server's own
~2.4 ms, so the figure measured the client more than the server."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

import aiohttp

from bench.common import Question, latency, machine_note

REQUEST_TIMEOUT_S = 180.0


async def _user(
    client: aiohttp.ClientSession,
    url: str,
    qs: Sequence[Question],
    first: int,
    deadline: float,
    out: list[tuple[float, float, float, str, int]],
    texts: dict[int, list[str]],
) -> None:
    """Ask questions one after another (starting at ``first``) until the deadline passes.
    Each user has an address of its own (X-Forwarded-For, trusted from 127.0.0.1), as 20
    people would: the server's fair share per client applies to each, not to all 20."""
    headers = {"X-Forwarded-For": f"10.1.{first // 250}.{first % 250 + 1}"}
    i = first
    while time.perf_counter() < deadline:
        question, history = qs[i % len(qs)]
        body = {
            "question": question,
            "history": [{"role": m.role, "content": m.content} for m in history],
        }
        t = time.perf_counter()
        try:
            async with client.post(url, json=body, headers=headers) as r:
                got = await r.json(content_type=None) if r.status == 200 else {}
            outcome = "ok" if r.status == 200 and "answer" in got else str(r.status)
            if outcome == "ok":
                texts.setdefault(i % len(qs), []).append(got["answer"])
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            outcome = type(exc).__name__
        done = time.perf_counter()
        out.append((t, done, (done - t) * 1000, outcome, i % len(qs)))
        i += 1


async def _run(base_url: str, qs: Sequence[Question], users: int, seconds: float) -> dict:
    out: list[tuple[float, float, float, str, int]] = []  # start, end, ms, outcome, question
    texts: dict[int, list[str]] = {}  # question -> every answer it got
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    connector = aiohttp.TCPConnector(limit=users)  # one kept-alive connection per user
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as client:
        start = time.perf_counter()
        deadline = start + seconds
        step = max(1, len(qs) // users)
        await asyncio.gather(
            *(
                _user(client, f"{base_url}/api/ask", qs, u * step, deadline, out, texts)
                for u in range(users)
            )
        )
        end = time.perf_counter()
    ok_ms = [ms for _, _, ms, what, _ in out if what == "ok"]
    errors = Counter(what for _, _, _, what, _ in out if what != "ok")
    in_window = sum(1 for _, done, _, what, _ in out if what == "ok" and done <= deadline)
    # The server caches embeddings: the first ask of a question embeds its passages' sentences,
    # a repeat embeds nothing. Both regimes are reported; the mix depends on the duration.
    first: dict[int, float] = {}
    for _, _, ms, what, q in sorted(out):
        if what == "ok":
            first.setdefault(q, ms)
    repeats = list(ok_ms)
    for ms in first.values():
        repeats.remove(ms)
    return {
        "users": users,
        "seconds": seconds,
        "drain_s": round(end - deadline, 1),  # requests in flight at the deadline still finish
        "requests": len(out),
        "ok": len(ok_ms),
        "errors": dict(errors),
        "latency": latency(ok_ms),
        "latency_first_ask": latency(list(first.values())),
        "latency_repeat": latency(repeats),
        "throughput_rps": round(len(ok_ms) / (end - start), 3),
        "throughput_in_window_rps": round(in_window / seconds, 3),
        # The extractive answer is deterministic: two different answers to the same question
        # under concurrency would mean shared state is not thread-safe.
        "questions_answered_more_than_once": sum(1 for v in texts.values() if len(v) > 1),
        "questions_with_differing_answers": sum(1 for v in texts.values() if len(set(v)) > 1),
    }


def run_load(base_url: str, qs: Sequence[Question], users: int, seconds: float) -> dict[str, Any]:
    """``users`` concurrent users for ``seconds``; each waits for its answer before asking again."""
    return asyncio.run(_run(base_url, qs, users, seconds))


def report(r: dict[str, Any]) -> list[str]:
    lat = r["latency"]
    errors = ", ".join(f"{k}: {v}" for k, v in r["errors"].items()) or "none"
    return [
        f"  {r['users']} users for {r['seconds']:.0f} s (+{r['drain_s']} s to finish what was in "
        f"flight): {r['requests']} requests, {r['ok']} answered, errors {errors}",
        f"  latency p50 {lat.get('p50_ms', 0) / 1000:.2f} s  p95 {lat.get('p95_ms', 0) / 1000:.2f} s"
        f"  max {lat.get('max_ms', 0) / 1000:.2f} s",
        f"    first ask of a question: {_seconds(r['latency_first_ask'])}",
        f"    repeated question:       {_seconds(r['latency_repeat'])}",
        f"  throughput {r['throughput_rps']:.2f} answers/s ({r['throughput_in_window_rps']:.2f}/s "
        f"within the window); {machine_note(r['machine'])}",
        f"  server CPU {r['server_cpu_cores']:.2f} cores during the test; "
        f"{r['questions_with_differing_answers']} of {r['questions_answered_more_than_once']} "
        "questions asked more than once got differing answers (goal 0)",
    ]


def _seconds(lat: dict[str, Any]) -> str:
    if not lat.get("n"):
        return "none"
    return f"p50 {lat['p50_ms'] / 1000:.2f} s  p95 {lat['p95_ms'] / 1000:.2f} s  (n={lat['n']})"
