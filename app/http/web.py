"""The Gradio page "Ruta": a streaming chat whose answers carry their own sources, and feedback."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from app.feedback import MAX_COMMENT_CHARS, FeedbackLimit, FeedbackRefused, FeedbackStore
from app.http import conversations as conv
from app.http.errors import public
from app.http.library import documents, library_html
from app.http.page_assets import CSS, DOWNLOAD_JS, JS, LANG_JS, SYSTEM_MONO, SYSTEM_SANS
from app.http.pool import SHUTTING_DOWN, AnswerPool, ServerBusy
from app.http.render import answer_html, text_html
from app.http.words import accepted_language, question_language, said
from app.rag.answer import Answerer, clean_question
from app.rag.serialize import answer_dict
from app.rag.suggest import with_suggestions
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


def input_problem(question: str, max_chars: int, lang: str = "en") -> str | None:
    """What is wrong with a question before it is asked, in plain words of ``lang`` (None:
    nothing)."""
    try:
        clean_question(question, max_chars)
    except BadQuestion as exc:
        if "lone surrogate" in str(exc):
            return said("problem_not_text", lang)
        n = len(question.strip())
        if n == 0:
            return said("problem_empty", lang)
        if n > max_chars:
            return said("problem_too_long", lang, max=max_chars, n=n)
        return said("problem_unreadable", lang)
    return None


def busy_said(exc: ServerBusy, lang: str) -> str:
    """Why the pool refused a question, in ``lang``."""
    if str(exc) == SHUTTING_DOWN:
        return said("shutting_down", lang)
    return said("busy", lang, seconds=exc.retry_after)


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


def _record(saved: Any) -> tuple[conv.Saved, conv.Record]:
    saved = conv.valid(saved)
    return saved, conv.current(saved) or conv.new_record()


def _past(saved: conv.Saved, lang: str = "en") -> Any:
    return gr.Dropdown(choices=conv.choices(saved, lang), value=saved["current"])


def _feedback_value(record: conv.Record) -> list[str | None]:
    """The ratings shown on the assistant messages (thumbs), for a conversation reopened."""
    said = {1: "Like", -1: "Dislike"}
    return [
        said.get(record["answers"].get(str(i), {}).get("rating"))
        for i, m in enumerate(record["chat"])
        if m["role"] == "assistant"
    ]


def _shown(record: conv.Record, **more: Any) -> Any:
    return gr.Chatbot(value=record["chat"], feedback_value=_feedback_value(record), **more)


def _asker(
    answerer: Callable[[], Answerer], pool: AnswerPool
) -> Callable[..., AsyncIterator[tuple[Any, ...]]]:
    """The chat handler: checks the question, takes a slot of the pool shared with /api and /v1,
    streams the answer off the event loop, then shows it with its sources and suggested
    follow-ups and keeps it in the browser. The page then speaks the question's language
    (``lang``, in and out). Outputs: question box, chat, saved conversations, the list of past
    ones, status line, feedback line, comment box, the page's language."""
    keep = gr.skip()

    async def chat_turn(
        question: str,
        docs: list[str] | None,
        saved: Any,
        known: list[str] | None,
        lang: str,
        request: gr.Request,
    ) -> AsyncIterator[tuple[Any, ...]]:
        saved, record = _record(saved)
        lang = question_language(question, lang)  # a question without words keeps the page's
        try:
            limit = (await run_in_threadpool(answerer)).config.max_question_chars
            problem = input_problem(question, limit, lang)
            filters = doc_filters(docs, known or [])
        except RutaError as exc:  # no index yet: say what to run, keep the question
            problem = public(str(exc))
        if problem:  # keep what was typed, the chat and its sources; say what is wrong
            yield keep, keep, keep, keep, problem, keep, keep, lang
            return
        client = pool.client(request.headers, request.client.host if request.client else "")
        try:
            await pool.acquire(client)
        except ServerBusy as exc:  # keep the question: it can be sent again as it is
            yield keep, keep, keep, keep, busy_said(exc, lang), keep, keep, lang
            return
        t0 = time.monotonic()
        try:
            async for out in _turn(answerer, question, filters, saved, record, keep):
                yield (*out, lang)
        finally:
            pool.release(client, time.monotonic() - t0)

    return chat_turn


