"""One Answer from the answers of a plan's steps: their lines in order, their citations
renumbered so that each passage quoted keeps one number."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from app.rag.types import Answer, Citation
from index.types import Hit

_MARK = re.compile(r"\[(\d+)\]")


def combine(
    question: str, pieces: Sequence[tuple[str, Answer | None]], lang: str, notice: str
) -> Answer:
    """``pieces``: (line without citations, or a label, and the step's answer). A step whose
    answer is None says only its line; an answered step's text follows its label."""
    numbers: dict[tuple[str, str], int] = {}
    cites: list[Citation] = []
    hits: dict[str, Hit] = {}
    lines: list[str] = []
    framing: list[str] = []
    for label, sub in pieces:
        if sub is None:
            lines.append(label)
            continue
        local: dict[int, int] = {}
        for c in sub.citations:
            key = (c.chunk_id, c.quote)
            if key not in numbers:
                numbers[key] = len(cites) + 1
                cites.append(replace(c, n=numbers[key]))
            local[c.n] = numbers[key]
        for h in sub.hits:
            hits.setdefault(h.chunk.chunk_id, h)
        text = _renumber(sub.text, local)
        framing += [_renumber(line, local) for line in sub.framing]
        lines.append(f"{label} {text}".strip() if label else text)
    return Answer(
        question,
        "\n".join(lines),
        tuple(cites),
        False,
        "extractive",
        tuple(hits.values()),
        notice,
        lang,
        framing=tuple(framing),
    )


def _renumber(text: str, numbers: dict[int, int]) -> str:
    return _MARK.sub(lambda m: f"[{numbers.get(int(m.group(1)), int(m.group(1)))}]", text)
