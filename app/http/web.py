"""The Gradio page "Ruta": a streaming chat whose answers carry their own sources, and feedback."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from app.feedback import FeedbackStore
from app.http.page_assets import CSS, JS, SYSTEM_MONO, SYSTEM_SANS
from app.http.pool import AnswerPool, ServerBusy
from app.http.render import answer_html, text_html
from app.rag.answer import Answerer, clean_question
from app.rag.serialize import answer_dict
from app.rag.types import Answer, Message
from app.settings import Settings
from index.errors import BadQuestion
from ingest.errors import RutaError

# Each is answered (not refused) by the bundled corpus: tests/web/test_page.py checks it.
EXAMPLES = [
    "Where does R4V post its monitoring data?",
    "Which agencies co-chair the UN Regional Network on Migration for LAC?",
    "¿Cuánto dinero aporta USAID al Fondo de Donaciones del BID?",
    "Who funds Project Turquesa?",
]
INTRO = (
    "# Ruta\nAnswers from documents on migration in Latin America and the Caribbean. "
    "Every sentence cites its source: click a number such as [1] to read the passage it quotes."
)
Turns = list[dict[str, str]]
Chat = list[dict[str, Any]]


def input_problem(question: str, max_chars: int) -> str | None:
    """What is wrong with a question before it is asked, in plain words (None: nothing)."""
    try:
        clean_question(question, max_chars)
    except BadQuestion:
        n = len(question.strip())
        if n == 0:
            return "Type a question first."
        if n > max_chars:
            return f"Questions can be up to {max_chars:,} characters; this one has {n:,}."
        return "This question has no readable text; type it again in words."
    return None


def _asker(
    answerer: Callable[[], Answerer], pool: AnswerPool
) -> Callable[..., AsyncIterator[tuple[Any, ...]]]:
    """The chat handler: checks the question, takes a slot of the shared pool, streams the
    answer, then shows it with its sources. Outputs: question box, chat, turns, last answer,
    status line, comment, feedback line."""
    keep = gr.skip()

    async def chat_turn(
        question: str, chat: Chat, turns: Turns, request: gr.Request
    ) -> AsyncIterator[tuple[Any, ...]]:
        chat = list(chat or [])
        try:
            limit = (await run_in_threadpool(answerer)).config.max_question_chars
            problem = input_problem(question, limit)
        except RutaError as exc:  # no index yet: say what to run, keep the question
            problem = str(exc)
        if problem:  # keep what was typed, the chat and its sources; say what is wrong
            yield keep, keep, keep, keep, problem, keep, keep
            return
        client = pool.client(request.headers, request.client.host if request.client else "")
        try:
            await pool.acquire(client)
        except ServerBusy as exc:  # keep the question: it can be sent again as it is
            yield keep, keep, keep, keep, str(exc), keep, keep
            return
        t0 = time.monotonic()
        try:
            async for out in _turn(answerer, question, chat, turns, keep):
                yield out
        finally:
            pool.release(client, time.monotonic() - t0)

    return chat_turn


async def _turn(
    answerer: Callable[[], Answerer], question: str, chat: Chat, turns: Turns, keep: Any
) -> AsyncIterator[tuple[Any, ...]]:
    """One answer on the page, its steps run off the event loop."""
    key = f"ruta-a{len(chat) + 1}"  # unique per message of this chat
    chat += [
        {"role": "user", "content": text_html(question)},
        {"role": "assistant", "content": "…"},
    ]
    yield "", chat, turns, None, "", "", ""
    text, final = "", None
    try:
        history = [Message(t["role"], t["content"]) for t in turns]  # type: ignore[arg-type]
        pieces = await run_in_threadpool(lambda: answerer().stream(question, history))
        while (piece := await run_in_threadpool(next, pieces, None)) is not None:
            if isinstance(piece, Answer):
                final = piece
            else:
                text += piece
                chat[-1] = {"role": "assistant", "content": text_html(text.strip()) or "…"}
                yield keep, chat, keep, keep, keep, keep, keep
    except RutaError as exc:
        chat[-1] = {"role": "assistant", "content": f"⚠️ {text_html(str(exc))}"}
        yield keep, chat, keep, keep, keep, keep, keep
        return
    assert final is not None
    chat[-1] = {"role": "assistant", "content": answer_html(final, key)}
    turns = [
        *turns,
        {"role": "user", "content": question},
        {"role": "assistant", "content": final.text},
    ]
    yield keep, chat, turns, answer_dict(final), keep, keep, keep


def _rater(
    feedback: FeedbackStore,
) -> Callable[[int, str, dict[str, Any] | None], tuple[Any, str, Any]]:
    """The feedback handler: rates the last answer; rating it again replaces the first rating."""

    def rate(rating: int, comment: str, last: dict[str, Any] | None) -> tuple[Any, str, Any]:
        if not last:
            return gr.skip(), "Ask a question first; feedback is about the last answer.", None
        said = "useful" if rating > 0 else "not useful"
        if last.get("feedback_id"):
            feedback.update(last["feedback_id"], rating, comment or "")
            return gr.skip(), f"Changed: you rated this answer {said}.", last
        row = feedback.add(
            rating,
            last["question"],
            last["answer"],
            last["citations"],
            last["backend"],
            comment or "",
        )
        return (
            gr.skip(),
            f"Thank you: you rated this answer {said}. Click the other button to change it.",
            {**last, "feedback_id": row},
        )

    return rate


def _clear() -> tuple[Any, ...]:
    return [], [], None, "", "", ""


def _api_ask(answerer: Callable[[], Answerer], pool: AnswerPool) -> Callable[..., Any]:
    async def ask(
        question: str,
        history: list[dict[str, str]] | None = None,
        request: gr.Request | None = None,
    ) -> dict[str, Any]:
        """Answer a question, with earlier turns as [{"role": "user"|"assistant", "content"}];
        returns the same JSON as POST /api/ask: answer, citations (quote, spans, url, links...),
        refused."""
        turns = []
        for i, t in enumerate(history or []):
            if not isinstance(t, dict) or t.get("role") not in ("user", "assistant"):
                raise gr.Error(f"history[{i}] must be {{'role': 'user'|'assistant', 'content'}}")
            turns.append(Message(t["role"], str(t.get("content", ""))))  # type: ignore[arg-type]
        address = request.client.host if request is not None and request.client else ""
        client = pool.client(request.headers if request is not None else {}, address)
        try:
            async with pool.slot(client):
                answer = await run_in_threadpool(lambda: answerer().answer(question, turns))
            return answer_dict(answer)
        except RutaError as exc:
            raise gr.Error(str(exc)) from exc

    return ask


def build_ui(
    answerer: Callable[[], Answerer], feedback: FeedbackStore, pool: AnswerPool
) -> gr.Blocks:
    """The page. ``answerer`` is called per question, so a re-ingested index is picked up.
    Answers run concurrently, bounded by ``pool`` (shared with /api and /v1), not one at a
    time by Gradio's queue."""
    # The page's handlers are private: the API is gr.api's "ask" (the name of a private handler
    # would take it, as "ask" did before, so they are named otherwise).
    chat_turn, rate = _asker(answerer, pool), _rater(feedback)
    with gr.Blocks(title="Ruta", analytics_enabled=False) as page:
        with gr.Column(elem_id="ruta-main"):
            gr.Markdown(INTRO)
            turns = gr.State([])
            last = gr.State(None)
            # No label: a floating "Conversation" label covered the first line of a scrolled chat.
            chatbot = gr.Chatbot(
                show_label=False,
                height="62vh",
                autoscroll=False,
                feedback_options=None,
                buttons=["copy", "copy_all"],
                elem_id="ruta-chat",
            )
            with gr.Row():
                question = gr.Textbox(
                    label="Question",
                    placeholder="Ask about migration in Latin America and the Caribbean…",
                    show_label=False,
                    max_lines=6,
                    scale=5,
                    elem_id="ruta-question",
                )
                send = gr.Button("Ask", variant="primary", scale=1, elem_id="ruta-ask")
            status = gr.Markdown("", elem_id="ruta-status")
            gr.Markdown("**Was the last answer useful?**", elem_id="ruta-feedback-label")
            with gr.Row(elem_id="ruta-feedback"):
                up = gr.Button("Useful", elem_id="ruta-up", size="sm", min_width=80)
                down = gr.Button("Not useful", elem_id="ruta-down", size="sm", min_width=80)
            comment = gr.Textbox(label="Comment (optional)", lines=1, elem_id="ruta-comment")
            thanks = gr.Markdown("", elem_id="ruta-thanks")
            gr.Examples(EXAMPLES, inputs=question, label="Try")
            clear_btn = gr.Button("Clear conversation", variant="secondary")

        outputs = [question, chatbot, turns, last, status, comment, thanks]
        for event in (send.click, question.submit):
            event(
                chat_turn,
                [question, chatbot, turns],
                outputs,
                api_visibility="private",
                concurrency_limit=None,  # the pool bounds answers, fairly per client
            )
        for button, rating in ((up, 1), (down, -1)):
            button.click(
                partial(rate, rating), [comment, last], [comment, thanks, last],
                api_visibility="private",
            )  # fmt: skip
        cleared = [chatbot, turns, last, status, comment, thanks]
        clear_btn.click(_clear, None, cleared, api_visibility="private")
        chatbot.clear(_clear, None, cleared, api_visibility="private")  # its own trash icon
        gr.api(_api_ask(answerer, pool), api_name="ask", concurrency_limit=None)
    return page


