"""The page's feedback: the thumbs under each answer and the optional comment that follows,
bounded per client and said in the page's language."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import gradio as gr

from app.feedback import (
    MAX_COMMENT_CHARS,
    FeedbackLimit,
    FeedbackMissing,
    FeedbackRefused,
    FeedbackStore,
)
from app.http import conversations as conv
from app.http.saved import record_of
from app.http.words import said
from ingest.errors import StorageError

log = logging.getLogger(__name__)


def _answer_number(record: conv.Record, index: int) -> int:
    return sum(1 for k in record["answers"] if int(k) <= index)


def client_of(request: gr.Request | None, user_header: str = "") -> str:
    """Who is asking, as the rate limits count: the proxy's user header, else the address."""
    if request is None:
        return "unknown"
    user = request.headers.get(user_header.lower(), "") if user_header else ""
    return f"user:{user}" if user else f"addr:{request.client.host if request.client else ''}"


def rater(
    feedback: FeedbackStore, limit: FeedbackLimit, user_header: str = ""
) -> Callable[..., tuple[Any, ...]]:
    """The thumbs under each answer: a rating stored with the question, answer, citations and
    conversation id; rating the same answer again replaces it; its words in the page's ``lang``.
    Outputs: saved, feedback line, the comment box (shown for the answer just rated), the rated
    answer's index."""

    def rate(
        saved: Any, data: gr.LikeData, request: gr.Request, lang: str = "en"
    ) -> tuple[Any, ...]:
        saved, record = record_of(saved)
        index = data.index if isinstance(data.index, int) else data.index[0]
        shown = record["answers"].get(str(index))
        if shown is None or data.liked not in (True, False, "Like", "Dislike"):
            return gr.skip(), said("rate_only_answers", lang), gr.skip(), gr.skip()
        rating = 1 if data.liked in (True, "Like") else -1
        try:
            if shown.get("feedback_id"):
                try:
                    feedback.update(shown["feedback_id"], rating, shown.get("comment", ""))
                except FeedbackMissing:  # kept by this browser, not in this database: anew
                    shown = {**shown, "feedback_id": None}
            if not shown.get("feedback_id"):
                limit.take(client_of(request, user_header))
                shown = {**shown, "feedback_id": feedback.add(
                    rating, shown["question"], shown["answer"], shown["citations"],
                    shown["backend"], comment=shown.get("comment", ""),
                    conversation_id=record["id"],
                )}  # fmt: skip
        except FeedbackRefused as exc:
            log.info("feedback refused: %s", exc)
            return gr.skip(), refused_said(exc, lang), gr.skip(), gr.skip()
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


def refused_said(exc: FeedbackRefused, lang: str) -> str:
    """Why the feedback store refused an entry, in ``lang``: too many from one person (when to
    try again), a comment too long or not text."""
    return said(exc.code, lang, **exc.fields)


def commenter(feedback: FeedbackStore) -> Callable[..., tuple[Any, ...]]:
    """The optional comment on the answer just rated, refused (and kept in the box) beyond
    MAX_COMMENT_CHARS; its words in the page's ``lang``. Outputs: saved, feedback line,
    comment text."""

    def send(comment: str, index: int | None, saved: Any, lang: str = "en") -> tuple[Any, ...]:
        saved, record = record_of(saved)
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
            return gr.skip(), refused_said(exc, lang), gr.skip()
        except FeedbackMissing:  # the rating is gone (a new database): rated again, it is back
            gone = {k: v for k, v in shown.items() if k != "feedback_id"}
            record = {**record, "answers": {**record["answers"], str(index): gone}}
            line = said("rating_gone", lang, n=_answer_number(record, index))
            return conv.stored(saved, record), line, gr.skip()
        except StorageError as exc:
            log.error("comment not saved: %s", exc)
            return gr.skip(), said("comment_not_saved", lang), gr.skip()
        shown = {**shown, "comment": comment.strip()}
        record = {**record, "answers": {**record["answers"], str(index): shown}}
        line = said("comment_stored", lang, n=_answer_number(record, index))
        return conv.stored(saved, record), line, ""

    return send
