"""A saturated server answers 503 with Retry-After at once, shares its slots fairly between
clients, serves the page concurrently, and stops within its bound on SIGTERM.

The answers in flight are held by a real OpenAI-compatible server on 127.0.0.1 that streams a
word every tenth of a second until the test lets it finish: an answer is "in flight" exactly
while that server holds it, so the tests count and order outcomes, never time them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from app.services import Services

QUESTION = "Where does R4V post its monitoring data?"
ROOT = Path(__file__).resolve().parents[2]


class _HeldLLM(BaseHTTPRequestHandler):
    """Streams "R4V posts its data [1]." word by word, a word every 0.1 s, until ``release``."""

    entered = threading.Semaphore(0)  # one token per request that reached the LLM
    release = threading.Event()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).entered.release()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        try:
            while not type(self).release.wait(0.1):
                self._send("R4V ")
            for word in ("posts ", "its ", "data ", "[1]."):
                self._send(word)
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
        except OSError:
            pass  # Ruta stopped reading: the answer was stopped

    def _send(self, text: str) -> None:
        delta = json.dumps({"choices": [{"delta": {"content": text}}]})
        self.wfile.write(f"data: {delta}\n\n".encode())
        self.wfile.flush()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def held_llm() -> Iterator[str]:
    _HeldLLM.entered = threading.Semaphore(0)
    _HeldLLM.release = threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HeldLLM)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        _HeldLLM.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _entered(n: int = 1) -> None:
    """Wait until ``n`` more answers reached the LLM (generous: the machine may be busy)."""
    for _ in range(n):
        assert _HeldLLM.entered.acquire(timeout=120), "no answer reached the LLM"


def _settings(real_services: Services, settings_factory, llm_url: str, **overrides: object):
    values: dict[str, object] = {
        "data_dir": real_services.settings.data_dir,
        "llm": "openai",
        "openai_base_url": llm_url,
        "llm_timeout_s": 120,
        "rate_limit_per_minute": 0,
        "answer_queue_wait_s": 0.5,
    }
    return settings_factory(**{**values, **overrides})


def _ask(url: str, client: str = "", path: str = "/api/ask") -> httpx.Response:
    headers = {"X-Forwarded-For": client} if client else {}
    if path == "/api/ask":
        body: dict[str, object] = {"question": QUESTION}
    else:
        body = {"messages": [{"role": "user", "content": QUESTION}]}
    return httpx.post(f"{url}{path}", json=body, headers=headers, timeout=300)


def test_a_saturated_server_answers_503_with_retry_after(
    real_services, settings_factory, serve, held_llm
) -> None:
    settings = _settings(real_services, settings_factory, held_llm, answer_slots=1)
    with serve(settings, Services(settings)) as url, ThreadPoolExecutor(2) as pool:
        first = pool.submit(_ask, url)
        _entered()  # the only slot is taken by an answer in flight
        for path in ("/api/ask", "/v1/chat/completions"):
            busy = _ask(url, path=path)
            assert busy.status_code == 503, busy.text
            assert int(busy.headers["Retry-After"]) >= 1
            assert busy.json()["error"]["type"] == "server_busy"
        # The page's API endpoint shares the pool: the same answer, as a Gradio error.
        from gradio_client import Client

        with pytest.raises(Exception, match="answering as many questions"):
            Client(url, verbose=False).predict(question=QUESTION, api_name="/ask")
        assert first.done() is False  # still in flight: nothing above waited for it
        _HeldLLM.release.set()
        assert first.result().status_code == 200
        assert _ask(url).status_code == 200  # the slot came back


def test_one_client_cannot_take_every_slot(
    real_services, settings_factory, serve, held_llm
) -> None:
    settings = _settings(
        real_services, settings_factory, held_llm, answer_slots=2, answer_slots_per_client=1
    )
    with serve(settings, Services(settings)) as url, ThreadPoolExecutor(3) as pool:
        mine = pool.submit(_ask, url, "10.0.0.1")
        _entered()
        # The same client again: its share is taken; another client still gets the free slot.
        again = _ask(url, "10.0.0.1")
        assert again.status_code == 503 and again.json()["error"]["type"] == "server_busy"
        other = pool.submit(_ask, url, "10.0.0.2")
        _entered()  # the other client's answer reached the LLM while the first is in flight
        _HeldLLM.release.set()
        assert mine.result().status_code == 200 and other.result().status_code == 200


def test_page_answers_run_at_the_same_time(
    real_services, settings_factory, serve, held_llm
) -> None:
    """Two questions through Gradio's queue are both in flight at once (Gradio's default would
    run them one after the other)."""
    from gradio_client import Client

    settings = _settings(
        real_services, settings_factory, held_llm, answer_slots=4, answer_slots_per_client=2
    )
    with serve(settings, Services(settings)) as url, ThreadPoolExecutor(2) as pool:
        asks: list[Future[object]] = [
            pool.submit(Client(url, verbose=False).predict, question=QUESTION, api_name="/ask")
            for _ in range(2)
        ]
        _entered(2)  # both reached the LLM before either was let go
        _HeldLLM.release.set()
        for ask in asks:
            body = ask.result()
            assert isinstance(body, dict) and "[1]" in body["answer"], body


def test_sigterm_stops_answers_in_flight_and_exits(real_services, held_llm, tmp_path, port) -> None:
    env = {
        **os.environ,
        "RUTA_DATA_DIR": str(real_services.settings.data_dir),
        "RUTA_CORPUS_DIR": str(real_services.settings.corpus_dir),
        "RUTA_PORT": str(port),
        "RUTA_LLM": "openai",
        "RUTA_OPENAI_BASE_URL": held_llm,
        "RUTA_LLM_TIMEOUT_S": "120",
        "RUTA_SHUTDOWN_TIMEOUT_S": "4",
        "RUTA_RATE_LIMIT_PER_MINUTE": "0",
    }
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, "ruta serve did not get ready"
            try:
                if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        with ThreadPoolExecutor(1) as pool:
            in_flight = pool.submit(_ask, url)
            _entered()  # the LLM streams on and never ends by itself
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=120) == 0, (tmp_path / "serve.log").read_text()
            r = in_flight.result()
        # The answer in flight got a response: stopped with a clean JSON error.
        assert r.status_code == 503, r.text
        assert r.json()["error"]["type"] == "shutting_down"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
