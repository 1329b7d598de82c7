"""What answering produces: an Answer with numbered, verifiable Citations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from index.types import Hit


@dataclass(frozen=True)
class Message:
    """One conversation turn."""

    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True)
class Citation:
    """Source ``[n]`` of an answer: the passage and the sentence quoted verbatim from it."""

    n: int
    chunk_id: str
    doc_id: str
    title: str
    section: str
    page: int | None
    url: str  # the document's own address (sources.toml), "" when unknown
    quote: str
    verified: bool
    support: float = 0.0
    # Where the quote answers the question: (start, end) character offsets into ``quote``.
    spans: tuple[tuple[int, int], ...] = ()
    # URLs of the footnotes cited inside the passage: its sources, not the document itself.
    links: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    """The text (sentences ending in [n] markers), its citations and how it was made."""

    question: str
    text: str
    citations: tuple[Citation, ...]
    refused: bool
    backend: str
    hits: tuple[Hit, ...] = ()
    notice: str = ""
    language: str = "en"
    standalone_question: str = ""
    plan: str = (
        "single"  # the question's plan: single, list, parts, chain, comparison, summary, derived …
    )
    timings_ms: dict[str, float] = field(default_factory=dict)
    # Follow-up questions the cited sections answer, each tested (app/rag/suggest.py).
    suggestions: tuple[str, ...] = ()
    # Lines of ``text`` in the asker's language around the English quotes: the lead and the
    # quotation label (app/rag/framing.py); none for English.
    framing: tuple[str, ...] = ()

    @property
    def quoted(self) -> str:
        """``text`` without its framing lines: the quoted sentences (and what the answer says
        of a part it does not answer), as the evaluation measures them."""
        if not self.framing:
            return self.text
        drop = set(self.framing)
        return "\n".join(line for line in self.text.split("\n") if line not in drop)

    @property
    def latency_ms(self) -> float:
        return sum(self.timings_ms.values())
