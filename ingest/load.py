"""Read .txt, .md, .html, .pdf and .docx files into raw text, page offsets and a title."""

from __future__ import annotations

import io
import itertools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import docx
import pypdf
from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString
from docx.table import Table
from docx.text.paragraph import Paragraph
from pypdf.errors import DependencyError, FileNotDecryptedError

from ingest.decode import check_bytes, decode, not_text
from ingest.errors import DocumentError

log = logging.getLogger(__name__)

SUPPORTED: frozenset[str] = frozenset({".txt", ".md", ".html", ".htm", ".pdf", ".docx"})

_ENCRYPTED = "the PDF is encrypted; decrypt it (e.g. qpdf --decrypt) and ingest again"
_SCANNED = "no text could be extracted; it may be a scanned image, run OCR first"


@dataclass(frozen=True)
class Loaded:
    """Raw extracted text; ``pages`` holds (start offset, 1-based page) pairs, () if unpaged."""

    text: str
    pages: tuple[tuple[int, int], ...]
    title: str


def load(path: Path) -> Loaded:
    """Load one file; raise DocumentError naming the file when it cannot be used."""
    path = Path(path)
    _check_suffix(path.suffix, str(path))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(str(path), f"cannot be read: {exc.strerror or exc}") from exc
    return load_bytes(data, path.suffix, str(path))


def load_bytes(data: bytes, suffix: str, name: str) -> Loaded:
    """Load downloaded content of the type ``suffix``; ``name`` identifies it in errors."""
    suffix = _check_suffix(suffix, name)
    if not data.strip():
        raise DocumentError(name, "the file is empty")
    return _READERS[suffix](data, name)


def _check_suffix(suffix: str, name: str) -> str:
    norm = suffix.lower() if suffix.startswith(".") else f".{suffix.lower()}"
    if norm not in SUPPORTED:
        kinds = ", ".join(sorted(SUPPORTED))
        raise DocumentError(
            name, f"unsupported file type {suffix or '(none)'!r}; use one of {kinds}"
        )
    return norm


def _load_text(data: bytes, name: str) -> Loaded:
    # A byte-order mark, UTF-8, Windows-1252 or what charset-normalizer detects; bytes that
    # are not text (random, compressed, NULs) are refused (see ingest/decode.py).
    text = decode(data, name).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise DocumentError(name, "the file is empty")
    return Loaded(text=text, pages=(), title="")


def _load_markdown(data: bytes, name: str) -> Loaded:
    text = _load_text(data, name).text
    title = next((ln[2:].strip() for ln in text.splitlines() if ln.startswith("# ")), "")
    return Loaded(text=text, pages=(), title=title)


def _load_pdf(data: bytes, name: str) -> Loaded:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        locked = reader.is_encrypted and not _decrypt_with_empty_password(reader)
        page_count = 0 if locked else len(reader.pages)
    except (FileNotDecryptedError, DependencyError) as exc:
        raise DocumentError(name, _ENCRYPTED) from exc
    except Exception as exc:  # pypdf raises many exception types on malformed input
        raise DocumentError(name, f"not a readable PDF: {exc or type(exc).__name__}") from exc
    if locked:
        raise DocumentError(name, _ENCRYPTED)

    texts = [_page_text(reader, number, name) for number in range(1, page_count + 1)]
    if texts and all(t is None for t in texts):
        raise DocumentError(name, "not a readable PDF: no page could be parsed")
    parts = [t or "" for t in texts]
    # Each page starts after the previous pages and the "\n\n" that joins them.
    starts = itertools.accumulate((len(part) + 2 for part in parts[:-1]), initial=0)
    text = "\n\n".join(parts)
    if not text.strip():
        raise DocumentError(name, _SCANNED)
    pages = tuple(zip(starts, range(1, len(parts) + 1), strict=True))
    return Loaded(text=text, pages=pages, title=_pdf_title(reader))


def _decrypt_with_empty_password(reader: pypdf.PdfReader) -> bool:
    # Many PDFs are "encrypted" only to restrict printing/copying, with an empty user
    # password; those open in every viewer, so they should ingest too.
    try:
        return reader.decrypt("") != pypdf.PasswordType.NOT_DECRYPTED
    except (DependencyError, NotImplementedError):
        return False  # e.g. AES without the optional crypto package: same advice applies


def _page_text(reader: pypdf.PdfReader, number: int, name: str) -> str | None:
    # One damaged page should not cost the rest of a 200-page report.
    try:
        return reader.pages[number - 1].extract_text() or ""
    except Exception as exc:  # pypdf raises many exception types on malformed input
        log.warning("%s: page %d could not be read: %s", name, number, exc)
        return None


def _pdf_title(reader: pypdf.PdfReader) -> str:
    try:
        metadata = reader.metadata
        return str(metadata.title or "").strip() if metadata else ""
    except Exception:  # metadata is optional; a broken info dict must not fail the load
        return ""


