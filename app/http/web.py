"""The Gradio page "Ruta": its layout, its start page, its words in the page's language and its
events; the handlers live in asking.py (the chat), rating.py (feedback), saved.py (the
conversations kept in the browser) and gradio_ask.py (the ``ask`` endpoint)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import FileResponse

from app.feedback import MAX_COMMENT_CHARS, FeedbackLimit, FeedbackStore
from app.http import conversations as conv
from app.http.asking import asker, chooser
from app.http.gradio_ask import api_ask
from app.http.labels import docs_filter, question_box, words
from app.http.library import documents, library_html
from app.http.page_assets import CSS, DOWNLOAD_JS, JS, LANG_JS, SYSTEM_MONO, SYSTEM_SANS
from app.http.pool import AnswerPool
from app.http.rating import commenter, rater
from app.http.saved import (
    chat_shown,
    delete_chat,
    exporter,
    new_chat,
    open_chat,
    past_list,
    record_of,
)
from app.http.words import accepted_language, said
from app.rag.answer import Answerer
from app.settings import Settings
from ingest.errors import RutaError

# Each is answered (not refused) by the bundled corpus: tests/web/test_page.py checks it.
EXAMPLES = [
    "Where does R4V post its monitoring data?",
    "Which agencies co-chair the UN Regional Network on Migration for LAC?",
    "¿Cuánto dinero aporta USAID al Fondo de Donaciones del BID?",
    "Who funds Project Turquesa?",
]


def _start(
    answerer: Callable[[], Answerer], corpus_dir: Path | None
) -> Callable[..., tuple[Any, ...]]:
    """On load: the library in the empty chat, the document filter, and the conversation the
    browser kept (survives a reload), in the language of its last answer, else the browser's
    (Accept-Language), the page's own words included. Outputs: chat, saved, past list, filter,
    known ids, the documents, the page's language, the question box, then the components that
    show only words (labels.words)."""

    def start(saved: Any, request: gr.Request | None = None) -> tuple[Any, ...]:
        try:
            docs = documents(answerer().retriever.chunks, corpus_dir)
        except RutaError:  # no index yet: the library says what to run
            docs = []
        saved, record = record_of(saved)
        asked = request.headers.get("accept-language", "") if request is not None else ""
        lang = conv.last_language(record) or accepted_language(asked)
        chat = chat_shown(record, placeholder=library_html(docs, lang))
        choices = [(d["title"], d["doc_id"]) for d in docs]
        docs_box = docs_filter(lang, choices=choices, value=[])
        ids = [d["doc_id"] for d in docs]
        return (
            chat, saved, past_list(saved, lang), docs_box, ids, docs, lang, question_box(lang),
            *words(lang),
        )  # fmt: skip

    return start


def build_ui(
    answerer: Callable[[], Answerer],
    feedback: FeedbackStore,
    pool: AnswerPool,
    corpus_dir: Path | None = None,
    feedback_per_hour: int = 0,
    user_header: str = "",
) -> gr.Blocks:
    """The page. ``answerer`` is called per question, so a re-ingested index is picked up.
    Answers run concurrently, bounded by ``pool`` (shared with /api and /v1), not one at a
    time by Gradio's queue."""
    # The page's handlers are private: the API is gr.api's "ask" (the name of a private handler
    # would take it, as "ask" did before, so they are named otherwise).
    chat_turn, rate, send = (
        asker(answerer, pool),
        rater(feedback, FeedbackLimit(feedback_per_hour), user_header),
        commenter(feedback),
    )
    chosen_turn = chooser(chat_turn)
    private: dict[str, Any] = {"api_visibility": "private"}
    unbounded: dict[str, Any] = {**private, "concurrency_limit": None}  # the pool bounds them
    with gr.Blocks(title="Ruta", analytics_enabled=False) as page:
        # Conversations live in this browser's localStorage. Its fixed key is no secret (the
        # page hands it to the browser anyway); fixed, the conversations outlive a restart.
        saved = gr.BrowserState(conv.empty(), storage_key="ruta-conversations", secret="ruta")
        known = gr.State([])  # the indexed documents' ids
        library = gr.State([])  # the indexed documents, for the start page in another language
        rated = gr.State(None)  # the chat index of the answer just rated
        # The page's language: the last question's, else the browser's. A hidden box, not a
        # State: the page's JS reads it too (the <html lang>, the examples' name).
        lang = gr.Textbox("en", visible=False, elem_id="ruta-lang")
        with gr.Column(elem_id="ruta-main"):
            intro = gr.Markdown(said("intro", "en"), elem_id="ruta-intro")
            # No label: a floating "Conversation" label covered the first line of a scrolled chat.
            chatbot = gr.Chatbot(
                show_label=False,
                height="62vh",
                autoscroll=False,
                feedback_options=("Like", "Dislike"),
                buttons=["copy"],
                examples=[{"text": q} for q in EXAMPLES],
                placeholder=library_html([]),
                elem_id="ruta-chat",
            )
            with gr.Row():
                question = gr.Textbox(
                    label=said("question_label", "en"),
                    placeholder=said("question_placeholder", "en"),
                    show_label=False,
                    max_lines=6,
                    scale=5,
                    elem_id="ruta-question",
                )
                ask_btn = gr.Button(
                    said("ask", "en"), variant="primary", scale=1, elem_id="ruta-ask"
                )
            status = gr.Markdown("", elem_id="ruta-status")
            thanks = gr.Markdown("", elem_id="ruta-thanks")
            with gr.Group(visible=False, elem_id="ruta-comment-box") as comment_box:
                comment = gr.Textbox(
                    label=said("comment_label", "en", max=MAX_COMMENT_CHARS),
                    lines=2,
                    elem_id="ruta-comment",
                )
                send_btn = gr.Button(
                    said("send_comment", "en"), size="sm", elem_id="ruta-send-comment"
                )
            docs = gr.Dropdown(
                label=said("docs_label", "en"),
                choices=[],
                multiselect=True,
                elem_id="ruta-docs",
            )
            with gr.Row(elem_id="ruta-conversations"):
                new_btn = gr.Button(said("new", "en"), size="sm", elem_id="ruta-new")
                md_btn = gr.Button(said("export_md", "en"), size="sm", elem_id="ruta-export-md")
                json_btn = gr.Button(
                    said("export_json", "en"), size="sm", elem_id="ruta-export-json"
                )
            with gr.Row():
                past = gr.Dropdown(
                    label=said("past_label", "en"),
                    choices=[],
                    scale=4,
                    elem_id="ruta-past",
                )
                delete_btn = gr.Button(
                    said("delete", "en"), size="sm", scale=1, elem_id="ruta-delete"
                )
            exported = gr.Textbox(visible=False, elem_id="ruta-exported")

        # The components that show only words, in labels.words' order.
        worded = [intro, ask_btn, comment, send_btn, new_btn, md_btn, json_btn, delete_btn]
        # After the page's language changes: its <html lang>, its cookie and Gradio's own
        # words, in the browser (no request).
        lang.change(None, [lang], None, js=LANG_JS)

        start_outputs = [chatbot, saved, past, docs, known, library, lang, question, *worded]
        page.load(_start(answerer, corpus_dir), [saved], start_outputs, **private).then(
            None, [lang], None, js=LANG_JS
        )  # also when the language stays: Gradio's words follow the browser's until then
        # One request per question, its page words included: each request spends one token
        # of the rate limit (limits.py).
        turn_outputs = [question, chatbot, saved, past, status, thanks, comment_box, lang, docs]
        turn_outputs += worded
        turn_inputs = [docs, saved, known, lang, library]
        for event in (ask_btn.click, question.submit):
            event(chat_turn, [question, *turn_inputs], turn_outputs, **unbounded)
        # An example or a suggested follow-up is asked at once, as if typed.
        for chosen in (chatbot.example_select, chatbot.option_select):
            chosen(chosen_turn, turn_inputs, turn_outputs, **unbounded)
        chatbot.like(rate, [saved, lang], [saved, thanks, comment_box, rated], **private)
        send_btn.click(send, [comment, rated, saved, lang], [saved, thanks, comment], **private)
        reset = [chatbot, saved, past, status, thanks, comment_box]
        new_btn.click(new_chat, [saved, lang], reset, **private)
        chatbot.clear(new_chat, [saved, lang], reset, **private)  # its own trash icon
        past.input(open_chat, [past, saved, lang], reset, **private)
        delete_btn.click(delete_chat, [past, saved, lang], reset, **private)
        for button, fmt in ((md_btn, "md"), (json_btn, "json")):
            button.click(exporter(fmt), [saved, lang], [exported, thanks], **private).then(
                None, [exported], None, js=DOWNLOAD_JS.replace("FORMAT", fmt)
            )
        gr.api(api_ask(answerer, pool), api_name="ask", concurrency_limit=None)
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
        build_ui(
            answerer,
            feedback,
            pool,
            settings.corpus_dir,
            settings.feedback_per_hour,
            settings.trust_user_header,
        ),
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
