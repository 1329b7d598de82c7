"""An OpenAI-compatible LLM that is down, slow, stalls or sends garbage: Ruta still answers.

The LLM here is a real HTTP server on 127.0.0.1 that misbehaves; nothing in it writes an answer,
so every answer checked below is Ruta's own extractive fallback over the real index.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from app.services import Services, make_answerer

QUESTIONS = [
    "Where does R4V post its monitoring data?",
    "What does EUROFRONT aim to strengthen?",
    "What does UNDP encourage?",
]
TIMEOUT_S = 0.5  # RUTA_LLM_TIMEOUT_S for these tests; the slow modes wait far longer


class _BadLLM(BaseHTTPRequestHandler):
    """/v1/chat/completions as a broken server does it; ``mode`` says how."""

    mode = "garbage"
    release = threading.Event()  # set at teardown: no handler thread outlives the module

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            if self.mode == "slow":  # accepts the request, then says nothing at all
                self.release.wait(20)
                return
            if self.mode == "stall":  # starts a stream, sends a few words, then goes quiet
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                self.wfile.write(b'data: {"choices":[{"delta":{"content":"R4V posts"}}]}\n\n')
                self.wfile.flush()
                self.release.wait(20)
                return
            body = b"\x00\xff<html><body>502 Bad Gateway</body></html>\n{{{ not json"
            self.send_response(200)  # garbage behind a success status
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # Ruta gave up first: that is the point of the slow modes

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def bad_llm() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _BadLLM)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        _BadLLM.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _openai_services(real_services: Services, settings_factory, base_url: str) -> Services:
    """Services over the session's real index with llm=openai (the loaded models are shared)."""
    settings = settings_factory(
        data_dir=real_services.settings.data_dir,
        llm="openai",
        openai_base_url=base_url,
        llm_timeout_s=TIMEOUT_S,
        rate_limit_per_minute=0,
    )
    return Services(settings)


@pytest.fixture(scope="module")
def llm_services(real_services, settings_factory, bad_llm) -> Services:
    port = bad_llm.server_address[1]
    return _openai_services(real_services, settings_factory, f"http://127.0.0.1:{port}/v1")


def _check_fallback(answer, reason: str, only_quotes) -> None:
    assert answer.backend == "extractive" and not answer.refused, answer
    assert answer.notice.startswith("The language model was unavailable"), answer.notice
    assert reason in answer.notice and "extractive answer" in answer.notice
    only_quotes(answer)


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("garbage", "did not send an event stream"),
        ("slow", f"did not answer within {TIMEOUT_S:g} s"),
        ("stall", f"did not answer within {TIMEOUT_S:g} s"),
    ],
)
def test_answer_falls_back_when_the_llm_misbehaves(llm_services, only_quotes, mode, reason):
    _BadLLM.mode = mode
    answerer = make_answerer(llm_services.settings, llm_services)
    answer = answerer.answer(QUESTIONS[0])
    _check_fallback(answer, reason, only_quotes)
    assert "R4V.info" in answer.text and answer.citations[0].verified


def test_answer_falls_back_when_nothing_listens(real_services, settings_factory, only_quotes):
    with socket.socket() as held:  # bound, never listening: connections are refused
        held.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{held.getsockname()[1]}/v1"
        services = _openai_services(real_services, settings_factory, base)
        answer = make_answerer(services.settings, services).answer(QUESTIONS[0])
    _check_fallback(answer, "cannot be reached (connection refused)", only_quotes)
    assert base in answer.notice and "R4V.info" in answer.text


def test_api_keeps_serving_through_llm_failures(llm_services, bad_llm, serve):
    """Garbage, then a hang, then a stall mid-stream, then the LLM server is shut down: every
    /api/ask in a row still gets a 200 extractive answer and /healthz stays 200."""
    steps = [("garbage", 0), ("garbage", 1), ("slow", 2), ("stall", 0), ("down", 1), ("down", 2)]
    with serve(llm_services.settings, llm_services) as url:
        for mode, q in steps:
            if mode == "down" and _BadLLM.mode != "down":
                bad_llm.shutdown()
                bad_llm.server_close()  # the port now refuses connections
            _BadLLM.mode = mode
            r = httpx.post(f"{url}/api/ask", json={"question": QUESTIONS[q]}, timeout=60)
            assert r.status_code == 200, (mode, r.text)
            body = r.json()
            assert body["backend"] == "extractive" and not body["refused"], (mode, body)
            assert "language model was unavailable" in body["notice"], (mode, body)
            assert body["citations"] and "[1]" in body["answer"]
            health = httpx.get(f"{url}/healthz", timeout=60)
            assert health.status_code == 200, (mode, health.text)
            # The probe asks the LLM server at most every 10 s: once it is down, /healthz says
            # "unreachable" when the probe last ran after the shutdown, "openai" before.
            expected_llm = {"openai", "unreachable"} if mode == "down" else {"openai"}
            assert health.json()["index"] == "ready", (mode, health.json())
            assert health.json()["llm"] in expected_llm, (mode, health.json())
