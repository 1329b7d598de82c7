"""Sentence vectors on disk: computed once at ingestion, read back by the next process."""

from __future__ import annotations

import numpy as np

from app.rag.reader import prime_sentence_vectors
from app.rag.text import split_sentences
from index.vectors import PersistedEmbedder


class Counting:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.name = inner.name
        self.embedded: list[str] = []

    def passages(self, texts):
        self.embedded += texts
        return self.inner.passages(texts)

    def queries(self, texts):
        return self.inner.queries(texts)


def test_vectors_survive_a_restart(real_services, tmp_path):
    model = real_services.multilingual_embedder
    texts = ["R4V posts its monitoring data on R4V.info.", "The IDB Grant Facility.", "- item"]
    first = Counting(model)
    stored = PersistedEmbedder(first, tmp_path / "s.sqlite").passages(texts + texts[:1])
    assert first.embedded == texts  # each distinct text once
    again = Counting(model)  # another process: nothing left in memory
    read = PersistedEmbedder(again, tmp_path / "s.sqlite").passages(texts)
    assert again.embedded == []
    np.testing.assert_allclose(read, stored[:3], rtol=1e-6)
    np.testing.assert_allclose(read, model.passages(texts), rtol=1e-5, atol=1e-6)


def test_ingestion_primes_every_sentence_of_the_corpus(real_services, tmp_path):
    chunks = real_services.retriever().chunks[:3]
    sentences = {s for c in chunks for s in split_sentences(c.text)}
    counting = Counting(real_services.multilingual_embedder)
    vectors = PersistedEmbedder(counting, tmp_path / "s.sqlite")
    assert prime_sentence_vectors(chunks, vectors) == len(sentences)
    assert set(counting.embedded) == sentences
    assert prime_sentence_vectors(chunks, vectors) == 0  # an unchanged corpus costs nothing
    assert vectors.missing(sentences) == []


def test_a_damaged_file_costs_time_not_answers(real_services, tmp_path, caplog):
    path = tmp_path / "s.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    counting = Counting(real_services.multilingual_embedder)
    vectors = PersistedEmbedder(counting, path)
    got = vectors.passages(["R4V posts its monitoring data on R4V.info."])
    assert got.shape == (1, 384)
    assert counting.embedded == ["R4V posts its monitoring data on R4V.info."]
    assert "cannot be used" in caplog.text and "ruta ingest" in caplog.text
