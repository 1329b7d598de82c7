"""BM25's top candidates without a full sort: the same order a stable full sort gives."""

from __future__ import annotations

import numpy as np

from index.retrieve import top_order


def test_top_order_is_the_stable_full_sort_cut_to_n() -> None:
    rng = np.random.default_rng(0)
    for _ in range(300):
        scores = rng.integers(0, 5, size=int(rng.integers(1, 300))).astype(float)  # many ties
        n = int(rng.integers(1, 40))
        expected = np.argsort(-scores, kind="stable")[:n]
        assert top_order(scores, n).tolist() == expected.tolist()
