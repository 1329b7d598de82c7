"""The OpenAI-compatible /v1: GET /v1/models and POST /v1/chat/completions (JSON or SSE), cited."""

from __future__ import annotations

import json
import threading
import time
import uuid
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from app.http.errors import error_body, error_code, public
from app.http.models import ERRORS, FILTERS_DOC, ChatCompletion, FilterValue, ModelList
from app.http.pool import AnswerPool
from app.rag.answer import Answerer
from app.rag.serialize import answer_dict
from app.rag.types import Answer, Message
from index.errors import BadQuestion
from ingest.errors import RutaError

MODEL = "ruta"


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str
    text: str = ""


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            kinds = {p.type for p in self.content} - {"text"}
            if kinds:
                raise BadQuestion(f"only text content is supported, got {sorted(kinds)}")
            return "".join(p.text for p in self.content)
        return self.content or ""


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, max_tokens...: accepted, unused

    model: str = MODEL
    messages: list[ChatMessage]
    stream: bool = False
    filters: dict[str, FilterValue] | None = Field(
        default=None, description="Ruta's extra field, as on POST /api/ask. " + FILTERS_DOC
    )


def split_chat(messages: list[ChatMessage]) -> tuple[str, list[Message]]:
    """The last user message is the question; earlier user/assistant turns are the history."""
    if not messages or messages[-1].role != "user":
        raise BadQuestion("messages must end with a 'user' message holding the question")
    history = [Message(m.role, m.text()) for m in messages[:-1] if m.role in ("user", "assistant")]
    return messages[-1].text(), history


def sources_block(answer: Answer) -> str:
    """The citations as plain text, for clients that show only the message content."""
    lines = []
    for c in answer.citations:
        where = " › ".join(p for p in (c.title, c.section) if p)
        page = f" (p. {c.page})" if c.page else ""
        lines.append(f"[{c.n}] {where}{page} — {c.quote}")
    return "\n\nSources:\n" + "\n".join(lines) if lines else ""


def completion_text(answer: Answer, streamed: str | None = None) -> str:
    """What follows the answer text: its notice (unless already streamed) and the sources."""
    text = "" if streamed is not None else answer.text.rstrip()
    if answer.notice and answer.notice not in (streamed or ""):
        text += f"\n\n{answer.notice}"
    return text + sources_block(answer)


def ruta_extension(answer: Answer) -> dict[str, Any]:
    """Ruta's own fields, in one object beside OpenAI's (clients pass unknown fields over):
    the answer's language, whether it is a refusal, its framing lines and its quoted part."""
    shown = answer_dict(answer)
    return {k: shown[k] for k in ("language", "refused", "framing", "quoted")}


def count_tokens(text: str) -> int:
    """Tokens for ``usage``, approximated as whitespace-separated words: Ruta's extractive
    backend has no tokenizer, and one count for every backend keeps the figures comparable."""
    return len(text.split())


def usage(messages: list[ChatMessage], completion: str) -> dict[str, int]:
    """What was sent (every message's text) and what was returned (the content), in words."""
    prompt = sum(count_tokens(m.text()) for m in messages)
    done = count_tokens(completion)
    return {"prompt_tokens": prompt, "completion_tokens": done, "total_tokens": prompt + done}


def _event(body: dict[str, Any]) -> str:
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def _chunk(cid: str, created: int, delta: dict[str, Any], finish: str | None = None) -> dict:
    return {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": created,
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


async def _sse(
    first: str | Answer | None,
    pieces: Iterator[str | Answer],
    messages: list[ChatMessage],
    done: Callable[[], None],
) -> AsyncIterator[str]:
    """The pieces as Server-Sent Events, each sent as soon as the Answerer yields it (sentence
    by sentence for the extractive backend, token by token for an LLM); the last chunk carries
    the citations, Ruta's ``ruta`` object and the usage. ``done`` gives back the answer's slot
    once the answer ends."""
    cid, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    streamed, final, piece = "", None, first
    try:
        yield _event(_chunk(cid, created, {"role": "assistant", "content": ""}))
        while piece is not None:
            if isinstance(piece, Answer):
                final = piece
            else:
                streamed += piece
                yield _event(_chunk(cid, created, {"content": piece}))
            piece = await run_in_threadpool(next, pieces, None)
    except RutaError as exc:
        yield _event(error_body(public(str(exc)), "answer_failed", error_code(exc)))
    finally:
        done()
    if final is not None:
        tail = completion_text(final, streamed)
        yield _event(_chunk(cid, created, {"content": tail}))
        last = _chunk(cid, created, {}, "stop")
        cites = answer_dict(final)["citations"]
        said = usage(messages, streamed + tail)
        yield _event({**last, "citations": cites, "ruta": ruta_extension(final), "usage": said})
    yield "data: [DONE]\n\n"


def _once(pool: AnswerPool, client: str) -> Callable[[], None]:
    """Gives ``client``'s slot back, once, however many paths end the stream."""
    t0, given = time.monotonic(), threading.Lock()

    def done() -> None:
        if given.acquire(blocking=False):
            pool.release(client, time.monotonic() - t0)

    return done


def add_openai_routes(app: FastAPI, answerer: Callable[[], Answerer], pool: AnswerPool) -> None:
    """Register GET /v1/models and POST /v1/chat/completions (each answer takes a slot of
    ``pool``; a streamed one holds it until its last event)."""

    @app.get("/v1/models", response_model=ModelList)
    async def models() -> dict[str, Any]:
        entry = {"id": MODEL, "object": "model", "created": 0, "owned_by": "ruta"}
        return {"object": "list", "data": [entry]}

    streamed = {
        "content": {"text/event-stream": {}},
        "description": "JSON; with stream: true, SSE chunks (the last carries citations, ruta "
        "and usage)",
    }

    @app.post(
        "/v1/chat/completions", response_model=ChatCompletion, responses={**ERRORS, 200: streamed}
    )
    async def chat_completions(
        req: ChatRequest, request: Request
    ) -> dict[str, Any] | StreamingResponse:
        """OpenAI's chat completions: the last user message is the question."""
        question, history = split_chat(req.messages)
        filters = req.filters
        client = pool.client(request.headers, request.client.host if request.client else "")
        if req.stream:
            await pool.acquire(client)
            done = _once(pool, client)
            try:
                pieces = await run_in_threadpool(
                    lambda: answerer().stream(question, history, filters)
                )
                # The first piece runs the checks (empty question...): errors keep their status.
                first = await run_in_threadpool(next, pieces, None)
            except BaseException:
                done()
                raise
            body = _sse(first, pieces, req.messages, done)
            weakref.finalize(body, done)  # a stream dropped before it started gives it back too
            return StreamingResponse(body, media_type="text/event-stream")
        async with pool.slot(client):
            answer = await run_in_threadpool(lambda: answerer().answer(question, history, filters))
        content = completion_text(answer)
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": MODEL,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": usage(req.messages, content),
            "citations": answer_dict(answer)["citations"],
            "ruta": ruta_extension(answer),
        }
