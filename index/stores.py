"""Store wiring: the collections a configuration reads and writes, and what they must hold."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from index.embed import Embedder
from index.retrieve import INDEX_TEXT_VERSION
from index.store import ChunkStore, open_client
from ingest.chunk import CHUNKER_VERSION

Targets = list[tuple[ChunkStore, Embedder]]


@dataclass(frozen=True)
class StoreConfig:
    """Where the collections live and how their chunks were cut (built from Settings)."""

    index_dir: Path
    chroma_url: str
    collection: str
    chunk_tokens: int
    chunk_max_tokens: int


def fingerprint(config: StoreConfig, embedder_name: str) -> dict[str, str]:
    """What a collection must have been built with for its vectors to be usable. Not the
    cleaning: a cleaner change alters documents' hashes (see CLEANER_VERSION), so the next
    `ruta ingest` replaces them incrementally, no rebuild needed."""
    return {
        "embedder": embedder_name,
        "chunking": f"v{CHUNKER_VERSION}:{config.chunk_tokens}:{config.chunk_max_tokens}",
        "index_text": INDEX_TEXT_VERSION,
    }


def open_stores(
    config: StoreConfig,
    embedders: Sequence[tuple[str, Embedder]],
    *,
    fresh: bool = False,
    on_unavailable: Callable[[], None] | None = None,
    main: str | None = None,
) -> Targets:
    """One collection per (name, embedder), on a new client each call. The main embedder's
    collection (``main``, default the first) is named ``config.collection``, the others
    ``<collection>__<name>``: a collection keeps its name whichever others are built."""
    client = open_client(config.index_dir, config.chroma_url, fresh=fresh)
    out: Targets = []
    main = embedders[0][0] if main is None and embedders else main
    for name, embedder in embedders:
        collection = config.collection if name == main else f"{config.collection}__{name}"
        # The embedder's own name (a remote one's carries its model), and how it makes chunk
        # vectors when it says (index/pooled.py).
        print_ = {**fingerprint(config, embedder.name), **getattr(embedder, "fingerprint", {})}
        store = ChunkStore(client, collection, print_, on_unavailable=on_unavailable)
        out.append((store, embedder))
    return out
