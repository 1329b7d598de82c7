"""Loading runs ahead of embedding (index/ahead.py): the next document loads while the current
one is embedded, one bounded queue between them; errors cross the thread, nothing is left
running. Ordering of events is asserted, never time."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from app.services import Services, ingest_corpus
from index.ahead import ReadAhead
from index.build import build_index
from index.embed import Embedder
from ingest.pipeline import Failure, iter_corpus, load_corpus
from ingest.types import Document

WAIT_S = 30  # a guard against a hang, not a measurement: the events below decide

FACTS = (
    ("a-ferry.txt", "The Colón ferry desk issued 4,417 boarding passes in April 2022."),
    ("b-bakery.md", "# Quito bakery fund\n\nThe fund lent 96 small loans to bakers in 2019."),
    ("c-clinic.txt", "The Tumbes border clinic vaccinated 2,318 children in May 2021."),
)


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in FACTS:
        (folder / name).write_text(text + "\n", encoding="utf-8")
    return folder


class Gates:
    """Events the loader and the embedder record, and the gates between them: document k+1
    loads only once embedding document k has begun, and that embedding ends only once
    document k+1 is loaded; done one after the other, each gate would wait in vain."""

    def __init__(self, n: int) -> None:
        self.events: list[tuple[str, int]] = []
        self.embedding = [threading.Event() for _ in range(n)]
        self.loaded = [threading.Event() for _ in range(n)]

    def loader(self, corpus: Path, failures: list[Failure]) -> Iterator[Document]:
        """The real loader (iter_corpus reads and cleans a file at each ``next``), gated."""
        docs = iter_corpus(corpus, failures)
        for k in range(len(self.loaded)):
            if k:
                self.embedding[k - 1].wait(WAIT_S)
            doc = next(docs)
            self.events.append(("loaded", k))
            self.loaded[k].set()
            yield doc
        yield from docs


class Recording:
    """The real embedder, recording when each document's embedding begins and ends."""

    def __init__(self, inner: Embedder, gates: Gates) -> None:
        self.inner, self.name, self.gates, self.calls = inner, inner.name, gates, 0

    def passages(self, texts: list[str]) -> np.ndarray:
        k, g = self.calls, self.gates
        self.calls += 1
        g.events.append(("embedding", k))
        g.embedding[k].set()
        if k + 1 < len(g.loaded):
            g.loaded[k + 1].wait(WAIT_S)
        out = self.inner.passages(texts)
        g.events.append(("embedded", k))
        return out

    def queries(self, texts: list[str]) -> np.ndarray:
        return self.inner.queries(texts)


def test_the_next_document_loads_while_one_is_embedded(settings_factory, corpus, embedder):
    settings = settings_factory(corpus_dir=corpus, multilingual_embedder="none")
    ((store, _),) = Services(settings).stores()
    gates = Gates(len(FACTS))
    failures: list[Failure] = []
    report = build_index(
        gates.loader(corpus, failures),
        [(store, Recording(embedder, gates))],
        settings.data_dir,
        progress=False,
        expected={"a-ferry", "b-bakery", "c-clinic"},
    )
    e = gates.events
    for k in range(len(FACTS) - 1):  # document k+1 loaded while document k was embedded
        assert e.index(("embedding", k)) < e.index(("loaded", k + 1)) < e.index(("embedded", k))
    assert failures == [] and sorted(report.added) == ["a-ferry", "b-bakery", "c-clinic"]

    # Same chunks and vectors as loading everything first, one after the other.
    docs, _ = load_corpus(corpus)
    again = build_index(docs, [(store, embedder)], settings.data_dir, progress=False)
    assert again.unchanged == report.added and again.chunk_list == report.chunk_list


def test_ingest_corpus_reports_the_sentence_pass_it_ran_per_document(settings_factory, corpus):
    services = Services(settings_factory(corpus_dir=corpus, multilingual_embedder="none"))
    first = ingest_corpus(services, sentences=True)
    assert first.sentences == len(FACTS)  # one sentence each (the heading is a section)
    assert ingest_corpus(services, sentences=True).sentences == 0  # stored: nothing new
    (corpus / "d-shelter.txt").write_text("The Arauca shelter counted 1,205 beds.\n")
    assert ingest_corpus(services, sentences=True).sentences == 1


def test_an_error_while_reading_ahead_is_raised_where_its_item_would_come() -> None:
    def items() -> Iterator[int]:
        yield 1
        raise ValueError("file 2 is damaged")

    got = []
    with pytest.raises(ValueError, match="file 2 is damaged"):
        for item in ReadAhead(items()):
            got.append(item)
    assert got == [1]


def test_a_reader_that_stops_early_stops_the_thread() -> None:
    made: list[int] = []

    def items() -> Iterator[int]:
        for i in range(1000):
            made.append(i)
            yield i

    ahead = ReadAhead(items(), size=2)
    assert next(ahead) == 0
    ahead.close()  # joins the thread: it stopped at its next item, well short of the end
    assert len(made) <= 2 + 3 and not ahead._thread.is_alive()
    with pytest.raises(StopIteration):
        next(ahead)
