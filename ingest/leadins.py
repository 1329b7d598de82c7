"""Lead-in sub-headings that text extraction glued to their paragraph: "R4V (R4V) R4V is...",
"Observatory for Migration¹ Past regional...", "EUROFRONT: IOM, in partnership...".

Reports set a programme's or a body's name in bold at the head of its paragraph. Extraction
loses the bold and often the line break, so the name runs into the paragraph, sometimes twice
(heading, then the sentence that repeats it). What is recognised, at a paragraph's start:

- the same title-like phrase twice in a row: the first copy is the heading;
- a title-like phrase closed by a footnote marker and followed by a new sentence;
- a short phrase, then ": " and a capital letter (kept inline: the text reads well as it is);
- a paragraph (or a lone bullet) that is a title-like phrase on its own, before a paragraph.

"Title-like": starts with a capital, at most 16 words, no sentence punctuation and no
auxiliary verb, and (where nothing else marks it) most of its content words capitalised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_WORDS = 16
# Lower-case words a name may hold ("Platform for Refugees and Migrants", "Plan de Acción").
_SMALL = set(
    "a an and at de del des du e et for from in la las le les los of on or the to y da do das "
    "dos em para por sur".split()
)
# A phrase holding one of these is a sentence, not a name ("The aim is clear: ...").
_VERBS = set(
    "is are was were be been has have had will would can could should may must does did "
    "es son fue está están ha han est sont été é são foi".split()
)
_WORD = re.compile(r"[^\W_][\w'’&-]*")


@dataclass(frozen=True)
class LeadIn:
    """A heading found at a paragraph's start. ``rest`` is where the paragraph proper starts in
    the text given; ``inline``: the heading stays part of the paragraph's text."""

    title: str
    rest: int
    inline: bool


def title_like(phrase: str, *, caps: float = 0.75) -> bool:
    """A name or a heading rather than a sentence: at least ``caps`` of its content words
    capitalised (or numbers)."""
    phrase = phrase.strip()
    words = _WORD.findall(phrase)
    if not words or not phrase[:1].isupper() or len(words) > MAX_WORDS:
        return False
    if re.search(r"[.;!?]\s|[.;!?]$|[“”\"|]", phrase):  # '|': navigation, not a heading
        return False
    if any(w.lower() in _VERBS for w in words):
        return False
    content = [w for w in words if w.lower() not in _SMALL]
    capitalised = sum(1 for w in content if w[:1].isupper() or w[:1].isdigit())
    return capitalised >= caps * len(content)


def find_lead_in(text: str, marker: str = "") -> LeadIn | None:
    """The lead-in heading ``text`` (one paragraph) opens with, if any. ``marker`` is the
    character that stands where a footnote marker was removed."""
    head = text[:400]
    opt = f"{re.escape(marker)}?" if marker else ""
    m = re.match(r"(\S.{5,200}?)\s*" + opt + r"\s+\1(?!\w)", head)
    if m and title_like(_bare(m[1], marker), caps=0) and len(_WORD.findall(m[1])) >= 2:
        return LeadIn(_bare(m[1], marker), m.end(1), inline=False)  # rest keeps the marker
    if marker and (m := re.match(rf"([^{marker}\n]{{5,200}}?)['’]?{marker}\s+(?=[A-Z])", head)):
        if title_like(m[1]) and len(_WORD.findall(m[1])) >= 2:
            return LeadIn(m[1].strip(), len(m[1]), inline=False)
    for m in re.finditer(r":\s+(?=[A-Z0-9“\"‘(])", head):
        phrase = _bare(head[: m.start()], marker)
        if title_like(phrase, caps=0.5):  # "UNESCO regional strategy on ...": half will do
            return LeadIn(phrase, 0, inline=True)
        if len(_WORD.findall(phrase)) > MAX_WORDS:
            break
    return None


def standalone_heading(text: str, marker: str = "", *, caps: float = 0.75) -> str | None:
    """The heading a whole short paragraph (capitalised words) or a lone bullet (``caps=0``:
    any title-like phrase of two words or more) is, if it is one."""
    bare = _bare(text, marker).lstrip("-•* ").strip()
    if not bare or bare[-1] in ".,;:!?" or not title_like(bare, caps=caps):
        return None
    return bare if len(_WORD.findall(bare)) >= 2 else None


def _bare(s: str, marker: str) -> str:
    return " ".join((s.replace(marker, "") if marker else s).split()).strip()
