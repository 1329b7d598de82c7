"""The HTTP API's request and response bodies as pydantic models: validation and /openapi.json."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# One document id (or publisher, kind), or a list of them: any of them.
FilterValue = str | list[str]
FILTERS_DOC = (
    'Limit the question to documents: {"doc_id": "k4dd-donor-activity"} or several, '
    '{"doc_id": ["a", "b"]}; also "publisher" and "kind". An unknown doc_id is a 400 that '
    "lists the known ones (GET /api/sources)."
)
SUGGEST_DOC = (
    "Also return `suggestions`: two or three questions the cited sections answer, each "
    "answered by the extractive reader before it is offered (costs a few retrievals)."
)


class Turn(BaseModel):
    role: Literal["user", "assistant", "system"]
    content: str


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(description="The question, up to RUTA_MAX_QUESTION_CHARS characters.")
    history: list[Turn] = Field(
        default_factory=list, description="Earlier turns, oldest first, for follow-up questions."
    )
    filters: dict[str, FilterValue] | None = Field(default=None, description=FILTERS_DOC)
    suggest: bool = Field(default=False, description=SUGGEST_DOC)


class CitationOut(BaseModel):
    n: int = Field(description="The number of the [n] markers that cite it.")
    chunk_id: str
    doc_id: str
    title: str
    section: str
    page: int | None
    url: str = Field(description="The document's own address (sources.toml); empty if unknown.")
    quote: str = Field(description="The sentence quoted verbatim from the passage.")
    verified: bool = Field(description="Whether the quote is in the passage and supports it.")
    support: float
    spans: list[tuple[int, int]] = Field(
        description="[start, end) offsets in `quote` of what answers the question."
    )
    links: list[str] = Field(description="Footnote URLs cited inside the passage.")


class AskResponse(BaseModel):
    question: str = Field(description="The question as answered (cleaned).")
    answer: str = Field(
        description='Sentences ending in [n] markers; a refusal starts "The documents do not say."'
    )
    citations: list[CitationOut]
    refused: bool
    backend: str = Field(description="extractive, or the LLM that wrote the answer.")
    language: str
    notice: str
    standalone_question: str = Field(
        description="The query retrieval ran: the question, merged with the previous one when "
        "it leans on the history ('And who co-chairs it?')."
    )
    plan: str = Field(
        default="single",
        description="How the question was answered: single, list, parts, chain, comparison, "
        "summary, derived or documents (see the README, 'Answers and backends').",
    )
    latency_ms: float = Field(description="The sum of timings_ms.")
    timings_ms: dict[str, float] = Field(
        description="Milliseconds per step: retrieval, answer (and suggestions when asked); "
        "for a repeated question answered from memory, cached."
    )
    suggestions: list[str] = Field(
        default_factory=list,
        description="Follow-up questions the documents answer (only with suggest: true).",
    )
    framing: list[str] = Field(
        default_factory=list,
        description="The lines of `answer` in the asker's language around the English "
        "evidence, in order: a lead that says the answer ('Lo financia: the Government of "
        "Canada [1]') and the quotation label ('Cita (en inglés):'); empty for English "
        "questions, refusals and LLM answers.",
    )
    quoted: str = Field(
        default="",
        description="`answer` without its `framing` lines: the quoted English sentences; "
        "the same as `answer` when `framing` is empty.",
    )


class Source(BaseModel):
    doc_id: str
    title: str
    publisher: str
    kind: str
    url: str
    chunks: int


class ChatReply(BaseModel):
    role: Literal["assistant"]
    content: str = Field(description="The answer, its notice and a plain-text Sources: block.")


class ChatChoice(BaseModel):
    index: int
    message: ChatReply
    finish_reason: str


class Usage(BaseModel):
    """Counted in words (whitespace-separated), for every backend alike."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class RutaExtension(BaseModel):
    """Ruta's own fields on a chat completion, in one object OpenAI clients pass over."""

    language: str = Field(description="The question's language, as Ruta read it.")
    refused: bool
    framing: list[str] = Field(
        description="As on POST /api/ask: the lines in the asker's language."
    )
    quoted: str = Field(description="As on POST /api/ask: the answer without its framing.")


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"]
    created: int
    model: str
    choices: list[ChatChoice]
    usage: Usage
    citations: list[CitationOut] = Field(description="Ruta's extra field: the [n] sources.")
    ruta: RutaExtension = Field(
        description="Ruta's extra object: the answer's language, framing and quoted part."
    )


class ModelCard(BaseModel):
    id: str
    object: Literal["model"]
    created: int
    owned_by: str


class ModelList(BaseModel):
    object: Literal["list"]
    data: list[ModelCard]


class ErrorDetail(BaseModel):
    message: str
    type: str
    code: str


class ErrorBody(BaseModel):
    error: ErrorDetail


ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorBody, "description": what}
    for code, what in (
        (400, "Bad question or body; the message names the field or the unknown document."),
        (503, "Index not built, loading, or the store or LLM unavailable."),
        (504, "The answer ran past RUTA_REQUEST_TIMEOUT_S."),
    )
}
