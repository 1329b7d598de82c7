"""Reading an ASGI request (path below root_path, headers, kind of route) and JSON error replies."""

from __future__ import annotations

import json

from starlette.types import Scope, Send

from app.http.errors import error_body

API_PREFIXES = ("/api/", "/v1/")
OPEN_PATHS = ("/healthz",)  # health probes come from the orchestrator, without credentials
GRADIO_API = "/gradio_api/"
LANG_COOKIE = "ruta-lang"  # the page's language, set by the page's JS (page_assets.LANG_JS)
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


def is_queue_join(scope: Scope) -> bool:
    """A request to Gradio's queue: how the page's events and gradio_client's calls start."""
    return route_path(scope) == GRADIO_API + "queue/join" and scope.get("method") == "POST"


def switched_off(scope: Scope) -> bool:
    return route_path(scope).startswith(OFF_PREFIXES)


def header(scope: Scope, name: str) -> str:
    key = name.lower().encode("latin-1")
    for k, v in scope.get("headers", []):
        if k == key:
            return v.decode("latin-1")
    return ""


def cookie(scope: Scope, name: str) -> str:
    """The value of one cookie of the request ("" when it has none)."""
    for part in header(scope, "cookie").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value.strip()
    return ""


async def send_error(
    send: Send,
    status: int,
    message: str,
    kind: str,
    headers: dict[str, str] | None = None,
    detail: str = "",
) -> None:
    """A JSON error reply; ``detail``, when given, is what Gradio's client shows the page's user
    (beside the error, as shape.py keeps Gradio's own)."""
    out = error_body(message, kind)
    body = json.dumps({**out, "detail": detail} if detail else out).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
