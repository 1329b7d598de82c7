"""The summary plan: the distinct points of the section (or document) asked about, each cited
once, in the source's order, with a stated limit when there are more."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.rag.choose import Reading
from app.rag.citations import make_citation
from app.rag.cues import ANAPHOR
from app.rag.plans.words import words
from app.rag.rules import on
from app.rag.termstats import root_set, spelled_acronyms
from app.rag.text import split_sentences
from app.rag.types import Answer
from index.types import Hit
from ingest.types import Chunk

LIMIT = 12  # points shown; the answer says how many more there are


@dataclass(frozen=True)
class Point:
    """One distinct point: a sentence and those that go on about it ("This means …")."""

    chunk: Chunk
    text: str  # the point's sentences, as they stand in the chunk


def target(
    q_roots: set[str], reading: Reading, hits: Sequence[Hit], chunks: Sequence[Chunk] = ()
) -> tuple[str, tuple[str, ...]]:
    """(doc_id, section) asked about: the section of the passage the reader ranks first when
    its heading shares a word with the question ("… recommendations" -> "Summary of
    recommendations"), or a word's stem ("what the study recommends"); else the whole document
    ("", for section). With ``chunks`` (rule ``heading_any``), any heading of that document
    at any level ("4. Development Banks" of "4. Development Banks > 4.1 World Bank") whose own
    words (and the acronyms they spell: "IOM") share the most with the question, the best
    passage's first on a tie; every heading the question names as much, when it names several
    apart (rule ``heading_siblings``: "the research centres (MPI and MMC)" is "6.1 Migration
    Policy Initiative" and "6.2 Mixed Migration Centre")."""
    best = hits[reading.ranked[0].hit].chunk if reading.ranked else hits[0].chunk
    if chunks and on("heading_any"):
        return best.doc_id, _headings(q_roots, best, chunks)
    if best.section and _shares_word(root_set(best.section), q_roots):
        return best.doc_id, (best.section,)
    return best.doc_id, ()


def _headings(q_roots: set[str], best: Chunk, chunks: Sequence[Chunk]) -> tuple[str, ...]:
    """The heading of ``best``'s document that the question names most, or the headings it
    names as much, none under another; () when none. The document's title words are what all
    of it is about ("migration"): they name no heading."""
    scored: dict[str, tuple[int, bool]] = {}
    named: dict[str, frozenset[str]] = {}  # the question's words that name each heading
    titled = _own_words(best.title)
    for c in chunks:
        if c.doc_id != best.doc_id or not c.section:
            continue
        levels = c.section.split(" > ")
        for k in range(1, len(levels) + 1):
            head = " > ".join(levels[:k])
            words = _own_words(levels[k - 1]) - titled
            shared = _shared(words, q_roots)
            mine = best.section == head or best.section.startswith(f"{head} > ")
            if shared and head not in scored:
                scored[head], named[head] = (shared, mine), _naming(words, q_roots)
    if not scored:
        return ()
    first = max(scored, key=lambda h: scored[h])  # (dicts keep the document's order on a tie)
    most = [h for h in scored if scored[h][0] == scored[first][0]]
    # each named by words of its own ("MPI", "MMC"), none under another
    own = [h for h in most if all(not named[h] & named[o] for o in most if o != h)]
    apart = not any(_under(a, (b,)) for a in own for b in own if a != b)
    if len(own) > 1 and apart and on("heading_siblings"):
        return tuple(own)
    return (first,)


def _label(headings: tuple[str, ...]) -> str:
    """The headings as one line: the levels they share, then each one's own
    ("6. Research and policy > 6.1 Migration Policy Initiative / 6.2 Mixed Migration Centre")."""
    if not headings:
        return ""
    levels = [h.split(" > ") for h in headings]
    shared = 0
    while all(len(x) > shared + 1 and x[shared] == levels[0][shared] for x in levels):
        shared += 1
    own = " / ".join(" > ".join(x[shared:]) for x in levels)
    return " > ".join([*levels[0][:shared], own]) if own else ""


def _own_words(heading: str) -> frozenset[str]:
    """A heading's word roots and the acronyms its names spell: "3.2 International
    Organisation for Migration" is named by "IOM"."""
    return root_set(heading) | spelled_acronyms(heading)


def _shared(heading: set[str], question: set[str]) -> int:
    """How many of a heading's words the question holds (or a stem of)."""
    return sum(_shares_word({h}, question) for h in heading)


def _naming(heading: set[str], question: set[str]) -> frozenset[str]:
    """The question's words that name a heading: those it shares with the heading's words (or
    a stem of one)."""
    return frozenset(w for w in question if any(_shares_word({h}, {w}) for h in heading))


_STEM = 6  # the least length of a word whose longer form is taken as the same word


def _under(section: str, headings: tuple[str, ...]) -> bool:
    """The section is one of the headings' or under one ("4. Development Banks > 4.2 IDB");
    any section when there is no heading (the whole document)."""
    return not headings or any(section == h or section.startswith(f"{h} > ") for h in headings)


def _shares_word(heading: set[str], question: set[str]) -> bool:
    """A word in both, or one the start of the other ("recommend", "recommendation")."""
    return (
        bool(heading & question)
        or on("heading_stem")
        and any(
            len(short) >= _STEM and long.startswith(short)
            for h in heading
            for w in question
            for short, long in ((h, w), (w, h))
        )
    )


def points_of(chunks: Sequence[Chunk], lang: str) -> list[Point]:
    """The points of ``chunks`` in order: each sentence or list item, a sentence that refers
    back joined to the one before; headings left out."""
    impersonal = words(lang).impersonal
    out: list[Point] = []
    for c in chunks:
        for sent in split_sentences(c.text):
            if not sent.startswith("- ") and not sent.rstrip().endswith((".", "!", "?", ":")):
                continue  # a heading, a menu line
            goes_on = ANAPHOR.match(sent) and not impersonal.match(sent)
            if goes_on and out and out[-1].chunk is c and f"{out[-1].text} {sent}" in c.text:
                out[-1] = Point(c, f"{out[-1].text} {sent}")
            else:
                out.append(Point(c, sent))
    return out


def spread(points: list[Point], limit: int) -> list[Point]:
    """At most ``limit`` points, taken in turn from each passage so that every part of the
    section is heard, shown in the source's order."""
    if len(points) <= limit:
        return points
    by_chunk: dict[str, list[int]] = {}
    for i, p in enumerate(points):
        by_chunk.setdefault(p.chunk.chunk_id, []).append(i)
    keep: set[int] = set()
    depth = 0
    while len(keep) < limit:
        for idx in by_chunk.values():
            if depth < len(idx) and len(keep) < limit:
                keep.add(idx[depth])
        depth += 1
    return [p for i, p in enumerate(points) if i in keep]


def summarise(
    question: str,
    q_roots: set[str],
    reading: Reading,
    hits: Sequence[Hit],
    chunks: Sequence[Chunk],
    lang: str,
    notice: str,
    limit: int = LIMIT,
) -> Answer | None:
    """The summary Answer, or None when the reader found nothing to summarise."""
    if reading.refused or not hits:
        return None
    doc_id, sections = target(q_roots, reading, hits, chunks)
    mine = sorted(
        (c for c in chunks if c.doc_id == doc_id and _under(c.section, sections)),
        key=lambda c: c.start,
    )
    points = points_of(mine, lang)
    if len(points) < 2:
        return None
    shown = spread(points, limit)
    by_id = {h.chunk.chunk_id: h for h in hits}
    lines, cites = [], []
    for n, p in enumerate(shown, start=1):
        hit = by_id.get(p.chunk.chunk_id) or Hit(p.chunk, 0.0, len(by_id) + 1)
        by_id.setdefault(p.chunk.chunk_id, hit)
        cites.append(make_citation(n, hit, p.text, 1.0))
        lines.append(f"- {p.text.removeprefix('- ')} [{n}]")
    head = _label(sections) or mine[0].title
    if len(shown) < len(points):
        limit_text = words(lang).limit.format(shown=len(shown), total=len(points))
        lines.insert(0, f"{head}: {limit_text}")
    else:
        lines.insert(0, f"{head}:")
    return Answer(
        question,
        "\n".join(lines),
        tuple(cites),
        False,
        "extractive",
        tuple(by_id.values()),
        notice,
        lang,
    )