async def _turn(
    answerer: Callable[[], Answerer],
    question: str,
    filters: Any,
    saved: Any,
    record: Any,
    keep: Any,
) -> AsyncIterator[tuple[Any, ...]]:
    """One answer on the page, its steps run off the event loop."""
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
        said = public(str(exc))
        chat[-1] = {"role": "assistant", "content": f"⚠️ {text_html(said)}"}
        yield keep, chat, keep, keep, said, keep, keep
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
    yield keep, chat, saved, _past(saved, final.language), keep, keep, keep


def _answer_number(record: conv.Record, index: int) -> int:
    return sum(1 for k in record["answers"] if int(k) <= index)


def client_of(request: gr.Request | None, user_header: str = "") -> str:
    """Who is asking, as the rate limits count: the proxy's user header, else the address."""
    if request is None:
        return "unknown"
    user = request.headers.get(user_header.lower(), "") if user_header else ""
    return f"user:{user}" if user else f"addr:{request.client.host if request.client else ''}"


def _rater(
    feedback: FeedbackStore, limit: FeedbackLimit, user_header: str = ""
) -> Callable[..., tuple[Any, ...]]:
    """The thumbs under each answer: a rating stored with the question, answer, citations and
    conversation id; rating the same answer again replaces it; its words in the page's ``lang``.
    Outputs: saved, feedback line, the comment box (shown for the answer just rated), the rated
    answer's index."""

    def rate(
        saved: Any, data: gr.LikeData, request: gr.Request, lang: str = "en"
    ) -> tuple[Any, ...]:
        saved, record = _record(saved)
        index = data.index if isinstance(data.index, int) else data.index[0]
        shown = record["answers"].get(str(index))
        if shown is None or data.liked not in (True, False, "Like", "Dislike"):
            return gr.skip(), said("rate_only_answers", lang), gr.skip(), gr.skip()
        rating = 1 if data.liked in (True, "Like") else -1
        try:
            if shown.get("feedback_id"):
                feedback.update(shown["feedback_id"], rating, shown.get("comment", ""))
            else:
                limit.take(client_of(request, user_header))
                shown = {**shown, "feedback_id": feedback.add(
                    rating, shown["question"], shown["answer"], shown["citations"],
                    shown["backend"], conversation_id=record["id"],
                )}  # fmt: skip
        except FeedbackRefused as exc:
            log.info("feedback refused: %s", exc)
            return gr.skip(), refused_said(exc, limit.per_hour, lang), gr.skip(), gr.skip()
        except StorageError as exc:
            log.error("feedback not saved: %s", exc)
            return gr.skip(), said("rate_not_saved", lang), gr.skip(), gr.skip()
        shown = {**shown, "rating": rating}
        record = {**record, "answers": {**record["answers"], str(index): shown}}
        n = _answer_number(record, index)
        line = said("rate_useful" if rating > 0 else "rate_not_useful", lang, n=n)
        box = gr.Group(visible=True)
        return conv.stored(saved, record), line, box, index

    return rate


def refused_said(exc: FeedbackRefused, per_hour: int, lang: str) -> str:
    """Why the feedback store refused an entry, in ``lang``: too many from one person (its
    ``retry_after``), a comment that is not text, or the store's own words."""
    if exc.retry_after > 0:
        return said(
            "rate_too_many", lang, per_hour=per_hour, minutes=max(1, round(exc.retry_after / 60))
        )
    if "not text" in str(exc):
        return said("comment_not_text", lang)
    return str(exc)


