"""Tests for the LLM backends: one contract for all of them, and their failures on real servers."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from app.rag.errors import LLMUnavailable
from app.rag.llms import LLM, make_llm
from app.rag.llms.llamacpp import LlamaCppLLM
from app.rag.llms.openai_compat import OpenAICompatLLM
from app.rag.llms.smollm2 import bundled_gguf
from app.rag.types import Message
from app.settings import Settings

PROMPT = [
    Message("system", "Answer using the numbered sources."),
    Message(
        "user",
        "Sources:\n[1] R4V is the Interagency Coordination Platform for Refugees and Migrants."
        "\n\nQuestion: What is R4V?",
    ),
]
MAX_TOKENS = 32  # enough for a few pieces; keeps the 135M model's turns well under a second
# One thread for the model, in-process and in the server: test machines are small and shared,
# and two ggml threads on a contended core pair spin at their barriers (5-30x slower here).
THREADS = 1


def _openai(base_url: str, timeout_s: float = 10.0) -> OpenAICompatLLM:
    return OpenAICompatLLM(
        base_url=base_url,
        model="local",
        api_key="not-needed",
        timeout_s=timeout_s,
        max_tokens=MAX_TOKENS,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- real backends -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def llamacpp_llm() -> LlamaCppLLM:
    pytest.importorskip(
        "llama_cpp", reason="llama-cpp-python not installed (pip install 'ruta[llamacpp]')"
    )
    return LlamaCppLLM(model_path="", max_tokens=MAX_TOKENS, timeout_s=60.0, n_threads=THREADS)


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``python -m llama_cpp.server`` with the bundled SmolLM2; yields its /v1 base URL."""
    pytest.importorskip("llama_cpp.server", reason="llama-cpp-python[server] not installed")
    port = _free_port()
    log = tmp_path_factory.mktemp("llama_server") / "server.log"
    flags = f"--host 127.0.0.1 --port {port} --n_ctx 2048"
    # the same threads and template as the in-process backend, so the two compare
    flags += f" --n_threads {THREADS} --chat_format chatml"
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(bundled_gguf())]
    command += flags.split()
    with log.open("wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited with {proc.returncode}:\n{log.read_text()}")
            try:
                if httpx.get(f"{base}/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass  # not listening yet
            if time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server did not start within 60 s:\n{log.read_text()}")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def transformers_llm(tiny_hf_model: Path):
    from app.rag.llms.transformers_local import TransformersLLM

    return TransformersLLM(str(tiny_hf_model), max_tokens=MAX_TOKENS, timeout_s=60.0)


@pytest.fixture(
    params=[
        pytest.param("llamacpp", marks=pytest.mark.llamacpp),
        # the OpenAI-compatible server under test is llama.cpp's own, so it needs the extra too
        pytest.param("openai", marks=pytest.mark.llamacpp),
        "transformers",
    ]
)
def backend(request: pytest.FixtureRequest) -> LLM:
    if request.param == "llamacpp":
        return request.getfixturevalue("llamacpp_llm")
    if request.param == "transformers":
        return request.getfixturevalue("transformers_llm")
    return _openai(request.getfixturevalue("llama_server"), timeout_s=60.0)


def test_backend_streams_a_reply_in_pieces(backend: LLM) -> None:
    pieces = list(backend.stream(PROMPT))

    assert all(isinstance(p, str) and p for p in pieces)
    assert len(pieces) >= 2, pieces  # streamed, not handed over in one block
    assert "".join(pieces).strip()


@pytest.mark.llamacpp
def test_llamacpp_times_out_between_tokens(
    llamacpp_llm: LlamaCppLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(llamacpp_llm, "timeout_s", 1e-6)  # reuse the loaded model

    with pytest.raises(LLMUnavailable, match="time-out"):
        list(llamacpp_llm.stream(PROMPT))
    monkeypatch.undo()
    assert "".join(llamacpp_llm.stream(PROMPT)).strip()  # the lock was released; still usable


def test_transformers_times_out_and_recovers(transformers_llm, monkeypatch) -> None:
    monkeypatch.setattr(transformers_llm, "timeout_s", 1e-6)
    with pytest.raises(LLMUnavailable, match="time-out|no token"):
        list(transformers_llm.stream(PROMPT))
    monkeypatch.undo()
    assert "".join(transformers_llm.stream(PROMPT)).strip()  # the lock was released


def test_transformers_says_what_is_missing(tmp_path: Path) -> None:
    from app.rag.llms.transformers_local import TransformersLLM

    with pytest.raises(LLMUnavailable, match="RUTA_TRANSFORMERS_MODEL_PATH"):
        TransformersLLM("")
    llm = TransformersLLM(str(tmp_path), max_tokens=MAX_TOKENS, timeout_s=5.0)
    with pytest.raises(LLMUnavailable, match="no config.json"):
        list(llm.stream(PROMPT))


@pytest.mark.llamacpp
def test_llamacpp_names_a_missing_model_file(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python not installed")
    missing = tmp_path / "nope.gguf"
    llm = LlamaCppLLM(model_path=str(missing), max_tokens=MAX_TOKENS, timeout_s=5.0)

    with pytest.raises(LLMUnavailable, match="nope.gguf does not exist"):
        list(llm.stream(PROMPT))


def test_make_llm_builds_each_backend(tmp_path: Path) -> None:
    openai = make_llm(Settings(data_dir=tmp_path, llm="openai", openai_base_url="http://h:1/v1/"))
    llamacpp = make_llm(Settings(data_dir=tmp_path, llm="llamacpp"))

    assert isinstance(openai, OpenAICompatLLM) and openai.base_url == "http://h:1/v1"
    assert isinstance(llamacpp, LlamaCppLLM) and llamacpp.model_path == bundled_gguf()
    assert make_llm(Settings(data_dir=tmp_path, llm="extractive")) is None
    hf = make_llm(Settings(data_dir=tmp_path, llm="transformers", transformers_model_path="/m"))
    assert hf is not None and hf.name == "transformers"


# --- the OpenAI client against servers that misbehave ----------------------------------------


class _Misbehaving(BaseHTTPRequestHandler):
    """Answers /<mode>/v1/chat/completions the way a broken or overloaded server would."""

    release = threading.Event()  # set at teardown so a sleeping handler does not outlive the test

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        mode = self.path.split("/")[1]
        if mode == "slow":
            self.release.wait(3)
            status, kind, body = 200, "text/event-stream", b"data: [DONE]\n\n"
        elif mode == "garbage":
            status, kind, body = 200, "text/plain", b"not json at all"
        elif mode == "error":
            status, kind, body = 500, "text/plain", b"model exploded"
        else:  # "empty": a well-formed stream with no content in it
            status, kind = 200, "text/event-stream"
            body = b'data: {"choices":[{"delta":{"role":"assistant"}}]}\n\ndata: [DONE]\n\n'
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up first, which is the point of the slow mode

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep pytest output readable


@pytest.fixture(scope="module")
def bad_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Misbehaving)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        _Misbehaving.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_openai_unreachable_server_fails_fast() -> None:
    # A bound socket that never listens: connections are refused and no one else takes the port.
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{held.getsockname()[1]}/v1"
        started = time.monotonic()
        with pytest.raises(LLMUnavailable, match="cannot be reached") as info:
            list(_openai(base).stream(PROMPT))
    assert time.monotonic() - started < 5  # refused, not waited out
    assert base in str(info.value) and "RUTA_LLM=extractive" in str(info.value)


def test_openai_slow_server_times_out(bad_server: str) -> None:
    with pytest.raises(LLMUnavailable, match="time-out"):
        list(_openai(f"{bad_server}/slow/v1", timeout_s=0.5).stream(PROMPT))


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("garbage", "did not send an event stream.*not json at all"),
        ("error", "HTTP 500: model exploded"),
        ("empty", "returned an empty reply"),
    ],
)
def test_openai_bad_replies_raise(bad_server: str, mode: str, expected: str) -> None:
    with pytest.raises(LLMUnavailable, match=expected):
        list(_openai(f"{bad_server}/{mode}/v1").stream(PROMPT))
