"""The Gradio page "Ruta": a streaming chat whose answers carry their own sources, and feedback."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import FileResponse

from app.feedback import (
    MAX_COMMENT_CHARS,
    FeedbackLimit,
    FeedbackRefused,
    FeedbackStore,
    check_comment,
)
from app.http.errors import public
from app.http.page_assets import CSS, JS, SYSTEM_MONO, SYSTEM_SANS
from app.http.render import answer_html, text_html
from app.rag.answer import Answerer, clean_question
from app.rag.serialize import answer_dict
from app.rag.types import Answer, Message
from app.settings import Settings
from index.errors import BadQuestion
from ingest.errors import RutaError, StorageError

log = logging.getLogger(__name__)

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
    except BadQuestion as exc:
        if "lone surrogate" in str(exc):
            return "This question holds characters that are not text; type it again."
        n = len(question.strip())
        if n == 0:
            return "Type a question first."
        if n > max_chars:
            return f"Questions can be up to {max_chars:,} characters; this one has {n:,}."
        return "This question has no readable text; type it again in words."
    return None


def _asker(answerer: Callable[[], Answerer]) -> Callable[..., Iterator[tuple[Any, ...]]]:
    """The chat handler: checks the question, streams the answer, then shows it with its sources.
    Outputs: question box, chat, turns, last answer, status line, comment, feedback line."""
    keep = gr.skip()

    def chat_turn(question: str, chat: Chat, turns: Turns) -> Iterator[tuple[Any, ...]]:
        chat = list(chat or [])
        try:
            problem = input_problem(question, answerer().config.max_question_chars)
        except RutaError as exc:  # no index yet: say what to run, keep the question
            problem = public(str(exc))
        if problem:  # keep what was typed, the chat and its sources; say what is wrong
            yield keep, keep, keep, keep, problem, keep, keep
            return
        key = f"ruta-a{len(chat) + 1}"  # unique per message of this chat
        chat += [
            {"role": "user", "content": text_html(question)},
            {"role": "assistant", "content": "…"},
        ]
        yield "", chat, turns, None, "", "", ""
        text, final = "", None
        try:
            history = [Message(t["role"], t["content"]) for t in turns]  # type: ignore[arg-type]
            for piece in answerer().stream(question, history):
                if isinstance(piece, Answer):
                    final = piece
                else:
                    text += piece
                    chat[-1] = {"role": "assistant", "content": text_html(text.strip()) or "…"}
                    yield keep, chat, keep, keep, keep, keep, keep
        except RutaError as exc:
            chat[-1] = {"role": "assistant", "content": f"⚠️ {text_html(public(str(exc)))}"}
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

    return chat_turn


def client_of(request: gr.Request | None, user_header: str = "") -> str:
    """Who is asking, as the rate limits count: the proxy's user header, else the address."""
    if request is None:
        return "unknown"
    user = request.headers.get(user_header.lower(), "") if user_header else ""
    return f"user:{user}" if user else f"addr:{request.client.host if request.client else ''}"


def _rater(
    feedback: FeedbackStore, limit: FeedbackLimit, user_header: str = ""
) -> Callable[[int, str, dict[str, Any] | None, gr.Request | None], tuple[Any, str, Any]]:
    """The feedback handler: rates the last answer; rating it again replaces the first rating.
    A comment over the limit, a client past its entries per hour or a full disk is said on the
    feedback line, and the comment stays in its box."""

    def rate(
        rating: int, comment: str, last: dict[str, Any] | None, request: gr.Request | None = None
    ) -> tuple[Any, str, Any]:
        if not last:
            return gr.skip(), "Ask a question first; feedback is about the last answer.", None
        said = "useful" if rating > 0 else "not useful"
        try:
            check_comment(comment or "")
            if last.get("feedback_id"):
                feedback.update(last["feedback_id"], rating, comment or "")
                return gr.skip(), f"Changed: you rated this answer {said}.", last
            limit.take(client_of(request, user_header))
            row = feedback.add(
                rating,
                last["question"],
                last["answer"],
                last["citations"],
                last["backend"],
                comment or "",
            )
        except FeedbackRefused as exc:
            log.info("feedback refused: %s", exc)
            return gr.skip(), str(exc), gr.skip()
        except StorageError as exc:
            log.error("feedback not saved: %s", exc)
            return (
                gr.skip(),
                "Your rating could not be saved: the server's disk is full or read-only. "
                "Please tell whoever runs Ruta; your comment is still in the box.",
                gr.skip(),
            )
        return (
            gr.skip(),
            f"Thank you: you rated this answer {said}. Click the other button to change it.",
            {**last, "feedback_id": row},
        )

    return rate


