"""Middlewares that bound the work a client can ask for: the body limit and the rate limit."""

from __future__ import annotations

import math
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.http.scope import LANG_COOKIE, cookie, header, is_api, send_error, spends
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


class RateLimit:
    """A token bucket per client (the trusted user header, else the client address) on every
    request that asks for work (see spends). The page's requests are refused in the page's
    language too (its cookie), which Gradio's client shows."""

    def __init__(self, app: ASGIApp, per_minute: int, user_header: str = "") -> None:
        self.app = app
        self.per_minute = per_minute
        self.user_header = user_header
        self.buckets = Buckets(per_minute)

    def _client(self, scope: Scope) -> str:
        user = header(scope, self.user_header) if self.user_header else ""
        client = scope.get("client") or ("unknown", 0)
        return f"user:{user}" if user else f"addr:{client[0]}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.per_minute <= 0 or not spends(scope):
            return await self.app(scope, receive, send)
        wait = self.buckets.take(self._client(scope), time.monotonic())
        if wait > 0:
            retry = max(1, math.ceil(wait))
            lang = page_language(cookie(scope, LANG_COOKIE))
            return await send_error(
                send,
                429,
                f"rate limit of {self.per_minute} requests per minute exceeded; retry in {retry} s",
                "rate_limited",
                {"Retry-After": str(retry)},
                "" if is_api(scope) else said("rate_limited", lang, seconds=retry),
            )
        await self.app(scope, receive, send)
