"""The HTTP edge's one mapping from errors to responses: status codes and the JSON error body."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from app.rag.errors import LLMUnavailable
from index.errors import BadQuestion, IndexBusy, IndexNotReady, StoreUnavailable
from ingest.errors import RutaError

# Most specific first; any other RutaError is a 500.
STATUS: list[tuple[type[RutaError], int, str]] = [
    (BadQuestion, 400, "invalid_request_error"),
    (IndexNotReady, 503, "index_not_ready"),
    (IndexBusy, 503, "index_busy"),
    (StoreUnavailable, 503, "store_unavailable"),
    (LLMUnavailable, 503, "llm_unavailable"),
]


def error_body(message: str, kind: str) -> dict[str, Any]:
    """The body of every error Ruta's HTTP side returns (OpenAI's shape)."""
    return {"error": {"message": message, "type": kind}}


def ruta_error_response(exc: RutaError) -> JSONResponse:
    status, kind = 500, "internal_error"
    for cls, code, name in STATUS:
        if isinstance(exc, cls):
            status, kind = code, name
            break
    return JSONResponse(error_body(str(exc), kind), status_code=status)
