"""`ruta feedback export` writes what the chat stored, as CSV or JSON lines."""

from __future__ import annotations

import csv
import io
import json

from app.cli import main
from app.feedback import FeedbackStore


def test_feedback_export_cli(tmp_path, capsys):
    store = FeedbackStore(tmp_path / "feedback.sqlite")
    store.add(
        1,
        "Where does R4V post its data?",
        "On R4V.info [1]",
        [{"n": 1, "chunk_id": "k#7"}],
        "extractive",
        "clear",
    )
    store.add(-1, "What is 4Mi?", "The documents do not say.", comment="missed it")
    assert main(["--set", f"data_dir={tmp_path}", "feedback", "export", "--format", "jsonl"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["rating"] for r in rows] == [1, -1] and rows[1]["comment"] == "missed it"
    out = tmp_path / "fb.csv"
    assert (
        main(
            [
                "--set",
                f"data_dir={tmp_path}",
                "feedback",
                "export",
                "--format",
                "csv",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    table = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert table[0]["question"] == "Where does R4V post its data?"
