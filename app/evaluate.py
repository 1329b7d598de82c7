"""`ruta eval`: run a question set through Ruta (and the baseline), write the run, print a summary."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from app.answer import clean_question, standalone_question
from app.cli import EXIT_PARTIAL, EXIT_USAGE
from app.commands import make_answerer
from app.llms import LLM, make_llm
from app.services import Services
from app.settings import Settings
from app.types import Message
from eval.judge import judge_records
from eval.questions import Item, load_items
from eval.report import LABELS, fmt
from eval.run import EvalResult, run_eval, write_run
from index.types import Hit
from ingest.errors import RutaError

SEARCH_K = 10  # retrieval is scored at hit@1..hit@10
SECRETS = ("openai_api_key", "api_token")  # kept out of metrics.json and report.html
SUMMARY = (
    ("hit@1", "Hit@1"),
    ("hit@5", "Hit@5"),
    ("mrr", "MRR"),
    ("key_fact_recall", "Key-fact recall"),
    ("citation_precision", "Citation precision"),
    ("citation_recall", "Citation recall"),
    ("refusal_rate", "Refusal rate (unanswerable)"),
    ("false_refusal_rate", "False refusal rate"),
    ("retrieval_ms_p50", "Retrieval p50"),
    ("retrieval_ms_p95", "Retrieval p95"),
    ("answer_ms_p50", "Answer p50"),
    ("answer_ms_p95", "Answer p95"),
)
BY_TYPE = (("hit@1", "hit@1"), ("key_fact_recall", "key facts"))


def run_cli(settings: Settings, args: argparse.Namespace) -> int:
    """`ruta eval QUESTIONS [...]` or `ruta eval compare RUN_A RUN_B`; returns the exit code.

    Exit 0 when every question loaded, 3 when some lines were skipped (each is named on
    stderr), 2 for a missing or unreadable file or wrong arguments.
    """
    if args.questions == "compare":
        return _compare(args.runs)
    if args.runs:
        print(
            f"ruta: unexpected arguments {args.runs}; only `eval compare` takes run folders",
            file=sys.stderr,
        )
        return EXIT_USAGE
    path = Path(args.questions)
    if not path.is_file():
        print(f"ruta: question file {path} does not exist", file=sys.stderr)
        return EXIT_USAGE
    try:
        items, errors = load_items(path)
    except (OSError, UnicodeDecodeError, RutaError) as exc:
        print(f"ruta: cannot read the question file: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for err in errors:
        print(f"ruta: skipped {err}", file=sys.stderr)
    if not items:
        print(f"ruta: {path} holds no usable question", file=sys.stderr)
        return EXIT_PARTIAL if errors else EXIT_USAGE

    started = time.perf_counter()
    out = args.out or Path("eval") / "runs" / datetime.now().strftime("%Y%m%d-%H%M%S")
    progress = not args.quiet and sys.stderr.isatty()
    services = Services(settings)
    result = evaluate_ruta(settings, services, items, args.retrieval_only, progress)
    baseline = None
    if args.baseline:
        bench = baseline_module()
        baseline = bench.baseline_metrics(items, services.embedder, settings.corpus_dir, progress)
    if getattr(args, "judge", False):
        judge = _judge_llm(settings)
        result.metrics["overall"].update(judge_records(result.records, judge))
        print(
            f"LLM-judged faithfulness ({judge.name}): {result.metrics['overall']['faithfulness_llm']}"
        )
    write_run(result, out, config=run_config(settings, path), baseline=baseline)
    print(summary(result.metrics, baseline))
    print(f"\nwrote {out}  ({len(items)} questions in {time.perf_counter() - started:.1f}s)")
    return EXIT_PARTIAL if errors else 0


def _judge_llm(settings: Settings) -> LLM:
    """The configured generative backend, or the bundled llama.cpp model when none is set."""
    llm = make_llm(settings)
    if llm is None:
        llm = make_llm(settings.model_copy(update={"llm": "llamacpp"}))
    assert llm is not None
    return llm


def evaluate_ruta(
    settings: Settings,
    services: Services,
    items: Sequence[Item],
    retrieval_only: bool,
    progress: bool,
) -> EvalResult:
    """Run Ruta over the items; the search resolves follow-ups exactly as answering does."""
    retriever = services.retriever()

    def search(question: str, history: list[Message]) -> list[Hit]:
        q = clean_question(question, settings.max_question_chars)
        return retriever.search(standalone_question(q, history), k=SEARCH_K)

    ask = None if retrieval_only else make_answerer(settings, services).answer
    return run_eval(
        items, search=search, ask=ask, embed=services.embedder.passages, progress=progress
    )


def run_config(settings: Settings, questions: Path) -> dict[str, Any]:
    """Every setting (so a run can be reproduced) and the question file; secrets masked."""
    config: dict[str, Any] = settings.model_dump(mode="json")
    for key in SECRETS:
        if config.get(key):
            config[key] = "***"
    config["questions"] = str(questions)
    return config


def summary(metrics: dict[str, Any], baseline: dict[str, Any] | None = None) -> str:
    """The headline metrics overall and per question type, with a baseline column if given."""
    labels = [LABELS[0]] + ([LABELS[1]] if baseline else [])
    runs = [metrics] + ([baseline] if baseline else [])
    n = metrics["overall"]["n"]
    rows = [["Metric", *labels]]
    for key, label in SUMMARY:
        rows.append([label, *(fmt(key, m["overall"].get(key)) for m in runs)])
    lines = [
        f"{n} questions, {metrics.get('mode', 'answer')} run, "
        f"{metrics['overall']['n_errors']} errors",
        "",
    ]
    lines += _table(rows)

    head = ["Type", "n"]
    for label in labels:
        head += [f"{label} {name}" for _, name in BY_TYPE]
    type_rows = [head]
    for t, g in metrics["by_type"].items():
        row = [t, str(g["n"])]
        for m in runs:
            group = m["by_type"].get(t, {})
            row += [fmt(key, group.get(key)) for key, _ in BY_TYPE]
        type_rows.append(row)
    lines += [""] + _table(type_rows)
    timing = (baseline or {}).get("timing")
    if timing:
        lines += [
            "",
            f"{LABELS[1]}: index built in {timing['index_build_s']:.1f}s "
            f"({timing['nodes']} nodes), query p50 "
            f"{fmt('query_ms', timing['query_ms_p50'])}",
        ]
    return "\n".join(lines)


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    # first column left-aligned (names), the rest right-aligned (numbers)
    out = [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ).rstrip()
        for r in rows
    ]
    out.insert(1, "  ".join("-" * w for w in widths))
    return out


def _compare(runs: Sequence[str]) -> int:
    from eval.compare import compare_runs

    if len(runs) != 2:
        print(f"ruta: `eval compare` takes two run folders, got {len(runs)}", file=sys.stderr)
        return EXIT_USAGE
    for run in runs:
        if not (Path(run) / "metrics.json").is_file():
            print(f"ruta: {run} is not an eval run (no metrics.json)", file=sys.stderr)
            return EXIT_USAGE
    print(compare_runs(Path(runs[0]), Path(runs[1])), end="")
    return 0


def baseline_module() -> ModuleType:
    """bench.baseline, imported even where the project root is not on sys.path."""
    try:
        from bench import baseline
    except ModuleNotFoundError as exc:
        if exc.name != "bench":
            raise
        # bench/ sits beside app/ but is not an installed package (pyproject installs
        # ingest, index, app and eval), so the `ruta` script cannot see it from .venv/bin.
        # Adding "bench*" to [tool.setuptools.packages.find] makes this branch unused.
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from bench import baseline
    return baseline
