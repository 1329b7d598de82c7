"""write_run's files, the self-contained escaped report.html, and compare_runs on two runs."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from app.rag.types import Answer, Message
from eval.compare import compare_runs, verdict
from eval.questions import Item
from eval.run import run_eval, write_run
from index.types import Hit

# anything that would make a browser fetch from elsewhere
EXTERNAL = re.compile(
    r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//|url\(|@import|<link|<script""",
    re.IGNORECASE,
)
CONFIG = {"llm": "extractive", "top_k": 10, "data_dir": Path("/tmp/ruta")}


@pytest.fixture
def more_items(items: list[Item]) -> list[Item]:
    markup = Item(
        id="q5",
        type="factoid",
        question="Must markup in a document stay text?",
        answer="Yes, and be escaped.",
        key_facts=("escaped", "sanitised"),
        evidence=("Markup in a document must stay text",),
        doc="b",
    )
    return [*items, markup]


@pytest.fixture
def run_a(tmp_path: Path, more_items: list[Item], search, ask, embed) -> Path:
    result = run_eval(more_items, search=search, ask=ask, embed=embed, progress=False)
    out = tmp_path / "run_a"
    write_run(result, out, config=CONFIG, baseline=result.metrics)
    return out


def test_write_run_writes_the_four_files(run_a: Path, more_items: list[Item]) -> None:
    doc = json.loads((run_a / "metrics.json").read_text(encoding="utf-8"))
    assert doc["config"] == {"llm": "extractive", "top_k": 10, "data_dir": "/tmp/ruta"}
    assert re.match(r"\d{4}-\d\d-\d\dT", doc["date"])
    assert doc["metrics"]["overall"]["n"] == len(more_items)
    lines = (run_a / "answers.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(ln) for ln in lines]
    assert [r["id"] for r in records] == [i.id for i in more_items]
    assert records[0]["retrieved_chunk_ids"][0] == "a#0"
    md = (run_a / "report.md").read_text(encoding="utf-8")
    assert "| Metric | Ruta | LlamaIndex default |" in md
    assert "| Key-fact recall |" in md


def test_report_html_is_self_contained_and_escaped(run_a: Path) -> None:
    html = (run_a / "report.html").read_text(encoding="utf-8")
    assert EXTERNAL.search(html) is None, EXTERNAL.search(html)
    # the chunk and answer text carry a <script> tag: it must arrive as text, not markup
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<script" not in html.lower()
    assert html.count("<svg") >= 2  # per-type bars and at least one latency histogram
    assert "LlamaIndex default" in html
    # the failure table says what was missed
    assert "missed key facts: sanitised" in html
    assert "Must markup in a document stay text?" in html


def test_report_html_escapes_markup_in_every_field(tmp_path: Path, search) -> None:
    def ask(question: str, history: list[Message]) -> Answer:
        return Answer(
            question=question,
            text='<img src="https://evil.example/x.png"> [1]',
            citations=(),
            refused=False,
            backend="t",
        )

    item = Item(
        id="<b>id</b>",
        type="<i>type</i>",
        question="<script>q</script>",
        answer="<a href='https://x.example'>gold</a>",
        key_facts=("<u>fact</u>",),
        evidence=("<em>never</em>",),
        history=(Message(role="user", content="<s>earlier turn</s>"),),
    )
    result = run_eval([item], search=search, ask=ask, progress=False)
    write_run(result, tmp_path, config={"<k>": "<v>"})
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert EXTERNAL.search(html) is None
    assert "&lt;s&gt;earlier turn&lt;/s&gt;" in html  # follow-ups show their history
    for tag in ("<b>", "<i>", "<script>", "<a ", "<u>", "<em>", "<img", "<k>", "<v>", "<s>"):
        assert tag not in html


def test_compare_runs_reports_a_regression(
    run_a: Path, tmp_path: Path, more_items, search, ask, embed
) -> None:
    def worse_ask(question: str, history: list[Message]) -> Answer:
        # refuses everything and retrieves the same off-topic chunk for every question
        return dataclasses.replace(
            ask(question, history),
            text="Not in the documents.",
            citations=(),
            refused=True,
            hits=tuple(search("Quito liaison office", [])),
        )

    result = run_eval(more_items, search=search, ask=worse_ask, embed=embed, progress=False)
    run_b = tmp_path / "run_b"
    write_run(result, run_b, config=CONFIG)

    text = compare_runs(run_a, run_b)

    rows = {tuple(line.split()[:2]): line for line in text.splitlines() if line.strip()}
    assert rows[("overall", "false_refusal_rate")].endswith("regressed")
    assert rows[("overall", "key_fact_recall")].endswith("regressed")
    assert rows[("overall", "mrr")].endswith("regressed")
    assert rows[("overall", "refusal_rate")].endswith("same")
    q1 = [line for line in text.splitlines() if line.startswith("q1 ")]
    assert any("refused" in line and line.endswith("regressed") for line in q1)
    assert any("evidence rank" in line and line.endswith("regressed") for line in q1)
    assert "Questions:" in text and "regressed" in text.splitlines()[2]

    assert "Questions that changed:\n(none)" in compare_runs(run_a, run_a)


def test_verdict_directions() -> None:
    assert verdict("mrr", 0.5, 0.6) == "improved"
    assert verdict("answer_ms_p95", 900.0, 1200.0) == "regressed"
    assert verdict("answer_ms_p95", 900.0, 950.0) == "same"  # within timing jitter
    assert verdict("false_refusal_rate", 0.2, 0.1) == "improved"
    assert verdict("hit@5", 0.5, 0.5) == "same"
    assert verdict("hit@5", None, 0.5) == "n/a"


def test_hits_are_hit_objects(search) -> None:
    # the fixture retriever hands back the real index type
    assert all(isinstance(h, Hit) for h in search("Tumbes crossings", []))


@pytest.mark.browser
def test_report_renders_in_headless_chromium(run_a: Path) -> None:
    import shutil
    import subprocess

    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    shot = Path(__file__).resolve().parents[1] / "artifacts" / "eval-report.png"
    shot.parent.mkdir(exist_ok=True)
    shot.unlink(missing_ok=True)
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={run_a / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1200,1600",
            (run_a / "report.html").as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert shot.exists() and shot.stat().st_size > 10_000  # a page was drawn, not a blank


def test_a_set_in_several_languages_is_reported_per_language(tmp_path: Path, search, ask) -> None:
    """The set's `lang` when given, else the language guessed from the question."""
    asked = [
        Item(id="en", type="factoid", question="How much did the Andean Route Fund pay?"),
        Item(id="es", type="factoid", question="¿Cuánto pagó el fondo?", lang="es"),
        Item(id="pt", type="factoid", question="Quanto pagou o fundo e quais organizações?"),
    ]
    result = run_eval(asked, search=search, ask=ask, progress=False)
    assert [r["lang"] for r in result.records] == ["en", "es", "pt"]
    assert list(result.metrics["by_lang"]) == ["en", "es", "pt"]
    write_run(result, tmp_path / "run", config=CONFIG)
    md = (tmp_path / "run" / "report.md").read_text(encoding="utf-8")
    assert "## By language" in md and "| pt |" in md
    html = (tmp_path / "run" / "report.html").read_text(encoding="utf-8")
    assert "<h2>By language</h2>" in html
    from eval.summary import summary

    assert "Language" in summary(result.metrics)
