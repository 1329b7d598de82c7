"""Chunk vectors pooled from their sentences' vectors: each text is embedded once per model.

The answer step scores sentences with the same model that searches chunks, so embedding the
chunk and then each of its sentences passed every token through the model twice. Here the
sentences (and the chunk's label line: document, section, referent) are embedded, stored for
the answers, and a chunk's vector is their length-weighted mean, normalised: what mean pooling
over the chunk's tokens approximates (e5 is trained with mean pooling). See the README for the
dev-set figures of both ways.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from index.embed import Embedder
from ingest.types import Chunk

# Recorded in the collection's fingerprint: pooled and direct vectors must not be mixed.
POOLING = "sentence-mean-v1"


class PooledEmbedder:
    """Passages and queries pass through to ``inner`` (the sentence embedder, whose vectors are
    kept on disk); ``chunk_passages`` builds chunk vectors from the sentences ``split`` finds."""

    def __init__(self, inner: Embedder, split: Callable[[str], list[str]]) -> None:
        self.inner = inner
        self.name = inner.name
        self.fingerprint = {"vectors": POOLING}
        self._split = split

    def pieces(self, chunk: Chunk, text: str) -> tuple[str, list[str]]:
        """The label line ``text`` (the chunk's indexed text) puts before the passage (may be
        empty), and the passage's sentences."""
        head = text[: -len(chunk.text)].strip() if text.endswith(chunk.text) else ""
        return head, self._split(chunk.text) or [chunk.text]

    def chunk_passages(self, chunks: Sequence[Chunk], texts: Sequence[str]) -> np.ndarray:
        groups = [self.pieces(c, t) for c, t in zip(chunks, texts, strict=True)]
        flat = list(dict.fromkeys(p for head, sents in groups for p in [head, *sents] if p))
        if not flat:
            return self.inner.passages([])
        vecs = dict(zip(flat, self.inner.passages(flat), strict=True))
        out = np.zeros((len(groups), len(vecs[flat[0]])), dtype=np.float32)
        for i, (head, sents) in enumerate(groups):
            parts = ([head] if head else []) + sents
            # By length, the label line too: a uniform mean or a lighter or heavier label
            # did worse on one dev set or both (README, "Ingestion at scale").
            weights = np.array([len(p) for p in parts], np.float32)
            mean = (weights[:, None] * np.stack([vecs[p] for p in parts])).sum(axis=0)
            out[i] = mean / (np.linalg.norm(mean) or 1.0)
        return out

    def passages(self, texts: list[str]) -> np.ndarray:
        return self.inner.passages(texts)

    def queries(self, texts: list[str]) -> np.ndarray:
        return self.inner.queries(texts)
