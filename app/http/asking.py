"""The page's chat handler: a question checked, given a slot of the pool shared with /api and
/v1, answered step by step off the event loop, and kept in the browser."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import gradio as gr
from starlette.concurrency import run_in_threadpool

from app.http import conversations as conv
from app.http.errors import error_code, public
from app.http.labels import docs_filter, question_box, start_page, unchanged, words
from app.http.limits import OverLimit, over_limit
from app.http.pool import SHUTTING_DOWN, AnswerPool, ServerBusy
from app.http.render import answer_html, text_html
from app.http.saved import past_list, record_of
from app.http.words import question_language, said
from app.rag.answer import Answerer, clean_question
from app.rag.errors import AnswerStopped
from app.rag.serialize import answer_dict
from app.rag.suggest import with_suggestions
from app.rag.types import Answer, Message
from index.errors import BadQuestion
from ingest.errors import RutaError

log = logging.getLogger(__name__)


def input_problem(question: str, max_chars: int, lang: str = "en") -> str | None:
    """What is wrong with a question before it is asked, in plain words of ``lang`` (None:
    nothing)."""
    try:
        clean_question(question, max_chars)
    except BadQuestion as exc:
        if exc.code == "not_text":
            return said("problem_not_text", lang)
        n = len(question.strip())
        if exc.code == "question_empty" and n == 0:
            return said("problem_empty", lang)
        if exc.code == "question_too_long":
            return said("problem_too_long", lang, max=max_chars, n=n)
        return said("problem_unreadable", lang)
    return None


def busy_said(exc: ServerBusy, lang: str) -> str:
    """Why the pool refused a question, in ``lang``."""
    if str(exc) == SHUTTING_DOWN:
        return said("shutting_down", lang)
    return said("busy", lang, seconds=exc.retry_after)


def limited_said(over: OverLimit, lang: str) -> str:
    """Why a question over the rate limit is refused, in ``lang``."""
    return said("rate_limited", lang, seconds=over.retry_after)


# An error's code (app/http/errors.py) -> the page's words for it; any other: "error_failed".
_ERROR_WORDS = {
    "index_not_ready": "error_not_ready",
    "store_unavailable": "error_unavailable",
    "llm_unavailable": "error_unavailable",
    "timeout": "error_timed_out",
}


def error_said(exc: RutaError, lang: str) -> str:
    """A server error on the page, in ``lang``, followed where it helps by its detail for whoever
    runs Ruta (English, as on /api, with no absolute path: "run `ruta ingest`")."""
    if isinstance(exc, AnswerStopped):
        return said("shutting_down", lang)
    return said(_ERROR_WORDS.get(error_code(exc), "error_failed"), lang, detail=public(str(exc)))


def doc_filters(chosen: list[str] | None, known: list[str]) -> dict[str, str | list[str]] | None:
    """The page's document choice as the core's ``filters``: none or all chosen is no filter;
    one document or several."""
    chosen = [d for d in dict.fromkeys(chosen or []) if d]
    if not chosen or set(chosen) >= set(known):
        return None
    return {"doc_id": chosen[0] if len(chosen) == 1 else chosen}


def follow_ups(answer: Any) -> list[dict[str, str]]:
    """The answer's suggested follow-up questions (tested answerable by the core), as the
    chat's options under the newest answer; none when the answer has no ``suggestions``."""
    questions = [q for q in getattr(answer, "suggestions", None) or () if str(q).strip()]
    return [{"label": str(q), "value": str(q)} for q in questions]


