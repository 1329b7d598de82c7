"""Bounded feedback: a comment of at most 2,000 characters, a number of entries per client per
hour, and a full disk said as one (free space), never as damage; the page's handler keeps the
comment in its box and says why."""

from __future__ import annotations

import sqlite3

import gradio as gr
import pytest

from app.feedback import MAX_COMMENT_CHARS, FeedbackLimit, FeedbackRefused, FeedbackStore
from app.http import conversations as conv
from app.http.rating import commenter, rater
from ingest.errors import StorageError

LAST = {"question": "What is R4V?", "answer": "A platform [1]", "citations": [], "backend": "x"}


class _Client:
    host = "10.1.2.3"


class _Request:
    """What the handler reads of gr.Request: the headers and the client's address."""

    def __init__(self, host: str = "10.1.2.3", headers: dict[str, str] | None = None) -> None:
        self.client = _Client()
        self.client.host = host
        self.headers = headers or {}


def test_a_comment_over_the_limit_is_refused_and_nothing_is_stored(tmp_path) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite")
    assert store.add(1, "q", "a", comment="x" * MAX_COMMENT_CHARS)  # at the limit: kept
    with pytest.raises(FeedbackRefused, match="up to 2,000 characters; this one has 2,001"):
        store.add(1, "q", "a", comment="x" * (MAX_COMMENT_CHARS + 1))
    with pytest.raises(FeedbackRefused, match="up to 2,000"):
        store.update(1, -1, "y" * 900_000)
    with pytest.raises(FeedbackRefused, match="not text"):
        store.add(1, "q", "a", comment="bad \udc00 text")
    rows = store.rows()
    assert len(rows) == 1 and rows[0]["rating"] == 1 and len(rows[0]["comment"]) == 2000


def test_entries_per_client_per_hour() -> None:
    limit = FeedbackLimit(3)
    for i in range(3):
        limit.take("addr:a", now=100.0 + i)
    with pytest.raises(FeedbackRefused, match="at most 3 ratings an hour") as info:
        limit.take("addr:a", now=200.0)
    assert 3400 < info.value.retry_after <= 3500  # the first of the three leaves at 3700 s
    limit.take("addr:b", now=200.0)  # another client is not held
    limit.take("addr:a", now=3700.0)  # an hour after the first, one more is taken
    FeedbackLimit(0).take("addr:a")  # 0 = no limit


def test_a_full_disk_is_said_as_one(tmp_path, monkeypatch) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite")

    def full(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr("app.feedback.sqlite3.connect", full)
    with pytest.raises(StorageError) as info:
        store.add(1, "q", "a")
    message = str(info.value)
    assert "disk is full" in message and "Free some disk space" in message
    assert "--rebuild" not in message and "delete it" not in message


def _one_answer() -> dict:
    """Saved conversations holding one answer, at chat index 1, not yet rated."""
    record = {**conv.new_record(), "answers": {"1": dict(LAST)}}
    return conv.stored(conv.empty(), record)


def _like(liked: bool = True) -> gr.LikeData:
    return gr.LikeData(None, {"index": 1, "value": "A platform [1]", "liked": liked})


def test_the_page_handler_says_why_and_stores_nothing(tmp_path, monkeypatch) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite")
    rate = rater(store, FeedbackLimit(2))
    for _ in range(2):  # two answers rated from one address
        saved, said, _, _ = rate(_one_answer(), _like(), _Request("10.0.0.1"))
        assert said.startswith("Thank you") and conv.current(saved)["answers"]["1"]["feedback_id"]
    saved, said, _, _ = rate(_one_answer(), _like(), _Request("10.0.0.1"))
    assert "at most 2 ratings an hour" in said and len(store.rows()) == 2
    assert saved == {"__type__": "update"}  # gr.skip(): nothing changes on the page
    _, said, _, _ = rate(_one_answer(), _like(False), _Request("10.0.0.2"))
    assert said.startswith("Thank you") and len(store.rows()) == 3

    # Behind a proxy that names the user, the user is the client.
    by_user = rater(store, FeedbackLimit(1), "X-Remote-User")
    ana = _Request("10.0.0.9", {"x-remote-user": "ana"})
    assert by_user(_one_answer(), _like(), ana)[1].startswith("Thank you")
    assert "at most 1" in by_user(_one_answer(), _like(), ana)[1]

    def full(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr("app.feedback.sqlite3.connect", full)
    _, said, _, _ = rate(_one_answer(), _like(), _Request("10.0.0.3"))
    assert "disk is full" in said and "delete" not in said


def test_every_feedback_line_is_in_the_pages_language(tmp_path) -> None:
    """The refusals the feedback store words itself (a kept comment over the limit) and a
    rating this browser kept that the database no longer holds are said in the page's
    language, never in the store's English; rated again, the rating is stored anew."""
    store = FeedbackStore(tmp_path / "feedback.sqlite")
    rate, send = rater(store, FeedbackLimit(0)), commenter(store)

    # A comment kept in the browser from a Ruta that allowed longer ones, the rating changed.
    long = {**LAST, "feedback_id": store.add(1, "q", "a"), "rating": 1, "comment": "x" * 2001}
    saved = conv.stored(conv.empty(), {**conv.new_record(), "answers": {"1": long}})
    _, line, _, _ = rate(saved, _like(False), _Request(), "fr")
    nnbsp = "\u202f"  # French writes thousands with a narrow no-break space
    assert line == (
        f"Un commentaire peut compter jusqu'à 2{nnbsp}000 caractères ; celui-ci en a 2{nnbsp}001."
    )

    # The database was replaced: the browser's rating id 7 is in none.
    gone = {**LAST, "feedback_id": 7, "rating": 1}
    saved = conv.stored(conv.empty(), {**conv.new_record(), "answers": {"1": gone}})
    saved, line, comment = send("Muy útil", 1, saved, "es")
    assert line == (
        "Su valoración de la respuesta 1 ya no está guardada en el servidor; valórela de nuevo "
        "y envíe después su comentario."
    )
    assert comment == {"__type__": "update"}  # the comment stays in its box
    saved, line, _, _ = rate(saved, _like(), _Request(), "pt")
    assert line.startswith("Obrigado: você avaliou a resposta 1 como útil")
    saved, line, _ = send("Muy útil", 1, saved, "es")
    assert line == "Gracias: su comentario sobre la respuesta 1 está guardado."
    last = store.rows()[-1]
    assert (last["question"], last["comment"]) == (LAST["question"], "Muy útil")

    # A rating kept by a browser, gone from the database: rating it again stores it anew.
    saved = conv.stored(conv.empty(), {**conv.new_record(), "answers": {"1": gone}})
    _, line, _, _ = rate(saved, _like(False), _Request(), "es")
    assert line.startswith("Gracias: valoró la respuesta 1 como no útil")
    assert store.rows()[-1]["rating"] == -1 and len(store.rows()) == 3
