"""A generated corpus of N chunks (real sentences recombined, new numbers and places), indexed once.

The index is cached under bench/generated/ (gitignored) and reused while it opens with the
current configuration (the stores check their fingerprint).
Vectors come from the real embedders only when that would take under EMBED_LIMIT_S; otherwise
they are random unit vectors: the query path (Chroma HNSW, BM25, fusion, answer) costs the same,
but the dense rankings are meaningless, so only latency is measured on this index.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from app.rag.text import split_sentences
from app.services import Services
from app.settings import Settings
from bench.common import CORPUS, ROOT, bench_services
from index.embed import Embedder
from index.retrieve import index_text
from ingest.chunk import chunk_document
from ingest.errors import RutaError
from ingest.pipeline import load_corpus
from ingest.types import Chunk

VERSION = 1  # bump when the generated text or layout changes
GENERATED = ROOT / "bench" / "generated"
EMBED_LIMIT_S = 15 * 60
CHUNKS_PER_DOC = 500
DIM = 384
PLACES = (
    "Venezuela Colombia Peru Ecuador Chile Brazil Argentina Bolivia Paraguay Uruguay Panama "
    "Mexico Guatemala Honduras Nicaragua Haiti Cuba Guyana Suriname Trinidad Aruba Curaçao "
    "Bogotá Lima Quito Cúcuta Tapachula Darién Tumbes Roraima Arica Tijuana Caracas"
).split()
KINDS = ("review", "study", "strategy", "web page", "report")
PUBLISHERS = ("IOM", "UNHCR", "R4V", "IDB", "World Bank", "OCHA", "ILO", "UNDP", "IECAH", "K4DD")
_PLACE = re.compile(r"\b(" + "|".join(map(re.escape, PLACES)) + r")\b")
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")


def _vary(sentence: str, rng: random.Random) -> str:
    """New numbers (same digit count) and places in a real sentence."""
    sentence = _PLACE.sub(lambda m: rng.choice(PLACES), sentence)
    return _NUMBER.sub(
        lambda m: str(rng.randrange(10 ** (len(m.group()) - 1), 10 ** len(m.group()))), sentence
    )


def _splice(a: str, b: str, rng: random.Random) -> str:
    """The start of one sentence with the end of another, cut at commas: more distinct text."""
    ca, cb = a.split(", "), b.split(", ")
    if len(ca) < 2 or len(cb) < 2:
        return a
    return ", ".join(ca[: rng.randrange(1, len(ca))] + cb[rng.randrange(1, len(cb)) :])


def synth_docs(n: int, real: list[Chunk], seed: int = 7) -> list[tuple[str, list[Chunk]]]:
    """``n`` chunks in documents of CHUNKS_PER_DOC, lengths drawn from the real chunks'."""
    rng = random.Random(seed)
    pool = [s for c in real for s in split_sentences(c.text) if len(s) > 20]
    sections = sorted({c.section for c in real if c.section}) or ["1. Summary"]
    lengths = [len(c.text) for c in real]
    out: list[tuple[str, list[Chunk]]] = []
    for d in range((n + CHUNKS_PER_DOC - 1) // CHUNKS_PER_DOC):
        doc_id = f"syn-{d:04d}"
        title = f"Synthetic {rng.choice(KINDS)} {d} on mixed movements in {rng.choice(PLACES)}"
        publisher, kind = rng.choice(PUBLISHERS), rng.choice(KINDS)
        chunks, pos = [], 0
        for i in range(min(CHUNKS_PER_DOC, n - d * CHUNKS_PER_DOC)):
            target, parts = rng.choice(lengths), []
            while sum(len(p) + 1 for p in parts) < target:
                s = rng.choice(pool)
                if not s.startswith("- ") and rng.random() < 0.5:
                    s = _splice(s, rng.choice(pool), rng)
                parts.append(_vary(s, rng))
            text = _join(parts)
            chunks.append(
                Chunk(
                    f"{doc_id}#{i:04d}",
                    doc_id,
                    title,
                    text,
                    pos,
                    pos + len(text),
                    rng.choice(sections),
                    None,
                    "",
                    publisher,
                    kind,
                )
            )
            pos += len(text) + 2
        out.append((doc_id, chunks))
    return out


def _join(parts: list[str]) -> str:
    """Sentences run on; a list item (and what follows it) starts a new line, as in the corpus."""
    text = parts[0]
    for prev, part in zip(parts, parts[1:], strict=False):
        text += ("\n" if part.startswith("- ") or prev.startswith("- ") else " ") + part
    return text


def _unit_vectors(rng: np.random.Generator, rows: int) -> np.ndarray:
    v = rng.standard_normal((rows, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _rate(embedder: Embedder, texts: list[str]) -> float:
    """Chunks per second, measured on a sample (when the ingestion part did not run)."""
    t = time.perf_counter()
    embedder.passages(texts)
    return len(texts) / (time.perf_counter() - t)


def generated_index(
    n: int,
    loaded: Services,
    rates: dict[str, float],
    vectors: dict[str, dict[str, np.ndarray]],
    log: Callable[[str], None] = print,
    regenerate: bool = False,
) -> tuple[Services, dict[str, Any]]:
    """The cached generated index of ``n`` chunks (built now if missing), and its meta.

    ``rates`` are the embedders' chunks/s (from the ingestion part) to decide whether real
    embedding fits EMBED_LIMIT_S; ``vectors`` holds the real corpus's vectors by text.
    """
    root = GENERATED / f"n{n}-v{VERSION}"
    settings = Settings(data_dir=root / "data", corpus_dir=CORPUS)
    services = bench_services(settings, loaded)
    meta_file = root / "meta.json"
    if meta_file.exists() and not regenerate:
        try:
            for store, _ in services.stores():
                store.open()  # checks the fingerprint: chunking or embedder settings changed?
            return services, {**json.loads(meta_file.read_text()), "cached": True}
        except RutaError as exc:
            log(f"  the cached generated index is unusable ({exc}); generating it again")
    shutil.rmtree(root, ignore_errors=True)
    t = time.perf_counter()
    docs, _ = load_corpus(CORPUS)
    sizes = settings.chunk_tokens, settings.chunk_max_tokens
    real = [(d.doc_id, d.content_hash, chunk_document(d, *sizes)) for d in docs]
    synth = synth_docs(n, [c for _, _, cs in real for c in cs])
    gen_s = time.perf_counter() - t
    stores = services.stores()  # the same collections `ruta ingest` writes
    estimate_s = 0.0
    for _, emb in stores:
        rate = rates.get(emb.name) or _rate(emb, [index_text(c) for c in synth[0][1][:16]])
        estimate_s += n / rate
    real_vectors = estimate_s <= EMBED_LIMIT_S
    log(
        f"  generating {n} chunks; embedding them would take ~{estimate_s / 60:.0f} min -> "
        f"{'real vectors' if real_vectors else 'random unit vectors (latency only)'}"
    )
    write_s = 0.0
    t = time.perf_counter()
    for k, (store, emb) in enumerate(stores):
        store.create(rebuild=True)
        rng = np.random.default_rng(k)
        for doc_id, doc_hash, chunks in real:  # the real documents keep real vectors
            texts = [index_text(c) for c in chunks]
            known = vectors.get(emb.name, {})
            vecs = (
                np.stack([known[x] for x in texts])
                if all(x in known for x in texts)
                else emb.passages(texts)
            )
            store.replace_doc(doc_id, doc_hash, chunks, vecs)
        for d, (doc_id, chunks) in enumerate(synth):
            vecs = (
                emb.passages([index_text(c) for c in chunks])
                if real_vectors
                else _unit_vectors(rng, len(chunks))
            )
            w = time.perf_counter()
            store.replace_doc(doc_id, f"synthetic-{VERSION}", chunks, vecs)
            write_s += time.perf_counter() - w
            if d % 40 == 39:
                log(f"    {store.name}: {(d + 1) * CHUNKS_PER_DOC} chunks")
    meta = {
        "chunks": n + sum(len(cs) for _, _, cs in real),
        "synthetic_chunks": n,
        "vectors": "real" if real_vectors else "random-unit",
        "embedding_estimate_min": round(estimate_s / 60, 1),
        "generate_text_s": round(gen_s, 1),
        "build_s": round(time.perf_counter() - t, 1),
        "store_write_s": round(write_s, 1),
        "store_write_chunks_per_s": round(len(stores) * n / write_s) if write_s else None,
        "disk_mb": round(sum(f.stat().st_size for f in root.rglob("*") if f.is_file()) / 2**20),
    }
    meta_file.write_text(json.dumps(meta, indent=2) + "\n")
    return services, {**meta, "cached": False}


def report(r: dict[str, Any]) -> list[str]:
    """The generated index's figures, then the latency figures measured on it."""
    from bench.latency import report as latency_report

    i = r["index"]
    vec = (
        "random unit vectors: dense rankings are meaningless, only latency counts"
        if i["vectors"] == "random-unit"
        else "real vectors"
    )
    return [
        f"  index: {i['chunks']} chunks ({'cached' if i['cached'] else 'generated now'}), {vec};"
        f" embedding them for real would take ~{i['embedding_estimate_min']} min",
        f"  generation: text {i['generate_text_s']} s, store writes {i['store_write_s']} s "
        f"({i['store_write_chunks_per_s']} chunks/s over both collections), "
        f"{i['disk_mb']} MiB on disk",
        *latency_report(r),
    ]