def _clear() -> tuple[Any, ...]:
    return [], [], None, "", "", ""


def _api_ask(answerer: Callable[[], Answerer]) -> Callable[..., dict[str, Any]]:
    def ask(question: str, history: list[dict[str, str]] | None = None) -> dict[str, Any]:
        """Answer a question, with earlier turns as [{"role": "user"|"assistant", "content"}];
        returns the same JSON as POST /api/ask: answer, citations (quote, spans, url, links...),
        refused."""
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
            return answer_dict(answerer().answer(question, turns))
        except RutaError as exc:
            # One log line, no traceback: a bad input or a missing index is no server fault.
            message = public(str(exc))
            log.info("ask refused: %s", message)
            raise gr.Error(message, print_exception=False) from exc

    return ask


def build_ui(
    answerer: Callable[[], Answerer],
    feedback: FeedbackStore,
    feedback_per_hour: int = 0,
    user_header: str = "",
) -> gr.Blocks:
    """The page. ``answerer`` is called per question, so a re-ingested index is picked up."""
    # The page's handlers are private: the API is gr.api's "ask" (the name of a private handler
    # would take it, as "ask" did before, so they are named otherwise).
    chat_turn = _asker(answerer)
    rate = _rater(feedback, FeedbackLimit(feedback_per_hour), user_header)

    # Two handlers, not a partial: Gradio passes gr.Request only to a function whose own
    # signature asks for it.
    def rate_up(
        comment: str, last: dict[str, Any] | None, request: gr.Request
    ) -> tuple[Any, str, Any]:
        return rate(1, comment, last, request)

    def rate_down(
        comment: str, last: dict[str, Any] | None, request: gr.Request
    ) -> tuple[Any, str, Any]:
        return rate(-1, comment, last, request)

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
            comment = gr.Textbox(
                label="Comment (optional)",
                lines=1,
                max_length=MAX_COMMENT_CHARS,
                elem_id="ruta-comment",
            )
            thanks = gr.Markdown("", elem_id="ruta-thanks")
            gr.Examples(EXAMPLES, inputs=question, label="Try")
            clear_btn = gr.Button("Clear conversation", variant="secondary")

        outputs = [question, chatbot, turns, last, status, comment, thanks]
        for event in (send.click, question.submit):
            event(chat_turn, [question, chatbot, turns], outputs, api_visibility="private")
        for button, handler in ((up, rate_up), (down, rate_down)):
            button.click(
                handler, [comment, last], [comment, thanks, last], api_visibility="private"
            )
        cleared = [chatbot, turns, last, status, comment, thanks]
        clear_btn.click(_clear, None, cleared, api_visibility="private")
        chatbot.clear(_clear, None, cleared, api_visibility="private")  # its own trash icon
        gr.api(_api_ask(answerer), api_name="ask")
    return page


def gradio_loader() -> Path:
    """Gradio's web component loader (`gradio.js`) from the installed package: it imports the
    hashed bundle under ./assets/, which the mounted page serves already."""
    return Path(gr.__file__).parent / "templates" / "frontend" / "gradio.js"


def mount_ui(
    app: FastAPI, answerer: Callable[[], Answerer], feedback: FeedbackStore, settings: Settings
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
        build_ui(answerer, feedback, settings.feedback_per_hour, settings.trust_user_header),
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
