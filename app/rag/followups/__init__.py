"""Each language's phrases for follow-up questions and the helpful refusal (<lang>.toml here)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FOLDER = Path(__file__).parent


@dataclass(frozen=True)
class Phrases:
    """Templates, each filled with the documents' own words (see en.toml)."""

    name_heading: tuple[str, ...]  # a heading that is a name: "What does {heading} do?"
    topic_heading: tuple[str, ...]  # any other heading: "What does the {doc} say about {heading}?"
    name: tuple[str, ...]  # a name the passage says: "What is {name}?"
    nearest: str  # a refusal's closest subject: "The closest subject they cover is …"


@cache
def phrases(lang: str) -> Phrases:
    """The phrases of ``lang``; English for a language without its file."""
    path = FOLDER / f"{lang}.toml"
    if not path.is_file():
        path = FOLDER / "en.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return Phrases(
        tuple(data["name_heading"]),
        tuple(data["topic_heading"]),
        tuple(data["name"]),
        str(data["nearest"]),
    )
