"""Repair text-extraction flaws: footnote blocks at page breaks, glued markers, bullets, headings."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations

from ingest.leadins import find_lead_in, standalone_heading
from ingest.types import Section

_PUA = "\ue000"  # stands where a footnote marker was removed until final offsets are known
_NUM_URL = re.compile(r"(\d{1,3})([^\w\s.)]?)\s+((?:https?://|www\.)\S*)")
_BARE_NUM = re.compile(r"(\d{1,3})([^\w\s.)]?)")
_TEXT_NOTE = re.compile(r"(\d{1,3})\s+([A-Z]\S*\s.*)")
_URL_PART = re.compile(r"[\w%#:~=/.,&?+()!*'@;-]*[/%#=_.-][\w%#:~=/.,&?+()!*'@;-]*")
# A run of glyphs glued after a word or ")" (OCR of superscript numbers), or a digit after ")".
_MARKER = re.compile(
    r"(?<=\))(\d{1,2})(?=\s+[A-Z])"
    r"|(?<=[^\W_]|[)\]])(['’]?[?!*#®°%¹²³⁰⁴⁵⁶⁷⁸⁹]+)(?=[:;,.)]|\s|$)"
)
_NUM_HEAD = re.compile(r"(\d{1,2}\.(?:\d{1,2}\.?)?)\s*([A-Z].*)")
_MD_HEAD = re.compile(r"(#{1,6})\s+(\S.*)")
_LIST_NUM = re.compile(r"\d{1,3}[.)]\s+\S")
_GLYPH_BULLET = re.compile(r"[•¢●▪◦‣∙·–*+-]\s+(\S.*)")
_LETTER_BULLET = re.compile(r"[eo]\s+([A-Za-z].*)")
_JUNK = {"+", "|", "•", "¢", "Menu", "MENU", "menu"}  # navigation leftovers of web pages


@dataclass(frozen=True)
class Cleaned:
    """Cleaned text with its sections, footnote URLs and where footnote markers sat."""

    text: str
    sections: tuple[Section, ...]
    footnotes: tuple[tuple[str, str], ...]  # (footnote number, repaired URL)
    refs: tuple[tuple[int, str], ...]  # (offset in text where a marker sat, URL of its footnote)


@dataclass(frozen=True)
class _Note:
    number: str
    url: str
    text: str
    page: int


@dataclass
class _Block:
    """A paragraph, list item, heading or verbatim run while it is being assembled."""

    kind: str
    parts: list[str] = field(default_factory=list)
    level: int = 0
    title: str = ""


def clean_text(raw: str) -> Cleaned:
    """Clean one document's extracted text; text with no flaws passes through nearly unchanged."""
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u00ad", "").replace("\t", " ")
    lines = [ln.rstrip() for ln in text.split("\n")]
    body, pages, notes = _lift_footnotes(lines)
    meta: list[tuple[int, str]] = []  # (page, words before the marker) per removed marker
    if notes:  # glyph markers only exist where footnotes do; elsewhere "?" and "*" are real
        stems = _glued_words(body)
        for k, line in enumerate(body):
            before = " ".join(body[max(0, k - 2) : k])
            line = _strip_markers(line, before, pages[k], meta)
            body[k] = _strip_letter_markers(line, before, pages[k], meta, stems)
    blocks = _lead_ins(_join_breaks(_blocks(body)))
    text, sections, marks = _render(blocks)
    extra = [n for n in notes if not n.url and n.text]
    if extra:  # prose footnotes leave the body but keep their content at the end
        sections.append(Section(len(text) + 2, 1, "Notes"))
        text += "\n\nNotes\n\n" + "\n\n".join(f"[{n.number}] {n.text}" for n in extra)
    return Cleaned(
        text=text,
        sections=tuple(sections),
        footnotes=tuple((n.number, n.url) for n in notes if n.url),
        refs=_link_refs(marks, meta, notes),
    )


def _is_note_line(s: str) -> bool:
    return bool(_NUM_URL.fullmatch(s) or _BARE_NUM.fullmatch(s))


def _block_start(lines: list[str], end: int, expect: int) -> int:
    """Walk up from a page start over the footnote block above it; return where the block begins."""
    start, i = end, end - 1
    while i >= 0:
        s = lines[i].strip()
        if _is_note_line(s):
            start, i = i, i - 1
        elif not s or s.startswith(("http://", "https://")) or _URL_PART.fullmatch(s):
            i -= 1  # blank or a URL piece: part of the block only if a numbered line sits above
        else:  # a prose footnote: a short paragraph opening with the next footnote number
            j = i
            while j > 0 and lines[j - 1].strip() and i - j < 3:
                j -= 1
            m = _TEXT_NOTE.fullmatch(lines[j].strip())
            if (j and lines[j - 1].strip()) or not m or not expect <= int(m[1]) <= expect + 5:
                break
            start, i = j, j - 1
    return start


