"""What the profiler watches: whole answers and a full ingestion, over parts already loaded.

The measured work runs inside ``_measured`` so a sampling profiler attached to the whole
process keeps only the samples whose stack passes through it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from app.rag.answer import Answerer
from app.services import Services, ingest_corpus, make_answerer
from bench.common import Question, bench_services

MARK = "_measured"  # the frame name the profile filters on


def _measured(fn: Callable[[], None], passes: int) -> None:
    for _ in range(passes):
        fn()


def answers(
    answerer: Answerer,
    qs: Sequence[Question],
    passes: int,
    before_each: Callable[[], None] | None = None,
) -> Callable[[], None]:
    """Whole extractive answers to every question, ``passes`` times; ``before_each`` runs
    before each question (emptying the embedding caches, for new questions)."""

    def ask_all() -> None:
        for q, history in qs:
            if before_each is not None:
                before_each()
            answerer.answer(q, history)

    return lambda: _measured(ask_all, passes)


def ingestion(services: Services) -> Callable[[], None]:
    """A full rebuild of the corpus: load, clean, chunk, embed with both embedders, store
    (sentence vectors aside: answers embed them on first use)."""

    def ingest() -> None:
        ingest_corpus(services, rebuild=True, sentences=False)

    return lambda: _measured(ingest, 1)


def index_load(models: Services) -> Callable[[], None]:
    """What a server does before its first answer, models aside: read every chunk from the
    store, build BM25 and the term statistics (a fresh Services over ``models``' settings)."""

    def load() -> None:
        make_answerer(models.settings, bench_services(models.settings, models))

    return lambda: _measured(load, 1)
