"""The LlamaIndex starter-tutorial pipeline over Ruta's corpus, scored like Ruta (the baseline).

What a user gets by following the starter tutorial, with only two changes so the comparison
measures the pipeline and not the model or the machine: the embedder is Ruta's own (passed
explicitly, never LlamaIndex's global OpenAI default), and Chroma runs in memory.

    SimpleDirectoryReader(corpus_dir).load_data()   # every file except sources.toml
    VectorStoreIndex.from_documents(...)            # default SentenceSplitter (1024 / 200)
    index.as_retriever()                            # default similarity_top_k = 2

The baseline has no answer step (that would need an LLM). To compare key-fact recall anyway,
its "answer" is the text of its top retrieved node followed by one [1] citation of that node:
what a reader of the retriever's output would see first. That citation is not verified (nothing
checks it against the sentences), so citation recall is not applicable and is reported as None;
citation precision still says whether the cited node holds the gold evidence. It never refuses.
LlamaIndex types stay in this module: nodes become Ruta's Chunk/Hit here.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llama_index.core.embeddings import BaseEmbedding
from pydantic import PrivateAttr

from app.rag.types import Answer, Citation, Message
from eval.questions import Item
from eval.run import run_eval
from index.embed import Embedder
from index.types import Hit
from ingest.sources import MANIFEST, derive_source, read_manifest
from ingest.types import Chunk

BACKEND = "llamaindex-default"
NOT_APPLICABLE = ("citation_recall",)  # see the module docstring


class RutaEmbedding(BaseEmbedding):
    """LlamaIndex's embedding interface over a Ruta Embedder, so both use the same vectors."""

    _embedder: Any = PrivateAttr()

    def __init__(self, embedder: Embedder, **kwargs: Any) -> None:
        super().__init__(model_name=embedder.name, **kwargs)
        self._embedder = embedder

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embedder.queries([query])[0].tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embedder.passages([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._embedder.passages(list(texts)).tolist()


@dataclass
class Baseline:
    """A built baseline index; ``search`` returns Ruta Hits, best first."""

    retriever: Any  # LlamaIndex VectorIndexRetriever
    sources: dict[str, tuple[str, str]]  # file path -> (doc_id, title), as Ruta names them
    build_s: float
    n_nodes: int

    def search(self, question: str) -> list[Hit]:
        found = self.retriever.retrieve(question)
        return [self._hit(n, rank) for rank, n in enumerate(found, start=1)]

    def _hit(self, scored: Any, rank: int) -> Hit:
        node = scored.node
        path = node.metadata.get("file_path", "")
        name = node.metadata.get("file_name", path)
        doc_id, title = self.sources.get(path, (name, name))
        text = node.get_content()  # the node text alone, without the metadata header
        start = node.start_char_idx or 0
        chunk = Chunk(
            chunk_id=node.node_id,
            doc_id=doc_id,
            title=title,
            text=text,
            start=start,
            end=node.end_char_idx if node.end_char_idx is not None else start + len(text),
        )
        score = float(scored.score or 0.0)
        return Hit(chunk=chunk, score=score, rank=rank, dense_score=score)


def _sources(corpus_dir: Path, files: Sequence[Path]) -> dict[str, tuple[str, str]]:
    # Name documents as Ruta does, so both runs' retrieved_doc_ids can be read side by side.
    manifest = read_manifest(corpus_dir)
    out = {}
    for f in files:
        rel = f.relative_to(corpus_dir).as_posix()
        src = manifest.get(rel) or derive_source(f, corpus_dir)
        out[str(f)] = (src.id, src.title)
    return out


def build_baseline(corpus_dir: Path, embedder: Embedder) -> Baseline:
    """Index corpus_dir the tutorial's way, on an in-memory Chroma collection."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
    from llama_index.vector_stores.chroma import ChromaVectorStore

    corpus_dir = Path(corpus_dir).resolve()
    t0 = time.perf_counter()
    # recursive=True: Ruta reads sub-folders too, and both should see the same files
    reader = SimpleDirectoryReader(str(corpus_dir), exclude=[MANIFEST], recursive=True)
    documents = reader.load_data()
    client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
    # Ephemeral clients in one process share their memory: a fresh name per build.
    collection = client.create_collection(f"baseline-{uuid.uuid4().hex[:12]}")
    storage = StorageContext.from_defaults(
        vector_store=ChromaVectorStore(chroma_collection=collection)
    )
    index = VectorStoreIndex.from_documents(
        documents, storage_context=storage, embed_model=RutaEmbedding(embedder)
    )
    retriever = index.as_retriever()
    build_s = time.perf_counter() - t0
    files = [Path(p).resolve() for p in reader.input_files]
    return Baseline(retriever, _sources(corpus_dir, files), build_s, collection.count())


def top_node_answer(baseline: Baseline, question: str) -> Answer:
    """The baseline's stand-in answer: its top node's text with a [1] citation (see above)."""
    t0 = time.perf_counter()
    hits = baseline.search(question)
    retrieval_ms = (time.perf_counter() - t0) * 1000
    if not hits:
        return Answer(question, "", (), False, BACKEND, (), timings_ms={"retrieval": retrieval_ms})
    top = hits[0].chunk
    cite = Citation(1, top.chunk_id, top.doc_id, top.title, "", None, "", top.text, False)
    return Answer(
        question,
        f"{top.text} [1]",
        (cite,),
        False,
        BACKEND,
        tuple(hits),
        timings_ms={"retrieval": retrieval_ms, "answer": 0.0},
    )


def baseline_metrics(
    items: Sequence[Item], embedder: Embedder, corpus_dir: Path, progress: bool = False
) -> dict[str, Any]:
    """Build the baseline and score it on ``items`` like a Ruta run; adds its build timing.

    The baseline sees each question alone: a bare retriever keeps no chat history, so
    follow-up questions are not resolved (part of what the comparison shows).
    """
    baseline = build_baseline(corpus_dir, embedder)

    def search(question: str, history: list[Message]) -> list[Hit]:
        return baseline.search(question)

    def ask(question: str, history: list[Message]) -> Answer:
        return top_node_answer(baseline, question)

    result = run_eval(items, search=search, ask=ask, embed=embedder.passages, progress=progress)
    metrics = dict(result.metrics)
    for group in [metrics["overall"], *metrics["by_type"].values()]:
        for key in NOT_APPLICABLE:
            group[key] = None
    metrics["timing"] = {
        "index_build_s": baseline.build_s,
        "query_ms_p50": metrics["overall"].get("retrieval_ms_p50"),
        "nodes": baseline.n_nodes,
    }
    return metrics
