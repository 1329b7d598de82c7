"""Corpus -> Documents: load each file, clean it, attach its manifest entry; fetch linked docs."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from ingest.clean import clean_text
from ingest.errors import DocumentError
from ingest.load import SUPPORTED, Loaded, load
from ingest.sources import MANIFEST, Source, derive_source, read_manifest, slug
from ingest.types import Document

log = logging.getLogger(__name__)

# Bumped whenever cleaning (or what a chunk carries: 5 = its instruction-like phrases) changes
# for the same input.
CLEANER_VERSION = "5"  # part of every document hash: a change re-ingests them


@dataclass(frozen=True)
class Failure:
    """A file or link that could not be ingested, and why."""

    path: str
    reason: str


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Every supported file below corpus_dir, in a stable order."""
    if not corpus_dir.is_dir():
        raise DocumentError(str(corpus_dir), "the corpus folder does not exist")
    return sorted(
        p
        for p in corpus_dir.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUPPORTED
        and p.name != MANIFEST
        and not any(part.startswith(".") for part in p.relative_to(corpus_dir).parts)
    )


def make_document(loaded: Loaded, source: Source, raw_bytes: bytes, path: str) -> Document:
    """Clean loaded text into a Document carrying its manifest metadata."""
    cleaned = clean_text(loaded.text)
    if not cleaned.text.strip():
        raise DocumentError(path, "no text left after cleaning")
    digest = hashlib.sha256(raw_bytes + repr(source).encode() + CLEANER_VERSION.encode())
    return Document(
        doc_id=source.id,
        title=source.title,
        text=cleaned.text,
        source_path=path,
        publisher=source.publisher,
        date=source.date,
        url=source.url,
        language=source.language,
        kind=source.kind,
        sections=cleaned.sections,
        pages=_map_pages(loaded, cleaned.text),
        footnotes=cleaned.footnotes,
        refs=cleaned.refs,
        cited_by=source.cited_by,
        content_hash=digest.hexdigest()[:16],
    )


def _map_pages(loaded: Loaded, cleaned: str) -> tuple[tuple[int, int], ...]:
    """Find where each page's opening words landed in the cleaned text (best effort)."""
    out: list[tuple[int, int]] = []
    pos = 0
    for offset, number in loaded.pages:
        words = re.findall(r"[^\W_]{3,}", loaded.text[offset : offset + 300])[:4]
        if not words:
            continue
        m = re.compile(r"\W+".join(map(re.escape, words))).search(cleaned, pos)
        if m:
            out.append((m.start(), number))
            pos = m.start()
        elif not out:
            out.append((0, number))
    return tuple(out)


def load_corpus(corpus_dir: Path) -> tuple[list[Document], list[Failure]]:
    """All documents of the corpus; a bad file is reported and the rest still load."""
    failures: list[Failure] = []
    docs = list(iter_corpus(corpus_dir, failures))
    return docs, failures


def iter_corpus(corpus_dir: Path, failures: list[Failure]) -> Iterator[Document]:
    """The corpus's documents one at a time, each loaded and cleaned when asked for (so an
    ingestion embeds one while the next loads); a bad file is appended to ``failures`` and the
    rest still load. The folder is checked at the first ``next``."""
    manifest = read_manifest(corpus_dir)
    done: set[str] = set()
    seen: set[str] = set()
    for path in corpus_files(corpus_dir):
        rel = path.relative_to(corpus_dir).as_posix()
        try:
            loaded = load(path)
            source = manifest.get(rel) or derive_source(path, corpus_dir, loaded.title)
            if source.id in seen:
                source = replace(source, id=slug(rel))
            seen.add(source.id)
            doc = make_document(loaded, source, path.read_bytes(), rel)
        except DocumentError as exc:
            failures.append(Failure(rel, exc.reason))
            log.warning("skipped %s: %s", rel, exc.reason)
            done.add(rel)
            continue
        done.add(rel)
        yield doc
    for missing in sorted(set(manifest) - done):
        failures.append(
            Failure(missing, "listed in sources.toml but the file is not in the corpus")
        )


def corpus_ids(corpus_dir: Path) -> set[str]:
    """Every id the corpus's documents have or would have, known before any file loads: the
    manifest's, and the one derived from its path for each file the manifest does not list.
    An id here that no loaded document takes belongs to a file that failed (or is missing):
    the index keeps its last good version (see build_index's ``expected``)."""
    manifest = read_manifest(corpus_dir)
    ids = {source.id for source in manifest.values()}
    for path in corpus_files(corpus_dir):
        if path.relative_to(corpus_dir).as_posix() not in manifest:
            ids.add(derive_source(path, corpus_dir).id)
    return ids


def link_doc_id(url: str) -> str:
    """The id of the document fetched from ``url``."""
    return "link-" + hashlib.sha1(url.encode()).hexdigest()[:10]


def linked_documents(
    docs: Iterable[Document], cache_dir: Path, timeout_s: float = 10.0
) -> tuple[list[Document], list[Failure]]:
    """Fetch what the documents' footnotes point to and turn each into a Document of its own."""
    from ingest.links import fetch_links
    from ingest.load import load_bytes

    cited: dict[str, str] = {}
    for doc in docs:
        for _, url in doc.footnotes:
            cited.setdefault(url, doc.doc_id)
    fetched, failed = fetch_links(cited, cache_dir, timeout_s=timeout_s)
    out: list[Document] = []
    failures = [Failure(f.url, f.reason) for f in failed]
    for item in fetched:
        try:
            data = item.path.read_bytes()
            loaded = load_bytes(data, item.path.suffix, item.url)
            source = Source(
                id=link_doc_id(item.url),
                file=item.path.name,
                title=loaded.title or item.url,
                url=item.url,
                kind="linked",
                cited_by=cited[item.url],
            )
            out.append(make_document(loaded, source, data, item.url))
        except DocumentError as exc:
            failures.append(Failure(item.url, exc.reason))
    return out, failures
