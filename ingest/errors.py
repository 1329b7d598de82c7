"""The base of Ruta's error hierarchy, and the errors of ingestion (the lowest layer).

Each layer keeps the errors it raises next to it (``index/errors.py``, ``app/rag/errors.py``);
all derive from ``RutaError`` here, and the edges translate them (HTTP codes, exit codes).
"""

from __future__ import annotations

import errno


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


class StorageError(RutaError):
    """A write was refused by the disk: it is full, or the folder is read-only. The data is
    sound; the message says to free space or to make the folder writable, never to delete or
    rebuild the index."""


# What the libraries below say when the disk refuses a write (SQLite, Chroma's Rust core).
_FULL = ("database or disk is full", "no space left on device", "disk quota exceeded")
_READ_ONLY = ("readonly database", "read-only file system", "permission denied")
_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)
_READ_ONLY_ERRNOS = (errno.EROFS, errno.EACCES, errno.EPERM)


def _causes(exc: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and seen not in out and len(out) < 10:
        out.append(seen)
        seen = seen.__cause__ or seen.__context__
    return out


def storage_kind(exc: BaseException) -> str:
    """'full', 'read-only' or '' (another failure), from ``exc`` or what caused it."""
    for e in _causes(exc):
        text = str(e).lower()
        if (isinstance(e, OSError) and e.errno in _FULL_ERRNOS) or any(w in text for w in _FULL):
            return "full"
        if isinstance(e, OSError) and e.errno in _READ_ONLY_ERRNOS:
            return "read-only"
        if any(w in text for w in _READ_ONLY):
            return "read-only"
    return ""


def storage_error(exc: BaseException, where: str, then: str = "") -> StorageError | None:
    """The StorageError to raise for ``exc`` when the disk refused a write (None otherwise):
    ``where`` names what was written, ``then`` what to run once it is fixed."""
    kind = storage_kind(exc)
    again = f", then {then}" if then else ""
    if kind == "full":
        return StorageError(
            f"the disk is full: {where} could not be written (no space left on the device). "
            f"Free some disk space{again}; the data already written is sound, nothing needs "
            "deleting or rebuilding"
        )
    if kind == "read-only":
        return StorageError(
            f"{where} cannot be written (read-only, or not writable by this user). Make it "
            f"writable, or point RUTA_DATA_DIR at a folder that is{again}"
        )
    return None


def raise_storage(exc: BaseException, where: str, then: str = "") -> None:
    """Raise the StorageError for ``exc`` when the disk refused a write (see storage_error);
    return otherwise, for the caller to re-raise ``exc``."""
    problem = storage_error(exc, where, then)
    if problem is not None:
        raise problem from exc
