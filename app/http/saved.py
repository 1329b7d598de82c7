"""The page's events on the conversations kept in the browser: reading them back, a new one,
reopening, deleting and exporting one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gradio as gr

from app.http import conversations as conv
from app.http.words import said


def record_of(saved: Any) -> tuple[conv.Saved, conv.Record]:
    """The browser's conversations (made valid) and the open one (a new one when none is)."""
    saved = conv.valid(saved)
    return saved, conv.current(saved) or conv.new_record()


def past_list(saved: conv.Saved, lang: str = "en") -> Any:
    """The list of past conversations, the open one chosen, its words in ``lang``."""
    return gr.Dropdown(
        label=said("past_label", lang), choices=conv.choices(saved, lang), value=saved["current"]
    )


def _feedback_value(record: conv.Record) -> list[str | None]:
    """The ratings shown on the assistant messages (thumbs), for a conversation reopened."""
    said = {1: "Like", -1: "Dislike"}
    return [
        said.get(record["answers"].get(str(i), {}).get("rating"))
        for i, m in enumerate(record["chat"])
        if m["role"] == "assistant"
    ]


def chat_shown(record: conv.Record, **more: Any) -> Any:
    """The chat showing ``record``, its ratings on the thumbs."""
    return gr.Chatbot(value=record["chat"], feedback_value=_feedback_value(record), **more)


def new_chat(saved: Any, lang: str = "en") -> tuple[Any, ...]:
    """A new, empty conversation; the past ones stay in the list."""
    saved = {**conv.valid(saved), "current": None}
    return [], saved, past_list(saved, lang), "", "", gr.Group(visible=False)


def open_chat(chosen: str | None, saved: Any, lang: str = "en") -> tuple[Any, ...]:
    """Reopens the conversation chosen in the list."""
    saved = conv.valid(saved)
    record = next((r for r in saved["items"] if r["id"] == chosen), None)
    if record is None:
        return gr.skip(), gr.skip(), gr.skip(), "", "", gr.Group(visible=False)
    saved = {**saved, "current": record["id"]}
    return chat_shown(record), saved, past_list(saved, lang), "", "", gr.Group(visible=False)


def delete_chat(chosen: str | None, saved: Any, lang: str = "en") -> tuple[Any, ...]:
    """Deletes the conversation chosen in the list (else the open one) from this browser."""
    saved = conv.valid(saved)
    target = chosen or saved["current"]
    if not target:
        return gr.skip(), gr.skip(), gr.skip(), "", said("no_conversation", lang), gr.skip()
    was_open = target == saved["current"]
    saved = conv.removed(saved, target)
    chat = [] if was_open else gr.skip()
    return chat, saved, past_list(saved, lang), "", said("deleted", lang), gr.Group(visible=False)


def exporter(fmt: str) -> Callable[..., tuple[str, str]]:
    """The open conversation as Markdown or JSON, handed to the browser to save as a file."""

    def export(saved: Any, lang: str = "en") -> tuple[str, str]:
        saved, record = record_of(saved)
        if not record["answers"]:
            return "", said("nothing_to_export", lang)
        done = said("exported", lang, file=f"ruta-conversation.{fmt}")
        if fmt == "md":
            return conv.conversation_markdown(record), done
        return conv.conversation_json(record), done

    return export
