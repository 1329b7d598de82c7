"""Render a run as report.md (summary) and a self-contained report.html (tables, SVG, failures)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from eval import plots
from eval.result import EvalResult

LABELS = ("Ruta", "LlamaIndex default")
# (key in the metrics dict, label); the order the tables show them in
ROWS = (
    ("n", "Questions"),
    ("n_errors", "Errors"),
    ("hit@1", "Hit@1"),
    ("hit@3", "Hit@3"),
    ("hit@5", "Hit@5"),
    ("hit@10", "Hit@10"),
    ("mrr", "MRR"),
    ("key_fact_recall", "Key-fact recall"),
    ("similarity", "Similarity to gold"),
    ("citation_precision", "Citation precision"),
    ("citation_recall", "Citation recall"),
    ("evidence_precision", "Evidence precision"),
    ("lead_precision", "Lead names a key fact"),
    ("answer_sentences_p50", "Answer sentences p50"),
    ("answer_sentences_p90", "Answer sentences p90"),
    ("answer_words_p50", "Answer words p50"),
    ("answer_words_p90", "Answer words p90"),
    ("refusal_rate", "Refusal rate (unanswerable)"),
    ("false_refusal_rate", "False refusal rate"),
    ("retrieval_ms_p50", "Retrieval p50"),
    ("retrieval_ms_p95", "Retrieval p95"),
    ("answer_ms_p50", "Answer p50"),
    ("answer_ms_p95", "Answer p95"),
    ("summary_coverage", "Summary coverage"),
)
TYPE_COLUMNS = (
    "n",
    "hit@5",
    "mrr",
    "key_fact_recall",
    "citation_precision",
    "citation_recall",
    "evidence_precision",
    "answer_sentences_p50",
    "refusal_rate",
    "false_refusal_rate",
    "answer_ms_p50",
)
# single, list, parts, chain, comparison, summary, derived (a summary's key facts: its coverage)
PLAN_COLUMNS = (
    "n",
    "key_fact_recall",
    "citation_recall",
    "answer_sentences_p50",
    "refusal_rate",
    "false_refusal_rate",
    "answer_ms_p50",
    "answer_ms_p95",
)
# per language, when the questions are in several (the same question should fare the same)
LANG_COLUMNS = (
    "n",
    "hit@1",
    "key_fact_recall",
    "evidence_precision",
    "lead_precision",
    "refusal_rate",
    "false_refusal_rate",
)
CHART_SERIES = (
    "hit@5",
    "mrr",
    "key_fact_recall",
    "citation_precision",
    "citation_recall",
    "refusal_rate",
)
LABEL = dict(ROWS)

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;
color:#1d1d1f;padding:0 1rem;line-height:1.4}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid #ddd;padding:.3rem .5rem;vertical-align:top;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}th{background:#f4f4f6}
.fail td{max-width:22rem}.miss{color:#b00020}.ok{color:#007a3d}.muted{color:#666}
svg{max-width:100%;height:auto;font-size:11px;margin:.5rem 0}svg .t{font-size:13px;font-weight:600}
svg .grid{stroke:#e5e5e5}blockquote{margin:.2rem 0 .2rem .5rem;color:#444;font-style:italic}
"""


def fmt(key: str, value: Any) -> str:
    """A metric value for display: counts as integers, latencies in ms, the rest to 3 places."""
    if value is None:
        return "—"
    if key in ("n", "n_errors"):
        return str(int(value))
    if key.startswith(("answer_sentences", "answer_words")):
        return f"{value:.1f}"
    if "_ms" in key:
        return f"{plots.ms(value)} ms"
    return f"{value:.3f}"


def failure_reasons(rec: dict[str, Any]) -> list[str]:
    """What went wrong for one record; empty when nothing did."""
    if rec.get("error"):
        return [f"error: {rec['error']}"]
    reasons = []
    if rec.get("evidence") and rec.get("evidence_rank") is None:
        reasons.append("evidence not retrieved")
    if rec.get("missed_key_facts"):
        reasons.append("missed key facts: " + "; ".join(rec["missed_key_facts"]))
    if rec.get("refused") is True and not rec.get("unanswerable"):
        reasons.append("wrongly refused")
    if rec.get("refused") is False and rec.get("unanswerable"):
        reasons.append("answered an unanswerable question")
    return reasons