def _lift_footnotes(lines: list[str]) -> tuple[list[str], list[int], list[_Note]]:
    """Cut footnote blocks out of the body; a page starts at a line indented by one space."""
    ends = [i for i, ln in enumerate(lines) if re.match(r" \S", ln) and not _is_note_line(ln[1:])]
    body: list[str] = []
    pages: list[int] = []
    notes: list[_Note] = []
    pos = 0
    for end in [*ends, len(lines)]:
        start = _block_start(lines, end, int(notes[-1].number) + 1 if notes else 1)
        if start < pos:
            continue
        page = len({n.page for n in notes})
        body += lines[pos:start]
        pages += [page] * (start - pos)
        found = _parse_block(lines[start:end], page, int(notes[-1].number) if notes else 0)
        notes += found
        pos = start if not found else end
    body += lines[pos:]
    pages += [len({n.page for n in notes})] * (len(lines) - pos)
    return body, pages, notes


def _parse_block(block: list[str], page: int, prev: int) -> list[_Note]:
    """Read numbered footnotes whose URLs or text may run over several lines."""
    raw: list[tuple[str, list[str]]] = []
    for s in (ln.strip() for ln in block):
        if m := _NUM_URL.fullmatch(s) or _BARE_NUM.fullmatch(s):
            # OCR can mangle a number ("2%" for 21): trust the running count then
            prev = prev + 1 if m[2] else int(m[1])
            raw.append((str(prev), [m[3]] if m.re is _NUM_URL else []))
        elif m := _TEXT_NOTE.fullmatch(s):
            prev = int(m[1])
            raw.append((m[1], [m[2]]))
        elif s and raw:
            raw[-1][1].append(s)
    notes = []
    for number, parts in raw:
        if parts and parts[0].startswith(("http", "www.")):
            notes.append(_Note(number, _repair_url("".join(parts)), "", page))
        elif parts:
            notes.append(_Note(number, "", _unwrap(parts), page))
    return notes


def _repair_url(url: str) -> str:
    """Undo the OCR damage seen in footnote URLs."""
    url = re.sub(r"^(https?://)l(www\.)", r"\1\2", url)
    url = url.replace("ilo.org/wecmsp5/", "ilo.org/wcmsp5/")  # ILO's path, spelt right elsewhere
    url = re.sub(r"%\?2[0O]?", "%20", url)  # "%20" read as "%?2" + "O" on the next line
    url = re.sub(r"%200([a-z]{1,2})(?=%|$)", r"%20o\1", url)  # "%200n" is "%20on"
    return re.sub(r"(?<!%[0-9A-Fa-f][A-F])(?<=[A-Z])I(?=[a-z])", "l", url)  # "PIan" is "Plan"


def _strip_markers(line: str, prev: str, page: int, meta: list[tuple[int, str]]) -> str:
    """Replace footnote markers by a placeholder, remembering the words they followed."""

    def repl(m: re.Match[str]) -> str:
        run, before, after = m[0], line[: m.start()], line[m.end() :]
        if m[2] and not _is_marker(run, before, after):
            return run
        meta.append((page, f"{prev} {before}"))
        # keep a closing quote whose opening quote is on the same line: it is real
        quoted = run[0] in "'’" and before.rfind("‘") > before.rfind("’")
        return (run[0] if quoted else "") + _PUA

    return _MARKER.sub(repl, line)


# A superscript number read as a letter and a quote: "Project Turquesal’:" for "Turquesa" + 17.
_LETTER_MARKER = re.compile(r"\b([^\W\d_]{3,})([l1I][’'])(?=[:;,.)]|\s|$)")


def _glued_words(body: list[str]) -> set[str]:
    """Words seen with a glued letter marker whose bare form the document also uses, and which
    never appear without the marker: "Turquesa" (as "Turquesal’" once, "Turquesa" elsewhere)."""
    text = "\n".join(body)
    words = Counter(re.findall(r"[^\W\d_]+", text))
    glued = Counter(m[1] + m[2][0] for m in _LETTER_MARKER.finditer(text))
    return {w[:-1] for w, n in glued.items() if words[w[:-1]] and words[w] == n}


def _strip_letter_markers(
    line: str, prev: str, page: int, meta: list[tuple[int, str]], stems: set[str]
) -> str:
    """Remove those markers; "Brazil’" closing a quote stays (no bare "Brazi" elsewhere)."""

    def repl(m: re.Match[str]) -> str:
        if m[1] not in stems:
            return m[0]
        meta.append((page, f"{prev} {line[: m.start()]}{m[1]}"))
        return m[1] + _PUA

    return _LETTER_MARKER.sub(repl, line)


