"""The summary `ruta eval` prints: headline metrics overall, per question type, per plan and,
for a set in several languages, per language."""

from __future__ import annotations

from typing import Any

from eval.report import LABEL, LABELS, ROWS, fmt
from eval.tables import text_table

# The headline rows: the report's (report.ROWS, in its order) less the counts, the extra hit@k
# and the similarity to gold, which only the report shows.
SUMMARY = tuple(
    key for key, _ in ROWS if key not in ("n", "n_errors", "hit@3", "hit@10", "similarity")
)
BY_TYPE = (
    ("hit@1", "hit@1"),
    ("key_fact_recall", "key facts"),
    ("evidence_precision", "evidence"),
    ("answer_sentences_p50", "sentences"),
    ("refusal_rate", "refused (unans.)"),
    ("false_refusal_rate", "refused (ans.)"),
)
BY_LANG = (
    ("hit@1", "hit@1"),
    ("key_fact_recall", "key facts"),
    ("evidence_precision", "evidence"),
    ("refusal_rate", "refused (unans.)"),
    ("false_refusal_rate", "refused (ans.)"),
)
BY_PLAN = (
    ("key_fact_recall", "key facts"),
    ("answer_sentences_p50", "sentences"),
    ("refusal_rate", "refused (unans.)"),
    ("false_refusal_rate", "refused (ans.)"),
    ("answer_ms_p95", "answer p95"),
)


def summary(metrics: dict[str, Any], baseline: dict[str, Any] | None = None) -> str:
    """The headline metrics overall and per question type, with a baseline column if given."""
    labels = [LABELS[0]] + ([LABELS[1]] if baseline else [])
    runs = [metrics] + ([baseline] if baseline else [])
    n = metrics["overall"]["n"]
    rows = [["Metric", *labels]]
    for key in SUMMARY:
        rows.append([LABEL[key], *(fmt(key, m["overall"].get(key)) for m in runs)])
    lines = [
        f"{n} questions, {metrics.get('mode', 'answer')} run, "
        f"{metrics['overall']['n_errors']} errors",
        "",
    ]
    lines += text_table(rows)

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
    lines += [""] + text_table(type_rows)
    plans = metrics.get("by_plan") or {}
    if plans:  # how each plan (single, list, parts, chain, comparison, summary, derived) fares
        plan_rows = [["Plan", "n", *(name for _, name in BY_PLAN)]]
        for p, g in plans.items():
            plan_rows.append([p, str(g["n"]), *(fmt(key, g.get(key)) for key, _ in BY_PLAN)])
        lines += [""] + text_table(plan_rows)
    langs = metrics.get("by_lang") or {}
    if langs:  # the same questions asked in several languages should fare the same
        lang_rows = [["Language", "n", *(name for _, name in BY_LANG)]]
        for code, g in langs.items():
            lang_rows.append([code, str(g["n"]), *(fmt(key, g.get(key)) for key, _ in BY_LANG)])
        lines += [""] + text_table(lang_rows)
    timing = (baseline or {}).get("timing")
    if timing:
        lines += [
            "",
            f"{LABELS[1]}: index built in {timing['index_build_s']:.1f}s "
            f"({timing['nodes']} nodes), query p50 "
            f"{fmt('query_ms', timing['query_ms_p50'])}",
        ]
    return "\n".join(lines)
