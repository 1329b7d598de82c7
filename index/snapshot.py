"""The retriever's prepared state (chunks, BM25, term statistics) on disk, tied to the index
generation it was derived from: a server loads it instead of deriving it again at each start.

Written by `ruta ingest` after every build, and by a server that had to derive it (no file, a
file of another generation, a damaged one: each said once in the log). The file is a pickle:
like the Chroma folder beside it, it is only as trustworthy as the data directory.
"""

from __future__ import annotations

import logging
import os
import pickle
import time
from pathlib import Path

from index.retrieve import Prepared

log = logging.getLogger(__name__)

# Bumped whenever Prepared, BM25 terms or what extras hold change their meaning. The term
# statistics are keyed by index.lemmas.root: 2 = a gerund meets its verb (funding -> fund),
# 3 = an adverb its adjective (particularly -> particular), 4 = British spelling meets
# American (prioritise -> prioritize, labour -> labor), number words are digits (five -> 5)
# and documents are named by their titles' words; 5 = a name shared by more than three
# documents names none of them; 6 = BM25's terms are the lemmas as they are (English
# -ise/-isation no longer respelt -ize/-ization: it changed no answer).
FORMAT = "6"


def snapshot_path(index_dir: Path, collection: str) -> Path:
    return index_dir / f"prepared-{collection}.pickle"


def save(path: Path, generation: str, prepared: Prepared) -> bool:
    """Write atomically (a reader never sees half a file); False when it cannot be written."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as f:  # a small header first: generation() reads only that
            pickle.dump((FORMAT, generation), f, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(prepared, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        return True
    except (OSError, pickle.PicklingError) as exc:
        tmp.unlink(missing_ok=True)
        log.warning("could not save the prepared index to %s (%s); starts derive it", path, exc)
        return False


def saved_generation(path: Path) -> str:
    """The index generation the file was saved for ('' when none can be read)."""
    try:
        with path.open("rb") as f:
            fmt, generation = pickle.load(f)
        return str(generation) if fmt == FORMAT else ""
    except Exception:
        return ""


def load(path: Path, generation: str) -> Prepared | None:
    """The state saved for ``generation``, or None (with a log line saying why)."""
    if not path.exists():
        log.info("no prepared index at %s: deriving chunks and BM25 from the store", path)
        return None
    started = time.perf_counter()
    try:
        with path.open("rb") as f:
            fmt, saved_generation = pickle.load(f)
            if fmt != FORMAT or saved_generation != generation:
                prepared = None
            else:
                prepared = pickle.load(f)
    except Exception as exc:  # a damaged or foreign file: derive again, never fail a start
        log.warning("the prepared index %s is unreadable (%s): deriving it again", path, exc)
        return None
    if fmt != FORMAT:
        log.info(
            "the prepared index %s has format %r, not %r: deriving it again", path, fmt, FORMAT
        )
        return None
    if saved_generation != generation:
        log.info("the prepared index %s is of another index generation: deriving it again", path)
        return None
    if not isinstance(prepared, Prepared):
        log.warning("the prepared index %s holds no prepared state: deriving it again", path)
        return None
    log.info(
        "loaded the prepared index (%d chunks) in %.2f s",
        len(prepared.chunks),
        time.perf_counter() - started,
    )
    return prepared
