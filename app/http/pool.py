"""One bounded pool of answer slots shared by the page, /api/ask and /v1: a fair share per
client, a short bounded wait, a quick 503 with Retry-After when saturated, a stop at shutdown."""

from __future__ import annotations

import asyncio
import math
import os
import threading
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

from app.settings import Settings
from ingest.errors import RutaError

SHUTTING_DOWN = "the server is shutting down; ask again in a moment"


class ServerBusy(RutaError):
    """Every answer slot is taken (or the server is stopping): try again after ``retry_after``."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class PoolConfig:
    """How many answers run at once, per client, how many wait and for how long."""

    slots: int
    per_client: int
    queue: int
    wait_s: float

    @classmethod
    def of(cls, s: Settings, cores: int | None = None) -> PoolConfig:
        """From Settings; 0 means sized from the cores: two slots a core (an answer waits on
        the GIL or the disk part of its time, so one a core leaves cores idle), a quarter of
        them for one client (a long answer takes a whole core: a client with half of them
        left a short question from another a third of the CPU), eight waiting per slot."""
        cores = cores or len(os.sched_getaffinity(0)) or 1
        slots = s.answer_slots or max(2, 2 * cores)
        per_client = min(slots, s.answer_slots_per_client or max(1, slots // 4))
        return cls(slots, per_client, s.answer_queue or 8 * slots, s.answer_queue_wait_s)


class _Waiter:
    __slots__ = ("client", "future", "granted", "loop")

    def __init__(self, client: str, loop: asyncio.AbstractEventLoop) -> None:
        self.client = client
        self.loop = loop
        self.future: asyncio.Future[None] = loop.create_future()
        self.granted = False


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class AnswerPool:
    """Admission to answering. A client under its share gets a free slot at once; otherwise it
    waits (at most ``wait_s``, behind at most ``queue`` others) and a freed slot goes to the
    waiting client that holds the fewest. A full queue or a wait past ``wait_s`` is a
    ServerBusy (503 with Retry-After) at once, never a request left to time out.

    Thread-safe and loop-agnostic: the state sits behind a lock; a waiter is woken on its own
    event loop."""

    def __init__(self, config: PoolConfig, user_header: str = "") -> None:
        self.config = config
        self.user_header = user_header
        self._lock = threading.Lock()
        self._running: Counter[str] = Counter()
        self._waiting: list[_Waiter] = []
        self._durations: deque[float] = deque(maxlen=50)
        self._stop_at: float | None = None  # monotonic time answers in flight must stop at

    def client(self, headers: Mapping[str, str], address: str) -> str:
        """Who asks, as the rate limit sees it: the trusted user header, else the address."""
        user = headers.get(self.user_header.lower(), "") if self.user_header else ""
        return f"user:{user}" if user else f"addr:{address}"

    @property
    def running(self) -> int:
        return sum(self._running.values())

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    @property
    def closing(self) -> bool:
        return self._stop_at is not None

    def retry_after(self) -> int:
        """Seconds until a slot is likely free: the recent answer time over the queue ahead."""
        mean = sum(self._durations) / len(self._durations) if self._durations else 1.0
        ahead = (len(self._waiting) + 1) / self.config.slots
        return max(1, min(60, math.ceil(mean * ahead)))

    def _fits(self, client: str) -> bool:
        c = self.config
        return self.running < c.slots and self._running[client] < c.per_client

    def _busy(self) -> ServerBusy:
        if self.closing:
            return ServerBusy(SHUTTING_DOWN, 5)
        retry = self.retry_after()
        return ServerBusy(
            f"the server is answering as many questions as it can ({self.config.slots} at once, "
            f"{self.config.per_client} per client); ask again in {retry} s",
            retry,
        )

    def _grant(self) -> None:
        """Hand free slots to waiters (under the lock): the client holding fewest goes first,
        then the longest waiting."""
        while self.running < self.config.slots:
            fit = [(self._running[w.client], i) for i, w in enumerate(self._waiting)]
            fit = [f for f in fit if f[0] < self.config.per_client]
            if not fit:
                return
            w = self._waiting.pop(min(fit)[1])
            w.granted = True
            self._running[w.client] += 1
            w.loop.call_soon_threadsafe(_wake, w.future)

    async def acquire(self, client: str) -> None:
        """Take a slot for ``client`` or raise ServerBusy."""
        with self._lock:
            if self.closing:
                raise self._busy()
            if self._fits(client):
                self._running[client] += 1
                return
            if len(self._waiting) >= self.config.queue:
                raise self._busy()
            waiter = _Waiter(client, asyncio.get_running_loop())
            self._waiting.append(waiter)
        try:
            await asyncio.wait({waiter.future}, timeout=self.config.wait_s)
        except BaseException:  # cancelled (the client left): give back what it got
            with self._lock:
                if waiter.granted:
                    self._release(client)
                elif waiter in self._waiting:
                    self._waiting.remove(waiter)
            raise
        with self._lock:
            if waiter.granted:
                return
            if waiter in self._waiting:
                self._waiting.remove(waiter)
            raise self._busy()

    def release(self, client: str, seconds: float | None = None) -> None:
        with self._lock:
            if seconds is not None:
                self._durations.append(seconds)
            self._release(client)

    def _release(self, client: str) -> None:
        self._running[client] -= 1
        if self._running[client] <= 0:
            del self._running[client]
        self._grant()

    @asynccontextmanager
    async def slot(self, client: str) -> AsyncIterator[None]:
        """``async with pool.slot(client):`` around one answer."""
        await self.acquire(client)
        t0 = time.monotonic()
        try:
            yield
        finally:
            self.release(client, time.monotonic() - t0)

    def close(self, grace_s: float) -> None:
        """Shutdown: refuse new answers and wake every waiter (they get a 503); answers in
        flight may run ``grace_s`` more seconds, then stop at their next step (see halt)."""
        with self._lock:
            if self._stop_at is None:
                self._stop_at = time.monotonic() + grace_s
            waiting, self._waiting = self._waiting, []
        for w in waiting:
            w.loop.call_soon_threadsafe(_wake, w.future)

    def halt(self) -> str:
        """Why an answer in flight must stop now ("" while it may go on): the Answerer asks
        between its steps."""
        stop_at = self._stop_at
        return SHUTTING_DOWN if stop_at is not None and time.monotonic() >= stop_at else ""
