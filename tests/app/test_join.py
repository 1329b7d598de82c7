"""The join model's named features on hand-made candidates, and the model file's join part."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from app.rag import join
from app.rag.model import DEFAULT_PATH, DEFAULT_TUNING, dump, load


def _candidate(**kw) -> join.Candidate:
    base = dict(
        p=0.4,
        best=0.8,
        rank=1,
        same_passage=False,
        same_doc=True,
        adjacent=False,
        item=False,
        sibling=False,
        typed=False,
        new_names=False,
        plural=False,
        strict=False,
    )
    return join.Candidate(**{**base, **kw})


def _f(c: join.Candidate, name: str) -> float:
    return dict(join.NAMED)[name](c)


def test_join_features_say_what_they_measure():
    assert _f(_candidate(), "bias") == 1.0
    assert _f(_candidate(p=0.4, best=0.8), "ratio") == pytest.approx(0.5)
    assert _f(_candidate(best=0.0), "ratio") == 0.0
    assert _f(_candidate(best=0.9), "unsure") == pytest.approx(0.1)
    assert _f(_candidate(rank=1), "rank") < _f(_candidate(rank=9), "rank")
    assert _f(_candidate(adjacent=True), "adjacent") == 1.0
    assert _f(_candidate(same_doc=False), "same_doc") == 0.0
    assert _f(_candidate(item=True, sibling=True), "sibling") == 1.0
    # a new name counts for a question asking for several things only
    assert _f(_candidate(new_names=True, plural=True), "plural_new") == 1.0
    assert _f(_candidate(new_names=True, plural=False), "plural_new") == 0.0
    # a question asking for a date, and a sentence holding none
    assert _f(_candidate(strict=True, typed=False), "strict_untyped") == 1.0
    assert _f(_candidate(strict=True, typed=True), "strict_untyped") == 0.0
    assert len(join.features(_candidate())) == len(join.FEATURES)


def test_a_join_model_weighs_its_features_and_an_ablated_one_takes_its_mean():
    n = len(join.FEATURES)
    w = [0.0] * n
    w[join.FEATURES.index("sibling")] = 5.0
    w[0] = -2.0
    t = replace(DEFAULT_TUNING, join=tuple(w), join_means=(0.0,) * n, join_at=0.5)
    assert join.joins(_candidate(item=True, sibling=True), t)
    assert not join.joins(_candidate(), t)
    assert not join.joins(_candidate(item=True, sibling=True), t.without("join.sibling"))


def test_the_join_model_round_trips_through_the_model_file(tmp_path):
    n = len(join.FEATURES)
    t = replace(
        DEFAULT_TUNING, join=tuple(0.1 * i for i in range(n)), join_means=(0.5,) * n, join_at=0.4
    )
    path = tmp_path / "m.json"
    path.write_text(dump(t, (), (), {}, join.FEATURES), encoding="utf-8")
    back, data = load(path)
    assert data["join"]["features"] == list(join.FEATURES)
    assert back.join == pytest.approx(t.join) and back.join_at == 0.4


def test_the_shipped_join_model_matches_the_code_features():
    """Weights fitted for other features are stale: refit with `python -m eval.fit_reader`."""
    data = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    if "join" not in data:
        pytest.skip("the shipped model joins by the rules")
    assert data["join"]["features"] == list(join.FEATURES)
    assert len(data["join"]["weights"]) == len(join.FEATURES)
