"""Sentence splitting shared by the reader, the citations and the sentence vectors."""

from __future__ import annotations

import re

_SPLIT = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“(]?[A-Z0-9¿¡])")


def split_sentences(text: str) -> list[str]:
    """Sentences and list items, in order; a list item is always its own unit."""
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if line.startswith("- "):
            out.append(line)
            continue
        out.extend(s.strip() for s in _SPLIT.split(line) if s.strip())
    return out
