"""The thresholds' tuning command, end to end on a small set over the real index, on a grid of
two settings: it must read with the shipped model's weights (it had built a bare Tuning(),
whose empty weights no sentence can be scored with)."""

from __future__ import annotations

import json

import eval.tune_reader as tune
from app.rag.model import DEFAULT_TUNING


def test_every_grid_point_keeps_the_shipped_weights():
    points = tune.grid(DEFAULT_TUNING)
    assert points and all(t.weights == DEFAULT_TUNING.weights for t in points)
    assert all(t.noanswer == DEFAULT_TUNING.noanswer for t in points)


def test_tune_reader_scores_each_setting_on_each_set(tmp_path, monkeypatch, real_services, capsys):
    monkeypatch.setenv("RUTA_DATA_DIR", str(real_services.settings.data_dir))
    monkeypatch.setenv("RUTA_CORPUS_DIR", str(real_services.settings.corpus_dir))
    monkeypatch.setattr(tune, "GRID", {"tie": (0.0, 0.03)})
    rows = [
        {
            "id": "a0",
            "question": "Who co-leads R4V?",
            "type": "factoid",
            "key_facts": ["UNHCR"],
            "evidence": ["co-led by UNHCR and IOM"],
        },
        {"id": "a1", "question": "What is the capital of Peru?", "type": "unanswerable"},
    ]
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    assert tune.main([str(path)]) == 0
    out = capsys.readouterr().out
    assert "tuned on a:" in out and "best on all sets:" in out
    assert "key_facts 1.000" in out  # the shipped weights read the answer
