"""Gradio's one public endpoint, ``ask``: the same answer as POST /api/ask, for gradio_client."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import gradio as gr
from starlette.concurrency import run_in_threadpool

from app.http.errors import public
from app.http.limits import over_limit
from app.http.pool import AnswerPool
from app.rag.answer import Answerer
from app.rag.serialize import answer_dict
from app.rag.suggest import with_suggestions
from app.rag.types import Answer, Message
from index.errors import BadQuestion
from ingest.errors import RutaError

log = logging.getLogger(__name__)


def api_ask(answerer: Callable[[], Answerer], pool: AnswerPool) -> Callable[..., Any]:
    """The handler of Gradio's ``ask`` endpoint; its answers take slots of ``pool``."""

    async def ask(
        question: str,
        history: list[dict[str, str]] | None = None,
        filters: dict[str, Any] | None = None,
        suggest: bool = False,
        request: gr.Request | None = None,
    ) -> dict[str, Any]:
        """Answer a question, with earlier turns as [{"role": "user"|"assistant", "content"}],
        limited by ``filters`` ({"doc_id": "…" or ["…", "…"]}, as POST /api/ask); with
        ``suggest``, also follow-up questions. Returns the same JSON object as POST /api/ask:
        answer, citations (quote, spans, url, links...), refused, suggestions..."""
        turns = []
        try:
            if not isinstance(question, str):
                raise BadQuestion(f"question must be text, got {type(question).__name__}")
            if not isinstance(history, list | None):
                raise BadQuestion("history must be a list of {'role', 'content'} turns")
            for i, t in enumerate(history or []):
                if not isinstance(t, dict) or t.get("role") not in ("user", "assistant"):
                    raise BadQuestion(
                        f"history[{i}] must be {{'role': 'user'|'assistant', 'content'}}"
                    )
                turns.append(Message(t["role"], str(t.get("content", ""))))  # type: ignore[arg-type]
            if filters is not None and not isinstance(filters, dict):
                raise BadQuestion(
                    f'filters must be an object such as {{"doc_id": "…"}}, got {filters!r}'
                )
        except RutaError as exc:
            log.info("ask refused: %s", exc)
            raise gr.Error(public(str(exc)), print_exception=False) from exc
        over = over_limit(request)
        if over is not None:
            log.info("ask refused: %s", over.message)
            raise gr.Error(over.message, print_exception=False)
        address = request.client.host if request is not None and request.client else ""
        client = pool.client(request.headers if request is not None else {}, address)

        def run() -> Answer:
            current = answerer()
            answer = current.answer(question, turns, filters)
            return with_suggestions(current, answer, turns, filters) if suggest else answer

        try:
            async with pool.slot(client):
                return answer_dict(await run_in_threadpool(run))
        except RutaError as exc:
            # One log line, no traceback: a bad input or a missing index is no server fault.
            message = public(str(exc))
            log.info("ask refused: %s", message)
            raise gr.Error(message, print_exception=False) from exc

    return ask
