"""Run an iterator ahead of its reader in a thread, through a bounded queue: an ingestion loads,
cleans and chunks the next documents while the current one is embedded."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

AHEAD = 4  # items made and not yet read, at most: bounds the memory a long corpus takes
_POLL_S = 0.1  # how often a blocked producer checks whether the reader gave up


class _End:
    """Put after the last item; carries the producer's exception, if it raised one."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


class ReadAhead(Iterator[T]):
    """The items of ``items`` in order, made by a thread (started at once) that keeps up to
    ``size`` of them ready. An exception raised while making one is raised here, where that
    item would have come. ``close`` (also when the reader stops early) stops the thread at its
    next item and waits for it."""

    def __init__(self, items: Iterable[T], size: int = AHEAD) -> None:
        self._ready: queue.Queue[object] = queue.Queue(maxsize=size)
        self._stop = threading.Event()
        self._done = False
        self._thread = threading.Thread(
            target=self._produce, args=(items,), name="ruta-read-ahead", daemon=True
        )
        self._thread.start()

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._ready.put(item, timeout=_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def _produce(self, items: Iterable[T]) -> None:
        try:
            for item in items:
                if not self._put(item):
                    return
        except BaseException as exc:  # handed to the reader, raised in its thread
            self._put(_End(exc))
            return
        self._put(_End())

    def __next__(self) -> T:
        if self._done:
            raise StopIteration
        item = self._ready.get()
        if isinstance(item, _End):
            self.close()
            if item.error is not None:
                raise item.error
            raise StopIteration
        return item  # type: ignore[return-value]

    def close(self) -> None:
        self._done = True
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join()
