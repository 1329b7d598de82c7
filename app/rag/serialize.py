"""Plain-dict views of Hits and Answers, shared by the CLI, the HTTP API and evaluation."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from app.rag.types import Answer
from index.types import Hit


def hit_dict(h: Hit) -> dict[str, Any]:
    c = h.chunk
    return {
        "rank": h.rank,
        "score": round(h.score, 6),
        "chunk_id": c.chunk_id,
        "doc_id": c.doc_id,
        "title": c.title,
        "section": c.section,
        "page": c.page,
        "url": c.url,
        "links": list(c.links),
        "text": c.text,
    }


def answer_dict(a: Answer, with_hits: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "question": a.question,
        "answer": a.text,
        "citations": [asdict(c) for c in a.citations],
        "refused": a.refused,
        "backend": a.backend,
        "language": a.language,
        "notice": a.notice,
        "standalone_question": a.standalone_question,
        "plan": a.plan,
        "latency_ms": round(a.latency_ms, 1),
        "timings_ms": {k: round(v, 1) for k, v in a.timings_ms.items()},
        "suggestions": list(a.suggestions),
        # The lines of ``answer`` in the asker's language (a lead, the quotation label) and the
        # answer without them, the quoted English evidence: [] and ``answer`` for English.
        "framing": list(a.framing),
        "quoted": a.quoted,
    }
    if with_hits:
        out["hits"] = [hit_dict(h) for h in a.hits]
    return out
