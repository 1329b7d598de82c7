"""Run Ruta (or any search/ask pair) over the question set and write the run to a folder."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm

from app.rag.types import Answer, Message
from eval import metrics, report
from eval.questions import Item
from eval.result import EvalResult
from index.lang import detect_language
from index.types import Hit

Search = Callable[[str, list[Message]], list[Hit]]
Ask = Callable[[str, list[Message]], Answer]
# Answer.timings_ms keys that belong to retrieval; other steps (generation, checking) do not.
RETRIEVAL_TIMING_WORDS = ("retriev", "search", "rerank")


def run_eval(
    items: Sequence[Item],
    *,
    search: Search,
    ask: Ask | None,
    embed: metrics.Embed | None = None,
    k_max: int = 10,
    progress: bool = True,
) -> EvalResult:
    """Evaluate every item; ``ask=None`` makes a retrieval-only run.

    ``search(question, history)`` returns ranked hits (the first ``k_max`` are kept). In answer
    runs the answer's own ``hits`` are what is scored, since they are what the answer saw;
    ``search`` is called only when an answer carries none. An item whose call raises is
    recorded with its error and the run goes on. ``embed`` adds similarity to the gold answer.
    """
    records = []
    bar = tqdm(items, desc="ruta eval", unit="q", disable=not progress)
    for item in bar:
        bar.set_postfix_str(item.id, refresh=False)
        records.append(_run_item(item, search, ask, k_max))
    bar.close()

    warnings: list[str] = []
    if embed is not None and ask is not None:
        try:
            _add_similarity(records, embed)
        except Exception as e:  # a broken embedder should not throw the whole run away
            warnings.append(f"similarity skipped: {type(e).__name__}: {e}")
    result = metrics.aggregate(records, tuple(k for k in metrics.KS if k <= max(k_max, 1)))
    result["mode"] = "answer" if ask is not None else "retrieval"
    result["warnings"] = warnings
    return EvalResult(records=tuple(records), metrics=result)


def _blank_record(item: Item) -> dict[str, Any]:
    return {
        "id": item.id,
        "type": item.type,
        # the set's language for the item, else the one Ruta guesses from the question
        "lang": item.lang or detect_language(item.question),
        "question": item.question,
        "history": [asdict(m) for m in item.history],
        "gold_answer": item.answer,
        "key_facts": list(item.key_facts),
        "evidence": list(item.evidence),
        "unanswerable": item.unanswerable,
        "answer": None,
        "refused": None,
        "backend": None,
        "citations": [],
        "retrieved_chunk_ids": [],
        "retrieved_doc_ids": [],
        "evidence_rank": None,
        "key_fact_recall": None,
        "missed_key_facts": [],
        "citation_precision": None,
        "citation_recall": None,
        "similarity": None,
        "retrieval_ms": None,
        "answer_ms": None,
        "error": None,
    }


def _run_item(item: Item, search: Search, ask: Ask | None, k_max: int) -> dict[str, Any]:
    rec = _blank_record(item)
    history = list(item.history)
    try:
        answer = None
        hits: list[Hit] = []
        if ask is not None:
            t0 = time.perf_counter()
            answer = ask(item.question, history)
            rec["answer_ms"] = (time.perf_counter() - t0) * 1000
            hits = list(answer.hits)
            rec["retrieval_ms"] = _retrieval_ms(answer)
        if not hits:
            t0 = time.perf_counter()
            hits = list(search(item.question, history))
            rec["retrieval_ms"] = (time.perf_counter() - t0) * 1000
        hits = sorted(hits, key=lambda h: h.rank)[:k_max]  # stable: equal ranks keep order
        rec["retrieved_chunk_ids"] = [h.chunk.chunk_id for h in hits]
        rec["retrieved_doc_ids"] = [h.chunk.doc_id for h in hits]
        rec["evidence_rank"] = metrics.evidence_rank(item.evidence, [h.chunk.text for h in hits])
        if answer is not None:
            _score_answer(rec, item, answer, hits)
    except Exception as e:  # one failing question must not end a long run
        rec["error"] = f"{type(e).__name__}: {e}"
    return rec


def _score_answer(rec: dict[str, Any], item: Item, answer: Answer, hits: list[Hit]) -> None:
    rec["answer"] = answer.text
    rec["refused"] = answer.refused
    rec["backend"] = answer.backend
    rec["plan"] = answer.plan
    rec["citations"] = [asdict(c) for c in answer.citations]
    rec["key_fact_recall"], rec["missed_key_facts"] = metrics.key_fact_recall(
        item.key_facts, answer.text
    )
    texts = {h.chunk.chunk_id: h.chunk.text for h in (*answer.hits, *hits)}
    rec["citation_precision"] = metrics.citation_precision(answer, item.evidence, texts)
    rec["citation_recall"] = metrics.citation_recall(answer)
    if not answer.refused:
        # the quoted sentences only: not the lead and label in the asker's language
        rec["evidence_precision"] = metrics.evidence_precision(item.evidence, answer.quoted)
        rec["lead_precision"] = metrics.lead_precision(item.key_facts, answer.framing)
        rec["answer_sentences"], rec["answer_words"] = metrics.answer_length(answer.quoted)


def _retrieval_ms(answer: Answer) -> float | None:
    parts = [v for k, v in answer.timings_ms.items() if any(w in k for w in RETRIEVAL_TIMING_WORDS)]
    return float(sum(parts)) if parts else None


def _add_similarity(records: list[dict[str, Any]], embed: metrics.Embed) -> None:
    # only answerable items that got an answer: a refusal's text says nothing about the gold
    todo = [
        r
        for r in records
        if not r["error"] and r["answer"] and not r["refused"] and not r["unanswerable"]
    ]
    sims = metrics.answer_similarity(
        [r["answer"] for r in todo], [r["gold_answer"] for r in todo], embed
    )
    for r, s in zip(todo, sims, strict=True):
        r["similarity"] = s


def write_run(
    result: EvalResult, out_dir: Path, *, config: dict[str, Any], baseline: dict | None = None
) -> None:
    """Write metrics.json (with config and date), answers.jsonl, report.md and report.html.

    ``baseline`` is another run's metrics (``EvalResult.metrics`` or a whole metrics.json),
    shown beside Ruta's in the reports.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if baseline is not None and "metrics" in baseline:
        baseline = baseline["metrics"]
    date = datetime.now(UTC).isoformat(timespec="seconds")
    doc = {"date": date, "config": config, "metrics": result.metrics, "baseline": baseline}
    # default=str: configs carry Paths and the like
    (out_dir / "metrics.json").write_text(
        json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
    with (out_dir / "answers.jsonl").open("w", encoding="utf-8") as f:
        for rec in result.records:
            f.write(json.dumps(rec, ensure_ascii=False, default=str) + "\n")
    (out_dir / "report.md").write_text(
        report.render_markdown(result, config=config, date=date, baseline=baseline),
        encoding="utf-8",
    )
    (out_dir / "report.html").write_text(
        report.render_html(result, config=config, date=date, baseline=baseline), encoding="utf-8"
    )
