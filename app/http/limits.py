"""Middlewares that bound the work a client can ask for: the body limit and the rate limit."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.http.scope import (
    LANG_COOKIE,
    cookie,
    header,
    is_api,
    is_queue_join,
    send_error,
    spends,
)
from app.http.words import page_language, said

MAX_BODY_BYTES = 1_048_576


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuses bodies over ``limit`` bytes with 413, by Content-Length or while streaming."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        message = f"the request body is larger than the {self.limit} byte limit"
        length = header(scope, "content-length")
        if length.isdigit() and int(length) > self.limit:
            return await send_error(send, 413, message, "request_too_large")
        seen, started, too_large = 0, False, False

        async def counting_receive() -> Message:
            nonlocal seen, too_large
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:
                    too_large = True
                    raise _TooLarge
            return msg

        async def guarded_send(msg: Message) -> None:
            nonlocal started
            if too_large:  # the app caught _TooLarge (FastAPI answers 400): answer 413 instead
                if msg["type"] == "http.response.start" and not started:
                    started = True
                    await send_error(send, 413, message, "request_too_large")
                return
            started = started or msg["type"] == "http.response.start"
            await send(msg)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _TooLarge:
            if not started:
                await send_error(send, 413, message, "request_too_large")


class Buckets:
    """Token buckets by key: ``per_minute`` spends, refilled evenly over a minute."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self.buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str, now: float) -> float:
        """Spend one token; returns 0 when allowed, else the seconds until a token is back."""
        if len(self.buckets) > 10_000:  # forget keys idle long enough to have a full bucket
            self.buckets = {k: v for k, v in self.buckets.items() if now - v[1] < 60}
        rate = self.per_minute / 60.0
        tokens, last = self.buckets.get(key, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - last) * rate)
        if tokens >= 1.0:
            self.buckets[key] = (tokens - 1.0, now)
            return 0.0
        self.buckets[key] = (tokens, now)
        return (1.0 - tokens) / rate


class Windows:
    """At most ``per_minute`` spends by key in each window of a minute, counted from the
    window's first spend: unlike Buckets, nothing comes back before the minute is over, so a
    burst of ``per_minute`` is followed by refusals however slowly it was sent."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self.windows: dict[str, tuple[int, float]] = {}

    def take(self, key: str, now: float) -> float:
        """Spend one; returns 0 when allowed, else the seconds until the window ends."""
        if len(self.windows) > 10_000:  # forget keys whose window is over
            self.windows = {k: v for k, v in self.windows.items() if now - v[1] < 60}
        spent, start = self.windows.get(key, (0, now))
        if now - start >= 60:
            spent, start = 0, now
        if spent < self.per_minute:
            self.windows[key] = (spent + 1, start)
            return 0.0
        return 60 - (now - start)


# Requests to Gradio's queue let through over the limit, marked, per client: one a second is
# more than anyone clicks, and a client flooding the queue still meets 429s at the door.
MARKED_PER_MINUTE = 60
_MARK = "ruta.over_limit"  # the key of the mark in the request's scope["state"]


@dataclass(frozen=True)
class OverLimit:
    """The mark RateLimit puts on a request to Gradio's queue over the limit: the handler that
    would answer says it instead (the page in the chat, Gradio's ``ask`` as its error)."""

    per_minute: int
    retry_after: int  # whole seconds, at least 1

    @property
    def message(self) -> str:
        return (
            f"rate limit of {self.per_minute} requests per minute exceeded; "
            f"retry in {self.retry_after} s"
        )


def over_limit(request: Any) -> OverLimit | None:
    """The mark on ``request`` (a gr.Request, or the Starlette request it wraps): None when
    the request is within the rate limit."""
    request = getattr(request, "request", None) or request
    scope = getattr(request, "scope", None) or {}
    mark = (scope.get("state") or {}).get(_MARK)
    return mark if isinstance(mark, OverLimit) else None


class RateLimit:
    """A token bucket per client (the trusted user header, else the client address) on every
    request that asks for work (see spends).

    Over the limit, a request to Gradio's queue (the page's events, gradio_client's calls) is
    let through marked (over_limit) rather than refused, at most MARKED_PER_MINUTE a minute:
    the page's question is then refused in the chat, in the question's language, where Gradio
    would cover the whole page with its error for a 429; the page's other events ask for no
    answer and run. Past that too, and on every other route, 429 at once, the page's in the
    page's language too (its cookie), which Gradio's client shows."""

    def __init__(self, app: ASGIApp, per_minute: int, user_header: str = "") -> None:
        self.app = app
        self.per_minute = per_minute
        self.user_header = user_header
        self.buckets = Buckets(per_minute)
        self.marked = Windows(MARKED_PER_MINUTE)

    def _client(self, scope: Scope) -> str:
        user = header(scope, self.user_header) if self.user_header else ""
        client = scope.get("client") or ("unknown", 0)
        return f"user:{user}" if user else f"addr:{client[0]}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.per_minute <= 0 or not spends(scope):
            return await self.app(scope, receive, send)
        now, client = time.monotonic(), self._client(scope)
        wait = self.buckets.take(client, now)
        if wait <= 0:
            return await self.app(scope, receive, send)
        over = OverLimit(self.per_minute, max(1, math.ceil(wait)))
        if is_queue_join(scope) and self.marked.take(client, now) <= 0:
            state = {**(scope.get("state") or {}), _MARK: over}
            return await self.app({**scope, "state": state}, receive, send)
        lang = page_language(cookie(scope, LANG_COOKIE))
        await send_error(
            send,
            429,
            over.message,
            "rate_limited",
            {"Retry-After": str(over.retry_after)},
            "" if is_api(scope) else said("rate_limited", lang, seconds=over.retry_after),
        )
