"""What every benchmark part shares: questions, percentiles, and a meter for the machine's noise."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from app.rag.answer import Answerer
from app.rag.types import Message
from app.services import Services
from app.settings import Settings
from index.embed import Embedder

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
DEVSET = ROOT.parent / "shared" / "evalsets" / "dev.jsonl"
# Other processes busy on more than this many cores make a figure "noisy" (the machine has 2).
NOISY_CORES = 0.3
_TICK = os.sysconf("SC_CLK_TCK")

T = TypeVar("T")
Question = tuple[str, tuple[Message, ...]]

FALLBACK_QUESTIONS: list[Question] = [
    (q, ())
    for q in (
        "Where does R4V post its monitoring data?",
        "What does EUROFRONT aim to strengthen?",
        "Which agencies co-chair the UN Regional Network on Migration for LAC?",
        "How many countries are covered by the joint IOM-UNDP Global Programme?",
        "What did the IECAH study conclude about current coordination mechanisms?",
        "¿Cuánto dinero aporta USAID al Fondo de Donaciones del BID?",
    )
]


def questions(path: Path = DEVSET) -> list[Question]:
    """The dev set's questions with their history (follow-ups); a fixed list if it is missing."""
    if not path.exists():
        return FALLBACK_QUESTIONS
    from eval.questions import load_items

    items, _ = load_items(path)
    return [(it.question, it.history) for it in items] or FALLBACK_QUESTIONS


class Resettable:
    """A loaded model behind the core's embedding cache, which ``reset`` empties.

    Ruta caches vectors in process (index.embed.CachedEmbedder): a question asked twice, or a
    passage seen before, costs no embedding. A benchmark that repeats questions would measure
    only the cache, so each part says whether it measures a fresh process (``reset`` first)
    or a warm one. Without a cache in the core this is the model itself.
    """

    def __init__(self, embedder: Embedder) -> None:
        if isinstance(embedder, Resettable):  # another cache over the same model
            self.raw, self._cached = embedder.raw, embedder._cached
        else:
            self.raw = getattr(embedder, "inner", embedder)  # the model, uncached
            self._cached = embedder is not self.raw
        self.name = embedder.name
        self.reset()

    def reset(self) -> None:
        from index import embed

        wrap = getattr(embed, "CachedEmbedder", None)
        self._current: Embedder = wrap(self.raw) if self._cached and wrap else self.raw

    passes_queries = True  # the core embeds ahead into the current cache (embed.embed_ahead)

    @property
    def inner(self) -> Embedder:
        return self._current

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._current.passages(texts)

    def queries(self, texts: list[str]) -> np.ndarray:
        return self._current.queries(texts)


def bench_services(settings: Settings, models: Services) -> Services:
    """Services over ``settings`` whose embedders are Resettable wrappers of ``models``' ones."""
    services = Services(settings)
    # Pre-filling the cached properties: the models load once per benchmark run.
    services.__dict__["embedder"] = Resettable(models.embedder)
    multi = models.multilingual_embedder
    services.__dict__["multilingual_embedder"] = None if multi is None else Resettable(multi)
    return services


def reset_caches(services: Services, *answerers: Answerer) -> None:
    """Empty the embedding caches and the ``answerers``' answers kept for repeated questions:
    the next question runs as in a freshly started process."""
    for emb in (services.embedder, services.multilingual_embedder):
        if isinstance(emb, Resettable):
            emb.reset()
    for answerer in answerers:
        if answerer.cache is not None:
            answerer.cache.clear()


def pct(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1) of a non-empty sequence."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def latency(ms: Sequence[float]) -> dict[str, float | int]:
    """p50/p95/max of millisecond samples, rounded for printing."""
    if not ms:
        return {"n": 0}
    return {
        "n": len(ms),
        "p50_ms": round(pct(ms, 0.5), 1),
        "p95_ms": round(pct(ms, 0.95), 1),
        "max_ms": round(max(ms), 1),
    }


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _busy_ticks() -> int:
    """CPU ticks the whole machine spent busy since boot (all cores, from /proc/stat)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return user + nice + system + irq + softirq + steal


def pid_seconds(pid: int) -> float:
    """CPU seconds of a live process we started (its threads included)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            parts = f.read().rsplit(")", 1)[1].split()
        return (int(parts[11]) + int(parts[12])) / _TICK
    except (OSError, IndexError, ValueError):
        return 0.0


def _own_seconds(pids: Sequence[int]) -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system + sum(map(pid_seconds, pids))


@dataclass
class Meter:
    """Wall time, load average and how many cores *other* processes kept busy meanwhile.

    ``others_cores`` is the machine's busy CPU time minus this process's (and the given child
    processes') CPU time, over the wall time: on a shared 2-core machine it says whether a figure
    was taken while someone else's tests ran, which the load average alone cannot tell apart
    from the benchmark's own threads.
    """

    pids: list[int] = field(default_factory=list)
    wall_s: float = 0.0
    others_cores: float = 0.0
    load_before: list[float] = field(default_factory=list)
    load_after: list[float] = field(default_factory=list)

    def __enter__(self) -> Meter:
        self.load_before = loadavg()
        self._t = time.perf_counter()
        self._busy = _busy_ticks()
        self._own = _own_seconds(self.pids)
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall_s = time.perf_counter() - self._t
        busy = (_busy_ticks() - self._busy) / _TICK
        own = _own_seconds(self.pids) - self._own
        self.others_cores = max(0.0, (busy - own) / max(self.wall_s, 1e-6))
        self.load_after = loadavg()

    @property
    def noisy(self) -> bool:
        return self.others_cores > NOISY_CORES

    def record(self) -> dict[str, Any]:
        return {
            "loadavg_before": self.load_before,
            "loadavg_after": self.load_after,
            "others_cores": round(self.others_cores, 2),
        }


def measured(
    fn: Callable[[], T],
    tries: int = 2,
    pids: Sequence[int] = (),
    log: Callable[[str], None] = print,
) -> tuple[T, dict[str, Any]]:
    """Run ``fn`` under a Meter; rerun it (up to ``tries`` runs) while others load the machine.

    Returns the quietest run's result and its machine record (with ``runs`` and ``noisy``).
    """
    best: tuple[T, Meter] | None = None
    for attempt in range(1, tries + 1):
        with Meter(list(pids)) as m:
            result = fn()
        if best is None or m.others_cores < best[1].others_cores:
            best = (result, m)
        if not m.noisy:
            break
        if attempt < tries:
            log(f"    (other processes used {m.others_cores:.2f} cores; measuring again)")
    assert best is not None
    result, m = best
    return result, {**m.record(), "runs": attempt, "noisy": m.noisy}


def machine_note(rec: dict[str, Any]) -> str:
    """One line describing the machine's state during a figure."""
    la = rec.get("loadavg_after") or rec.get("loadavg_before") or []
    note = f"load {la[0] if la else '?'}, others {rec.get('others_cores', '?')} cores"
    if rec.get("runs", 1) > 1:
        note += f", {rec['runs']} runs"
    return note + (" — NOISY" if rec.get("noisy") else "")
