"""The page's conversations, kept in the browser: records, the list of past ones, and their
exports as Markdown and JSON (one answer's Markdown is also what "copy" puts on the clipboard)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence
from typing import Any

from app.http.render import label
from app.http.words import said

KEEP = 30  # past conversations kept in the browser (localStorage holds a few MB)
Record = dict[str, Any]  # {"id", "title", "updated", "chat", "turns", "answers"}
Saved = dict[str, Any]  # {"current": id | None, "items": [Record, ...]}, newest first


def new_record() -> Record:
    """An empty conversation; ``answers`` maps a chat message's index (as a string) to the
    answer shown there (answer_dict, plus its feedback once rated)."""
    return {"id": uuid.uuid4().hex[:12], "title": "", "updated": "", "chat": [], "turns": [],
            "answers": {}}  # fmt: skip


def empty() -> Saved:
    return {"current": None, "items": []}


def valid(saved: Any) -> Saved:
    """What the browser sent back, or an empty store when it is not one of ours."""
    if not isinstance(saved, dict) or not isinstance(saved.get("items"), list):
        return empty()
    items = [r for r in saved["items"] if isinstance(r, dict) and isinstance(r.get("id"), str)]
    return {"current": saved.get("current"), "items": items}


def current(saved: Saved) -> Record | None:
    return next((r for r in saved["items"] if r["id"] == saved["current"]), None)


def stored(saved: Saved, record: Record) -> Saved:
    """``saved`` with ``record`` updated (or added) first and made current; the oldest beyond
    KEEP are dropped."""
    record = {**record, "updated": time.strftime("%Y-%m-%d %H:%M")}
    if not record["title"] and record["turns"]:
        title = " ".join(record["turns"][0]["content"].split())
        record["title"] = title if len(title) <= 60 else title[:59] + "…"
    others = [r for r in saved["items"] if r["id"] != record["id"]]
    return {"current": record["id"], "items": [record, *others][:KEEP]}


def removed(saved: Saved, conversation_id: str) -> Saved:
    items = [r for r in saved["items"] if r["id"] != conversation_id]
    now = saved["current"] if saved["current"] != conversation_id else None
    return {"current": now, "items": items}


def choices(saved: Saved, lang: str = "en") -> list[tuple[str, str]]:
    """(label, id) of each past conversation, newest first, for the page's list."""
    untitled = said("untitled", lang)
    return [(f"{r['title'] or untitled} ({r['updated']})", r["id"]) for r in saved["items"]]


def last_language(record: Record) -> str:
    """The language of the conversation's last answer ("" before any): the page speaks it when
    the conversation comes back."""
    answers = record["answers"]
    last = answers[max(answers, key=int)] if answers else {}
    return str(last.get("language") or "")


def _source_line(c: dict[str, Any]) -> str:
    parts = [c.get("title") or c.get("doc_id", "")]
    if c.get("section"):
        parts.append(c["section"])
    if c.get("page"):
        parts.append(f"p. {c['page']}")
    line = f"[{c['n']}] " + ", ".join(parts)
    return line + (f". <{c['url']}>" if c.get("url") else "")


def answer_markdown(answer: dict[str, Any]) -> str:
    """One answer as Markdown: its text with the [n] markers, then its numbered sources (title,
    section, page, URL) and the quoted sentence of each; the headings in the answer's language."""
    lines = [answer["answer"].strip()]
    if answer.get("citations"):
        heading = "closest_list" if answer.get("refused") else "sources_list"
        lines += ["", label(heading, str(answer.get("language") or "en")), ""]
        for c in answer["citations"]:
            lines.append(f"- {_source_line(c)}")
            if c.get("quote"):
                lines.append(f"  > {' '.join(c['quote'].split())}")
    return "\n".join(lines) + "\n"


def _answers(record: Record) -> list[dict[str, Any]]:
    return [record["answers"][k] for k in sorted(record["answers"], key=int)]


def conversation_markdown(record: Record) -> str:
    out = [f"# {record['title'] or 'Ruta conversation'}", ""]
    if record.get("updated"):
        out += [f"Ruta conversation {record['id']}, {record['updated']}.", ""]
    for a in _answers(record):
        out += [f"## {' '.join(a['question'].split())}", "", answer_markdown(a)]
    return "\n".join(out)


def conversation_json(record: Record) -> str:
    keep = ("question", "answer", "citations", "refused", "notice", "backend", "language")
    turns: Sequence[dict[str, Any]] = [{k: a[k] for k in keep if k in a} for a in _answers(record)]
    body = {"id": record["id"], "title": record["title"], "updated": record["updated"],
            "turns": turns}  # fmt: skip
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"
