"""The base of Ruta's error hierarchy, and the errors of ingestion (the lowest layer).

Each layer keeps the errors it raises next to it (``index/errors.py``, ``app/rag/errors.py``);
all derive from ``RutaError`` here, and the edges translate them (HTTP codes, exit codes).
"""

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
