"""The HTTP API: /api/ask, /api/sources, the error handlers and the 404/405 for unknown routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from app.http.errors import error_body, ruta_error_response
from app.http.health import add_health
from app.http.models import ERRORS, AskRequest, AskResponse, Source
from app.http.openai_compat import add_openai_routes
from app.http.pool import AnswerPool, ServerBusy
from app.http.shape import catch_all
from app.rag.answer import Answerer
from app.rag.errors import AnswerStopped
from app.rag.serialize import answer_dict
from app.rag.suggest import with_suggestions
from app.rag.types import Answer, Message
from app.services import Services
from ingest.errors import RutaError

_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]


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


def add_api(
    app: FastAPI, answerer: Callable[[], Answerer], services: Services, pool: AnswerPool
) -> None:
    """Register the routes and the error handlers that turn failures into JSON errors; every
    answer takes a slot of ``pool``."""
    _add_error_handlers(app)
    add_health(app, services)
    _add_ruta_routes(app, answerer, services, pool)
    add_openai_routes(app, answerer, pool)
    _add_openapi_alias(app)
    _add_unknown_route(app)  # last: it catches what no route above takes


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RutaError)
    async def _ruta_error(request: Request, exc: RutaError) -> JSONResponse:
        return ruta_error_response(exc)

    @app.exception_handler(ServerBusy)
    async def _busy(request: Request, exc: ServerBusy) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)}
        body = error_body(str(exc), "server_busy")
        return JSONResponse(body, status_code=503, headers=headers)

    @app.exception_handler(AnswerStopped)
    async def _stopped(request: Request, exc: AnswerStopped) -> JSONResponse:
        body = error_body(str(exc), "shutting_down")
        return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        body = error_body(validation_message(exc), "invalid_request_error")
        return JSONResponse(body, status_code=400)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # A fault of Ruta's own (the log has its traceback): still the one JSON shape.
        message = "the server failed to answer this request; its log says why"
        return JSONResponse(error_body(message, "internal_error"), status_code=500)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.__cause__ is not None:
            body = error_body(unparsable_body_message(exc.__cause__), "invalid_request_error")
            return JSONResponse(body, status_code=400)
        body = error_body(str(exc.detail), "http_error")
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


def _add_ruta_routes(
    app: FastAPI, answerer: Callable[[], Answerer], services: Services, pool: AnswerPool
) -> None:
    @app.get("/api/sources", response_model=list[Source], responses=ERRORS)
    async def sources() -> list[dict[str, Any]]:
        """The indexed documents, each with its number of passages; their doc_id is what
        ``filters`` takes."""
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

    @app.post("/api/ask", response_model=AskResponse, responses=ERRORS)
    async def ask(req: AskRequest, request: Request) -> dict[str, Any]:
        """Answer a question from the documents, every sentence cited."""
        history = [Message(t.role, t.content) for t in req.history]

        def run() -> Answer:
            current = answerer()
            answer = current.answer(req.question, history, req.filters)
            return (
                with_suggestions(current, answer, history, req.filters) if req.suggest else answer
            )

        # An answer kept from an earlier ask costs a look-up: it takes no slot, so repeated
        # questions are not queued behind new ones (a slot bounds the CPU of computing one).
        # A server shutting down refuses every answer, kept ones too (the slot says so).
        if not req.suggest and not pool.closing:
            kept = await run_in_threadpool(
                lambda: answerer().kept(req.question, history, req.filters)
            )
            if kept is not None:
                return answer_dict(kept)
        client = pool.client(request.headers, request.client.host if request.client else "")
        async with pool.slot(client):
            return answer_dict(await run_in_threadpool(run))


def _add_openapi_alias(app: FastAPI) -> None:
    # The document is at /openapi.json (FastAPI's default, ahead of the page mounted at "/",
    # whose own /openapi.json lists only Gradio's routes); the old address still answers.
    @app.get("/api/openapi.json", include_in_schema=False)
    async def openapi() -> dict[str, Any]:
        return app.openapi()


def _add_unknown_route(app: FastAPI) -> None:
    @app.api_route("/api/{rest:path}", methods=_METHODS, include_in_schema=False)
    @app.api_route("/v1/{rest:path}", methods=_METHODS, include_in_schema=False)
    @catch_all
    async def unknown(request: Request, rest: str) -> JSONResponse:
        # Registered after every /api and /v1 route: what no route takes would otherwise reach the
        # Gradio page mounted at "/". A path a route takes with another method never gets here:
        # app/http/shape.py answers 405 for it (and HEAD where GET works).
        message = (
            f"no such endpoint: {request.method} {request.url.path}; the API has POST /api/ask, "
            "GET /api/sources, GET /healthz, POST /v1/chat/completions and GET /v1/models"
        )
        return JSONResponse(error_body(message, "not_found"), status_code=404)