def _is_marker(run: str, before: str, after: str) -> bool:
    if run in ("%", "°") and before[-1:].isdigit():
        return False  # a percentage or a degree
    if run in ("?", "!"):  # a real question or exclamation is not followed by these
        return bool(re.match(r"[:;,.]|\s+[a-z]", after))
    return True


def _heading(lines: list[str], i: int) -> tuple[int, str, int] | None:
    """(level, heading line, lines used) when lines[i] opens a numbered section like "3.2 IOM"."""

    def at(k: int) -> str:
        return lines[k].strip() if 0 <= k < len(lines) else ""

    m = _NUM_HEAD.fullmatch(at(i))
    prev, nxt = at(i - 1).rstrip(_PUA), at(i + 1)
    if not m or prev[-1:] not in ("", ".", "!", "?", ":", ";") or _LIST_NUM.match(prev):
        return None
    title, used = m[2], 1
    wrapped = nxt and not (_LIST_NUM.match(nxt) or _GLYPH_BULLET.match(nxt))
    if wrapped and not at(i + 2) and len(nxt.split()) <= 8:
        title, used = f"{title} {nxt}", 2  # a title wrapped onto a second line
    elif nxt:
        return None  # a numbered sentence or list item, not a heading
    title = " ".join(title.split())
    bare = title.replace(_PUA, "")
    if len(bare.split()) > 14 or bare[-1] in ".,;:":
        return None
    num = m[1].rstrip(".")
    return num.count(".") + 1, f"{num}{'.' if '.' not in num else ''} {title}", used


def _blocks(lines: list[str]) -> list[_Block]:
    """Group lines into headings, list items, verbatim runs and unwrapped paragraphs."""
    # "e "/"o " are bullets only where several open a paragraph; elsewhere they may be words
    starts = [i for i, ln in enumerate(lines) if _LETTER_BULLET.fullmatch(ln.strip())]
    letters = sum(1 for i in starts if not (i and lines[i - 1].strip())) >= 2
    out: list[_Block] = []
    fence, i = False, 0
    while i < len(lines):
        s, prev = lines[i].strip(), (lines[i - 1].strip() if i else "")
        cur = out[-1] if out else None
        if fence or s.startswith(("```", "|", ">")):  # code, tables, quotes keep their lines
            fence ^= s.startswith("```")
            if cur and cur.kind == "verbatim" and (fence or prev):
                cur.parts.append(lines[i].rstrip())
            else:
                out.append(_Block("verbatim", [lines[i].rstrip()]))
        elif not s or s in _JUNK:
            out.append(_Block("break"))
        elif head := _heading(lines, i):
            out.append(_Block("heading", [head[1]], head[0], head[1]))
            i += head[2] - 1
        elif md := _MD_HEAD.fullmatch(s):
            out.append(_Block("heading", [s], len(md[1]), md[2]))
        elif (item := _bullet(s, prev, cur, letters)) is not None:
            out.append(_Block("item", [item]))
        elif cur and cur.kind in ("para", "item"):
            cur.parts.append(s)
        else:
            out.append(_Block("para", [s]))
        i += 1
    return [b for b in out if b.kind != "break"]


def _bullet(s: str, prev: str, cur: _Block | None, letters: bool) -> str | None:
    """The list item a line opens, written with "- ", or None."""
    if _LIST_NUM.match(s) and not (cur and cur.kind == "para" and prev[-1:].isalpha()):
        return s
    if m := _GLYPH_BULLET.fullmatch(s):
        return f"- {m[1]}"
    m = _LETTER_BULLET.fullmatch(s) if letters else None
    after_stop = prev.rstrip(_PUA)[-1:] in ("", ".", ";", ":")
    if m and (after_stop or (cur and cur.kind == "item")):
        return f"- {m[1]}"
    return None


def _join_breaks(blocks: list[_Block]) -> list[_Block]:
    """Re-join a sentence cut by a page break or a stray blank line (next part starts lower-case)."""
    out: list[_Block] = []
    for b in blocks:
        prev = out[-1] if out else None
        joinable = prev and prev.kind == b.kind == "para"
        ends_open = joinable and re.search(r"[^\W_],?$", prev.parts[-1].rstrip(_PUA))
        if ends_open and re.match(r"[a-z][\w'’-]*\s", b.parts[0]):
            prev.parts += b.parts
        else:
            out.append(b)
    return out


