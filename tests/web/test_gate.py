"""One gate for every door: each route the app has (listed from the app object, Gradio's
mounted ones included) is checked against the token, the login and the rate limit on a real
server, so a route added later cannot slip by; and bad logins do not stall the server."""

from __future__ import annotations

import re
import statistics
import threading
import time
from collections.abc import Iterator

import bcrypt
import httpx
import pytest
from starlette.routing import Mount

from app.http.gate import Gate
from app.http.limits import MARKED_PER_MINUTE
from app.http.scope import OPEN_PATHS, spends, switched_off
from app.http.server import create_app

TOKEN = "s3cret"


def _routes(routes: list, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path) of every route, into mounted apps and included routers."""
    for r in routes:
        if isinstance(r, Mount):
            yield from _routes(r.routes, prefix + r.path)
        elif hasattr(r, "original_router"):  # FastAPI's lazily included router (Gradio's API)
            yield from _routes(r.original_router.routes, prefix)
        elif hasattr(r, "path"):
            for method in sorted(getattr(r, "methods", None) or {"GET"}):
                yield method, prefix + r.path


def app_routes(settings) -> list[tuple[str, str]]:
    """Every route of the app these settings build, with its parameters filled in."""
    app = create_app(settings)
    found = {(m, re.sub(r"\{[^}]+\}", "x", p) or "/") for m, p in _routes(app.routes)}
    return sorted(found)


def _scope(method: str, path: str) -> dict:
    return {"type": "http", "method": method, "path": path, "root_path": ""}


def _status(client: httpx.Client, url: str, method: str, path: str, **kw: object) -> int:
    # Streamed, status only: some routes (heartbeat, queue data) are endless event streams.
    body = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
    with client.stream(method, f"{url}{path}", **body, **kw) as r:  # type: ignore[arg-type]
        return r.status_code


@pytest.fixture(scope="module")
def routes(settings_factory) -> list[tuple[str, str]]:
    found = app_routes(settings_factory(api_token=TOKEN))
    paths = {p for _, p in found}
    # The listing reaches into Gradio's mount: its API, queue and uploads are all there.
    assert {"/gradio_api/queue/join", "/gradio_api/call/x", "/gradio_api/upload"} <= paths
    assert {"/api/ask", "/v1/chat/completions", "/healthz", "/"} <= paths
    return found


def test_every_route_needs_the_token_or_the_login(serve_real, routes, tmp_path) -> None:
    hashed = bcrypt.hashpw(b"pw", bcrypt.gensalt(rounds=4)).decode()
    users = tmp_path / "users.txt"
    users.write_text(f"ana:{hashed}\n", encoding="utf-8")
    configs = [{"api_token": TOKEN}, {"users_file": str(users)}, {"trust_user_header": "X-User"}]
    for config in configs:
        with serve_real(rate_limit_per_minute=0, **config) as url, httpx.Client(timeout=30) as c:
            for method, path in routes:
                code = _status(c, url, method, path)
                if path in OPEN_PATHS:
                    assert code == 200, (config, method, path)
                elif switched_off(_scope(method, path)):
                    assert code == 403, (config, method, path)
                else:
                    assert code == 401, (config, method, path, code)


def test_every_route_that_asks_for_work_is_rate_limited(serve_real, routes) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with serve_real(api_token=TOKEN, rate_limit_per_minute=1) as url, httpx.Client(timeout=30) as c:
        assert c.get(f"{url}/v1/models", headers=auth).status_code == 200  # the one request
        # Over the limit, Gradio's queue lets some through, marked for its handlers to refuse
        # (limits.RateLimit); past those, it is refused at the door like the rest.
        joins = [
            _status(c, url, "POST", "/gradio_api/queue/join", headers=auth)
            for _ in range(MARKED_PER_MINUTE)
        ]
        assert set(joins) == {422}  # let through: an empty body is no event
        limited = set()
        for method, path in routes:
            if switched_off(_scope(method, path)):
                continue
            if _status(c, url, method, path, headers=auth) == 429:
                limited.add((method, path))
        expected = {
            (m, p) for m, p in routes if spends(_scope(m, p)) and not switched_off(_scope(m, p))
        }
        assert limited == expected
        # Every POST and every /api or /v1 route asks for work; the page's assets do not.
        assert {(m, p) for m, p in routes if m == "POST"} - limited <= {
            (m, p) for m, p in routes if switched_off(_scope(m, p))
        }
        assert ("GET", "/api/sources") in limited and ("GET", "/") not in limited


def test_uploads_are_off(serve_real) -> None:
    with serve_real(rate_limit_per_minute=0) as url:
        files = {"files": ("note.txt", b"anonymous file", "text/plain")}
        r = httpx.post(f"{url}/gradio_api/upload", files=files)
        assert r.status_code == 403 and "switched off" in r.json()["error"]["message"]
        assert httpx.get(f"{url}/gradio_api/upload_progress?upload_id=x").status_code == 403


def test_unknown_users_cost_a_password_check_too(tmp_path) -> None:
    hashed = bcrypt.hashpw(b"pw", bcrypt.gensalt(rounds=5))
    gate = Gate(lambda *a: None, {"ana": hashed}, "", "")  # type: ignore[arg-type]
    # The dummy hash an unknown name is checked against has the users' cost.
    assert gate._dummy[:7] == hashed[:7] == b"$2b$05$"
    assert not bcrypt.checkpw(b"pw", gate._dummy)


def test_bad_logins_neither_stall_the_server_nor_go_unlimited(serve_real, tmp_path) -> None:
    """20 bad logins at once against a real-cost hash (~0.3 s of bcrypt each): /healthz stays
    under 100 ms (median of several probes: the machine is shared), and the attempts past the
    login rate limit get 429 without a password check."""
    hashed = bcrypt.hashpw(b"the right one", bcrypt.gensalt(rounds=12)).decode()
    users = tmp_path / "users.txt"
    users.write_text(f"ana:{hashed}\n", encoding="utf-8")
    with serve_real(users_file=str(users), rate_limit_per_minute=0) as url:
        assert httpx.get(f"{url}/healthz", timeout=120).status_code == 200
        codes: list[int] = []
        start = threading.Barrier(21)

        def bad_login(i: int) -> None:
            start.wait()
            user = "ana" if i % 2 else f"nobody{i}"
            r = httpx.get(f"{url}/api/sources", auth=(user, "wrong"), timeout=60)
            codes.append(r.status_code)

        workers = [threading.Thread(target=bad_login, args=(i,)) for i in range(20)]
        for w in workers:
            w.start()
        start.wait()
        probes = []
        with httpx.Client(timeout=30) as client:
            for _ in range(9):
                t0 = time.perf_counter()
                assert client.get(f"{url}/healthz").status_code == 200
                probes.append(time.perf_counter() - t0)
                time.sleep(0.05)
        for w in workers:
            w.join(timeout=60)
        assert sorted(set(codes)) == [401, 429], codes
        assert codes.count(429) >= 10  # 10 checks a minute per client
        assert statistics.median(probes) < 0.1, probes
        assert httpx.get(f"{url}/healthz").status_code == 200
        # The rate limit is on password checks: a signed-in browser's requests are not counted.


def _login(gate: Gate, user: str, password: str, address: str) -> int:
    """One request through the gate from ``address`` with HTTP Basic: the status it gets."""
    import base64

    import anyio

    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    scope = {
        **_scope("GET", "/api/sources"),
        "client": (address, 5000),
        "headers": [(b"authorization", f"Basic {auth}".encode())],
    }
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b""}

    async def send(message: dict) -> None:
        sent.append(message)

    anyio.run(gate, scope, receive, send)
    return sent[0]["status"]


def _gate(per_address: int, per_user: int) -> Gate:
    async def ok(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    users = {"ana": bcrypt.hashpw(b"right", bcrypt.gensalt(rounds=4))}
    return Gate(ok, users, "", "", login_per_minute=per_address, user_per_minute=per_user)


def test_others_cannot_lock_a_user_out() -> None:
    """Issue 24: ten bad passwords for a user from ten addresses, then that user's right
    password from another address: signed in, not 429."""
    gate = _gate(per_address=10, per_user=60)
    codes = [_login(gate, "ana", "wrong", f"10.0.0.{i}") for i in range(10)]
    assert codes == [401] * 10
    assert _login(gate, "ana", "right", "10.9.9.9") == 200
    # One address is still held to its own limit, whatever names it tries.
    codes = [_login(gate, f"user{i}", "wrong", "10.0.0.77") for i in range(11)]
    assert codes == [401] * 10 + [429]


def test_a_spread_out_guesser_is_still_slowed() -> None:
    """Many addresses guessing one user's password: past the per-user limit each further
    guess gets 429, from any new address; where the user signed in before still works."""
    gate = _gate(per_address=10, per_user=20)
    assert _login(gate, "ana", "right", "10.1.1.1") == 200  # the user, at their desk
    codes = [_login(gate, "ana", "wrong", f"10.2.0.{i}") for i in range(30)]
    assert codes == [401] * 19 + [429] * 11  # 20 a minute from everywhere, the first was ana's
    assert _login(gate, "ana", "wrong", "10.3.0.1") == 429  # a new address waits too
    gate._good.clear()  # checked passwords are remembered; forget them (as a restart would)
    assert _login(gate, "ana", "right", "10.1.1.1") == 200  # not locked out where she works
    gate._good.clear()
    assert _login(gate, "ana", "right", "10.3.0.2") == 429  # elsewhere she waits like anyone
