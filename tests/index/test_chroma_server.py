"""The same ingestion and retrieval against a real `chroma run` server on 127.0.0.1."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from app.services import Services
from index.build import build_index
from index.errors import StoreUnavailable
from ingest.pipeline import load_corpus

CHROMA = Path(sys.executable).parent / "chroma"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    if not CHROMA.exists() and not shutil.which("chroma"):
        pytest.skip("the chroma command is not installed")
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("chroma run did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def test_retrieval_through_a_chroma_server(settings_factory, chroma_url):
    settings = settings_factory(chroma_url=chroma_url)
    services = Services(settings)
    docs, _ = load_corpus(settings.corpus_dir)
    build_index(docs, services.stores(), settings.data_dir, progress=False)
    hits = services.retriever().search("Where does R4V post its monitoring data?", k=3)
    assert any("R4V.info" in h.chunk.text for h in hits)
    assert hits[0].chunk.doc_id == "k4dd-donor-activity"


def test_unreachable_server_is_a_clear_error(settings_factory):
    settings = settings_factory(chroma_url=f"http://127.0.0.1:{_free_port()}")
    with pytest.raises(StoreUnavailable, match="cannot be reached"):
        Services(settings).retriever()