def _lead_ins(blocks: list[_Block]) -> list[_Block]:
    """Lift lead-in sub-headings out of paragraphs (see ingest/leadins.py); a sub-heading sits
    one level below the last numbered heading. Footnote markers are never dropped (links are
    paired with markers by order): a heading's marker moves to the start of its paragraph."""
    out: list[_Block] = []
    level = 1
    for k, b in enumerate(blocks):
        nxt = blocks[k + 1] if k + 1 < len(blocks) else None
        prev = out[-1] if out else None
        if b.kind == "heading":
            level = b.level + 1
        elif b.kind == "para":
            text = _unwrap(b.parts)
            found = find_lead_in(text, _PUA)
            if found and found.inline:
                b = _Block("para", [text], level, found.title)
            elif found:
                out.append(_Block("subhead", [found.title], level, found.title))
                rest = text[found.rest :].lstrip("'’ ")
                marks = _PUA * (len(text[: found.rest]) - len(text[: found.rest].replace(_PUA, "")))
                if rest.startswith(_PUA):
                    marks, rest = marks + _PUA, rest[1:].lstrip()
                b = _Block("para", [marks + rest])
            elif nxt and nxt.kind == "para" and (title := standalone_heading(text, _PUA)):
                b = _Block("subhead", [title], level, title)
                nxt.parts[0] = _PUA * text.count(_PUA) + nxt.parts[0]
        elif (
            b.kind == "item"
            and nxt
            and nxt.kind == "para"
            and not (prev and prev.kind == "item")
            and not (prev and prev.kind == "para" and prev.parts[-1].rstrip(_PUA).endswith(":"))
            and (title := standalone_heading(b.parts[0], _PUA, caps=0))
            and len(title.split()) <= 8
        ):
            nxt.parts[0] = _PUA * b.parts[0].count(_PUA) + nxt.parts[0]
            b = _Block("subhead", [title], level, title)
        out.append(b)
    return out


def _unwrap(parts: list[str]) -> str:
    text = parts[0]
    for p in parts[1:]:
        # keep the hyphen at a line end: "evidence-/based" is a real compound
        text += p if re.search(r"[^\W\d_]-$", text) and p[:1].isalpha() else " " + p
    return re.sub(r" {2,}", " ", text)


def _render(blocks: list[_Block]) -> tuple[str, list[Section], list[int]]:
    """Join blocks into text; note heading offsets and where each marker placeholder sat."""
    text, sections, marks = "", [], []
    for k, b in enumerate(blocks):
        if k:
            text += "\n" if b.kind == blocks[k - 1].kind == "item" else "\n\n"
        heading = b.kind in ("heading", "subhead")
        body = "\n".join(b.parts) if b.kind == "verbatim" or heading else _unwrap(b.parts)
        while (j := body.find(_PUA)) >= 0:
            marks.append(len(text) + j)
            body = body[:j] + body[j + 1 :]
        if heading or (b.kind == "para" and b.title):  # a para with a title opens with it
            title = b.title.replace(_PUA, "").strip()
            sections.append(Section(len(text), b.level, title, inline=not heading))
            body = body.rstrip()
        text += body
    return text, sections, marks


def _tokens(s: str) -> set[str]:
    s = re.sub(r"^\w+://[^/]+", "", s)  # a URL's host says little about its topic
    return {w for w in re.split(r"%[0-9a-f]{2}|[^a-z0-9]+", s.lower()) if len(w) > 2}


def _link_refs(
    marks: list[int], meta: list[tuple[int, str]], notes: list[_Note]
) -> tuple[tuple[int, str], ...]:
    """Map markers to the URL footnotes of their page, in order; shared rare words pick the gaps."""
    df = Counter(t for n in notes if n.url for t in _tokens(n.url))
    refs: list[tuple[int, str]] = []
    for page in sorted({p for p, _ in meta}):
        idx = [k for k, (p, _) in enumerate(meta) if p == page and k < len(marks)]
        urls = [n.url for n in notes if n.page == page and n.url]
        ctx = [_tokens(" ".join(meta[k][1].split()[-20:])) for k in idx]
        refs += [(marks[idx[a]], urls[b]) for a, b in _align(ctx, urls, df)]
    return tuple(sorted(refs))


def _align(ctx: list[set[str]], urls: list[str], df: Counter[str]) -> list[tuple[int, int]]:
    """Pair markers and footnotes in order, choosing which to skip when their counts differ."""
    m, n = len(ctx), len(urls)
    if not m or not n or max(m, n) > 12:  # nothing or too many ways to weigh: plain order
        return list(zip(range(m), range(n), strict=False))
    if m <= n:
        cands = [list(zip(range(m), c, strict=True)) for c in combinations(range(n), m)]
    else:
        cands = [list(zip(c, range(n), strict=True)) for c in combinations(range(m), n)]

    def score(pairs: list[tuple[int, int]]) -> tuple[float, int]:
        shared = sum(1 / df[t] for a, b in pairs for t in ctx[a] & _tokens(urls[b]))
        return shared, -sum(abs(a - b) for a, b in pairs)  # ties: skip as little as possible

    return max(cands, key=score)
