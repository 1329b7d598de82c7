"""The reader's model file against the code, and the no-answer model's named features."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.rag import noanswer, reader
from app.rag.model import DEFAULT_PATH, FORMAT, ModelFileError, load


def _model() -> dict:
    return json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))


def test_model_file_matches_the_code_features():
    """Weights fitted for other features are stale: refit with `python -m eval.fit_reader`."""
    data = _model()
    assert data["format"] == FORMAT
    assert data["sentence"]["features"] == list(reader.FEATURES)
    assert len(data["sentence"]["weights"]) == len(reader.FEATURES)
    assert len(data["sentence"]["means"]) == len(reader.FEATURES)
    assert data["noanswer"]["features"] == list(noanswer.FEATURES)
    assert len(data["noanswer"]["weights"]) == len(noanswer.FEATURES)
    assert 0.0 < data["noanswer"]["refuse_at"] < 1.0


def test_model_file_says_what_it_was_fitted_on():
    fitted = _model()["fitted_on"]
    assert fitted, "the model file names the sets it was fitted on"
    for entry in fitted:
        assert len(entry["sha256"]) == 64 and entry["items"] > 0 and entry["set"]


def test_a_model_file_of_another_format_is_refused_with_the_fix(tmp_path):
    bad = tmp_path / "m.json"
    bad.write_text(json.dumps({"format": 0}), encoding="utf-8")
    with pytest.raises(ModelFileError, match="eval.fit_reader --write"):
        load(bad)
    with pytest.raises(ModelFileError, match="no reader model file"):
        load(tmp_path / "missing.json")


def _evidence(**kw) -> noanswer.Evidence:
    base = dict(
        probs=(0.9, 0.2),
        coverage=0.8,
        dense=0.7,
        missing=False,
        unknown_names=0,
        strict=False,
        foreign=False,
    )
    return noanswer.Evidence(**{**base, **kw})


def _f(e: noanswer.Evidence, name: str) -> float:
    return noanswer.FUNCTIONS[name](e)


def test_noanswer_features_on_hand_made_readings():
    clear = _evidence(probs=(0.9, 0.1, 0.6))
    vague = _evidence(probs=(0.3, 0.29, 0.28))
    assert _f(clear, "best") == 0.9 and _f(vague, "best") == 0.3
    assert _f(clear, "best_logit") > 0 > _f(vague, "best_logit")
    assert _f(clear, "margin") == pytest.approx(0.8)
    assert _f(vague, "margin") == pytest.approx(0.01)
    assert _f(_evidence(missing=True), "missing") == 1.0
    assert _f(_evidence(), "missing") == 0.0
    assert _f(_evidence(unknown_names=5), "unknown_names") == 2.0  # capped
    assert _f(_evidence(foreign=True), "foreign") == 1.0
    assert _f(_evidence(probs=()), "best") == 0.0
    assert _f(_evidence(coverage=0.0), "weak_cover") == pytest.approx(1 / 3)
    assert _f(_evidence(coverage=0.8), "weak_cover") == 0.0


def test_the_shipped_noanswer_model_refuses_a_near_miss_and_answers_a_clear_answer():
    t = load()[0]
    # dense 0.9: an answered question's best multilingual similarity (the fitted data's mean
    # over all questions is 0.88; below 0.8 hardly any answerable question falls)
    sure = _evidence(probs=(0.97, 0.3), coverage=0.9, dense=0.9, strict=True)
    near_miss = _evidence(probs=(0.3, 0.2), coverage=0.5, dense=0.5, strict=True, missing=True)
    assert noanswer.probability(sure, t) < t.refuse_at <= noanswer.probability(near_miss, t)


def test_noanswer_fit_separates_and_threshold_weighs_wrong_refusals():
    rng = np.random.default_rng(0)
    n = 200
    y = (rng.random(n) < 0.3).astype(float)
    best = np.where(y == 1, rng.normal(0.2, 0.1, n), rng.normal(0.7, 0.1, n))
    x = np.column_stack([np.ones(n), best])
    w = noanswer.fit(x, y)
    p = 1 / (1 + np.exp(-(x @ w)))
    assert p[y == 1].mean() > 0.5 > p[y == 0].mean()
    # one answerable question at 0.6 costs three times one unanswerable at 0.4
    assert noanswer.threshold([0.4, 0.6, 0.9], [1, 0, 1]) > 0.6


def test_an_ablated_feature_takes_its_mean():
    t = load()[0]
    e = _evidence(missing=True, probs=(0.3, 0.2), strict=True)
    assert noanswer.probability(e, t.without("noanswer.missing")) != noanswer.probability(e, t)
