"""The errors of answering. A bad question is refused by retrieval too: see index/errors.py."""

from __future__ import annotations

from ingest.errors import RutaError


class LLMUnavailable(RutaError):
    """The LLM backend failed, timed out or is not installed."""


class AnswerTimedOut(RutaError):
    """An answer ran past its time budget and was stopped."""


class AnswerStopped(RutaError):
    """An answer was stopped before it ended because the process is shutting down."""
