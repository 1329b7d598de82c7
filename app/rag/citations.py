"""Citations: numbering sources, parsing [n] markers and checking each sentence against its source."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from app.rag.text import split_sentences
from app.rag.types import Citation
from index.lemmas import terms
from index.types import Hit

_MARK = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")
SUPPORTED = 0.5  # share of a sentence's content terms found in the passage it cites


def support(sentence: str, passage: str) -> tuple[float, str]:
    """How much of ``sentence`` the passage backs (0-1), and the passage sentence that backs it most."""
    s_terms = set(terms(_MARK.sub("", sentence)))
    best, quote = 0.0, ""
    p_all = set(terms(passage))
    if not s_terms:
        return 0.0, ""
    for cand in split_sentences(passage):
        c_terms = set(terms(cand))
        score = len(s_terms & c_terms) / len(s_terms)
        if score > best:
            best, quote = score, cand
    # Credit terms found elsewhere in the passage, at half weight: claims may span two sentences.
    overall = len(s_terms & p_all) / len(s_terms)
    return max(best, (best + overall) / 2), quote


def markers(sentence: str) -> list[int]:
    """The source numbers a sentence cites, in order."""
    out: list[int] = []
    for m in _MARK.finditer(sentence):
        out.extend(int(x) for x in m.group(1).split(","))
    return out


def strip_markers(text: str) -> str:
    return _MARK.sub("", text).strip()


def make_citation(n: int, hit: Hit, quote: str, score: float) -> Citation:
    c = hit.chunk
    return Citation(
        n=n,
        chunk_id=c.chunk_id,
        doc_id=c.doc_id,
        title=c.title,
        section=c.section,
        page=c.page,
        url=c.url,
        quote=quote,
        verified=score >= SUPPORTED and bool(quote) and quote in c.text,
        support=round(score, 3),
        links=c.links,
    )


def validate(text: str, hits: Sequence[Hit]) -> tuple[str, list[Citation], int]:
    """Check a generated answer: drop numbers that point nowhere, cite uncited sentences where a
    source supports them, renumber in order of use. Returns (text, citations, unsupported count)."""
    sources = {i + 1: h for i, h in enumerate(hits)}
    renumber: dict[int, int] = {}
    cites: dict[int, Citation] = {}
    out_lines: list[str] = []
    unsupported = 0
    for line in text.strip().split("\n"):
        pieces = []
        for sent in split_sentences(line) if line.strip() else []:
            nums = [n for n in markers(sent) if n in sources]
            if not nums:  # an uncited sentence: find the source that backs it, if any
                scored = [(support(sent, h.chunk.text)[0], n) for n, h in sources.items()]
                best = max(scored, default=(0.0, 0))
                nums = [best[1]] if best[0] >= SUPPORTED else []
            body = strip_markers(sent)
            if not body:
                continue
            ok = False
            for n in nums:
                score, quote = support(body, sources[n].chunk.text)
                new = renumber.setdefault(n, len(renumber) + 1)
                if new not in cites or score > cites[new].support:
                    cites[new] = make_citation(new, sources[n], quote, score)
                ok = ok or score >= SUPPORTED
            unsupported += 0 if ok else 1
            tags = "".join(f"[{renumber[n]}]" for n in dict.fromkeys(nums))
            pieces.append(f"{body} {tags}".rstrip() if tags else f"{body} (unverified)")
        if pieces:
            out_lines.append(" ".join(pieces))
    return "\n".join(out_lines), [cites[k] for k in sorted(cites)], unsupported


def reader_first(hits: Sequence[Hit], lead: Sequence[str]) -> tuple[Hit, ...]:
    """The passages in the order a reader meets them: those the reader's sentences come from
    (``lead``: their chunk ids, the answer's first sentence first), then the others in
    retrieval order; ranks renumbered from 1. The reader's choice of sentence is a second,
    finer ranking of the retrieved passages, whichever backend then words the answer."""
    order: dict[str, int] = {}
    for chunk_id in lead:
        order.setdefault(chunk_id, len(order))
    ranked = sorted(hits, key=lambda h: (order.get(h.chunk.chunk_id, len(order)), h.rank))
    return tuple(replace(h, rank=i + 1) for i, h in enumerate(ranked))