def asker(
    answerer: Callable[[], Answerer], pool: AnswerPool
) -> Callable[..., AsyncIterator[tuple[Any, ...]]]:
    """The chat handler: checks the question, takes a slot of the pool shared with /api and /v1,
    streams the answer off the event loop, then shows it with its sources and suggested
    follow-ups and keeps it in the browser. The page speaks the question's language (``lang``,
    in and out) from its first reply on, its own words included (labels.py), so one question
    is one request. Outputs: question box, chat, saved conversations, the list of past ones,
    status line, feedback line, comment box, the page's language, the document filter, then
    the components that show only words (labels.words)."""
    keep = gr.skip()

    async def chat_turn(
        question: str,
        docs: list[str] | None,
        saved: Any,
        known: list[str] | None,
        lang: str,
        library: list[dict[str, Any]] | None,
        request: gr.Request,
    ) -> AsyncIterator[tuple[Any, ...]]:
        saved, record = record_of(saved)
        lang = question_language(question, lang)  # a question without words keeps the page's
        rest = (keep, keep, *unchanged())  # the language, the document filter, the words
        # The page in the question's language before anything else is drawn.
        yield (
            question_box(lang), start_page(library, lang), keep, past_list(saved, lang),
            keep, keep, keep, lang, docs_filter(lang), *words(lang),
        )  # fmt: skip
        over = over_limit(request)
        if over is not None:  # keep the question: it can be sent again as it is, once allowed
            log.info("page question refused: %s", over.message)
            yield keep, keep, keep, keep, limited_said(over, lang), keep, keep, *rest
            return
        try:
            limit = (await run_in_threadpool(answerer)).config.max_question_chars
            problem = input_problem(question, limit, lang)
            filters = doc_filters(docs, known or [])
        except RutaError as exc:  # no index yet: say what to run, keep the question
            problem = error_said(exc, lang)
        if problem:  # keep what was typed, the chat and its sources; say what is wrong
            yield keep, keep, keep, keep, problem, keep, keep, *rest
            return
        client = pool.client(request.headers, request.client.host if request.client else "")
        try:
            await pool.acquire(client)
        except ServerBusy as exc:  # keep the question: it can be sent again as it is
            yield keep, keep, keep, keep, busy_said(exc, lang), keep, keep, *rest
            return
        t0 = time.monotonic()
        try:
            async for out in _turn(answerer, question, filters, saved, record, keep, lang):
                yield (*out, *rest)
        finally:
            pool.release(client, time.monotonic() - t0)

    return chat_turn


def chooser(
    chat_turn: Callable[..., AsyncIterator[tuple[Any, ...]]],
) -> Callable[..., AsyncIterator[tuple[Any, ...]]]:
    """An example or a suggested follow-up clicked in the chat, asked as if typed, in the same
    request (the chat handler's outputs; its inputs but the question box)."""

    async def chosen_turn(
        data: gr.SelectData,
        docs: list[str] | None,
        saved: Any,
        known: list[str] | None,
        lang: str,
        library: list[dict[str, Any]] | None,
        request: gr.Request,
    ) -> AsyncIterator[tuple[Any, ...]]:
        value = data.value
        question = str(value.get("text", "") if isinstance(value, dict) else value)
        async for out in chat_turn(question, docs, saved, known, lang, library, request):
            yield out

    return chosen_turn


async def _turn(
    answerer: Callable[[], Answerer],
    question: str,
    filters: Any,
    saved: Any,
    record: Any,
    keep: Any,
    lang: str,
) -> AsyncIterator[tuple[Any, ...]]:
    """One answer on the page, its steps run off the event loop; a failure said in ``lang``."""
    chat = list(record["chat"])
    key = f"ruta-a{len(chat) + 1}"  # unique per message of the conversation shown
    chat += [
        {"role": "user", "content": text_html(question)},
        {"role": "assistant", "content": "…"},
    ]
    yield "", chat, keep, keep, "", "", gr.Group(visible=False)
    text, final = "", None
    history = [Message(t["role"], t["content"]) for t in record["turns"]]  # type: ignore[arg-type]
    try:
        current = await run_in_threadpool(answerer)
        pieces = await run_in_threadpool(lambda: current.stream(question, history, filters))
        while (piece := await run_in_threadpool(next, pieces, None)) is not None:
            if isinstance(piece, Answer):
                final = piece
            else:
                text += piece
                chat[-1] = {"role": "assistant", "content": text_html(text.strip()) or "…"}
                yield keep, chat, keep, keep, keep, keep, keep
        if final is not None:  # follow-up questions, each tested answerable by the core
            done = final
            final = await run_in_threadpool(
                lambda: with_suggestions(current, done, history, filters)
            )
    except RutaError as exc:
        why = error_said(exc, lang)
        chat[-1] = {"role": "assistant", "content": f"⚠️ {text_html(why)}"}
        yield keep, chat, keep, keep, why, keep, keep
        return
    assert final is not None
    shown = answer_dict(final)
    shown["markdown"] = conv.answer_markdown(shown)
    chat[-1] = {"role": "assistant", "content": answer_html(final, key, shown["markdown"])}
    if options := follow_ups(final):  # asked when clicked (option_select)
        chat[-1]["options"] = options
    for m in chat[:-1]:  # only the newest answer offers follow-ups
        m.pop("options", None)
    record = {
        **record,
        "chat": chat,
        "turns": [
            *record["turns"],
            {"role": "user", "content": question},
            {"role": "assistant", "content": final.text},
        ],
        "answers": {**record["answers"], str(len(chat) - 1): shown},
    }
    saved = conv.stored(saved, record)
    yield keep, chat, saved, past_list(saved, final.language), keep, keep, keep
