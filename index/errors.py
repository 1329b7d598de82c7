"""The errors of the index: no usable index, a busy one, an unreachable store, a bad query."""

from __future__ import annotations

from ingest.errors import RutaError


class IndexNotReady(RutaError):
    """The index is missing, corrupt, or was built with another embedder or chunking."""


class IndexBusy(RutaError):
    """Another ingestion holds the index lock."""


class StoreUnavailable(RutaError):
    """The vector store (a Chroma server) cannot be reached."""


class BadQuestion(RutaError):
    """The question is empty, too long or otherwise unusable (retrieval and answering raise it).
    ``code`` names the problem for programs and the page ("question_empty",
    "question_too_long", "not_text", "unknown_document", "unknown_filter"; "" for another), and
    does not change with the message's words."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code

    @classmethod
    def empty(cls) -> BadQuestion:
        """The error for an empty question (or one of blanks only)."""
        return cls("the question is empty; type a question about the documents", "question_empty")


class RemovalRefused(RutaError):
    """An ingestion would remove more of the index than it can replace; nothing was changed."""


class EmbedderUnavailable(StoreUnavailable):
    """A remote embedding server cannot be reached or keeps failing (answered like a store
    that cannot be reached: 503, try again later)."""
