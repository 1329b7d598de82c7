"""The HTTP edge's one mapping from errors to responses: status codes and the JSON error body."""

from __future__ import annotations

import os
import re
from typing import Any

from fastapi.responses import JSONResponse

from app.rag.errors import AnswerTimedOut, LLMUnavailable
from index.errors import BadQuestion, IndexBusy, IndexNotReady, StoreUnavailable
from ingest.errors import RutaError, StorageError

# Most specific first; any other RutaError is a 500.
STATUS: list[tuple[type[RutaError], int, str]] = [
    (BadQuestion, 400, "invalid_request_error"),
    (IndexNotReady, 503, "index_not_ready"),
    (IndexBusy, 503, "index_busy"),
    (StoreUnavailable, 503, "store_unavailable"),
    (LLMUnavailable, 503, "llm_unavailable"),
    (AnswerTimedOut, 504, "timeout"),
    (StorageError, 507, "insufficient_storage"),
]

# An absolute path: a "/" that starts a word (not one inside a URL or after a host name).
_PATH = re.compile(r"(?<![\w:/.~-])(/[\w.@+~-]+)+/?")


def _hide(match: re.Match[str]) -> str:
    path = match.group(0)
    top = path.strip("/").split("/", 1)[0]
    # Only what names a real folder of this machine: "/api/ask" or "/v1" stay as they are.
    if not top or not os.path.isdir(f"/{top}"):
        return path
    # The last two parts are enough to find it ("…/index/chroma"), and say nothing of the rest.
    parts = path.rstrip("/").split("/")
    return "…/" + "/".join(parts[-2:])


def public(message: str) -> str:
    """The message without the absolute paths of this machine (each keeps its last two parts)."""
    return _PATH.sub(_hide, message)


def error_body(message: str, kind: str, code: str = "") -> dict[str, Any]:
    """The body of every error Ruta's HTTP side returns (OpenAI's shape): the message (English),
    its ``type`` and a ``code`` that programs and the page can rely on (the type where no finer
    code says more: "question_too_long" is an "invalid_request_error")."""
    return {"error": {"message": message, "type": kind, "code": code or kind}}


def status_of(exc: RutaError) -> tuple[int, str]:
    """The HTTP status and error type of a RutaError (500 "internal_error" for one not listed)."""
    for cls, status, name in STATUS:
        if isinstance(exc, cls):
            return status, name
    return 500, "internal_error"


def error_code(exc: RutaError) -> str:
    """The stable code of a RutaError: a bad question's own (``BadQuestion.code``), else its
    error type."""
    return getattr(exc, "code", "") or status_of(exc)[1]


def ruta_error_response(exc: RutaError) -> JSONResponse:
    status, kind = status_of(exc)
    body = error_body(public(str(exc)), kind, error_code(exc))
    return JSONResponse(body, status_code=status)
