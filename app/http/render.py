"""Answers as chat HTML: escaped text, [n] links to the sources, passages with the quote marked."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from app.rag.types import Answer, Citation
from index.lang import packs
from index.types import Hit

_P = packs()

_MARKER = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")


def label(key: str, lang: str, **fields: object) -> str:
    """One of the page's words shown with an answer (the packs' ``page.labels``), in the
    answer's language, else in English."""
    pack = _P.get(lang)
    text = (pack["page.labels"].table.get(key) if pack else None) or _P.entry(
        "en", "page.labels"
    ).table[key]
    return str(text).format(**fields)


def esc(text: str) -> str:
    """HTML-escape, also the characters Gradio's HTML templates and LaTeX would read as syntax."""
    out = html.escape(text, quote=True)
    for ch, entity in (("$", "&#36;"), ("{", "&#123;"), ("}", "&#125;"), ("`", "&#96;")):
        out = out.replace(ch, entity)
    return out


def find_quote(passage: str, quote: str) -> tuple[int, int] | None:
    """Where the quoted sentence lies in the passage (tolerating changed whitespace)."""
    if not quote.strip():
        return None
    i = passage.find(quote)
    if i >= 0:
        return i, i + len(quote)
    m = re.search(r"\s+".join(re.escape(w) for w in quote.split()), passage)
    return m.span() if m else None


def text_html(text: str) -> str:
    # One line of HTML: a blank line would end the HTML block in the chat's Markdown.
    return esc(text).replace("\r", "").replace("\n", "<br>")


def quote_html(quote: str, shown: str, spans: Sequence[tuple[int, int]]) -> str:
    """``shown`` (the quote as it stands in the passage) with the answer spans in bold."""
    out, at = [], 0
    for s, e in sorted(spans):
        found = find_quote(shown[at:], quote[s:e])
        if found is None:
            continue
        a, b = found[0] + at, found[1] + at
        out += [text_html(shown[at:a]), f"<strong>{text_html(shown[a:b])}</strong>"]
        at = b
    return "".join(out) + text_html(shown[at:])


def passage_html(c: Citation, hits: Sequence[Hit]) -> str:
    """The passage, its quoted sentence marked and the answer span inside it in bold."""
    passage = next((h.chunk.text for h in hits if h.chunk.chunk_id == c.chunk_id), "")
    span = find_quote(passage, c.quote)
    if span is None:
        marked = f"<mark>{quote_html(c.quote, c.quote, c.spans)}</mark>" if c.quote else ""
        return marked + (f"<br><br>{text_html(passage)}" if passage else "")
    a, b = span
    quote = quote_html(c.quote, passage[a:b], c.spans)
    return f"{text_html(passage[:a])}<mark>{quote}</mark>{text_html(passage[b:])}"


def _link(url: str, text: str) -> str:
    return f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{text}</a>'


def _web(url: str) -> bool:
    return url.startswith(("https://", "http://"))


def source_html(c: Citation, hits: Sequence[Hit], key: str, refused: bool, lang: str = "en") -> str:
    """Source ``[n]`` of one answer: the document (title, section, page, its own URL), the
    passage, and the links its footnotes cite; its words in ``lang``."""
    meta = [f'<span class="ruta-section">{esc(c.section)}</span>'] if c.section else []
    if c.page:
        meta.append(f"p. {c.page}")
    if _web(c.url):
        meta.append(_link(c.url, esc(label("document", lang))))
    if refused:
        meta.append(esc(label("closest_meta", lang)))
    else:
        meta.append(esc(label("verified" if c.verified else "not_verified", lang)))
    links = [_link(u, esc(u)) for u in c.links if _web(u)]
    # the words escaped, the links (already HTML) put in where the words say
    said = esc(label("links", lang, links="\x00")).replace("\x00", ", ".join(links))
    links_html = f'<div class="ruta-links">{said}</div>' if links else ""
    return (
        f'<li class="ruta-source" id="{key}-{c.n}">'
        f'<div class="ruta-head"><span class="ruta-n">[{c.n}]</span>'
        f"<strong>{esc(c.title)}</strong></div>"
        f'<div class="ruta-meta">{" · ".join(meta)}</div>'
        f'<p class="ruta-passage">{passage_html(c, hits)}</p>{links_html}</li>'
    )


def sources_html(answer: Answer, key: str) -> str:
    """The numbered sources of one answer, folded under it; ``key`` makes their ids unique."""
    lang = answer.language
    if not answer.citations:
        return f'<p class="ruta-note">{esc(label("no_sources", lang))}</p>'
    n = len(answer.citations)
    if answer.refused:
        summary = label("closest", lang) if n == 1 else label("closests", lang, n=n)
    else:
        summary = label("source", lang) if n == 1 else label("sources", lang, n=n)
    items = "".join(
        source_html(c, answer.hits, key, answer.refused, lang) for c in answer.citations
    )
    return (
        f'<details class="ruta-sources" id="{key}"><summary>{esc(summary)}</summary>'
        f"<ol>{items}</ol></details>"
    )


def cite_name(c: Citation, lang: str = "en") -> str:
    """What a screen reader says for [n]: "Source 1: <title>, <section>" (in ``lang``)."""
    return label("cite_name", lang, n=c.n, where=", ".join(x for x in (c.title, c.section) if x))


def linked_text(
    text: str,
    numbers: set[int],
    key: str,
    names: dict[int, str] | None = None,
    lang: str = "en",
) -> str:
    """Escaped answer text whose [n] markers link to this answer's source n. The chat's HTML
    sanitizer drops aria-label, so the name for screen readers ("Source 1: <title>,
    <section>", from ``names``) rides in the title, which the page's JS copies to aria-label."""
    names = names or {}

    def anchor(n: str, shown: str) -> str:
        name = esc(names.get(int(n)) or label("show_source", lang, n=n))
        return f'<a class="ruta-cite" href="#{key}-{n}" title="{name}">{shown}</a>'

    def link(n: str) -> str:
        return anchor(n, n) if int(n) in numbers else n

    out, at = [], 0
    for m in _MARKER.finditer(text):
        nums = [x.strip() for x in m.group(1).split(",")]
        out.append(text_html(text[at : m.start()]))
        if len(nums) == 1 and int(nums[0]) in numbers:
            out.append(anchor(nums[0], f"[{nums[0]}]"))
        else:
            out.append("[" + ", ".join(link(n) for n in nums) + "]")
        at = m.end()
    return "".join(out) + text_html(text[at:])


def answer_html(answer: Answer, key: str, markdown: str = "") -> str:
    """One chat message: the answer with clickable [n], its notice, then its own sources.
    ``markdown`` (the answer as Markdown) rides along for the page's "copy" button."""
    names = {c.n: cite_name(c, answer.language) for c in answer.citations}
    text = linked_text(answer.text.strip(), set(names), key, names, answer.language)
    notice = f'<p class="ruta-note">{text_html(answer.notice)}</p>' if answer.notice else ""
    # The sanitizer keeps only a few attributes (title, not data-*); the Markdown rides in the
    # title of a hidden span, on one line: a newline could end the chat's Markdown HTML block.
    md = esc(markdown).replace("\n", "&#10;")
    md = f'<span class="ruta-md" title="{md}"></span>' if markdown else ""
    return f'<div class="ruta-answer">{text}{md}</div>{notice}{sources_html(answer, key)}'
