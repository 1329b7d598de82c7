"""`make bench`: ingestion cost over the embedder's own throughput, retrieval and answer latency."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from app.commands import make_answerer
from app.services import Services
from app.settings import Settings
from index.build import build_index
from index.retrieve import index_text
from ingest.chunk import chunk_document
from ingest.pipeline import load_corpus

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = [
    "Where does R4V post its monitoring data?",
    "What does EUROFRONT aim to strengthen?",
    "Which agencies co-chair the UN Regional Network on Migration for LAC?",
    "How many countries are covered by the joint IOM-UNDP Global Programme?",
    "What did the IECAH study conclude about current coordination mechanisms?",
    "¿Cuánto dinero aporta USAID al Fondo de Donaciones del BID?",
]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), corpus_dir=ROOT / "corpus")
        services = Services(settings)
        targets = services.stores()
        docs, _ = load_corpus(settings.corpus_dir)
        texts = [index_text(c) for d in docs for c in chunk_document(d)]
        for _, emb in targets:  # warm up: first calls pay for lazy initialisation
            emb.passages(texts[:4])
        t = time.perf_counter()
        for _, emb in targets:
            emb.passages(texts)
        embed_s = time.perf_counter() - t
        t = time.perf_counter()
        docs, _ = load_corpus(settings.corpus_dir)
        build_index(docs, targets, settings.data_dir, progress=False)
        ingest_s = time.perf_counter() - t
        answerer = make_answerer(settings, services)
        retriever = services.retriever()
        for q in QUESTIONS:
            answerer.answer(q)
        ret_ms, ans_ms = [], []
        for _ in range(5):
            for q in QUESTIONS:
                t = time.perf_counter()
                retriever.search(q, settings.top_k)
                ret_ms.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                answerer.answer(q)
                ans_ms.append((time.perf_counter() - t) * 1000)
    results = {
        "chunks": len(texts),
        "embedders_only_s": round(embed_s, 3),
        "ingest_total_s": round(ingest_s, 3),
        "ingest_over_embedding": round(ingest_s / embed_s, 3),
        "retrieval_ms_p50": round(statistics.median(ret_ms), 1),
        "retrieval_ms_p95": round(pct(ret_ms, 0.95), 1),
        "answer_ms_p50": round(statistics.median(ans_ms), 1),
        "answer_ms_p95": round(pct(ans_ms, 0.95), 1),
    }
    for k, v in results.items():
        print(f"{k:>24}: {v}")
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