def render_markdown(
    result: EvalResult,
    *,
    config: dict[str, Any],
    date: str,
    baseline: dict | None = None,
    labels: Sequence[str] = LABELS,
) -> str:
    """A short summary: counts, the config, the metrics table and a per-type table."""
    m = result.metrics
    overall = m["overall"]
    n_fail = sum(1 for r in result.records if failure_reasons(r))
    lines = [
        f"# Ruta evaluation, {date}",
        "",
        f"{overall['n']} questions ({m.get('mode', 'answer')} run), {overall['n_errors']} errors, "
        f"{n_fail} failures to read in report.html.",
        "",
        "Config: " + ", ".join(f"`{k}={v}`" for k, v in config.items()),
        "",
    ]
    lines += [f"Warning: {w}" for w in m.get("warnings", [])]
    header = ["Metric", labels[0]] + ([labels[1]] if baseline else [])
    lines += ["| " + " | ".join(header) + " |", "|---" + "|---:" * (len(header) - 1) + "|"]
    for key, label in ROWS:
        cells = [label, fmt(key, overall.get(key))]
        if baseline:
            cells.append(fmt(key, baseline.get("overall", {}).get(key)))
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## By question type", ""]
    lines += _md_table("Type", m["by_type"], TYPE_COLUMNS, escape_pipes=True)
    if m.get("by_plan"):
        lines += ["", "## By answer plan", ""]
        lines += _md_table("Plan", m["by_plan"], PLAN_COLUMNS)
    if m.get("by_lang"):
        lines += ["", "## By language", ""]
        lines += _md_table("Language", m["by_lang"], LANG_COLUMNS)
    return "\n".join(lines) + "\n"


def _metrics_table(metrics: dict[str, Any], baseline: dict | None, labels: Sequence[str]) -> str:
    head = f"<th>Metric</th><th>{escape(labels[0])}</th>"
    if baseline:
        head += f"<th>{escape(labels[1])}</th>"
    rows = []
    for key, label in ROWS:
        cells = (
            f"<td>{escape(label)}</td><td class=num>{fmt(key, metrics['overall'].get(key))}</td>"
        )
        if baseline:
            b = baseline.get("overall", {}).get(key)
            cells += f"<td class=num>{escape(fmt(key, b))}</td>"
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _md_table(
    first: str,
    groups: dict[str, dict[str, Any]],
    columns: Sequence[str],
    escape_pipes: bool = False,
) -> list[str]:
    """A Markdown table: one row per group (a type, a plan, a language), one column per metric."""
    lines = ["| " + first + " | " + " | ".join(LABEL[c] for c in columns) + " |"]
    lines.append("|---" + "|---:" * len(columns) + "|")
    for name, g in groups.items():
        cells = [name.replace("|", "\\|") if escape_pipes else name]
        lines.append("| " + " | ".join(cells + [fmt(c, g.get(c)) for c in columns]) + " |")
    return lines


def _type_table(
    by_type: dict[str, dict[str, Any]], columns: Sequence[str] = TYPE_COLUMNS, first: str = "Type"
) -> str:
    head = f"<th>{first}</th>" + "".join(f"<th>{escape(LABEL[c])}</th>" for c in columns)
    rows = [
        f"<tr><td>{escape(t)}</td>"
        + "".join(f"<td class=num>{fmt(c, g.get(c))}</td>" for c in columns)
        + "</tr>"
        for t, g in by_type.items()
    ]
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _citations_html(citations: list[dict[str, Any]]) -> str:
    parts = []
    for c in citations:
        where = ", ".join(
            x
            for x in (
                c.get("title") or c.get("doc_id", ""),
                c.get("section", ""),
                f"p. {c['page']}" if c.get("page") else "",
            )
            if x
        )
        mark = (
            "<span class=ok>verified</span>"
            if c.get("verified")
            else ("<span class=miss>not verified</span>")
        )
        parts.append(
            f"<div>[{escape(str(c.get('n')))}] {escape(where)} ({mark})"
            f"<blockquote>{escape(c.get('quote') or '')}</blockquote></div>"
        )
    return "".join(parts) or "<span class=muted>none</span>"


