"""`ruta eval`: the glue that runs a question set through Ruta (and the baseline) and prints the summary."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from app.cli.output import EXIT_PARTIAL, EXIT_USAGE
from app.rag.answer import search
from app.rag.llms import LLM, make_llm
from app.rag.types import Message
from app.services import Services, make_answerer
from app.settings import Settings
from eval.judge import judge_records
from eval.questions import Item, load_items
from eval.result import EvalResult
from eval.run import run_eval, write_run
from eval.summary import summary
from index.types import Hit
from ingest.errors import RutaError

SEARCH_K = 10  # retrieval is scored at hit@1..hit@10
SECRETS = (
    "openai_api_key",
    "embed_api_key",
    "api_token",
)  # kept out of metrics.json and report.html


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
        from eval.baseline import baseline_metrics  # LlamaIndex loads only when asked for

        baseline = baseline_metrics(items, services.embedder, settings.corpus_dir, progress)
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
    """Run Ruta over the items; the search resolves follow-ups exactly as answering does.
    It starts as `ruta serve` does (Services.warm_up: the query models and the
    RUTA_WARM_LANGUAGES dictionaries), so that no question's time holds a one-off load."""
    services.warm_up()
    retriever = services.retriever()

    def retrieve(question: str, history: list[Message]) -> list[Hit]:
        limit = settings.max_question_chars
        return search(retriever, question, history, k=SEARCH_K, max_question_chars=limit)

    ask = None if retrieval_only else make_answerer(settings, services).answer
    return run_eval(
        items, search=retrieve, ask=ask, embed=services.embedder.passages, progress=progress
    )


def run_config(settings: Settings, questions: Path) -> dict[str, Any]:
    """Every setting (so a run can be reproduced) and the question file; secrets masked."""
    config: dict[str, Any] = settings.model_dump(mode="json")
    for key in SECRETS:
        if config.get(key):
            config[key] = "***"
    config["questions"] = str(questions)
    return config


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
