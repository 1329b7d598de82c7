"""The page's own words as updates of its components, in one language: sent by the handler that
sets the page's language (the load, a question) in its own reply, not by a request of their own."""

from __future__ import annotations

from typing import Any

import gradio as gr

from app.feedback import MAX_COMMENT_CHARS
from app.http.library import library_html
from app.http.words import said


def words(lang: str) -> tuple[Any, ...]:
    """The components that show only words, in ``lang``, in the order of web.py's ``WORDED``:
    intro, Ask, the comment box, Send comment, New conversation, Export Markdown, Export JSON,
    Delete."""
    return (
        said("intro", lang),
        gr.Button(value=said("ask", lang)),
        gr.Textbox(label=said("comment_label", lang, max=MAX_COMMENT_CHARS)),
        gr.Button(value=said("send_comment", lang)),
        gr.Button(value=said("new", lang)),
        gr.Button(value=said("export_md", lang)),
        gr.Button(value=said("export_json", lang)),
        gr.Button(value=said("delete", lang)),
    )


def unchanged() -> tuple[Any, ...]:
    """The same components left as they are."""
    return tuple(gr.skip() for _ in words("en"))


def question_box(lang: str) -> Any:
    """The question box's label and placeholder in ``lang`` (what is typed stays)."""
    return gr.Textbox(
        label=said("question_label", lang), placeholder=said("question_placeholder", lang)
    )


def docs_filter(lang: str, **more: Any) -> Any:
    """The document filter's label in ``lang``, with ``more`` (its choices at the load)."""
    return gr.Dropdown(label=said("docs_label", lang), **more)


def start_page(docs: list[dict[str, Any]] | None, lang: str) -> Any:
    """The empty chat's start page (the library) in ``lang``; the chat's messages stay."""
    return gr.Chatbot(placeholder=library_html(docs or [], lang))