def _commenter(feedback: FeedbackStore) -> Callable[..., tuple[Any, ...]]:
    """The optional comment on the answer just rated, refused (and kept in the box) beyond
    MAX_COMMENT_CHARS; its words in the page's ``lang``. Outputs: saved, feedback line,
    comment text."""

    def send(comment: str, index: int | None, saved: Any, lang: str = "en") -> tuple[Any, ...]:
        saved, record = _record(saved)
        shown = record["answers"].get(str(index)) if index is not None else None
        if not shown or not shown.get("feedback_id"):
            return gr.skip(), said("rate_first", lang), gr.skip()
        n = len(comment.strip())
        if n > MAX_COMMENT_CHARS:
            line = said("comment_too_long", lang, max=MAX_COMMENT_CHARS, n=n)
            return gr.skip(), line, gr.skip()
        try:
            feedback.update(shown["feedback_id"], shown["rating"], comment)
        except FeedbackRefused as exc:  # the comment stays in its box
            return gr.skip(), refused_said(exc, 0, lang), gr.skip()
        except ValueError as exc:
            return gr.skip(), str(exc), gr.skip()
        except StorageError as exc:
            log.error("comment not saved: %s", exc)
            return gr.skip(), said("comment_not_saved", lang), gr.skip()
        shown = {**shown, "comment": comment.strip()}
        record = {**record, "answers": {**record["answers"], str(index): shown}}
        line = said("comment_stored", lang, n=_answer_number(record, index))
        return conv.stored(saved, record), line, ""

    return send


def _start(
    answerer: Callable[[], Answerer], corpus_dir: Path | None
) -> Callable[..., tuple[Any, ...]]:
    """On load: the library in the empty chat, the document filter, and the conversation the
    browser kept (survives a reload), in the language of its last answer, else the browser's
    (Accept-Language). Outputs: chat, saved, past list, filter, known ids, the documents, the
    page's language."""

    def start(saved: Any, request: gr.Request | None = None) -> tuple[Any, ...]:
        try:
            docs = documents(answerer().retriever.chunks, corpus_dir)
        except RutaError:  # no index yet: the library says what to run
            docs = []
        saved, record = _record(saved)
        asked = request.headers.get("accept-language", "") if request is not None else ""
        lang = conv.last_language(record) or accepted_language(asked)
        chat = _shown(record, placeholder=library_html(docs, lang))
        choices = [(d["title"], d["doc_id"]) for d in docs]
        docs_box = gr.Dropdown(choices=choices, value=[])
        ids = [d["doc_id"] for d in docs]
        return chat, saved, _past(saved, lang), docs_box, ids, docs, lang

    return start


def _relabel(lang: str, docs: list[dict[str, Any]] | None) -> tuple[Any, ...]:
    """The page's own words in ``lang``. Outputs: intro, question box, Ask, comment box, Send
    comment, document filter, New conversation, Export Markdown, Export JSON, past list,
    Delete, the chat (its start page)."""
    return (
        said("intro", lang),
        gr.Textbox(
            label=said("question_label", lang), placeholder=said("question_placeholder", lang)
        ),
        gr.Button(value=said("ask", lang)),
        gr.Textbox(label=said("comment_label", lang, max=MAX_COMMENT_CHARS)),
        gr.Button(value=said("send_comment", lang)),
        gr.Dropdown(label=said("docs_label", lang)),
        gr.Button(value=said("new", lang)),
        gr.Button(value=said("export_md", lang)),
        gr.Button(value=said("export_json", lang)),
        gr.Dropdown(label=said("past_label", lang)),
        gr.Button(value=said("delete", lang)),
        gr.Chatbot(placeholder=library_html(docs or [], lang)),
    )


def _new(saved: Any, lang: str = "en") -> tuple[Any, ...]:
    """A new, empty conversation; the past ones stay in the list."""
    saved = {**conv.valid(saved), "current": None}
    return [], saved, _past(saved, lang), "", "", gr.Group(visible=False)


