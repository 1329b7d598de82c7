"""Issue 24's staying-power figures on a served `ruta serve`: a short page question behind 8
long ones from another client, 50 maximum-cost requests at once, and SIGTERM under that load."""

from __future__ import annotations

import signal
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from bench.common import CORPUS, Question
from bench.server import start

# Short questions of the same cost, each asked once: answers are kept for a repeated question
# (RUTA_ANSWER_CACHE), so a repeat would measure the queue only, not the answer's work.
SHORTS = (
    "Where does R4V post its monitoring data?",
    "Where can R4V's monitoring figures be found?",
    "Where are the R4V platform's monitoring results published?",
    "Where does the R4V platform publish its monitoring data?",
)
WARM_UP = "Who leads R4V?"
LONGS = 8
BURST = 50


def _long_text(chars: int, seed: int) -> str:
    """A question as long as RUTA_MAX_QUESTION_CHARS allows, from the corpus's own sentences."""
    words = (CORPUS / "k4dd-donor-activity-migration-lac.txt").read_text(errors="replace").split()
    start = (seed * 97) % max(1, len(words) - 600)
    text = " ".join(words[start : start + 600])[: chars - 1].rsplit(" ", 1)[0]
    return text + "?"


def _page_ask(url: str, question: str, client: str) -> tuple[float, str]:
    """One question through the page's Gradio queue (gradio_client), as ``client``."""
    from gradio_client import Client

    c = Client(url, verbose=False, headers={"X-Forwarded-For": client})
    t = time.perf_counter()
    try:
        c.predict(question=question, history=[], api_name="/ask")
        outcome = "ok"
    except Exception as exc:  # a 503-like refusal comes back as a Gradio error
        outcome = type(exc).__name__
    return time.perf_counter() - t, outcome


def short_behind_long(url: str, max_chars: int) -> dict[str, Any]:
    alone = [_page_ask(url, q, "10.0.0.1")[0] for q in SHORTS[:-1]]
    with ThreadPoolExecutor(LONGS + 1) as pool:
        longs = [
            pool.submit(_page_ask, url, _long_text(max_chars, i), "10.0.0.2") for i in range(LONGS)
        ]
        time.sleep(0.5)  # the long ones are queued or running first
        behind, outcome = pool.submit(_page_ask, url, SHORTS[-1], "10.0.0.1").result()
        long_results = [f.result() for f in longs]
    base = statistics.median(alone)
    return {
        "short_alone_s": round(base, 3),
        "short_behind_s": round(behind, 3),
        "short_outcome": outcome,
        "ratio": round(behind / base, 2),
        "long_s_p50": round(statistics.median(t for t, _ in long_results), 2),
        "long_outcomes": dict(Counter(o for _, o in long_results)),
    }


def _max_cost_body(max_chars: int, i: int) -> dict[str, Any]:
    turns = [
        {"role": "user" if k % 2 == 0 else "assistant", "content": _long_text(max_chars, i + k)}
        for k in range(6)
    ]
    return {"question": _long_text(max_chars, i + 7), "history": turns}


def _post(url: str, body: dict[str, Any]) -> tuple[float, int]:
    t = time.perf_counter()
    try:
        status = httpx.post(f"{url}/api/ask", json=body, timeout=180).status_code
    except httpx.HTTPError:
        status = 0  # the connection closed: the server stopped
    return time.perf_counter() - t, status


def burst(url: str, max_chars: int) -> dict[str, Any]:
    bodies = [_max_cost_body(max_chars, i) for i in range(BURST)]
    t = time.perf_counter()
    with ThreadPoolExecutor(BURST) as pool:
        got = list(pool.map(lambda b: _post(url, b), bodies))
    wall = time.perf_counter() - t
    by = Counter(s for _, s in got)
    busy = [s for s, st in got if st == 503]
    ok = [s for s, st in got if st == 200]
    return {
        "requests": BURST,
        "statuses": {str(k): v for k, v in sorted(by.items())},
        "wall_s": round(wall, 2),
        "ok_p50_s": round(statistics.median(ok), 2) if ok else None,
        "ok_max_s": round(max(ok), 2) if ok else None,
        "busy_p50_s": round(statistics.median(busy), 2) if busy else None,
        "busy_max_s": round(max(busy), 2) if busy else None,
    }


def bench_saturation(data_dir: Path, qs: Sequence[Question], log_dir: Path) -> dict[str, Any]:
    from app.settings import Settings

    max_chars = Settings().max_question_chars
    out: dict[str, Any] = {}
    server = start(data_dir, CORPUS, log_dir / "serve-saturation.log")
    try:
        httpx.post(f"{server.url}/api/ask", json={"question": WARM_UP}, timeout=300)
        out["short_behind_long"] = short_behind_long(server.url, max_chars)
        out["burst"] = burst(server.url, max_chars)
        # SIGTERM while the same burst is being answered.
        with ThreadPoolExecutor(BURST) as pool:
            bodies = [_max_cost_body(max_chars, i) for i in range(BURST)]
            futures = [pool.submit(_post, server.url, b) for b in bodies]
            time.sleep(1.0)
            t = time.perf_counter()
            server.proc.send_signal(signal.SIGTERM)
            code = server.proc.wait(timeout=120)
            exit_s = time.perf_counter() - t
            statuses = Counter(f.result()[1] for f in futures)
        out["sigterm"] = {
            "exit_s": round(exit_s, 2),
            "exit_code": code,
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
        }
    finally:
        server.stop()
    return out


def report(r: dict[str, Any]) -> list[str]:
    s, b, t = r["short_behind_long"], r["burst"], r["sigterm"]
    return [
        f"  short page question alone {s['short_alone_s']:.2f} s; behind {LONGS} long page "
        f"questions from another client {s['short_behind_s']:.2f} s ({s['short_outcome']}): "
        f"{s['ratio']:.1f}x (goal <= 3x); the long ones p50 {s['long_s_p50']:.2f} s "
        f"{s['long_outcomes']}",
        f"  {b['requests']} maximum-cost /api/ask at once: statuses {b['statuses']} (goal: no "
        f"504); answered p50 {b['ok_p50_s']} s max {b['ok_max_s']} s; 503 p50 "
        f"{b['busy_p50_s']} s max {b['busy_max_s']} s; all done in {b['wall_s']} s",
        f"  SIGTERM during that burst: exited in {t['exit_s']:.2f} s with code {t['exit_code']} "
        f"(goal <= 10 s); the requests got {t['statuses']} (0 = connection closed)",
    ]
