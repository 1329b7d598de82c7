"""Structure-aware chunking: within a section, lists kept with their lead-in, ~100-300 tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.instructions import instruction_phrases
from ingest.types import Chunk, Document

_TOKEN = re.compile(r"\w+|[^\w\s]")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[\"“(]?[A-Z0-9])")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")

# Bumped whenever chunk boundaries would change for the same text, so the store can tell.
CHUNKER_VERSION = "3"
# The default chunk sizes (tokens): the chunk_tokens and chunk_max_tokens settings start here.
CHUNK_TOKENS, CHUNK_MAX_TOKENS = 180, 300


def count_tokens(text: str) -> int:
    """Words and punctuation marks: close to a WordPiece count for English prose."""
    return len(_TOKEN.findall(text))


@dataclass(frozen=True)
class _Block:
    start: int
    end: int
    tokens: int


def _blocks(text: str, start: int, end: int) -> list[_Block]:
    """Paragraphs of text[start:end]; a list joins the paragraph that introduces it."""
    spans: list[tuple[int, int, bool]] = []
    for m in re.finditer(r"[^\n]+(?:\n[^\n]+)*", text[start:end]):
        s, e = start + m.start(), start + m.end()
        # A paragraph may hold several lines (list items); split items onto their own lines.
        for line in re.finditer(r"[^\n]+", text[s:e]):
            ls, le = s + line.start(), s + line.end()
            if text[ls:le].strip():
                spans.append((ls, le, bool(_LIST_ITEM.match(text[ls:le]))))
    merged: list[list[int]] = []
    for s, e, is_item in spans:
        prev_text = text[merged[-1][0] : merged[-1][1]].rstrip() if merged else ""
        if merged and is_item and (prev_text.endswith(":") or _last_line_is_item(prev_text)):
            merged[-1][1] = e  # keep the list with its lead-in sentence and with itself
        else:
            merged.append([s, e])
    return [_Block(s, e, count_tokens(text[s:e])) for s, e in merged]


def _last_line_is_item(block_text: str) -> bool:
    last = block_text.rsplit("\n", 1)[-1]
    return bool(_LIST_ITEM.match(last))


def _split_long(text: str, block: _Block, max_tokens: int) -> list[_Block]:
    """Cut an over-long block at sentence or line ends, then at words as a last resort."""
    rel = text[block.start : block.end]
    bounds = {block.start + m.end() for m in _SENTENCE_END.finditer(rel)}
    bounds |= {block.start + m.end() for m in re.finditer(r"\n", rel)}
    edges = [block.start] + sorted(b for b in bounds if block.start < b < block.end) + [block.end]
    pieces: list[_Block] = []
    for s, e in zip(edges, edges[1:], strict=False):
        s, e = _trim(text, s, e)
        if e <= s:
            continue
        seg = _Block(s, e, count_tokens(text[s:e]))
        if pieces and pieces[-1].tokens + seg.tokens <= max_tokens:
            last = pieces.pop()
            seg = _Block(last.start, e, count_tokens(text[last.start : e]))
        pieces.extend(_split_words(text, seg, max_tokens))
    return pieces


def _split_words(text: str, block: _Block, max_tokens: int) -> list[_Block]:
    if block.tokens <= max_tokens:
        return [block]
    out: list[_Block] = []
    words = list(re.finditer(r"\S+", text[block.start : block.end]))
    step = max(1, max_tokens // 2)
    for i in range(0, len(words), step):
        group = words[i : i + step]
        s, e = block.start + group[0].start(), block.start + group[-1].end()
        out.append(_Block(s, e, count_tokens(text[s:e])))
    return out


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _section_path(doc: Document, offset: int) -> tuple[str, int, int]:
    """The heading path at ``offset`` and the span of its section body."""
    path: list[tuple[int, str]] = []
    body_start, body_end = 0, len(doc.text)
    for i, sec in enumerate(doc.sections):
        if sec.start > offset:
            body_end = sec.start
            break
        path = [p for p in path if p[0] < sec.level] + [(sec.level, sec.title)]
        line_end = doc.text.find("\n", sec.start)
        body_start = len(doc.text) if line_end < 0 else line_end + 1
        if sec.inline:
            body_start = sec.start
        if i + 1 < len(doc.sections):
            body_end = doc.sections[i + 1].start
    return " > ".join(t for _, t in path), body_start, body_end


def _page_at(doc: Document, offset: int) -> int | None:
    page = None
    for start, number in doc.pages:
        if start <= offset:
            page = number
    return page


def chunk_document(
    doc: Document, target_tokens: int = CHUNK_TOKENS, max_tokens: int = CHUNK_MAX_TOKENS
) -> list[Chunk]:
    """Cut a cleaned document into chunks that never cross a section boundary."""
    starts = [0] + [s.start for s in doc.sections] + [len(doc.text)]
    chunks: list[Chunk] = []
    for sec_start, sec_end in zip(starts, starts[1:], strict=False):
        if sec_end <= sec_start:
            continue
        section, body_start, _ = _section_path(doc, sec_start)
        body_start = max(body_start, sec_start) if section else sec_start
        blocks: list[_Block] = []
        for b in _blocks(doc.text, body_start, sec_end):
            blocks.extend(_split_long(doc.text, b, target_tokens) if b.tokens > max_tokens else [b])
        group: list[_Block] = []
        for b in blocks + [None]:  # type: ignore[list-item]
            fits = b is not None and sum(x.tokens for x in group) + b.tokens <= target_tokens
            # A paragraph opening with "Programme name: ..." starts a topic of its own.
            fits = fits and not (b is not None and _opens_topic(doc.text[b.start : b.end]))
            if group and not fits:
                chunks.append(_make_chunk(doc, group[0].start, group[-1].end, section, len(chunks)))
                group = []
            if b is not None:
                group.append(b)
    return chunks


_TOPIC = re.compile(r"^[A-Z][^.:\n]{2,90}:\s")


def _opens_topic(block_text: str) -> bool:
    m = _TOPIC.match(block_text)
    return bool(m) and len(m.group(0).split()) <= 14


def _make_chunk(doc: Document, start: int, end: int, section: str, n: int) -> Chunk:
    links = tuple(dict.fromkeys(url for off, url in doc.refs if start <= off <= end))
    text = doc.text[start:end]
    return Chunk(
        chunk_id=f"{doc.doc_id}#{n:04d}",
        doc_id=doc.doc_id,
        title=doc.title,
        text=text,
        start=start,
        end=end,
        section=section,
        page=_page_at(doc, start),
        url=doc.url,
        publisher=doc.publisher,
        kind=doc.kind,
        links=links,
        instructions=instruction_phrases(text),
    )
