"""The evaluation question set: Item, and a forgiving JSONL/CSV loader that reports bad lines."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.rag.types import Message
from ingest.errors import RutaError

REQUIRED = ("id", "type", "question")
LIST_SEP = " | "  # how key_facts / evidence are joined in a CSV cell
ROLES = ("system", "user", "assistant")
# Sets written by different hands spell a type differently ("cross-document", "cross_doc"):
# one name each, so that figures by type add up across sets.
TYPE_ALIASES = {"cross_document": "cross_doc"}


def question_type(raw: str) -> str:
    """A question type as the reports group it: lower case, underscores ("multi-hop" ->
    "multi_hop"), one name for each type."""
    t = "_".join(raw.strip().lower().replace("-", " ").split())
    return TYPE_ALIASES.get(t, t)


@dataclass(frozen=True)
class Item:
    """One question with its gold answer, the facts an answer must state and the evidence spans.

    ``evidence`` holds verbatim spans of the source document; retrieval is scored by whether a
    retrieved chunk contains one. ``history`` holds earlier turns for follow-up questions.
    """

    id: str
    question: str
    type: str
    answer: str = ""
    key_facts: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    doc: str = ""
    history: tuple[Message, ...] = ()
    lang: str = ""  # the question's language as the set gives it ("" = guessed when scored)

    @property
    def unanswerable(self) -> bool:
        """The documents do not hold the answer, so the right behaviour is to refuse."""
        return self.type == "unanswerable"


class BadItem(ValueError):
    """A row that cannot become an Item; the message says which field and why."""


def load_items(path: Path) -> tuple[list[Item], list[str]]:
    """Read a ``.jsonl`` or ``.csv`` question file.

    Returns the items that loaded and one error string per skipped line, such as
    ``"dev.jsonl line 7: missing field 'question'"``: one bad line should not cost the whole run.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(path)
    elif suffix in (".jsonl", ".ndjson", ".json"):
        rows = _jsonl_rows(path)
    else:
        raise RutaError(f"{path}: unsupported question file type {suffix!r}; use .jsonl or .csv")

    items: list[Item] = []
    errors: list[str] = []
    seen: set[str] = set()
    for line_no, row in rows:
        try:
            if isinstance(row, BadItem):
                raise row
            item = _to_item(row)
            if item.id in seen:
                raise BadItem(f"duplicate id {item.id!r}")
        except BadItem as e:
            errors.append(f"{path.name} line {line_no}: {e}")
            continue
        seen.add(item.id)
        items.append(item)
    return items, errors


def _jsonl_rows(path: Path) -> list[tuple[int, dict[str, Any] | BadItem]]:
    rows: list[tuple[int, dict[str, Any] | BadItem]] = []
    with path.open(encoding="utf-8-sig") as f:
        for line_no, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                rows.append((line_no, BadItem(f"not valid JSON: {e}")))
                continue
            if not isinstance(row, dict):
                rows.append((line_no, BadItem(f"expected a JSON object, got {type(row).__name__}")))
                continue
            rows.append((line_no, row))
    return rows


def _csv_rows(path: Path) -> list[tuple[int, dict[str, Any] | BadItem]]:
    rows: list[tuple[int, dict[str, Any] | BadItem]] = []
    # utf-8-sig: spreadsheets often save CSV with a byte-order mark
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        for raw in reader:
            # line_num is where the row ends; a quoted cell may span lines, so count back
            cells = [v for v in raw.values() if isinstance(v, str)]
            line_no = reader.line_num - sum(v.count("\n") for v in cells)
            if not any((v or "").strip() for k, v in raw.items() if k is not None):
                continue
            if None in raw:  # DictReader puts surplus cells under the key None
                rows.append((line_no, BadItem("more cells than header columns")))
                continue
            try:
                rows.append((line_no, _from_csv(raw)))
            except BadItem as e:
                rows.append((line_no, e))
    return rows


def _from_csv(raw: dict[str, str | None]) -> dict[str, Any]:
    row: dict[str, Any] = {k: v for k, v in raw.items() if v not in (None, "")}
    for name in ("key_facts", "evidence"):
        if name in row:
            row[name] = [p.strip() for p in row[name].split(LIST_SEP) if p.strip()]
    if "history" in row:
        try:
            row["history"] = json.loads(row["history"])
        except json.JSONDecodeError as e:
            raise BadItem(f"field 'history' is not valid JSON: {e}") from e
    return row


def _to_item(row: dict[str, Any]) -> Item:
    for name in REQUIRED:
        if name not in row or row[name] is None:
            raise BadItem(f"missing field {name!r}")
        if not isinstance(row[name], str | int) or not str(row[name]).strip():
            raise BadItem(f"field {name!r} must be a non-empty string, got {row[name]!r}")
    answer = row.get("answer") or ""
    if not isinstance(answer, str):
        raise BadItem(f"field 'answer' must be a string, got {type(answer).__name__}")
    doc = row.get("doc") or ""
    if isinstance(doc, list) and all(isinstance(d, str) for d in doc):
        doc = ", ".join(doc)  # a question that needs several documents names them all
    if not isinstance(doc, str):
        raise BadItem(f"field 'doc' must be a string, got {type(doc).__name__}")
    return Item(
        id=str(row["id"]).strip(),
        question=str(row["question"]).strip(),
        type=question_type(str(row["type"])),
        answer=answer.strip(),
        key_facts=_strings(row, "key_facts"),
        evidence=_strings(row, "evidence"),
        doc=doc,
        history=_history(row.get("history")),
        lang=_lang(row.get("lang")),
    )


def _lang(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadItem(f"field 'lang' must be a language code string, got {value!r}")
    return value.strip().lower()


def _strings(row: dict[str, Any], name: str) -> tuple[str, ...]:
    value = row.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadItem(f"field {name!r} must be a list of strings, got {value!r}")
    return tuple(v for v in value if v.strip())


def _history(value: Any) -> tuple[Message, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise BadItem(f"field 'history' must be a list of turns, got {type(value).__name__}")
    turns = []
    for i, turn in enumerate(value, start=1):
        if not isinstance(turn, dict) or not isinstance(turn.get("content"), str):
            raise BadItem(f"history turn {i} needs 'role' and 'content' strings, got {turn!r}")
        if turn.get("role") not in ROLES:
            raise BadItem(
                f"history turn {i}: role must be one of {ROLES}, got {turn.get('role')!r}"
            )
        turns.append(Message(role=turn["role"], content=turn["content"]))
    return tuple(turns)
