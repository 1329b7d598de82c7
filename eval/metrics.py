"""Pure scoring functions: retrieval ranks, key facts, ALCE-style citations, refusals, latency."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from app.rag.types import Answer

KS = (1, 3, 5, 10)
Embed = Callable[[list[str]], np.ndarray]

_MARKER = re.compile(r"\[(\d+)\]")
# A sentence ends at . ! ? (or …) followed by whitespace or the end, taking along any [n]
# markers placed after the full stop, so "… in 2023. [2] Next" keeps [2] with its sentence.
_SENT_END = re.compile(r"[.!?…](?:[\"'”’)\]]*)(?:\s*\[\d+\])*(?=\s|$)")
# Metrics where a smaller number is the better one (compare.py needs the direction).
LOWER_IS_BETTER = ("false_refusal_rate", "n_errors", "answer_sentences", "answer_words")


def norm(s: str) -> str:
    """Lower-case and keep only letters and digits, so spacing, punctuation and hyphenation
    differences between the gold spans and the cleaned chunk text do not matter."""
    return "".join(c for c in s.lower() if c.isalnum())


def lower_is_better(metric: str) -> bool:
    """Latencies, false refusals and error counts improve when they go down."""
    return any(m in metric for m in LOWER_IS_BETTER) or "_ms" in metric


# --- retrieval ---------------------------------------------------------------------------


def evidence_rank(evidence: Iterable[str], texts: Sequence[str]) -> int | None:
    """1-based rank of the first text containing any evidence span (both normalised).

    None when no text within ``texts`` contains one, or when there is no evidence to find.
    """
    spans = [n for n in (norm(e) for e in evidence) if n]  # an empty span would match anything
    if not spans:
        return None
    for rank, text in enumerate(texts, start=1):
        t = norm(text)
        if any(s in t for s in spans):
            return rank
    return None


def retrieval_scores(rank: int | None, ks: Sequence[int] = KS) -> dict[str, float]:
    """hit@k (1.0 when the evidence rank is <= k) for each k, and the reciprocal rank."""
    scores = {f"hit@{k}": float(rank is not None and rank <= k) for k in ks}
    scores["mrr"] = 1.0 / rank if rank else 0.0
    return scores


# --- answers -----------------------------------------------------------------------------


def strip_markers(text: str) -> str:
    """Answer text without its [n] markers: norm() would otherwise glue "25 [1]" into "251"."""
    return _MARKER.sub(" ", text)


def lead_precision(key_facts: Sequence[str], framing: Sequence[str]) -> float | None:
    """Whether the lead line in the asker's language ("Según los documentos: UNHCR and IOM
    [1]") names a key fact: 1.0 or 0.0; None without a lead that cites (English answers, a
    quotation label alone) or without key facts. A lead naming the wrong name misleads
    before the quotes are read, and key-fact recall, which reads the whole answer, misses it."""
    leads = [line for line in framing if _MARKER.search(line)]
    facts = [norm(f) for f in key_facts if norm(f)]
    if not leads or not facts:
        return None
    said = norm(strip_markers(" ".join(leads)))
    return float(any(f in said for f in facts))


def key_fact_recall(key_facts: Sequence[str], text: str) -> tuple[float | None, list[str]]:
    """Share of key facts whose normalised form occurs in the normalised answer, and the missed.

    None when the item lists no key facts (nothing to recall).
    """
    facts = [f for f in key_facts if norm(f)]
    if not facts:
        return None, []
    t = norm(strip_markers(text))
    missed = [f for f in facts if norm(f) not in t]
    return 1.0 - len(missed) / len(facts), missed


def answer_similarity(texts: list[str], golds: list[str], embed: Embed) -> list[float]:
    """Cosine similarity of each answer to its gold answer, embedded in one batch.

    ``embed`` should return unit vectors; they are normalised again so any embedder works.
    """
    if not texts:
        return []
    vecs = np.asarray(embed([strip_markers(t) for t in texts] + list(golds)), dtype=np.float64)
    vecs = vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
    a, g = vecs[: len(texts)], vecs[len(texts) :]
    return [float(x) for x in np.sum(a * g, axis=1)]


# --- citations (after ALCE, Gao et al. 2023) -----------------------------------------------


def split_sentences(text: str) -> list[str]:
    """Split answer text after sentence-ending punctuation; trailing [n] markers stay with the
    sentence they follow. Pieces with no letter or digit (a stray marker) are dropped.
    Abbreviations such as "e.g. " do split; that only makes citation recall stricter."""
    sentences, start = [], 0
    for m in _SENT_END.finditer(text):
        sentences.append(text[start : m.end()])
        start = m.end()
    sentences.append(text[start:])
    return [s.strip() for s in sentences if norm(strip_markers(s))]


def markers(sentence: str) -> list[int]:
    """The citation numbers [n] that a sentence carries, in order."""
    return [int(n) for n in _MARKER.findall(sentence)]


def citation_precision(
    answer: Answer, evidence: Sequence[str], chunk_texts: dict[str, str] | None = None
) -> float | None:
    """Share of the answer's citations that support it.

    A citation is supporting when its cited passage — the chunk text (looked up by chunk_id in
    ``chunk_texts``, by default the answer's own hits) or else its quote — contains a gold
    evidence span (normalised containment), OR when Ruta verified its quote (``verified``).
    Averaged per answer as ALCE does. None for refused answers and answers citing nothing.
    """
    if answer.refused or not answer.citations:
        return None
    if chunk_texts is None:
        chunk_texts = {h.chunk.chunk_id: h.chunk.text for h in answer.hits}
    good = 0
    for c in answer.citations:
        passage = chunk_texts.get(c.chunk_id) or c.quote
        if c.verified or evidence_rank(evidence, [passage, c.quote]) is not None:
            good += 1
    return good / len(answer.citations)


def citation_recall(answer: Answer) -> float | None:
    """Share of answer sentences that carry at least one [n] marker whose citation is verified.

    Sentences come from split_sentences(); a marker pointing at no citation counts as none.
    None for refused answers and empty text.
    """
    if answer.refused:
        return None
    sentences = split_sentences(answer.quoted)  # the lead's markers are the quotes' own
    if not sentences:
        return None
    verified = {c.n for c in answer.citations if c.verified}
    supported = sum(1 for s in sentences if any(n in verified for n in markers(s)))
    return supported / len(sentences)


# --- aggregation ---------------------------------------------------------------------------


def _mean(values: Iterable[float | None]) -> float | None:
    vals = [float(v) for v in values if v is not None]
    return float(np.mean(vals)) if vals else None


def _percentiles(values: Iterable[float | None]) -> tuple[float | None, float | None]:
    """Median and p90 of the values that exist (answer lengths)."""
    vals = [float(v) for v in values if v is not None]
    if not vals:
        return None, None
    p50, p90 = np.percentile(vals, [50, 90])
    return float(p50), float(p90)


def latency_summary(values: Iterable[float | None]) -> tuple[float | None, float | None]:
    """p50 and p95 in ms (numpy's linear interpolation); None when nothing was timed."""
    vals = [float(v) for v in values if v is not None]
    if not vals:
        return None, None
    p50, p95 = np.percentile(vals, [50, 95])
    return float(p50), float(p95)


def group_metrics(records: Sequence[dict[str, Any]], ks: Sequence[int] = KS) -> dict[str, Any]:
    """Metrics over a group of per-item records (see run.py for the record's keys).

    Items that raised are counted in ``n_errors`` and left out of every other metric.
    Retrieval metrics cover items that have evidence; refusal rate covers unanswerable items
    and false refusal rate answerable ones (answer runs only); the rest average the per-item
    scores that exist (None = not applicable). A metric no item applies to is None.
    """
    ok = [r for r in records if not r.get("error")]
    with_evidence = [r for r in ok if r.get("evidence")]
    answered = [r for r in ok if r.get("refused") is not None]
    out: dict[str, Any] = {"n": len(records), "n_errors": len(records) - len(ok)}
    for k in ks:
        out[f"hit@{k}"] = _mean(
            retrieval_scores(r["evidence_rank"], ks)[f"hit@{k}"] for r in with_evidence
        )
    out["mrr"] = _mean(retrieval_scores(r["evidence_rank"], ks)["mrr"] for r in with_evidence)
    for name in (
        "key_fact_recall",
        "similarity",
        "citation_precision",
        "citation_recall",
        "evidence_precision",
        "lead_precision",
    ):
        out[name] = _mean(r.get(name) for r in ok)
    for name in ("answer_sentences", "answer_words"):
        out[f"{name}_p50"], out[f"{name}_p90"] = _percentiles(r.get(name) for r in ok)
    out["refusal_rate"] = _mean(float(r["refused"]) for r in answered if r.get("unanswerable"))
    out["false_refusal_rate"] = _mean(
        float(r["refused"]) for r in answered if not r.get("unanswerable")
    )
    for name in ("retrieval_ms", "answer_ms"):
        out[f"{name}_p50"], out[f"{name}_p95"] = latency_summary(r.get(name) for r in ok)
    return out


PLANS = ("single", "list", "parts", "chain", "comparison", "summary", "derived", "documents")


def aggregate(records: Sequence[dict[str, Any]], ks: Sequence[int] = KS) -> dict[str, Any]:
    """``{"overall": {...}, "by_type": {type: {...}}, "by_plan": {plan: {...}}, "by_lang":
    {lang: {...}}}`` with group_metrics() for each; a summary's key-fact recall is its
    coverage (the share of its gold points it quotes). ``by_lang`` only when the questions are
    in more than one language (English first: the others are read against it)."""
    types = sorted({r["type"] for r in records})
    planned = {r.get("plan") for r in records if r.get("plan")}
    by_plan = {
        p: group_metrics([r for r in records if r.get("plan") == p], ks)
        for p in (*PLANS, *sorted(planned - set(PLANS)))
        if p in planned
    }
    overall = group_metrics(records, ks)
    overall["summary_coverage"] = by_plan.get("summary", {}).get("key_fact_recall")
    langs = sorted({r["lang"] for r in records if r.get("lang")}, key=lambda x: (x != "en", x))
    out = {
        "overall": overall,
        "by_type": {t: group_metrics([r for r in records if r["type"] == t], ks) for t in types},
        "by_plan": by_plan,
    }
    if len(langs) > 1:
        out["by_lang"] = {
            lang: group_metrics([r for r in records if r.get("lang") == lang], ks) for lang in langs
        }
    return out


# --- answer focus ---------------------------------------------------------------------------


def _overlaps(sentence: str, span: str) -> bool:
    """The sentence holds the span, or the two share a run of at least half the shorter."""
    if span in sentence or (len(sentence) >= 20 and sentence in span):
        return True
    from difflib import SequenceMatcher

    m = SequenceMatcher(None, sentence, span, autojunk=False).find_longest_match()
    return m.size >= 0.5 * min(len(sentence), len(span))


def evidence_precision(evidence: Sequence[str], text: str) -> float | None:
    """Share of the answer's sentences that contain a gold evidence span (letters and digits,
    lower case) or overlap one by half. None without evidence or without sentences."""
    spans = [n for n in (norm(e) for e in evidence) if len(n) >= 8]
    sents = [norm(strip_markers(s)) for s in _units(text)]
    sents = [s for s in sents if s]
    if not spans or not sents:
        return None
    good = sum(1 for s in sents if any(_overlaps(s, sp) for sp in spans))
    return good / len(sents)


def answer_length(text: str) -> tuple[int, int]:
    """Sentences (list items count as one each) and words of an answer, markers left out."""
    return len(_units(text)), len(strip_markers(text).split())


def _units(text: str) -> list[str]:
    """Sentences, each list item (a line of its own) counted as one."""
    return [s for line in text.split("\n") for s in split_sentences(line)]
