"""The HTTP API: /api/ask, /api/sources, /healthz and an OpenAI-compatible /v1 over the Answerer."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.routing import Match

from app.http.errors import error_body, public, ruta_error_response
from app.rag.answer import Answerer
from app.rag.serialize import answer_dict
from app.rag.types import Answer, Message
from app.services import Services
from index.build import incomplete_notice
from index.errors import BadQuestion
from ingest.errors import RutaError

MODEL = "ruta"
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


class Turn(BaseModel):
    role: Literal["user", "assistant", "system"]
    content: str


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str
    history: list[Turn] = Field(default_factory=list)
    filters: dict[str, str] | None = None


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


def validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            reason = (err.get("ctx") or {}).get("error", "")
            return f"the request body is not valid JSON ({reason})".replace(" ()", "")
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    return "invalid request: " + "; ".join(parts)


def unparsable_body_message(cause: BaseException) -> str:
    """FastAPI turns a body json.loads cannot take at all into a bare 400; say why instead."""
    if isinstance(cause, UnicodeDecodeError):
        return "the request body is not valid JSON (it is not UTF-8 text)"
    if isinstance(cause, RecursionError):
        return "the request body is not valid JSON (it is nested too deeply)"
    return f"the request body is not valid JSON ({type(cause).__name__})"


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
    first: str | Answer | None, pieces: Iterator[str | Answer], messages: list[ChatMessage]
) -> AsyncIterator[str]:
    """The pieces as Server-Sent Events, each sent as soon as the Answerer yields it (sentence
    by sentence for the extractive backend, token by token for an LLM); the last chunk carries
    the citations and the usage."""
    cid, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    yield _event(_chunk(cid, created, {"role": "assistant", "content": ""}))
    streamed, final, piece = "", None, first
    try:
        while piece is not None:
            if isinstance(piece, Answer):
                final = piece
            else:
                streamed += piece
                yield _event(_chunk(cid, created, {"content": piece}))
            piece = await run_in_threadpool(next, pieces, None)
    except RutaError as exc:
        yield _event(error_body(str(exc), "answer_failed"))
    if final is not None:
        tail = completion_text(final, streamed)
        yield _event(_chunk(cid, created, {"content": tail}))
        last = _chunk(cid, created, {}, "stop")
        cites = answer_dict(final)["citations"]
        yield _event({**last, "citations": cites, "usage": usage(messages, streamed + tail)})
    yield "data: [DONE]\n\n"


@dataclass
class LLMProbe:
    """Whether an LLM server answers, asked at most every ``every_s`` (health checks are
    frequent; a dead server must not make each of them wait for its time-out)."""

    base_url: str
    timeout_s: float = 1.0
    every_s: float = 10.0
    _at: float = field(default=-1e9, init=False)
    _ok: bool = field(default=True, init=False)

    async def reachable(self) -> bool:
        import httpx

        now = time.monotonic()
        if now - self._at < self.every_s:
            return self._ok
        self._at = now
        try:
            async with httpx.AsyncClient(timeout=self.timeout_s) as client:
                await client.get(f"{self.base_url.rstrip('/')}/models")
            self._ok = True  # any HTTP answer: the server is there
        except httpx.HTTPError:
            self._ok = False
        return self._ok


def add_api(app: FastAPI, answerer: Callable[[], Answerer], services: Services) -> None:
    """Register the routes and the error handlers that turn failures into JSON errors."""
    _add_error_handlers(app)
    _add_ruta_routes(app, answerer, services)
    _add_openai_routes(app, answerer)
    _add_unknown_route(app)  # last: it catches what no route above takes


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RutaError)
    async def _ruta_error(request: Request, exc: RutaError) -> JSONResponse:
        return ruta_error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        body = error_body(validation_message(exc), "invalid_request_error")
        return JSONResponse(body, status_code=400)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.__cause__ is not None:
            body = error_body(unparsable_body_message(exc.__cause__), "invalid_request_error")
            return JSONResponse(body, status_code=400)
        body = error_body(str(exc.detail), "http_error")
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


def _add_ruta_routes(app: FastAPI, answerer: Callable[[], Answerer], services: Services) -> None:
    settings = services.settings
    probe = LLMProbe(settings.openai_base_url) if settings.llm == "openai" else None

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        llm = settings.llm
        if probe is not None and not await probe.reachable():
            # Answers fall back to extractive ones: degraded, not down.
            llm = "unreachable"
        if services.loading:  # answer at once while the index and models load (cold start)
            return JSONResponse(
                {"index": "loading", "llm": llm, "chunks": 0},
                status_code=503,
                headers={"Retry-After": "2"},
            )
        try:
            # ready(), not retriever(): a Chroma server that went away must show here too.
            retriever = await run_in_threadpool(services.ready)
        except RutaError as exc:
            body = {"index": public(str(exc)), "llm": llm, "chunks": 0}
            return JSONResponse(body, status_code=503)
        body = {"index": "ready", "llm": llm, "chunks": len(retriever.chunks)}
        warning = incomplete_notice(settings.data_dir)
        if warning:  # an ingestion was cut short: the index serves, but holds part of the corpus
            body.update(index="incomplete", warning=warning)
        return JSONResponse(body)

    @app.get("/api/sources")
    async def sources() -> list[dict[str, Any]]:
        retriever = await run_in_threadpool(services.retriever)
        docs: dict[str, dict[str, Any]] = {}
        for c in retriever.chunks:
            doc = docs.setdefault(
                c.doc_id,
                {
                    "doc_id": c.doc_id,
                    "title": c.title,
                    "publisher": c.publisher,
                    "kind": c.kind,
                    "url": c.url,
                    "chunks": 0,
                },
            )
            doc["chunks"] += 1
        return sorted(docs.values(), key=lambda d: d["doc_id"])

    @app.post("/api/ask")
    async def ask(req: AskRequest) -> dict[str, Any]:
        history = [Message(t.role, t.content) for t in req.history]

        def run() -> Answer:
            return answerer().answer(req.question, history, req.filters)

        return answer_dict(await run_in_threadpool(run))


def _add_openai_routes(app: FastAPI, answerer: Callable[[], Answerer]) -> None:
    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        entry = {"id": MODEL, "object": "model", "created": 0, "owned_by": "ruta"}
        return {"object": "list", "data": [entry]}

    @app.post("/v1/chat/completions", response_model=None)
    async def chat_completions(req: ChatRequest) -> dict[str, Any] | StreamingResponse:
        question, history = split_chat(req.messages)
        if req.stream:
            pieces = await run_in_threadpool(lambda: answerer().stream(question, history))
            # The first piece runs the checks (empty question...), so errors keep their status.
            first = await run_in_threadpool(next, pieces, None)
            return StreamingResponse(
                _sse(first, pieces, req.messages), media_type="text/event-stream"
            )
        answer = await run_in_threadpool(lambda: answerer().answer(question, history))
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
        }


def _add_unknown_route(app: FastAPI) -> None:
    @app.api_route("/api/{rest:path}", methods=_METHODS, include_in_schema=False)
    @app.api_route("/v1/{rest:path}", methods=_METHODS, include_in_schema=False)
    async def unknown(request: Request, rest: str) -> JSONResponse:
        # Registered after every /api and /v1 route: what no route takes would otherwise reach the
        # Gradio page mounted at "/" and come back as {"detail": "Not Found"}. A path a route
        # takes with another method is a wrong method: 405 with the methods it takes.
        allowed = sorted(
            m
            for r in app.routes
            if isinstance(r, APIRoute)
            and r.endpoint is not unknown
            and r.matches(request.scope)[0] == Match.PARTIAL
            for m in r.methods
        )
        if allowed:
            message = f"{request.url.path} takes {', '.join(allowed)}, not {request.method}"
            headers = {"Allow": ", ".join(allowed)}
            body = error_body(message, "method_not_allowed")
            return JSONResponse(body, status_code=405, headers=headers)
        message = (
            f"no such endpoint: {request.method} {request.url.path}; the API has POST /api/ask, "
            "GET /api/sources, GET /healthz, POST /v1/chat/completions and GET /v1/models"
        )
        return JSONResponse(error_body(message, "not_found"), status_code=404)