def _history_html(history: list[dict[str, str]]) -> str:
    # a follow-up question makes no sense without the turns before it
    turns = "".join(f"{escape(t['role'])}: {escape(t['content'])}<br>" for t in history)
    return f"<span class=muted>{turns}</span>" if turns else ""


def _failures_table(records: Sequence[dict[str, Any]], label: str) -> str:
    rows = []
    for r in records:
        reasons = failure_reasons(r)
        if not reasons:
            continue
        answer = r.get("answer")
        rank = r.get("evidence_rank")
        retrieved = f"evidence at rank {rank}" if rank else "evidence not in the hits"
        rows.append(
            "<tr>"
            f"<td>{escape(r['id'])}<br><span class=muted>{escape(r['type'])}</span></td>"
            f"<td>{_history_html(r.get('history') or [])}{escape(r['question'])}</td>"
            f"<td>{escape(r.get('gold_answer') or '')}</td>"
            f"<td>{escape(answer) if answer is not None else '<span class=muted>—</span>'}"
            f"{'<br><span class=muted>(refused)</span>' if r.get('refused') else ''}</td>"
            f"<td>{_citations_html(r.get('citations') or [])}</td>"
            "<td class=miss>"
            + "<br>".join(escape(x) for x in reasons)
            + (f"<br><span class=muted>{escape(retrieved)}</span>" if r.get("evidence") else "")
            + "</td></tr>"
        )
    if not rows:
        return "<p>No failures.</p>"
    head = "".join(
        f"<th>{escape(h)}</th>"
        for h in ("Item", "Question", "Gold answer", f"{label}'s answer", "Citations", "Missed")
    )
    return f"<table class=fail><tr>{head}</tr>{''.join(rows)}</table>"


def render_html(
    result: EvalResult,
    *,
    config: dict[str, Any],
    date: str,
    baseline: dict | None = None,
    labels: Sequence[str] = LABELS,
) -> str:
    """One HTML file with no external resources: inline CSS, inline SVG, all text escaped."""
    m = result.metrics
    types = list(m["by_type"])
    series = [
        (LABEL[key], [m["by_type"][t].get(key) for t in types])
        for key in CHART_SERIES
        if any(m["by_type"][t].get(key) is not None for t in types)
    ]
    overall = m["overall"]
    charts = [plots.bar_chart(types, series, "Metrics by question type")]
    for key, title in (
        ("answer_ms", "Whole-answer latency"),
        ("retrieval_ms", "Retrieval latency"),
    ):
        values = [r[key] for r in result.records if r.get(key) is not None]
        if values:
            marks = {"p50": overall.get(f"{key}_p50"), "p95": overall.get(f"{key}_p95")}
            charts.append(plots.histogram(values, title, marks))
    config_rows = "".join(
        f"<tr><th>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>" for k, v in config.items()
    )
    warnings = "".join(f"<p class=miss>{escape(w)}</p>" for w in m.get("warnings", []))
    return (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        f"<title>Ruta evaluation {escape(date)}</title><style>{CSS}</style></head><body>"
        f"<h1>Ruta evaluation</h1><p class=muted>{escape(date)} · {overall['n']} questions · "
        f"{escape(str(m.get('mode', 'answer')))} run · {overall['n_errors']} errors</p>{warnings}"
        f"<h2>Metrics</h2>{_metrics_table(m, baseline, labels)}"
        f"<h2>By question type</h2>{_type_table(m['by_type'])}"
        f"<h2>By answer plan</h2>{_type_table(m.get('by_plan', {}), PLAN_COLUMNS)}"
        + (
            f"<h2>By language</h2>{_type_table(m['by_lang'], LANG_COLUMNS, 'Language')}"
            if m.get("by_lang")
            else ""
        )
        + f"{''.join(charts)}"
        f"<h2>Failures to read</h2>{_failures_table(result.records, labels[0])}"
        f"<h2>Configuration</h2><table>{config_rows}</table>"
        "</body></html>\n"
    )
