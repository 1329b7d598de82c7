"""Ruta's domain errors: the one hierarchy every layer raises and every edge translates."""

from __future__ import annotations


class RutaError(Exception):
    """Base class: the message says what went wrong and what to do."""


class ConfigError(RutaError):
    """A setting has a value Ruta cannot use."""


class DocumentError(RutaError):
    """A document could not be read: empty, corrupt, encrypted, unsupported."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class IndexNotReady(RutaError):
    """The index is missing, corrupt, or was built with another embedder or chunking."""


class IndexBusy(RutaError):
    """Another ingestion holds the index lock."""


class StoreUnavailable(RutaError):
    """The vector store (a Chroma server) cannot be reached."""


class BadQuestion(RutaError):
    """The question is empty, too long or otherwise unusable."""


class LLMUnavailable(RutaError):
    """The LLM backend failed, timed out or is not installed."""