def gradio_loader() -> Path:
    """Gradio's web component loader (`gradio.js`) from the installed package: it imports the
    hashed bundle under ./assets/, which the mounted page serves already."""
    return Path(gr.__file__).parent / "templates" / "frontend" / "gradio.js"


def mount_ui(
    app: FastAPI,
    answerer: Callable[[], Answerer],
    feedback: FeedbackStore,
    settings: Settings,
    pool: AnswerPool,
) -> None:
    """Mount the page at "/" of the API app, with system fonts and no outside requests."""

    # <gradio-app> needs gradio.js, which Gradio's docs load from a CDN. Served here, at a stable
    # address, an intranet page embeds Ruta as a web component with no outside request.
    @app.get("/gradio.js", include_in_schema=False)
    async def web_component() -> FileResponse:
        return FileResponse(gradio_loader(), media_type="text/javascript")

    theme = gr.themes.Default(font=SYSTEM_SANS + ["sans-serif"], font_mono=SYSTEM_MONO)
    gr.mount_gradio_app(
        app,
        build_ui(answerer, feedback, pool),
        path="/",
        root_path=settings.root_path or None,
        footer_links=["api"],
        run_history=False,
        ssr_mode=False,
        pwa=False,
        mcp_server=False,
        theme=theme,
        css=CSS,
        js=JS,
    )
