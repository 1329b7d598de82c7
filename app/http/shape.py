"""One way to answer for every route: HEAD wherever GET works, 405 (with ``Allow``) for a path
one of Ruta's routes takes with other methods, and every error body in the one JSON shape
``{"error": {"message", "type"}}``, Gradio's own included (its ``{"detail": …}`` errors keep
that field beside it, for Gradio's client), with no absolute path in the message."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.http.errors import error_body, public
from app.http.scope import route_path, send_error

KINDS = {
    400: "invalid_request_error",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    422: "invalid_request_error",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}
_MAX_ERROR_BODY = 65_536  # larger error bodies pass as they are


def catch_all(endpoint: Any) -> Any:
    """Mark a route's endpoint as a catch-all (e.g. the API's 404): it takes every method, so
    it says nothing of which methods a path takes."""
    endpoint.catch_all = True
    return endpoint


def own_route(routes: list[BaseRoute], scope: Scope) -> tuple[bool, set[str]]:
    """Whether one of Ruta's own routes (not Gradio's mount) takes this request, and the
    methods they take at this path when none takes the request's method (empty when one does,
    or the path is none of theirs; catch-alls say nothing of methods)."""
    methods: set[str] = set()
    ours = False
    for route in routes:
        if isinstance(route, Mount):
            continue
        match, _ = route.matches(scope)
        if getattr(getattr(route, "endpoint", None), "catch_all", False):
            ours = ours or match == Match.FULL
            continue
        if match == Match.FULL:
            return True, set()
        if match == Match.PARTIAL:
            methods |= set(getattr(route, "methods", None) or ())
    if "GET" in methods:
        methods.add("HEAD")
    return ours or bool(methods), methods


def _detail_text(detail: Any) -> str:
    if isinstance(detail, list):  # a validation error: [{"loc": [...], "msg": "..."}]
        parts = []
        for item in detail:
            if isinstance(item, dict):
                loc = ".".join(str(p) for p in item.get("loc", ()) if p != "body")
                parts.append(f"{loc}: {item.get('msg', '')}" if loc else str(item.get("msg", "")))
            else:
                parts.append(str(item))
        return "; ".join(parts)
    return str(detail)


def reshaped(status: int, body: bytes, ours: bool = False) -> bytes | None:
    """The error body in Ruta's shape, or None to leave it as it is: in the shape already, or
    JSON from one of Ruta's own routes (which say what they mean: /healthz's 503 body)."""
    kind = KINDS.get(status, "http_error")
    try:
        data = json.loads(body) if body else None
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        if "message" in data["error"]:
            return None
    if ours and data is not None:
        return None
    extra: dict[str, Any] = {}
    if isinstance(data, dict) and "detail" in data:
        message = _detail_text(data["detail"])
        extra = {"detail": data["detail"]}
    else:
        message = body.decode("utf-8", "replace").strip()
    if not message or message.lstrip().startswith("<"):  # empty, or an HTML page
        message = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else kind
    out = {**error_body(public(message[:1000]), kind), **extra}
    return json.dumps(out, ensure_ascii=False).encode()


class OneShape:
    """The middleware: see the module docstring. ``routes`` is the app's route list."""

    def __init__(self, app: ASGIApp, routes: list[BaseRoute]) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        head = False
        ours, allowed = own_route(self.routes, scope)
        if allowed:
            if scope["method"] == "HEAD" and "GET" in allowed:
                scope, head = {**scope, "method": "GET"}, True
            else:
                methods = ", ".join(sorted(allowed))
                message = f"{route_path(scope)} takes {methods}, not {scope['method']}"
                return await send_error(
                    send, 405, message, "method_not_allowed", {"Allow": methods}
                )
        await self.app(scope, receive, _Shaper(send, head, ours))


class _Shaper:
    """Passes the response on; an error response's body is read whole and put in the shape."""

    def __init__(self, send: Send, head: bool, ours: bool) -> None:
        self.send = send
        self.head = head
        self.ours = ours
        self.start: Message | None = None
        self.parts: list[bytes] = []
        self.size = 0

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            if message["status"] >= 400:
                self.start = message  # held until the body is known
                return
            return await self.send(message)
        if message["type"] != "http.response.body":
            return await self.send(message)
        if self.start is None:
            if self.head:
                message = {**message, "body": b""}
            return await self.send(message)
        self.parts.append(message.get("body", b""))
        self.size += len(self.parts[-1])
        if message.get("more_body", False) and self.size <= _MAX_ERROR_BODY:
            return
        start, body, self.start = self.start, b"".join(self.parts), None
        new = (
            None if message.get("more_body", False) else reshaped(start["status"], body, self.ours)
        )
        if new is None:  # ours already, or too large to hold: as it came
            await self.send(start)
            more = message.get("more_body", False)
            return await self.send(
                {
                    "type": "http.response.body",
                    "body": b"" if self.head else body,
                    "more_body": more,
                }
            )
        headers = [
            (k, v)
            for k, v in start.get("headers", [])
            if k.lower() not in (b"content-length", b"content-type")
        ]
        headers += [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(new)).encode()),
        ]
        await self.send({**start, "headers": headers})
        await self.send({"type": "http.response.body", "body": b"" if self.head else new})
