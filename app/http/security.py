"""ASGI middlewares: frame-ancestors CSP, body limit, rate limit, and the gate (API token,
login, switched-off routes) that every route passes but /healthz, Gradio's own included."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import time
from pathlib import Path

import anyio
import bcrypt
from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.http.errors import error_body
from app.settings import Settings
from ingest.errors import ConfigError

MAX_BODY_BYTES = 1_048_576
API_PREFIXES = ("/api/", "/v1/")
OPEN_PATHS = ("/healthz",)  # health probes come from the orchestrator, without credentials
GRADIO_API = "/gradio_api/"
# Gradio routes no feature of Ruta uses: file uploads (the page takes no files, and what is
# uploaded is served back to anyone), recordings, its proxy, "vibe" editing, dev reload and
# monitoring. They answer 403 whatever the credentials.
OFF_PREFIXES = tuple(
    GRADIO_API + p for p in ("upload", "process_recording", "proxy=", "vibe-", "dev/", "stream/")
) + ("/monitoring", "/login", "/logout")


def route_path(scope: Scope) -> str:
    """The path below root_path (servers differ on whether scope['path'] includes it)."""
    path, root = scope.get("path", ""), scope.get("root_path", "")
    if root and path.startswith(root):
        return path[len(root) :] or "/"
    return path


def is_api(scope: Scope) -> bool:
    path = route_path(scope)
    return path.startswith(API_PREFIXES) or path in ("/api", "/v1")


def spends(scope: Scope) -> bool:
    """Does this request ask for work (an answer, a queue slot)? Those are rate limited: the
    API, and every POST to Gradio's API (queue/join, call/*, run/*, api/*...)."""
    path = route_path(scope)
    return is_api(scope) or (path.startswith(GRADIO_API) and scope.get("method") == "POST")


def switched_off(scope: Scope) -> bool:
    return route_path(scope).startswith(OFF_PREFIXES)


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
    request that asks for work (see spends)."""

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


class _Refusal(Exception):
    def __init__(self, status: int, message: str, kind: str, headers: dict[str, str]) -> None:
        super().__init__(message)
        self.status, self.message, self.kind, self.headers = status, message, kind, headers


BASIC = {"WWW-Authenticate": 'Basic realm="Ruta", charset="UTF-8"'}
BEARER = {"WWW-Authenticate": "Bearer"}


class Gate:
    """The one gate in front of every route but /healthz, Gradio's included: switched-off
    routes (403), the API token, the trusted user header and HTTP Basic against ``users``.

    Password checks (bcrypt, ~0.3 s of CPU each) run in a worker thread, at most two at once,
    so the event loop keeps answering; they are rate limited per client and per user name, and
    an unknown user is checked against a dummy hash of the same cost, so timing does not tell
    which names exist."""

    def __init__(
        self,
        app: ASGIApp,
        users: dict[str, bytes],
        user_header: str,
        api_token: str,
        login_per_minute: int = 10,
    ) -> None:
        self.app = app
        self.users = users
        self.user_header = user_header
        self.api_token = api_token
        self._good: set[str] = set()  # digests of checked Authorization values (bcrypt is slow)
        self._attempts = Buckets(login_per_minute)
        self._limiter: anyio.CapacityLimiter | None = None
        self._dummy = _dummy_hash(users)

    def _token_ok(self, auth: str) -> bool:
        scheme, _, token = auth.partition(" ")
        return (
            bool(self.api_token)
            and scheme.lower() == "bearer"
            and hmac.compare_digest(token.strip().encode(), self.api_token.encode())
        )

    async def _basic_ok(self, scope: Scope, auth: str) -> bool:
        digest = hashlib.sha256(auth.encode("latin-1", "replace")).hexdigest()
        if digest in self._good:
            return True
        scheme, _, encoded = auth.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return False
        now = time.monotonic()
        client = (scope.get("client") or ("unknown", 0))[0]
        wait = max(
            self._attempts.take(f"addr:{client}", now), self._attempts.take(f"user:{user}", now)
        )
        if wait > 0:
            retry = str(max(1, math.ceil(wait)))
            raise _Refusal(
                429,
                f"too many sign-in attempts; retry in {retry} s",
                "rate_limited",
                {"Retry-After": retry},
            )
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(2)
        hashed = self.users.get(user, self._dummy)
        ok = await anyio.to_thread.run_sync(_checkpw, password, hashed, limiter=self._limiter)
        ok = ok and user in self.users
        if ok:
            if len(self._good) > 1000:
                self._good.clear()
            self._good.add(digest)
        return ok

    async def refusal(self, scope: Scope) -> _Refusal | None:
        """Why this request may not pass, or None when it may."""
        if switched_off(scope):
            return _Refusal(
                403, f"{route_path(scope)} is switched off: no feature of Ruta uses it", "off", {}
            )
        auth = header(scope, "authorization")
        token_ok = self._token_ok(auth)
        if self.api_token and is_api(scope) and not token_ok:
            message = "this API needs 'Authorization: Bearer <token>' (the api_token setting)"
            return _Refusal(401, message, "unauthorized", BEARER)
        if self.user_header and not header(scope, self.user_header):
            message = f"sign in first: the proxy sent no {self.user_header} header"
            return _Refusal(401, message, "unauthorized", {})
        # A valid API token stands in for the password.
        if self.users and not token_ok and not await self._basic_ok(scope, auth):
            message = "sign in with your Ruta user name and password"
            return _Refusal(401, message, "unauthorized", BASIC)
        if self.api_token and not (self.users or self.user_header or token_ok):
            # No login to let browsers in: the token guards every door, the page's included.
            message = (
                "this server needs 'Authorization: Bearer <token>' (the api_token setting) on "
                "every route; to open the page to browsers, set users_file or trust_user_header"
            )
            return _Refusal(401, message, "unauthorized", BEARER)
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or route_path(scope) in OPEN_PATHS:
            return await self.app(scope, receive, send)
        try:
            problem = await self.refusal(scope)
        except _Refusal as exc:
            problem = exc
        if problem is None:
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            return await send({"type": "websocket.close", "code": 1008})
        await send_error(send, problem.status, problem.message, problem.kind, problem.headers)


def _checkpw(password: str, hashed: bytes) -> bool:
    try:
        return bcrypt.checkpw(password.encode(), hashed)
    except ValueError:
        return False


def _dummy_hash(users: dict[str, bytes]) -> bytes:
    """A hash as costly as the users' (their most common cost), matching no password."""
    if not users:
        return b""
    costs = [h.split(b"$")[2] for h in users.values() if h.count(b"$") >= 3]
    cost = max(set(costs), key=costs.count) if costs else b"12"
    rounds = int(cost) if cost.isdigit() and 4 <= int(cost) <= 31 else 12
    return bcrypt.hashpw(b"no password matches this", bcrypt.gensalt(rounds=rounds))


def install(app: FastAPI, settings: Settings) -> None:
    """Add the middlewares; the last added runs first, so the CSP wraps even the refusals."""
    users = load_users(settings.users_file) if settings.users_file else {}
    app.add_middleware(
        Gate,  # type: ignore[arg-type]
        users=users,
        user_header=settings.trust_user_header,
        api_token=settings.api_token,
        login_per_minute=settings.login_attempts_per_minute,
    )
    app.add_middleware(BodyLimit)  # type: ignore[arg-type]
    app.add_middleware(
        RateLimit,  # type: ignore[arg-type]
        per_minute=settings.rate_limit_per_minute,
        user_header=settings.trust_user_header,
    )
    app.add_middleware(FrameAncestors, ancestors=settings.frame_ancestors)  # type: ignore[arg-type]
