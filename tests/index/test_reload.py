"""A running server sees what `ruta ingest` in another process wrote, without a restart."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

import index.live as live_module
from app.services import Services
from index.build import build_index
from ingest.pipeline import load_corpus

BAKERY = "The Quito bakery fund lends small sums to bakers who arrived from Venezuela in 2019.\n"
FERRY = "The lighthouse programme trains ferry pilots in Colón to carry people safely.\n"


def _ingest_in_another_process(settings, *flags: str) -> None:
    env = {
        **os.environ,
        "RUTA_DATA_DIR": str(settings.data_dir),
        "RUTA_CORPUS_DIR": str(settings.corpus_dir),
    }
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "ingest", "--quiet", *flags],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr


def _wait_for(services: Services, doc_ids: set[str], timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        retriever = services.retriever()
        if {c.doc_id for c in retriever.chunks} == doc_ids:
            return retriever
        time.sleep(0.2)
    pytest.fail(f"the server never reloaded; it still holds {[c.doc_id for c in retriever.chunks]}")


@pytest.mark.parametrize(
    "flags", [("--allow-removals",), ("--rebuild",)], ids=["incremental", "rebuild"]
)
def test_running_services_reload_after_ingest_elsewhere(
    settings_factory, tmp_path, monkeypatch, flags
):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "bakery.txt").write_text(BAKERY)
    settings = settings_factory(corpus_dir=corpus)
    docs, _ = load_corpus(corpus)
    build_index(docs, Services(settings).stores(), settings.data_dir, progress=False)

    serving = Services(settings)  # the server's, with its own client open on the folder
    assert serving.retriever().search("bakery fund", k=1)[0].chunk.doc_id == "bakery"

    (corpus / "bakery.txt").unlink()
    (corpus / "ferry.txt").write_text(FERRY)
    _ingest_in_another_process(settings, *flags)
    monkeypatch.setattr(live_module, "RELOAD_CHECK_S", 0.0)
    # The ingestion also embedded the new sentences for answers (RUTA_PRECOMPUTE_SENTENCES).
    assert serving.sentence_embedder.missing([FERRY.strip()]) == []

    retriever = _wait_for(serving, {"ferry"})
    hits = retriever.search("Quito bakery fund for bakers", k=5)
    # The removed document is gone from every signal, the dense index included (an embedded
    # client that was not reopened would still return its stale vectors).
    assert {h.chunk.doc_id for h in hits} == {"ferry"}
    assert retriever.search("ferry pilots lighthouse", k=1)[0].chunk.doc_id == "ferry"


def test_unchanged_ingest_does_not_reload(settings_factory, tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ferry.txt").write_text(FERRY)
    settings = settings_factory(corpus_dir=corpus)
    docs, _ = load_corpus(corpus)
    build_index(docs, Services(settings).stores(), settings.data_dir, progress=False)
    serving = Services(settings)
    first = serving.retriever()
    build_index(docs, Services(settings).stores(), settings.data_dir, progress=False)
    monkeypatch.setattr(live_module, "RELOAD_CHECK_S", 0.0)
    assert serving.retriever() is first
    time.sleep(0.5)
    assert serving.retriever() is first
