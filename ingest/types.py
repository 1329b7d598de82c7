"""The types ingestion produces: Document (cleaned text + metadata) and Chunk (a citable span)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Section:
    """A heading found in the cleaned text, with the character offset where it starts.
    ``inline``: a lead-in that opens its paragraph ("EUROFRONT: IOM, ..."); the body starts
    at ``start``, not on the next line."""

    start: int
    level: int
    title: str
    inline: bool = False


@dataclass(frozen=True)
class Document:
    """A cleaned document. ``pages`` holds (start offset, page number) pairs when known."""

    doc_id: str
    title: str
    text: str
    source_path: str = ""
    publisher: str = ""
    date: str = ""
    url: str = ""
    language: str = "en"
    kind: str = "document"
    sections: tuple[Section, ...] = ()
    pages: tuple[tuple[int, int], ...] = ()
    footnotes: tuple[tuple[str, str], ...] = ()  # (footnote number, repaired URL)
    refs: tuple[tuple[int, str], ...] = ()  # (offset in text of a footnote marker, its URL)
    cited_by: str = ""  # doc_id of the document whose footnote linked to this one
    content_hash: str = ""


@dataclass(frozen=True)
class Chunk:
    """A span of a document small enough to cite; ``start``/``end`` index ``Document.text``."""

    chunk_id: str
    doc_id: str
    title: str
    text: str
    start: int
    end: int
    section: str = ""
    page: int | None = None
    url: str = ""
    publisher: str = ""
    kind: str = "document"
    links: tuple[str, ...] = field(default_factory=tuple)
    # Instruction-like phrases in the text (ingest/instructions.py), flagged at ingestion: a
    # sentence holding one is quoted only when it answers by its other words.
    instructions: tuple[str, ...] = ()
