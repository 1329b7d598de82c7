"""`ruta eval` end to end on the real corpus and the project's question set: the run, exit codes,
compare, baseline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from index.types import Hit

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
QUESTIONS = ROOT / "tests" / "data" / "questions.jsonl"
N = len([ln for ln in QUESTIONS.read_text(encoding="utf-8").splitlines() if ln.strip()])


@pytest.fixture(scope="module")
def base_args(real_services) -> list[str]:
    """Point the CLI at the session's index of the real corpus."""
    return ["--set", f"data_dir={real_services.settings.data_dir}", "--set", f"corpus_dir={CORPUS}"]


@pytest.fixture(scope="module")
def dev_run(base_args, tmp_path_factory) -> tuple[int, Path]:
    out = tmp_path_factory.mktemp("runs") / "a"
    code = main(
        [*base_args, "eval", str(QUESTIONS), "--retrieval-only", "--out", str(out), "--quiet"]
    )
    return code, out


def test_eval_writes_a_run_that_finds_the_evidence(dev_run):
    code, out = dev_run
    assert code == 0
    doc = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert doc["metrics"]["mode"] == "retrieval"
    assert doc["metrics"]["overall"]["n"] == N
    assert doc["metrics"]["overall"]["hit@5"] >= 0.8
    assert doc["config"]["data_dir"] and doc["config"]["questions"] == str(QUESTIONS)
    assert (out / "report.html").is_file()
    assert len((out / "answers.jsonl").read_text(encoding="utf-8").splitlines()) == N


def test_malformed_line_is_named_and_the_rest_still_run(base_args, tmp_path, capsys):
    good = [ln for ln in QUESTIONS.read_text(encoding="utf-8").splitlines() if ln.strip()][:2]
    questions = tmp_path / "q.jsonl"
    questions.write_text(f'{good[0]}\n{{"id": "x", "type": \n{good[1]}\n', encoding="utf-8")
    out = tmp_path / "run"
    code = main(
        [*base_args, "eval", str(questions), "--retrieval-only", "--out", str(out), "--quiet"]
    )
    assert code == 3
    err = capsys.readouterr().err
    assert "q.jsonl line 2" in err and "not valid JSON" in err
    doc = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert doc["metrics"]["overall"]["n"] == 2


def test_missing_question_file_is_a_usage_error(base_args, tmp_path, capsys):
    missing = tmp_path / "nope.jsonl"
    assert main([*base_args, "eval", str(missing), "--quiet"]) == 2
    assert str(missing) in capsys.readouterr().err


def test_compare_prints_a_table_of_two_runs(base_args, dev_run, tmp_path, capsys):
    _, run_a = dev_run
    run_b = tmp_path / "b"
    # dense retrieval alone (no BM25), and the baseline beside it
    args = [*base_args, "--set", "bm25_weight=0", "eval", str(QUESTIONS), "--retrieval-only"]
    assert main([*args, "--baseline", "--out", str(run_b), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "LlamaIndex default" in printed and str(run_b) in printed
    baseline = json.loads((run_b / "metrics.json").read_text(encoding="utf-8"))["baseline"]
    assert baseline["overall"]["n"] == N and baseline["overall"]["hit@1"] is not None
    assert baseline["timing"]["nodes"] > 0

    assert main(["eval", "compare", str(run_a), str(run_b)]) == 0
    table = capsys.readouterr().out
    assert f"A: {run_a}" in table and f"B: {run_b}" in table
    assert any(line.startswith("overall") and "hit@5" in line for line in table.splitlines())
    assert "verdict" in table


def test_compare_needs_two_runs(capsys):
    assert main(["eval", "compare", "only-one"]) == 2
    assert "two run folders" in capsys.readouterr().err


def test_baseline_search_returns_hits_from_the_right_document(real_services):
    from eval.baseline import build_baseline

    baseline = build_baseline(CORPUS, real_services.embedder)
    hits = baseline.search("Where does R4V post its monitoring data?")
    assert len(hits) == 2  # LlamaIndex's default similarity_top_k
    assert all(isinstance(h, Hit) for h in hits)
    assert [h.rank for h in hits] == [1, 2]
    assert hits[0].chunk.doc_id == "k4dd-donor-activity"
    assert "R4V website R4V.info" in " ".join(hits[0].chunk.text.split())
