"""Compare two written runs, metric by metric and question by question, as a text table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eval.metrics import lower_is_better
from eval.report import ROWS
from eval.tables import text_table

TOLERANCE = 1e-9  # below this a difference is float noise, reported as "same"
# Timings jitter from run to run; a latency change counts only beyond 10% (and 1 ms).
LATENCY_TOLERANCE, LATENCY_FLOOR_MS = 0.10, 1.0
SKIP = ("n",)  # counts, not quality; a change in n is reported in the header instead


def verdict(metric: str, a: float | None, b: float | None) -> str:
    """Whether going from a to b "improved", "regressed" or stayed the "same" ("n/a": missing)."""
    if a is None or b is None:
        return "n/a"
    if abs(b - a) <= TOLERANCE:
        return "same"
    if "_ms" in metric and abs(b - a) <= max(LATENCY_FLOOR_MS, LATENCY_TOLERANCE * abs(a)):
        return "same"
    better = b < a if lower_is_better(metric) else b > a
    return "improved" if better else "regressed"


def _load(run_dir: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    doc = json.loads((Path(run_dir) / "metrics.json").read_text(encoding="utf-8"))
    records = {}
    with (Path(run_dir) / "answers.jsonl").open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rec = json.loads(line)
                records[rec["id"]] = rec
    return doc, records


def _num(metric: str, v: float | None, signed: bool = False) -> str:
    if v is None:
        return "-"
    sign = "+" if signed else ""
    if metric.startswith("n_"):
        return f"{v:{sign}.0f}"
    return f"{v:{sign}.1f}" if "_ms" in metric else f"{v:{sign}.3f}"


def _metric_rows(ma: dict[str, Any], mb: dict[str, Any]) -> list[list[str]]:
    groups = [("overall", ma.get("overall", {}), mb.get("overall", {}))]
    for t in sorted(set(ma.get("by_type", {})) | set(mb.get("by_type", {}))):
        groups.append((t, ma.get("by_type", {}).get(t, {}), mb.get("by_type", {}).get(t, {})))
    known = [k for k, _ in ROWS if k not in SKIP]
    rows = [["group", "metric", "A", "B", "delta", "verdict"]]
    for name, ga, gb in groups:
        extra = sorted((set(ga) | set(gb)) - set(known) - set(SKIP))
        for key in known + extra:
            a, b = ga.get(key), gb.get(key)
            if a is None and b is None:
                continue
            if not all(isinstance(v, int | float) or v is None for v in (a, b)):
                continue
            delta = b - a if a is not None and b is not None else None
            rows.append(
                [
                    name,
                    key,
                    _num(key, a),
                    _num(key, b),
                    _num(key, delta, signed=True),
                    verdict(key, a, b),
                ]
            )
    return rows


def _rank(r: dict[str, Any]) -> float:
    return r["evidence_rank"] or float("inf")  # not retrieved ranks below any rank


def _question_rows(ra: dict[str, dict], rb: dict[str, dict]) -> list[list[str]]:
    rows = [["id", "type", "what", "A", "B", "verdict"]]
    for qid in sorted(set(ra) | set(rb)):
        a, b = ra.get(qid), rb.get(qid)
        if a is None or b is None:
            rows.append(
                [qid, (a or b)["type"], "only in " + ("B" if a is None else "A"), "", "", "n/a"]
            )
            continue
        if bool(a.get("error")) != bool(b.get("error")):
            rows.append(
                [
                    qid,
                    a["type"],
                    "error",
                    a.get("error") or "-",
                    b.get("error") or "-",
                    "regressed" if b.get("error") else "improved",
                ]
            )
            continue
        if a.get("evidence") and a.get("evidence_rank") != b.get("evidence_rank"):
            rows.append(
                [
                    qid,
                    a["type"],
                    "evidence rank",
                    str(a["evidence_rank"] or "none"),
                    str(b["evidence_rank"] or "none"),
                    "improved" if _rank(b) < _rank(a) else "regressed",
                ]
            )
        ka, kb = a.get("key_fact_recall"), b.get("key_fact_recall")
        if ka != kb:
            rows.append(
                [
                    qid,
                    a["type"],
                    "key-fact recall",
                    _num("", ka),
                    _num("", kb),
                    verdict("key_fact_recall", ka, kb),
                ]
            )
        fa, fb = a.get("refused"), b.get("refused")
        if fa is not None and fb is not None and fa != fb:
            # refusing is right exactly when the question is unanswerable
            right = fb == bool(b.get("unanswerable"))
            rows.append(
                [qid, a["type"], "refused", str(fa), str(fb), "improved" if right else "regressed"]
            )
    return rows


def compare_runs(dir_a: Path, dir_b: Path) -> str:
    """A readable report of what changed from run A (dir_a) to run B (dir_b).

    Metrics overall and per question type with delta and improved/regressed/same (lower is
    better for latencies, false refusals and errors; latencies within 10% or 1 ms count as
    the same); then the questions whose evidence rank, key-fact recall, refusal or error
    changed.
    """
    doc_a, rec_a = _load(dir_a)
    doc_b, rec_b = _load(dir_b)
    ma, mb = doc_a.get("metrics", {}), doc_b.get("metrics", {})
    metric_rows = _metric_rows(ma, mb)
    question_rows = _question_rows(rec_a, rec_b)
    verdicts = [r[-1] for r in metric_rows[1:]]
    q_verdicts = [r[-1] for r in question_rows[1:]]
    na, nb = ma.get("overall", {}).get("n"), mb.get("overall", {}).get("n")
    lines = [
        f"A: {dir_a}  ({doc_a.get('date', '?')}, {na} questions)",
        f"B: {dir_b}  ({doc_b.get('date', '?')}, {nb} questions)",
        f"Metrics: {verdicts.count('improved')} improved, {verdicts.count('regressed')} regressed,"
        f" {verdicts.count('same')} same.  Questions: {q_verdicts.count('improved')} improved, "
        f"{q_verdicts.count('regressed')} regressed.",
        "",
    ]
    if na != nb:
        lines += ["Note: the runs cover different numbers of questions.", ""]
    lines += text_table(metric_rows, numbers_right=False)
    lines += ["", "Questions that changed:"]
    lines += (
        text_table(question_rows, numbers_right=False) if len(question_rows) > 1 else ["(none)"]
    )
    return "\n".join(lines) + "\n"
