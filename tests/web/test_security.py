"""The middlewares on real servers: API token, rate limit, frame-ancestors, login, root_path."""

from __future__ import annotations

import bcrypt
import httpx
from openai import AuthenticationError, OpenAI

from app.http.limits import MARKED_PER_MINUTE

QUESTION = "Where does R4V post its monitoring data?"


def test_api_token_required_on_every_route_without_a_login(serve_real) -> None:
    with serve_real(api_token="s3cret", rate_limit_per_minute=0) as url:
        r = httpx.get(f"{url}/v1/models")
        assert r.status_code == 401
        assert "Bearer" in r.json()["error"]["message"]
        wrong = httpx.post(
            f"{url}/api/ask", json={"question": QUESTION}, headers={"Authorization": "Bearer no"}
        )
        assert wrong.status_code == 401
        ok = httpx.get(f"{url}/api/sources", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200
        # No login to let browsers in: the page and Gradio's API are behind the token too.
        page = httpx.get(f"{url}/")
        assert page.status_code == 401 and "users_file" in page.json()["error"]["message"]
        call = httpx.post(f"{url}/gradio_api/call/ask", json={"data": [QUESTION, [], None, False]})
        assert call.status_code == 401
        auth = {"Authorization": "Bearer s3cret"}
        assert httpx.get(f"{url}/", headers=auth).status_code == 200
        event = httpx.post(
            f"{url}/gradio_api/call/ask", json={"data": [QUESTION, [], None, False]}, headers=auth
        )
        assert event.status_code == 200, event.text
        result = f"{url}/gradio_api/call/ask/{event.json()['event_id']}"
        assert httpx.get(result).status_code == 401
        assert "R4V.info" in httpx.get(result, headers=auth, timeout=120).text
        assert httpx.get(f"{url}/healthz", timeout=120).status_code == 200
        try:
            OpenAI(base_url=f"{url}/v1", api_key="wrong").models.list()
            raise AssertionError("the wrong key was accepted")
        except AuthenticationError:
            pass
        models = OpenAI(base_url=f"{url}/v1", api_key="s3cret").models.list()
        assert [m.id for m in models] == ["ruta"]


def test_rate_limit_answers_429_with_retry_after(serve_real) -> None:
    with serve_real(rate_limit_per_minute=3) as url:
        codes = [httpx.get(f"{url}/v1/models").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        r = httpx.get(f"{url}/v1/models")
        assert r.status_code == 429
        assert int(r.headers["retry-after"]) >= 1
        assert r.json()["error"]["type"] == "rate_limited"
        assert r.headers["content-security-policy"] == "frame-ancestors 'self'"
        assert httpx.get(f"{url}/").status_code == 200  # the page is not rate limited
        assert "detail" not in r.json()  # the API's errors are in English only


def test_the_pages_requests_are_refused_in_the_pages_language(serve_real) -> None:
    """Gradio's client shows a refused request's ``detail``: the page's JS keeps the page's
    language in a cookie, so the rate limit is said in it (English without one), once past
    the requests to Gradio's queue let through marked."""
    join = "/gradio_api/queue/join"
    with serve_real(rate_limit_per_minute=1) as url, httpx.Client(timeout=30) as c:
        c.post(f"{url}{join}", json={})
        for _ in range(MARKED_PER_MINUTE):  # let through, marked: an empty body is no event
            assert c.post(f"{url}{join}", json={}).status_code == 422
        for lang, words in (
            ("es", "Ha preguntado mucho en poco tiempo; vuelva a preguntar en "),
            ("fr", "Vous avez beaucoup demandé en peu de temps ; reposez la question dans "),
            ("xx", "You have asked a lot in a short time; ask again in "),
        ):
            r = c.post(f"{url}{join}", json={}, headers={"cookie": f"ruta-lang={lang}"})
            assert r.status_code == 429, r.text
            assert r.json()["detail"].startswith(words), r.json()
            assert r.json()["error"]["type"] == r.json()["error"]["code"] == "rate_limited"
            assert r.json()["detail"].endswith(f"{r.headers['retry-after']} s.")


def test_gradio_ask_over_the_limit_is_its_error_then_429(serve_real) -> None:
    """Over the limit, Gradio's ``ask`` (how gradio_client asks) is refused by the handler,
    with the limit's message as its error and no answer computed; past MARKED_PER_MINUTE
    such requests a minute, 429 at the door."""
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    with serve_real(rate_limit_per_minute=1) as url:
        client = Client(f"{url}/", verbose=False)
        assert client.predict(QUESTION, api_name="/ask")["citations"]
        try:
            client.predict(QUESTION, api_name="/ask")
            raise AssertionError("a question over the limit was answered")
        except AppError as exc:
            assert "rate limit of 1 requests per minute exceeded; retry in" in str(exc)
        with httpx.Client(timeout=30) as c:
            for _ in range(MARKED_PER_MINUTE - 1):
                assert c.post(f"{url}/gradio_api/queue/join", json={}).status_code == 422
            r = c.post(f"{url}/gradio_api/queue/join", json={})
            assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1


def test_frame_ancestors_setting_reaches_every_response(serve_real) -> None:
    allowed = "'self' https://portal.example.org"
    with serve_real(frame_ancestors=allowed, rate_limit_per_minute=0) as url:
        for path in ("/", "/healthz", "/v1/models", "/config"):
            r = httpx.get(f"{url}{path}", timeout=120)
            assert r.headers["content-security-policy"] == f"frame-ancestors {allowed}", path


def test_basic_login_from_users_file(serve_real, tmp_path) -> None:
    hashed = bcrypt.hashpw(b"pa:ss word", bcrypt.gensalt(rounds=4)).decode()
    users = tmp_path / "users.txt"
    users.write_text(f"# Ruta users\nana:{hashed}\n", encoding="utf-8")
    with serve_real(users_file=str(users), rate_limit_per_minute=0) as url:
        r = httpx.get(f"{url}/")
        assert r.status_code == 401
        assert r.headers["www-authenticate"].startswith("Basic")
        assert httpx.get(f"{url}/", auth=("ana", "wrong")).status_code == 401
        assert httpx.get(f"{url}/", auth=("bob", "pa:ss word")).status_code == 401
        assert httpx.get(f"{url}/", auth=("ana", "pa:ss word")).status_code == 200
        api = httpx.get(f"{url}/api/sources", auth=("ana", "pa:ss word"))
        assert api.status_code == 200
        assert httpx.get(f"{url}/healthz", timeout=120).status_code == 200  # open for probes


def test_trusted_user_header(serve_real) -> None:
    with serve_real(trust_user_header="X-Forwarded-User", rate_limit_per_minute=0) as url:
        r = httpx.get(f"{url}/")
        assert r.status_code == 401
        assert "X-Forwarded-User" in r.json()["error"]["message"]
        assert httpx.get(f"{url}/", headers={"X-Forwarded-User": "ana"}).status_code == 200


def test_root_path_behind_a_prefix_stripping_proxy(serve_real) -> None:
    # The proxy maps https://host/ruta/... to http://127.0.0.1:PORT/...; links must keep /ruta.
    with serve_real(root_path="/ruta", rate_limit_per_minute=2) as url:
        assert httpx.get(f"{url}/healthz", timeout=120).status_code == 200
        assert httpx.get(f"{url}/").status_code == 200
        config = httpx.get(f"{url}/config").json()
        assert config["title"] == "Ruta"
        assert config["root"].endswith("/ruta"), config["root"]
        codes = [httpx.get(f"{url}/v1/models").status_code for _ in range(3)]
        assert codes == [200, 200, 429]  # the API paths are still recognised as such


def test_the_marked_requests_come_back_only_when_their_minute_is_over() -> None:
    """The queue's marked requests are counted per minute, not refilled by the second: a
    burst sent slowly (a slow machine) still meets the door once the minute's are spent."""
    from app.http.limits import Windows

    windows = Windows(3)
    assert [windows.take("a", t) for t in (0.0, 5.0, 10.0)] == [0.0, 0.0, 0.0]
    assert windows.take("a", 20.0) == 40.0  # spent, and no second has brought one back
    assert windows.take("b", 20.0) == 0.0  # each client its own
    assert windows.take("a", 60.0) == 0.0  # a new minute
