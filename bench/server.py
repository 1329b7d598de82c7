"""`ruta serve` in a subprocess: cold start to a 200 from /healthz, and its resident memory."""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench import hotspots
from bench.common import ROOT, Meter, Question, machine_note, pid_seconds
from bench.load import run_load

READY_TIMEOUT_S = 300.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process in MiB, from /proc/PID/status."""
    out: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) // 1024  # kB -> MiB
    except OSError:
        pass
    return out


@dataclass
class Server:
    """A running `ruta serve` we started; ``ready_s`` is launch to the first 200 on /healthz."""

    proc: subprocess.Popen[bytes]
    url: str
    ready_s: float = 0.0
    port_open_s: float = 0.0
    machine: dict[str, Any] = field(default_factory=dict)
    profile: dict[str, Any] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def memory(self) -> dict[str, int]:
        return proc_status(self.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # uvicorn's graceful shutdown
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _command() -> list[str]:
    ruta = Path(sys.executable).parent / "ruta"  # the console script `make run` uses
    return [str(ruta), "serve"] if ruta.exists() else [sys.executable, "-m", "app.cli", "serve"]


def start(data_dir: Path, corpus_dir: Path, log_file: Path, spy: bool = False) -> Server:
    """Start `ruta serve` on a free 127.0.0.1 port (rate limit off) and wait until it is ready.

    ``spy``: sample the start-up with py-spy (non-blocking, so it barely slows it) into
    ``Server.profile``. The caller stops the server (``Server.stop``); a failed start stops here.
    """
    port = free_port()
    env = {
        **os.environ,
        "RUTA_DATA_DIR": str(data_dir),
        "RUTA_CORPUS_DIR": str(corpus_dir),
        "RUTA_HOST": "127.0.0.1",
        "RUTA_PORT": str(port),
        "RUTA_RATE_LIMIT_PER_MINUTE": "0",
        "RUTA_LLM": "extractive",
    }
    with Meter() as meter, open(log_file, "wb") as log:
        t0 = time.perf_counter()
        proc = subprocess.Popen(_command(), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        meter.pids.append(proc.pid)
        server = Server(proc, f"http://127.0.0.1:{port}")
        exe = hotspots.py_spy() if spy else None
        sampler = (
            hotspots.Sampler(exe, proc.pid, log_file.with_suffix(".spy"), True) if exe else None
        )
        try:
            _wait_ready(server, t0, log_file)
            if sampler is not None:
                server.profile = {
                    "tool": f"py-spy {hotspots.RATE_HZ} Hz, non-blocking",
                    **hotspots.summarise(sampler.stop()),
                    "part_s": round(server.ready_s, 1),
                }
        except BaseException:
            server.stop()
            raise
    server.machine = meter.record()
    return server


def _wait_ready(server: Server, t0: float, log_file: Path) -> None:
    """Poll until the port accepts connections, then until /healthz answers 200 (it waits for
    the index and models to load)."""
    port = int(server.url.rsplit(":", 1)[1])
    with httpx.Client(timeout=READY_TIMEOUT_S) as client:
        while True:
            if server.proc.poll() is not None:
                tail = log_file.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"ruta serve exited with {server.proc.returncode}:\n{tail}")
            if time.perf_counter() - t0 > READY_TIMEOUT_S:
                raise RuntimeError(f"ruta serve not ready after {READY_TIMEOUT_S:.0f} s")
            try:
                if not server.port_open_s:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    server.port_open_s = time.perf_counter() - t0
                r = client.get(f"{server.url}/healthz")
            except (OSError, httpx.TransportError):
                time.sleep(0.05)
                continue
            if r.status_code == 200:
                server.ready_s = time.perf_counter() - t0
                return
            time.sleep(0.05)


def first_answer(server: Server, question: str) -> dict[str, Any]:
    """The first /api/ask after ready: it also builds the Answerer (term statistics)."""
    t = time.perf_counter()
    r = httpx.post(f"{server.url}/api/ask", json={"question": question}, timeout=300)
    return {"status": r.status_code, "seconds": round(time.perf_counter() - t, 2)}


def bench_server(
    data_dir: Path,
    corpus_dir: Path,
    qs: Sequence[Question],
    *,
    users: int,
    seconds: float,
    launches: int,
    tries: int,
    log_dir: Path,
    spy: bool = False,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Cold start over ``launches`` launches; the last one then serves the load test (run
    again on a new launch, up to ``tries`` in all, while other processes load the machine).

    ``spy``: one more launch first, profiled and not counted (it also warms the disk cache, so
    the counted launches are restarts on a running machine). Returns (cold start and memory
    figures, load test figures).
    """
    ready, port_open, machine = [], [], []
    start_profile: dict[str, Any] = {}

    def launch(spied: bool = False) -> Server:
        server = start(data_dir, corpus_dir, log_dir / f"serve-{len(ready) + 1}.log", spied)
        if not spied:
            ready.append(server.ready_s)
            port_open.append(server.port_open_s)
            machine.append(server.machine)
        return server

    if spy:
        server = launch(spied=True)
        server.stop()
        start_profile = server.profile
    for _ in range(launches - 1):
        launch().stop()
    best: tuple[dict[str, Any], dict[str, Any], Meter] | None = None
    runs = 0
    while runs < tries:  # a noisy load test is run again, on a fresh server
        runs += 1
        server = launch()
        try:
            cold: dict[str, Any] = {"rss_ready_mib": server.memory().get("VmRSS")}
            cold["first_answer"] = first_answer(server, qs[0][0])
            cold["rss_first_answer_mib"] = server.memory().get("VmRSS")
            cpu = pid_seconds(server.pid)
            with Meter([server.pid]) as m:
                load = run_load(server.url, qs, users, seconds)
            load["part_s"] = round(m.wall_s, 1)
            load["server_cpu_cores"] = round((pid_seconds(server.pid) - cpu) / m.wall_s, 2)
            mem = server.memory()
            cold["rss_after_load_mib"] = mem.get("VmRSS")
            cold["rss_peak_mib"] = mem.get("VmHWM")
        finally:
            server.stop()
        if best is None or m.others_cores < best[2].others_cores:
            best = (cold, load, m)
        if not m.noisy:
            break
    assert best is not None
    cold, load, m = best
    load["machine"] = {**m.record(), "runs": runs, "noisy": m.noisy}
    cold.update(
        launches=len(ready),
        ready_s=round(statistics.median(ready), 2),
        ready_each_s=[round(x, 2) for x in ready],
        port_open_s=round(statistics.median(port_open), 2),
        machine=machine,
        _profile=start_profile,
    )
    return cold, load


def report(r: dict[str, Any]) -> list[str]:
    lines = [
        f"  served index: sentence vectors as `ruta ingest` leaves them "
        f"({r.get('sentences_primed', 0)} embedded for it before the launch)",
        f"  launches: {r['launches']}; ready (200 on /healthz) p50 {r['ready_s']:.2f} s "
        f"(each: {', '.join(f'{x:.2f}' for x in r['ready_each_s'])}); "
        f"port accepting connections after {r['port_open_s']:.2f} s",
        f"  first /api/ask after ready: {r['first_answer']['seconds']} s "
        f"(status {r['first_answer']['status']})",
        f"  RSS when ready {r['rss_ready_mib']} MiB; after the first answer "
        f"{r['rss_first_answer_mib']} MiB",
    ]
    lines += [f"  launch {i + 1}: {machine_note(m)}" for i, m in enumerate(r["machine"])]
    if "rss_after_load_mib" in r:
        lines.append(
            f"  RSS after the load test {r['rss_after_load_mib']} MiB (peak VmHWM "
            f"{r['rss_peak_mib']} MiB)"
        )
    return lines