def _load_docx(data: bytes, name: str) -> Loaded:
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # zipfile, lxml and python-docx each raise their own errors
        raise DocumentError(name, f"not a readable DOCX: {exc or type(exc).__name__}") from exc
    blocks: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            line = _docx_paragraph(item)
            if line:
                blocks.append(line)
        elif isinstance(item, Table):
            blocks.extend(_docx_table(item))
    text = "\n\n".join(blocks)
    if not text.strip():
        raise DocumentError(name, "no text found in the document")
    title = (document.core_properties.title or "").strip()
    return Loaded(text=text, pages=(), title=title)


def _docx_paragraph(paragraph: Paragraph) -> str:
    text = paragraph.text.strip()
    if not text:
        return ""
    style = (paragraph.style.name if paragraph.style is not None else None) or ""
    if style == "Title":
        return f"# {text}"
    heading = re.fullmatch(r"Heading ([1-9])", style)
    if heading:
        return f"{'#' * int(heading.group(1))} {text}"
    # Word's toolbar bullets set numbering (numPr) without a "List ..." style, so check both.
    ppr = paragraph._p.pPr
    if style.startswith("List") or (ppr is not None and ppr.numPr is not None):
        return f"- {text}"
    return text


def _docx_table(table: Table) -> list[str]:
    lines: list[str] = []
    seen: set[int] = set()
    for row in table.rows:
        for cell in row.cells:
            # A merged cell is returned once per grid column it spans; keep it once.
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            if cell.text.strip():
                lines.append(cell.text.strip())
    return lines


# Page chrome and active content: not part of the document's text.
_DROP = (
    "script style noscript nav header footer form template iframe svg button select textarea"
).split()
_BLOCK = frozenset(
    "p div section article main aside blockquote pre table thead tbody tfoot ul ol dl dt dd "
    "figure figcaption address body html hr details summary caption".split()
)
_HEADINGS = {f"h{n}": n for n in range(1, 7)}


def _load_html(data: bytes, name: str) -> Loaded:
    check_bytes(data, name)
    # Parsing only builds a tree: nothing in the page is run or fetched.
    soup = BeautifulSoup(data, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup.find_all(_DROP):
        tag.decompose()
    root = soup.body or soup
    blocks: list[tuple[str, str]] = []
    _html_walk(root, blocks, [])
    text = ""
    for index, (kind, block) in enumerate(blocks):
        if index:
            # Consecutive list items stay on adjacent lines, like markdown lists.
            text += "\n" if kind == "li" and blocks[index - 1][0] == "li" else "\n\n"
        text += block
    if not text.strip():
        raise DocumentError(name, "no text found in the HTML page")
    problem = not_text(text)
    if problem:
        raise DocumentError(name, problem)
    return Loaded(text=text, pages=(), title=title)


def _html_walk(node: Tag, blocks: list[tuple[str, str]], buffer: list[str]) -> None:
    for child in node.children:
        if isinstance(child, PreformattedString):  # comments, doctype, CDATA
            continue
        if isinstance(child, NavigableString):
            # Source newlines are layout, not breaks; only <br> adds a "\n" to the buffer.
            buffer.append(re.sub(r"\s+", " ", str(child)))
        elif isinstance(child, Tag):
            _html_tag(child, blocks, buffer)


def _html_tag(tag: Tag, blocks: list[tuple[str, str]], buffer: list[str]) -> None:
    name = tag.name.lower()
    if name == "br":
        buffer.append("\n")
    elif name in _HEADINGS:
        _flush(blocks, buffer)
        text = _squash(tag.get_text(" "))
        if text:
            blocks.append(("block", f"{'#' * _HEADINGS[name]} {text}"))
    elif name == "li":
        _flush(blocks, buffer)
        inner: list[tuple[str, str]] = []
        inner_buffer: list[str] = []
        _html_walk(tag, inner, inner_buffer)
        _flush(inner, inner_buffer)
        for index, (_, text) in enumerate(inner):
            # Nested list items arrive already prefixed; indent them under this item.
            blocks.append(("li", f"- {text}" if index == 0 else f"  {text}"))
    elif name == "tr":
        _flush(blocks, buffer)
        cells = [_squash(c.get_text(" ")) for c in tag.find_all(["td", "th"], recursive=False)]
        row = " | ".join(c for c in cells if c)
        if row:
            blocks.append(("block", row))
    elif name in _BLOCK:
        _flush(blocks, buffer)
        _html_walk(tag, blocks, buffer)
        _flush(blocks, buffer)
    else:
        _html_walk(tag, blocks, buffer)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _flush(blocks: list[tuple[str, str]], buffer: list[str]) -> None:
    # <br> is kept as a line break; other whitespace collapses as a browser shows it.
    lines = [_squash(line) for line in "".join(buffer).split("\n")]
    buffer.clear()
    text = "\n".join(line for line in lines if line)
    if text:
        blocks.append(("block", text))


_READERS: dict[str, Callable[[bytes, str], Loaded]] = {
    ".txt": _load_text,
    ".md": _load_markdown,
    ".html": _load_html,
    ".htm": _load_html,
    ".pdf": _load_pdf,
    ".docx": _load_docx,
}
