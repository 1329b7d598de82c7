"""ASGI middlewares: frame-ancestors CSP, body limit, rate limit, API token and optional login."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import time
from pathlib import Path

import bcrypt
from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.http.errors import error_body
from app.settings import Settings
from ingest.errors import ConfigError

MAX_BODY_BYTES = 1_048_576
API_PREFIXES = ("/api/", "/v1/")
OPEN_PATHS = ("/healthz",)  # health probes come from the orchestrator, without credentials


def route_path(scope: Scope) -> str:
    """The path below root_path (servers differ on whether scope['path'] includes it)."""
    path, root = scope.get("path", ""), scope.get("root_path", "")
    if root and path.startswith(root):
        return path[len(root) :] or "/"
    return path


def is_api(scope: Scope) -> bool:
    path = route_path(scope)
    return path.startswith(API_PREFIXES) or path in ("/api", "/v1")


def header(scope: Scope, name: str) -> str:
    key = name.lower().encode("latin-1")
    for k, v in scope.get("headers", []):
        if k == key:
            return v.decode("latin-1")
    return ""


async def send_error(
    send: Send, status: int, message: str, kind: str, headers: dict[str, str] | None = None
) -> None:
    body = json.dumps(error_body(message, kind)).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class FrameAncestors:
    """Adds ``Content-Security-Policy: frame-ancestors ...`` to every response."""

    def __init__(self, app: ASGIApp, ancestors: str) -> None:
        self.app = app
        self.value = f"frame-ancestors {ancestors}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_csp(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    h
                    for h in message.get("headers", [])
                    if h[0].lower() != b"content-security-policy"
                ]
                headers.append((b"content-security-policy", self.value))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_csp)


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


class RateLimit:
    """A token bucket per client (the trusted user header, else the client address) on the API."""

    def __init__(self, app: ASGIApp, per_minute: int, user_header: str = "") -> None:
        self.app = app
        self.per_minute = per_minute
        self.user_header = user_header
        self.buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, last time)

    def _client(self, scope: Scope) -> str:
        user = header(scope, self.user_header) if self.user_header else ""
        client = scope.get("client") or ("unknown", 0)
        return f"user:{user}" if user else f"addr:{client[0]}"

    def take(self, key: str, now: float) -> float:
        """Spend one token; returns 0 when allowed, else the seconds until a token is back."""
        rate = self.per_minute / 60.0
        tokens, last = self.buckets.get(key, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - last) * rate)
        if tokens >= 1.0:
            self.buckets[key] = (tokens - 1.0, now)
            return 0.0
        self.buckets[key] = (tokens, now)
        return (1.0 - tokens) / rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.per_minute <= 0 or not is_api(scope):
            return await self.app(scope, receive, send)
        now = time.monotonic()
        if len(self.buckets) > 10_000:  # forget clients idle long enough to have a full bucket
            self.buckets = {k: v for k, v in self.buckets.items() if now - v[1] < 60}
        wait = self.take(self._client(scope), now)
        if wait > 0:
            retry = max(1, math.ceil(wait))
            return await send_error(
                send,
                429,
                f"rate limit of {self.per_minute} requests per minute exceeded; retry in {retry} s",
                "rate_limited",
                {"Retry-After": str(retry)},
            )
        await self.app(scope, receive, send)


def load_users(path: str) -> dict[str, bytes]:
    """Read 'user:bcrypt-hash' lines (blank lines and '#' comments are skipped)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"users_file {path!r} cannot be read: {exc}") from exc
    users: dict[str, bytes] = {}
    for i, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        user, sep, hashed = line.partition(":")
        if not sep or not hashed.startswith("$2"):
            raise ConfigError(f"users_file {path}:{i}: expected 'user:bcrypt-hash'")
        users[user] = hashed.encode()
    if not users:
        raise ConfigError(f"users_file {path!r} lists no users")
    return users


class Login:
    """HTTP Basic against ``users``, or a user header set by a trusted proxy; plus the API token."""

    def __init__(
        self, app: ASGIApp, users: dict[str, bytes], user_header: str, api_token: str
    ) -> None:
        self.app = app
        self.users = users
        self.user_header = user_header
        self.api_token = api_token
        self._good: set[str] = set()  # digests of checked Authorization values (bcrypt is slow)

    def _basic_ok(self, auth: str) -> bool:
        digest = hashlib.sha256(auth.encode("latin-1", "replace")).hexdigest()
        if digest in self._good:
            return True
        scheme, _, encoded = auth.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
            ok = user in self.users and bcrypt.checkpw(password.encode(), self.users[user])
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return False
        if ok:
            if len(self._good) > 1000:
                self._good.clear()
            self._good.add(digest)
        return ok

    def _token_ok(self, auth: str) -> bool:
        scheme, _, token = auth.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode(), self.api_token.encode()
        )

    def refusal(self, scope: Scope) -> tuple[str, dict[str, str]] | None:
        """Why this request may not pass (message, headers), or None when it may."""
        auth = header(scope, "authorization")
        api_with_token = bool(self.api_token) and is_api(scope)
        if api_with_token and not self._token_ok(auth):
            return (
                "this API needs 'Authorization: Bearer <token>' (the api_token setting)",
                {"WWW-Authenticate": "Bearer"},
            )
        if self.user_header and not header(scope, self.user_header):
            return f"sign in first: the proxy sent no {self.user_header} header", {}
        # A valid API token stands in for the password on /api and /v1.
        if self.users and not api_with_token and not self._basic_ok(auth):
            return (
                "sign in with your Ruta user name and password",
                {"WWW-Authenticate": 'Basic realm="Ruta", charset="UTF-8"'},
            )
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or route_path(scope) in OPEN_PATHS:
            return await self.app(scope, receive, send)
        problem = self.refusal(scope)
        if problem is None:
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            return await send({"type": "websocket.close", "code": 1008})
        await send_error(send, 401, problem[0], "unauthorized", problem[1])


def install(app: FastAPI, settings: Settings) -> None:
    """Add the middlewares; the last added runs first, so the CSP wraps even the refusals."""
    users = load_users(settings.users_file) if settings.users_file else {}
    if users or settings.trust_user_header or settings.api_token:
        app.add_middleware(
            Login,  # type: ignore[arg-type]
            users=users,
            user_header=settings.trust_user_header,
            api_token=settings.api_token,
        )
    app.add_middleware(BodyLimit)  # type: ignore[arg-type]
    app.add_middleware(
        RateLimit,  # type: ignore[arg-type]
        per_minute=settings.rate_limit_per_minute,
        user_header=settings.trust_user_header,
    )
    app.add_middleware(FrameAncestors, ancestors=settings.frame_ancestors)  # type: ignore[arg-type]
