"""The gate before every route but /healthz: switched-off routes, API token, proxy user, sign-in."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import math
import time
from pathlib import Path

import anyio
import bcrypt
from starlette.types import ASGIApp, Receive, Scope, Send

from app.http.limits import Buckets
from app.http.scope import OPEN_PATHS, header, is_api, route_path, send_error, switched_off
from ingest.errors import ConfigError


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
    so the event loop keeps answering. They are rate limited by address and by user name
    together: ``login_per_minute`` per address (whatever names it tries, so also for any one
    user at one address), and ``user_per_minute`` per user name from all addresses together,
    looser, to slow a guesser spread over many addresses; an address where that user signed
    in before is not held by the per-user bucket, so others cannot lock a user out of where
    they work. An unknown user is checked against a dummy hash of the same cost, so timing
    does not tell which names exist."""

    def __init__(
        self,
        app: ASGIApp,
        users: dict[str, bytes],
        user_header: str,
        api_token: str,
        login_per_minute: int = 10,
        user_per_minute: int = 60,
    ) -> None:
        self.app = app
        self.users = users
        self.user_header = user_header
        self.api_token = api_token
        self._good: set[str] = set()  # digests of checked Authorization values (bcrypt is slow)
        self._by_address = Buckets(login_per_minute)
        self._by_user = Buckets(user_per_minute)
        self._signed_in: set[tuple[str, str]] = set()  # (user, address) that signed in before
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
        wait = self._by_address.take(client, now)
        if wait <= 0 and (user, client) not in self._signed_in:
            wait = self._by_user.take(user, now)
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
            if len(self._signed_in) > 10_000:
                self._signed_in.clear()
            self._signed_in.add((user, client))
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