def _open(chosen: str | None, saved: Any, lang: str = "en") -> tuple[Any, ...]:
    saved = conv.valid(saved)
    record = next((r for r in saved["items"] if r["id"] == chosen), None)
    if record is None:
        return gr.skip(), gr.skip(), gr.skip(), "", "", gr.Group(visible=False)
    saved = {**saved, "current": record["id"]}
    return _shown(record), saved, _past(saved, lang), "", "", gr.Group(visible=False)


def _delete(chosen: str | None, saved: Any, lang: str = "en") -> tuple[Any, ...]:
    """Deletes the conversation chosen in the list (else the open one) from this browser."""
    saved = conv.valid(saved)
    target = chosen or saved["current"]
    if not target:
        return gr.skip(), gr.skip(), gr.skip(), "", said("no_conversation", lang), gr.skip()
    was_open = target == saved["current"]
    saved = conv.removed(saved, target)
    chat = [] if was_open else gr.skip()
    return chat, saved, _past(saved, lang), "", said("deleted", lang), gr.Group(visible=False)


def _exporter(fmt: str) -> Callable[..., tuple[str, str]]:
    """The open conversation as Markdown or JSON, handed to the browser to save as a file."""

    def export(saved: Any, lang: str = "en") -> tuple[str, str]:
        saved, record = _record(saved)
        if not record["answers"]:
            return "", said("nothing_to_export", lang)
        done = said("exported", lang, file=f"ruta-conversation.{fmt}")
        if fmt == "md":
            return conv.conversation_markdown(record), done
        return conv.conversation_json(record), done

    return export


def _api_ask(answerer: Callable[[], Answerer], pool: AnswerPool) -> Callable[..., Any]:
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
        _asker(answerer, pool),
        _rater(feedback, FeedbackLimit(feedback_per_hour), user_header),
        _commenter(feedback),
    )
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

        worded = [intro, question, ask_btn, comment, send_btn, docs, new_btn, md_btn, json_btn]
        worded += [past, delete_btn, chatbot]

        def speak(event: Any) -> None:
            """After ``event``: the page's words in its language, and its <html lang>."""
            event.then(_relabel, [lang, library], worded, **private).then(
                None, [lang], None, js=LANG_JS
            )

        start_outputs = [chatbot, saved, past, docs, known, library, lang]
        speak(page.load(_start(answerer, corpus_dir), [saved], start_outputs, **private))
        turn_outputs = [question, chatbot, saved, past, status, thanks, comment_box, lang]
        turn_inputs = [question, docs, saved, known, lang]
        for event in (ask_btn.click, question.submit):
            speak(event(chat_turn, turn_inputs, turn_outputs, **unbounded))

        def pick(data: gr.SelectData) -> str:
            value = data.value
            return str(value.get("text", "") if isinstance(value, dict) else value)

        # An example or a suggested follow-up is asked at once, as if typed.
        for chosen in (chatbot.example_select, chatbot.option_select):
            speak(
                chosen(pick, None, question, **private).then(
                    chat_turn, turn_inputs, turn_outputs, **unbounded
                )
            )
        chatbot.like(rate, [saved, lang], [saved, thanks, comment_box, rated], **private)
        send_btn.click(send, [comment, rated, saved, lang], [saved, thanks, comment], **private)
        reset = [chatbot, saved, past, status, thanks, comment_box]
        new_btn.click(_new, [saved, lang], reset, **private)
        chatbot.clear(_new, [saved, lang], reset, **private)  # its own trash icon
        past.input(_open, [past, saved, lang], reset, **private)
        delete_btn.click(_delete, [past, saved, lang], reset, **private)
        for button, fmt in ((md_btn, "md"), (json_btn, "json")):
            button.click(_exporter(fmt), [saved, lang], [exported, thanks], **private).then(
                None, [exported], None, js=DOWNLOAD_JS.replace("FORMAT", fmt)
            )
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
