"""What the page says Ruta answers from: each indexed document's title, publisher, date, kind
and link, read from the index and completed by corpus/sources.toml (the date)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from app.http.render import esc
from app.http.words import said
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


def library_html(docs: list[dict[str, Any]], lang: str = "en") -> str:
    """The start page inside the empty chat: the documents, then (below it) the examples; its
    words in ``lang``."""
    if not docs:
        # the words escaped, the command (HTML) put in where they say
        words = esc(said("library_empty", lang, command="\x00"))
        words = words.replace("\x00", "<code>ruta ingest</code>")
        return f'<div class="ruta-library"><p>{words}</p></div>'
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
    head = esc(said("library_one", lang) if n == 1 else said("library_many", lang, n=n))
    ask = esc(said("library_ask", lang))
    return (
        f'<div class="ruta-library"><p class="ruta-library-head">{head}</p>'
        f'<ul>{"".join(items)}</ul><p class="ruta-library-head">{ask}</p></div>'
    )
