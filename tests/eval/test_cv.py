"""The retrieval weights' cross-validation command, end to end on two small sets over the real
index: it must run against the current retriever (it had rotted: an old import and an old
signature, unnoticed while no test ran it)."""

from __future__ import annotations

import json

from eval.cv import main

SETS = {
    "a": [
        ("Who co-leads R4V?", "co-led by UNHCR and IOM"),
        ("How much is USAID providing to the IDB's Grant Facility?", "USAID is providing $25"),
    ],
    "b": [
        ("When was the IECAH study presented?", "presented on July 16, 2024"),
        ("Which pilot border crossings does EUROFRONT cover?", "The Rumichaca border"),
    ],
}


def test_cv_tunes_on_each_set_and_reports_the_default(tmp_path, monkeypatch, real_services, capsys):
    monkeypatch.setenv("RUTA_DATA_DIR", str(real_services.settings.data_dir))
    monkeypatch.setenv("RUTA_CORPUS_DIR", str(real_services.settings.corpus_dir))
    paths = []
    for name, rows in SETS.items():
        path = tmp_path / f"{name}.jsonl"
        lines = [
            {"id": f"{name}{i}", "question": q, "type": "factoid", "evidence": [e]}
            for i, (q, e) in enumerate(rows)
        ]
        path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
        paths.append(str(path))
    assert main([*paths, "--random", "1", "--show", "2"]) == 0
    out = capsys.readouterr().out
    assert "144 settings, 4 answerable questions (a, b)" in out
    assert "tune a" in out and "tune b" in out and "random 1" in out
    default = next(line for line in out.splitlines() if line.startswith("the default"))
    # every question's evidence is among the five passages found with the default weights
    assert "a: " in default and "/1.000" in default.split("a: ")[1].split()[0]
