"""The Gradio page "Ruta": a streaming chat, the sources of the last answer, and feedback."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import FileResponse

from app.feedback import FeedbackStore
from app.rag.answer import Answerer
from app.rag.serialize import answer_dict
from app.rag.types import Answer, Citation, Message
from app.settings import Settings
from index.types import Hit
from ingest.errors import RutaError

EXAMPLES = [
    "Where does R4V post its monitoring data?",
    "Which agencies co-chair the UN Regional Network on Migration for LAC?",
    "¿Cuánto dinero aporta USAID al Fondo de Donaciones del BID?",
    "What does the Quito Process do?",
]
SYSTEM_SANS = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial"]
SYSTEM_MONO = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "Liberation Mono"]
EMPTY_SOURCES = '<p class="ruta-empty">Ask a question: the passages it cites appear here.</p>'
CSS = """
.ruta-sources ol { padding-left: 0; list-style: none; margin: 0; }
.ruta-source { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 10px 12px; margin-bottom: 10px; }
.ruta-head { font-size: 0.95em; margin-bottom: 6px; }
.ruta-n { font-weight: 700; margin-right: 4px; }
.ruta-meta { color: var(--body-text-color-subdued); font-size: 0.85em; }
.ruta-passage { font-size: 0.9em; line-height: 1.5; white-space: pre-wrap; margin: 0; }
.ruta-passage mark { background: #fde68a; color: #111; padding: 0 2px; border-radius: 2px; }
.ruta-note, .ruta-empty { color: var(--body-text-color-subdued); font-size: 0.9em; }
.ruta-error { color: #b91c1c; }
"""
Turns = list[dict[str, str]]
Chat = list[dict[str, Any]]


def esc(text: str) -> str:
    """HTML-escape, also the characters Gradio's HTML templates and LaTeX would read as syntax."""
    out = html.escape(text, quote=True)
    for ch, entity in (("$", "&#36;"), ("{", "&#123;"), ("}", "&#125;"), ("`", "&#96;")):
        out = out.replace(ch, entity)
    return out


def find_quote(passage: str, quote: str) -> tuple[int, int] | None:
    """Where the quoted sentence lies in the passage (tolerating changed whitespace)."""
    if not quote.strip():
        return None
    i = passage.find(quote)
    if i >= 0:
        return i, i + len(quote)
    m = re.search(r"\s+".join(re.escape(w) for w in quote.split()), passage)
    return m.span() if m else None


def passage_html(c: Citation, hits: Sequence[Hit]) -> str:
    passage = next((h.chunk.text for h in hits if h.chunk.chunk_id == c.chunk_id), "")
    span = find_quote(passage, c.quote)
    if span is None:
        marked = f"<mark>{esc(c.quote)}</mark>" if c.quote else ""
        return marked + (f"\n\n{esc(passage)}" if passage else "")
    a, b = span
    return f"{esc(passage[:a])}<mark>{esc(passage[a:b])}</mark>{esc(passage[b:])}"


def source_html(c: Citation, hits: Sequence[Hit]) -> str:
    meta = [esc(c.section)] if c.section else []
    if c.page:
        meta.append(f"p. {c.page}")
    if c.url.startswith(("https://", "http://")):
        href = esc(c.url)
        meta.append(f'<a href="{href}" target="_blank" rel="noopener noreferrer">original</a>')
    meta.append("quote verified" if c.verified else "quote not verified")
    return (
        f'<li class="ruta-source" id="ruta-source-{c.n}">'
        f'<div class="ruta-head"><span class="ruta-n">[{c.n}]</span>'
        f"<strong>{esc(c.title)}</strong></div>"
        f'<div class="ruta-meta">{" · ".join(meta)}</div>'
        f'<p class="ruta-passage">{passage_html(c, hits)}</p></li>'
    )


def sources_html(answer: Answer) -> str:
    """The numbered sources of an answer, each passage with its supporting sentence marked."""
    if not answer.citations:
        return '<p class="ruta-note">No sources: the documents did not match this question.</p>'
    note = (
        '<p class="ruta-note">The documents do not answer this; the closest passages:</p>'
        if answer.refused
        else ""
    )
    items = "".join(source_html(c, answer.hits) for c in answer.citations)
    return f'<div class="ruta-sources">{note}<ol>{items}</ol></div>'


def answer_markdown(answer: Answer) -> str:
    notice = f"\n\n_{esc(answer.notice)}_" if answer.notice else ""
    return esc(answer.text.strip()) + notice


def _asker(answerer: Callable[[], Answerer]) -> Callable[..., Iterator[tuple[Any, ...]]]:
    """The chat handler: streams the answer into the chat, then its sources."""

    def ask(question: str, chat: Chat, turns: Turns) -> Iterator[tuple[Any, ...]]:
        chat = [*(chat or []), {"role": "user", "content": esc(question)}]
        chat.append({"role": "assistant", "content": "…"})
        searching = '<p class="ruta-note">Searching the documents…</p>'
        yield "", chat, turns, searching, None
        text, final = "", None
        try:
            history = [Message(t["role"], t["content"]) for t in turns]  # type: ignore[arg-type]
            for piece in answerer().stream(question, history):
                if isinstance(piece, Answer):
                    final = piece
                else:
                    text += piece
                    chat[-1] = {"role": "assistant", "content": esc(text)}
                    yield "", chat, turns, searching, None
        except RutaError as exc:
            chat[-1] = {"role": "assistant", "content": f"⚠️ {esc(str(exc))}"}
            yield "", chat, turns, f'<p class="ruta-error">{esc(str(exc))}</p>', None
            return
        assert final is not None
        chat[-1] = {"role": "assistant", "content": answer_markdown(final)}
        turns = [
            *turns,
            {"role": "user", "content": question},
            {"role": "assistant", "content": final.text},
        ]
        yield "", chat, turns, sources_html(final), answer_dict(final)

    return ask


def _rater(feedback: FeedbackStore) -> Callable[[int, str, dict[str, Any] | None], tuple[str, str]]:
    """The feedback handler: stores a rating of the last answer."""

    def rate(rating: int, comment: str, last: dict[str, Any] | None) -> tuple[str, str]:
        if not last:
            return comment, "Ask a question first; feedback is about the last answer."
        feedback.add(
            rating,
            last["question"],
            last["answer"],
            last["citations"],
            last["backend"],
            comment or "",
        )
        return "", "Thank you: your feedback was saved."

    return rate


def _clear() -> tuple[Any, ...]:
    return [], [], EMPTY_SOURCES, None, "", ""


def build_ui(answerer: Callable[[], Answerer], feedback: FeedbackStore) -> gr.Blocks:
    """The page. ``answerer`` is called per question, so a re-ingested index is picked up."""
    ask, rate = _asker(answerer), _rater(feedback)
    with gr.Blocks(title="Ruta", analytics_enabled=False) as page:
        gr.Markdown(
            "# Ruta\nAnswers from documents on migration in Latin America and the Caribbean. "
            "Every sentence cites its source: check it in the panel on the right."
        )
        turns = gr.State([])
        last = gr.State(None)
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    label="Conversation",
                    height=460,
                    feedback_options=None,
                    buttons=["copy", "copy_all"],
                    elem_id="ruta-chat",
                )
                with gr.Row():
                    question = gr.Textbox(
                        label="Question",
                        placeholder="Ask about migration in Latin America and the Caribbean…",
                        show_label=False,
                        scale=5,
                        elem_id="ruta-question",
                    )
                    send = gr.Button("Ask", variant="primary", scale=1, elem_id="ruta-ask")
                gr.Examples(EXAMPLES, inputs=question, label="Try")
                clear_btn = gr.Button("Clear conversation", variant="secondary")
            with gr.Column(scale=2):
                gr.Markdown("### Sources")
                sources = gr.HTML(EMPTY_SOURCES, elem_id="ruta-sources", js_on_load=None)
                gr.Markdown("### Was the last answer useful?")
                comment = gr.Textbox(label="Comment (optional)", lines=2)
                with gr.Row():
                    up = gr.Button("Useful", elem_id="ruta-up")
                    down = gr.Button("Not useful", elem_id="ruta-down")
                thanks = gr.Markdown("", elem_id="ruta-thanks")

        outputs = [question, chatbot, turns, sources, last]
        send.click(ask, [question, chatbot, turns], outputs, api_name="chat")
        question.submit(ask, [question, chatbot, turns], outputs, api_visibility="private")
        for button, rating in ((up, 1), (down, -1)):
            button.click(
                partial(rate, rating),
                [comment, last],
                [comment, thanks],
                api_visibility="private",
            )
        cleared = [chatbot, turns, sources, last, comment, thanks]
        clear_btn.click(_clear, None, cleared, api_visibility="private")
        chatbot.clear(_clear, None, cleared, api_visibility="private")  # its own trash icon
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
        build_ui(answerer, feedback),
        path="/",
        root_path=settings.root_path or None,
        footer_links=["api"],
        run_history=False,
        ssr_mode=False,
        pwa=False,
        mcp_server=False,
        theme=theme,
        css=CSS,
    )
