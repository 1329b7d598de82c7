"""What the page says Ruta answers from: each indexed document's title, publisher, date, kind
and link, read from the index and completed by corpus/sources.toml (the date)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from app.http.render import esc
from ingest.sources import read_manifest
from ingest.types import Chunk


def documents(chunks: Iterable[Chunk], corpus_dir: Path | None) -> list[dict[str, Any]]:
    """One entry per indexed document, in the order of sources.toml (then by id)."""
    manifest = list(read_manifest(corpus_dir).values()) if corpus_dir else []
    order = {s.id: i for i, s in enumerate(manifest)}
    dates = {s.id: s.date for s in manifest}
    docs: dict[str, dict[str, Any]] = {}
    for c in chunks:
        docs.setdefault(
            c.doc_id,
            {"doc_id": c.doc_id, "title": c.title, "publisher": c.publisher,
             "date": dates.get(c.doc_id, ""), "kind": c.kind, "url": c.url},
        )  # fmt: skip
    return sorted(docs.values(), key=lambda d: (order.get(d["doc_id"], len(order)), d["doc_id"]))


def library_html(docs: list[dict[str, Any]]) -> str:
    """The start page inside the empty chat: the documents, then (below it) the examples."""
    if not docs:
        return (
            '<div class="ruta-library"><p>No documents are indexed yet: run '
            "<code>ruta ingest</code>, then reload this page.</p></div>"
        )
    items = []
    for d in docs:
        title = esc(d["title"])
        if d["url"].startswith(("https://", "http://")):
            title = (
                f'<a href="{esc(d["url"])}" target="_blank" rel="noopener noreferrer">{title}</a>'
            )
        meta = " · ".join(esc(x) for x in (d["publisher"], d["date"], d["kind"]) if x)
        items.append(f'<li><strong>{title}</strong><br><span class="ruta-meta">{meta}</span></li>')
    n = len(docs)
    head = "one document" if n == 1 else f"{n} documents"
    return (
        f'<div class="ruta-library"><p class="ruta-library-head">Ruta answers from {head}:</p>'
        f'<ul>{"".join(items)}</ul><p class="ruta-library-head">Ask your own question, or one '
        "of these:</p></div>"
    )
