"""The middlewares in running order (CSP, rate limit, body limit, gate, one shape) and the CSP
header one."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.http.gate import Gate, load_users
from app.http.limits import BodyLimit, RateLimit
from app.http.shape import OneShape
from app.settings import Settings


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


def install(app: FastAPI, settings: Settings) -> None:
    """Add the middlewares; the last added runs first, so the CSP wraps even the refusals."""
    users = load_users(settings.users_file) if settings.users_file else {}
    # Innermost: HEAD, 405 and one error shape for what the routes (Gradio's too) answer.
    app.add_middleware(OneShape, routes=app.router.routes)  # type: ignore[arg-type]
    app.add_middleware(
        Gate,  # type: ignore[arg-type]
        users=users,
        user_header=settings.trust_user_header,
        api_token=settings.api_token,
        login_per_minute=settings.login_attempts_per_minute,
        user_per_minute=settings.login_attempts_per_user_per_minute,
    )
    app.add_middleware(BodyLimit)  # type: ignore[arg-type]
    app.add_middleware(
        RateLimit,  # type: ignore[arg-type]
        per_minute=settings.rate_limit_per_minute,
        user_header=settings.trust_user_header,
    )
    app.add_middleware(FrameAncestors, ancestors=settings.frame_ancestors)  # type: ignore[arg-type]
