"""The HTTP API on a real server over the real index: answers, sources, errors, OpenAI clients."""

from __future__ import annotations

import httpx
import pytest
from openai import OpenAI

R4V_QUESTION = "Where does R4V post its monitoring data?"


def test_healthz_ready(base_url: str) -> None:
    r = httpx.get(f"{base_url}/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["index"] == "ready"
    assert body["llm"] == "extractive"
    assert body["chunks"] > 10


def test_healthz_without_index_says_what_to_run(settings_factory, serve) -> None:
    with serve(settings_factory(rate_limit_per_minute=0)) as url:
        r = httpx.get(f"{url}/healthz", timeout=120)
        assert r.status_code == 503
        assert "ruta ingest" in r.json()["index"]
        ask = httpx.post(f"{url}/api/ask", json={"question": R4V_QUESTION}, timeout=60)
        assert ask.status_code == 503
        assert ask.json()["error"]["type"] == ask.json()["error"]["code"] == "index_not_ready"
        assert "ruta ingest" in ask.json()["error"]["message"]


def test_healthz_answers_at_once_while_loading(settings_factory, serve) -> None:
    """While the index loads (a cold start holds the build lock for seconds), health checks get
    an immediate 503 "loading" with Retry-After, not a request hanging until it is done."""
    from app.services import Services

    services = Services(settings_factory(rate_limit_per_minute=0))
    with serve(services.settings, services) as url:
        with services.live._lock:  # what the warm-up holds while it builds the retriever
            services.live._building = True
            r = httpx.get(f"{url}/healthz", timeout=5)
            services.live._building = False
        assert r.status_code == 503
        assert r.json()["index"] == "loading"
        assert r.headers["retry-after"] == "2"


def test_ask_cites_r4v_info(base_url: str) -> None:
    r = httpx.post(f"{base_url}/api/ask", json={"question": R4V_QUESTION}, timeout=60)
    assert r.status_code == 200, r.text
    body = r.json()
    assert not body["refused"]
    assert "[1]" in body["answer"]
    assert any("R4V.info" in c["quote"] for c in body["citations"]), body["citations"]
    assert r.headers["content-security-policy"] == "frame-ancestors 'self'"


def test_ask_says_how_the_question_was_answered(base_url: str) -> None:
    """`plan`: a question asked of each document says so, as the evaluation records it."""
    q = "What role does OCHA have in each of the two documents?"
    r = httpx.post(f"{base_url}/api/ask", json={"question": q}, timeout=60)
    assert r.status_code == 200, r.text
    assert r.json()["plan"] == "documents"


def test_ask_with_history_and_filters(base_url: str) -> None:
    body = {
        "question": "And who co-chairs it?",
        "history": [
            {"role": "user", "content": "What is the UN Regional Network on Migration for LAC?"},
            {"role": "assistant", "content": "A network of UN agencies."},
        ],
        "filters": {"kind": "nonexistent-kind"},
    }
    r = httpx.post(f"{base_url}/api/ask", json=body, timeout=60)
    assert r.status_code == 200, r.text
    assert r.json()["standalone_question"].startswith("What is the UN Regional Network")
    bad = httpx.post(f"{base_url}/api/ask", json={**body, "filters": {"colour": "x"}}, timeout=60)
    assert bad.status_code == 400
    assert "colour" in bad.json()["error"]["message"]


USAID_ES = "¿Cuánto dinero aporta USAID al Fondo de Donaciones del BID?"


def test_a_spanish_answer_says_its_framing_on_every_route(base_url: str) -> None:
    """The lead and the quotation label in the asker's language come apart from the quoted
    English evidence: ``framing`` and ``quoted`` on /api/ask, in the ``ruta`` object on /v1."""
    body = httpx.post(f"{base_url}/api/ask", json={"question": USAID_ES}, timeout=60).json()
    assert body["language"] == "es" and not body["refused"]
    lead, label = body["framing"]
    assert "$25 million [1]" in lead and label == "Cita (en inglés):"
    assert body["answer"] == "\n".join([lead, label, body["quoted"]])
    assert "USAID is providing $25 million" in body["quoted"] and "Cita" not in body["quoted"]
    client = OpenAI(base_url=f"{base_url}/v1", api_key="x")
    messages: list = [{"role": "user", "content": USAID_ES}]
    resp = client.chat.completions.create(model="ruta", messages=messages)
    ruta = (resp.model_extra or {})["ruta"]
    assert ruta == {k: body[k] for k in ("language", "refused", "framing", "quoted")}
    assert (resp.choices[0].message.content or "").startswith(body["answer"])  # content as before
    stream = client.chat.completions.create(model="ruta", messages=messages, stream=True)
    assert (list(stream)[-1].model_extra or {})["ruta"] == ruta


def test_an_english_answer_has_no_framing(base_url: str) -> None:
    body = httpx.post(f"{base_url}/api/ask", json={"question": R4V_QUESTION}, timeout=60).json()
    assert body["framing"] == [] and body["quoted"] == body["answer"]
    resp = OpenAI(base_url=f"{base_url}/v1", api_key="x").chat.completions.create(
        model="ruta", messages=[{"role": "user", "content": R4V_QUESTION}]
    )
    ruta = (resp.model_extra or {})["ruta"]
    assert ruta["language"] == "en" and ruta["framing"] == [] and ruta["quoted"] == body["answer"]


def test_sources_lists_documents(base_url: str) -> None:
    docs = httpx.get(f"{base_url}/api/sources").json()
    ids = {d["doc_id"] for d in docs}
    assert {"k4dd-donor-activity", "iecah-coordination-study"} <= ids
    assert all(d["chunks"] > 0 and d["title"] for d in docs)


@pytest.mark.parametrize(
    ("payload", "status", "words", "code"),
    [
        ({"question": "   "}, 400, "question is empty", "question_empty"),
        ({"question": "x" * 2001}, 400, "limit is 2000", "question_too_long"),
        ({"question": 42}, 400, "question", "invalid_request_error"),
        ({}, 400, "question: Field required", "invalid_request_error"),
        ({"question": "hi", "history": [{"role": "robot", "content": "x"}]}, 400, "history.0.role",
         "invalid_request_error"),
    ],
)  # fmt: skip
def test_ask_rejects_bad_questions(
    base_url: str, payload: object, status: int, words: str, code: str
) -> None:
    """The message says what is wrong (English); ``code`` names it for programs, and does not
    change with the message's words."""
    r = httpx.post(f"{base_url}/api/ask", json=payload, timeout=60)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert words in error["message"]
    assert error["type"] == "invalid_request_error" and error["code"] == code, error


def test_ask_rejects_broken_json_and_huge_bodies(base_url: str) -> None:
    r = httpx.post(
        f"{base_url}/api/ask",
        content=b'{"question": ',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 400
    assert "not valid JSON" in r.json()["error"]["message"]
    huge = httpx.post(f"{base_url}/api/ask", json={"question": "x" * 1_048_576}, timeout=60)
    assert huge.status_code == 413
    assert "byte limit" in huge.json()["error"]["message"]

    def chunked():  # no Content-Length: the limit is enforced while reading
        for _ in range(20):
            yield b"x" * 100_000

    streamed = httpx.post(f"{base_url}/api/ask", content=chunked(), timeout=60)
    assert streamed.status_code == 413


def test_openai_client_non_streaming(base_url: str) -> None:
    client = OpenAI(base_url=f"{base_url}/v1", api_key="x")
    assert [m.id for m in client.models.list()] == ["ruta"]
    resp = client.chat.completions.create(
        model="ruta", messages=[{"role": "user", "content": R4V_QUESTION}]
    )
    text = resp.choices[0].message.content or ""
    assert "R4V.info" in text
    assert "\n\nSources:\n[1] " in text
    citations = (resp.model_extra or {})["citations"]
    assert any("R4V.info" in c["quote"] for c in citations)
    assert all("spans" in c and "links" in c for c in citations)
    # usage counts words (whitespace-separated), of what was sent and of what came back
    assert resp.usage is not None
    assert resp.usage.prompt_tokens == len(R4V_QUESTION.split())
    assert resp.usage.completion_tokens == len(text.split())
    assert resp.usage.total_tokens == resp.usage.prompt_tokens + resp.usage.completion_tokens


def test_openai_client_streaming(base_url: str) -> None:
    client = OpenAI(base_url=f"{base_url}/v1", api_key="x")
    stream = client.chat.completions.create(
        model="ruta",
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": [{"type": "text", "text": R4V_QUESTION}]},
        ],
        stream=True,
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "R4V.info" in text and "Sources:" in text
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert (chunks[-1].model_extra or {})["citations"]
    usage = chunks[-1].usage
    assert usage is not None and usage.prompt_tokens == len(f"Be brief. {R4V_QUESTION}".split())
    assert usage.completion_tokens == len(text.split())


def test_openai_stream_sends_each_sentence_as_it_is_made(base_url: str) -> None:
    """An extractive answer of several sentences arrives one sentence per chunk, not at once."""
    question = "What are the priorities of the UNNM-LAC Work Plan 2023-2024?"  # a list
    answer = httpx.post(f"{base_url}/api/ask", json={"question": question}, timeout=60).json()
    client = OpenAI(base_url=f"{base_url}/v1", api_key="x")
    stream = client.chat.completions.create(
        model="ruta", messages=[{"role": "user", "content": question}], stream=True
    )
    pieces = [
        c.choices[0].delta.content for c in stream if c.choices and c.choices[0].delta.content
    ]
    body = [p for p in pieces if "Sources:" not in p]
    assert "".join(body).strip() == answer["answer"]
    assert len(body) == answer["answer"].count("]") >= 3  # one piece per cited sentence
    assert all(p.rstrip().endswith("]") for p in body), body


def test_openai_errors_are_json(base_url: str) -> None:
    r = httpx.post(
        f"{base_url}/v1/chat/completions",
        json={"model": "ruta", "messages": [{"role": "assistant", "content": "hi"}]},
    )
    assert r.status_code == 400
    assert "must end with a 'user' message" in r.json()["error"]["message"]
    empty = httpx.post(
        f"{base_url}/v1/chat/completions",
        json={"messages": [{"role": "user", "content": ""}], "stream": True},
    )
    assert empty.status_code == 400
    assert "question is empty" in empty.json()["error"]["message"]


def test_unknown_endpoints_get_a_json_error(base_url: str) -> None:
    for method, path in (("GET", "/api/nope"), ("POST", "/v1/embeddings")):
        r = httpx.request(method, f"{base_url}{path}", timeout=30)
        assert r.status_code == 404, (path, r.text)
        error = r.json()["error"]
        assert error["type"] == "not_found" and "POST /api/ask" in error["message"]
    # A known path with the wrong method is a wrong method, not a missing endpoint.
    for method, path, allowed in (("GET", "/api/ask", "POST"), ("POST", "/v1/models", "GET, HEAD")):
        r = httpx.request(method, f"{base_url}{path}", timeout=30)
        assert r.status_code == 405, (path, r.text)
        assert r.headers["allow"] == allowed and allowed in r.json()["error"]["message"]
    assert httpx.get(f"{base_url}/v1/models", timeout=30).status_code == 200


REDLAC = "What is REDLAC?"  # answered from the IECAH study when no document is chosen
K4DD = "k4dd-donor-activity"


def test_filters_limit_citations_to_the_chosen_document_on_every_route(base_url: str) -> None:
    ask = f"{base_url}/api/ask"
    free = httpx.post(ask, json={"question": REDLAC}, timeout=60).json()
    assert free["citations"][0]["doc_id"] == "iecah-coordination-study"
    for filters in ({"doc_id": K4DD}, {"doc_id": [K4DD]}):
        body = httpx.post(ask, json={"question": REDLAC, "filters": filters}, timeout=60).json()
        assert body["citations"] and {c["doc_id"] for c in body["citations"]} == {K4DD}
    both = {"doc_id": [K4DD, "iecah-coordination-study"]}
    body = httpx.post(ask, json={"question": REDLAC, "filters": both}, timeout=60).json()
    assert body["citations"][0]["doc_id"] == "iecah-coordination-study"

    client = OpenAI(base_url=f"{base_url}/v1", api_key="x")
    resp = client.chat.completions.create(
        model="ruta",
        messages=[{"role": "user", "content": REDLAC}],
        extra_body={"filters": {"doc_id": K4DD}},
    )
    cites = (resp.model_extra or {})["citations"]
    assert cites and {c["doc_id"] for c in cites} == {K4DD}

    from gradio_client import Client

    gradio = Client(base_url, verbose=False)
    body = gradio.predict(question=REDLAC, filters={"doc_id": K4DD}, api_name="/ask")
    assert body["citations"] and {c["doc_id"] for c in body["citations"]} == {K4DD}
    with pytest.raises(Exception, match="unknown document 'nope'.*k4dd-donor-activity"):
        gradio.predict(question=REDLAC, filters={"doc_id": "nope"}, api_name="/ask")


def test_an_unknown_document_is_a_400_naming_the_known_ones(base_url: str) -> None:
    messages = [{"role": "user", "content": REDLAC}]
    for path, body in (
        ("/api/ask", {"question": REDLAC, "filters": {"doc_id": ["nope", K4DD]}}),
        ("/v1/chat/completions", {"messages": messages, "filters": {"doc_id": "nope"}}),
        ("/v1/chat/completions", {"messages": messages, "filters": {"doc_id": "nope"}, "stream": True}),
    ):  # fmt: skip
        r = httpx.post(f"{base_url}{path}", json=body, timeout=60)
        assert r.status_code == 400, (path, r.text)
        message = r.json()["error"]["message"]
        assert r.json()["error"]["code"] == "unknown_document", (path, r.text)
        assert "unknown document 'nope'" in message
        assert "iecah-coordination-study, k4dd-donor-activity" in message


def test_suggestions_only_when_asked_and_each_answered(base_url: str) -> None:
    ask = f"{base_url}/api/ask"
    plain = httpx.post(ask, json={"question": R4V_QUESTION}, timeout=60).json()
    assert plain["suggestions"] == [] and "suggestions" not in plain["timings_ms"]
    body = httpx.post(ask, json={"question": R4V_QUESTION, "suggest": True}, timeout=120).json()
    assert body["answer"] == plain["answer"]
    assert 1 <= len(body["suggestions"]) <= 3 and body["timings_ms"]["suggestions"] >= 0
    for question in body["suggestions"]:
        follow = httpx.post(ask, json={"question": question}, timeout=60).json()
        assert not follow["refused"], question


def test_openapi_lists_the_api_with_its_models(base_url: str) -> None:
    spec = httpx.get(f"{base_url}/openapi.json", timeout=30).json()
    assert {"/api/ask", "/api/sources", "/v1/chat/completions", "/v1/models"} <= set(spec["paths"])

    def ref(schema: dict) -> str:
        return schema["$ref"].rsplit("/", 1)[-1]

    def body_and_reply(path: str) -> tuple[str, str]:
        op = spec["paths"][path]["post"]
        request = op["requestBody"]["content"]["application/json"]["schema"]
        reply = op["responses"]["200"]["content"]["application/json"]["schema"]
        return ref(request), ref(reply)

    assert body_and_reply("/api/ask") == ("AskRequest", "AskResponse")
    assert body_and_reply("/v1/chat/completions") == ("ChatRequest", "ChatCompletion")
    schemas = spec["components"]["schemas"]
    answer = schemas["AskResponse"]["properties"]
    assert {"question", "standalone_question", "timings_ms", "suggestions", "citations"} <= set(
        answer
    )
    assert {"framing", "quoted"} <= set(answer)
    assert {"framing", "quoted"} <= set(schemas["RutaExtension"]["properties"])
    assert "ruta" in schemas["ChatCompletion"]["properties"]
    assert {"filters", "suggest"} <= set(schemas["AskRequest"]["properties"])
    assert "filters" in schemas["ChatRequest"]["properties"]
    sources = spec["paths"]["/api/sources"]["get"]["responses"]["200"]["content"]
    assert ref(sources["application/json"]["schema"]["items"]) == "Source"
    assert httpx.get(f"{base_url}/api/openapi.json", timeout=30).json()["paths"] == spec["paths"]


def test_head_where_get_works(base_url: str) -> None:
    for path in ("/healthz", "/api/sources", "/v1/models"):
        got = httpx.get(f"{base_url}{path}", timeout=60)
        head = httpx.head(f"{base_url}{path}", timeout=60)
        assert head.status_code == got.status_code == 200, (path, head.text)
        assert head.content == b"" and head.headers["content-type"] == got.headers["content-type"]


def _one_shape(r: httpx.Response, status: int, kind: str) -> dict:
    assert r.status_code == status, (r.request.method, r.request.url, r.text[:300])
    assert r.headers["content-type"].startswith("application/json"), r.headers
    error = r.json()["error"]
    assert set(error) == {"message", "type", "code"} and error["type"] == kind, error
    assert error["message"], error
    return error


def test_wrong_methods_get_405_in_the_one_shape_on_every_route(base_url: str) -> None:
    """POST /healthz used to reach the page's mount and come back 404 in Gradio's shape."""
    for method, path, allowed in (
        ("POST", "/healthz", "GET, HEAD"),
        ("DELETE", "/healthz", "GET, HEAD"),
        ("PUT", "/api/sources", "GET, HEAD"),
        ("POST", "/v1/models", "GET, HEAD"),
        ("GET", "/api/ask", "POST"),
        ("GET", "/v1/chat/completions", "POST"),
        ("POST", "/gradio.js", "GET, HEAD"),
    ):
        r = httpx.request(method, f"{base_url}{path}", timeout=30)
        error = _one_shape(r, 405, "method_not_allowed")
        assert r.headers["allow"] == allowed and path in error["message"], (path, error)


def test_every_error_is_in_the_one_json_shape(base_url: str) -> None:
    """404s from the page's mount (Gradio's own routes) come in Ruta's shape too; Gradio's
    'detail' stays beside it for Gradio's client."""
    for method, path in (
        ("GET", "/no/such/page"),
        ("GET", "/gradio_api/no-such-route"),
        ("POST", "/gradio_api/no-such-route"),
        ("GET", "/api/nope"),
        ("HEAD", "/api/nope"),
    ):
        r = httpx.request(method, f"{base_url}{path}", timeout=30)
        assert r.status_code == 404, (path, r.text[:200])
        if method != "HEAD":
            _one_shape(r, 404, "not_found")
    r = httpx.post(
        f"{base_url}/gradio_api/queue/join",
        content=b"{not json",
        headers={"content-type": "application/json"},
        timeout=30,
    )
    assert 400 <= r.status_code < 500 and r.json()["error"]["message"], r.text[:300]


def test_a_kept_answer_needs_no_slot(real_services, settings_factory) -> None:
    """A question asked again is answered from memory while every answer slot is taken; a new
    one waits for a slot, and is told to come back when none frees in time. A server shutting
    down refuses both."""
    import asyncio

    from app.http.server import create_app

    settings = settings_factory(
        data_dir=real_services.settings.data_dir,
        rate_limit_per_minute=0,
        answer_slots=1,
        answer_slots_per_client=1,
        answer_queue_wait_s=0.2,
    )
    app = create_app(settings, real_services)
    pool = app.state.answer_pool

    async def ask_four() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://ruta") as client:
            first = await client.post("/api/ask", json={"question": R4V_QUESTION}, timeout=60)
            await pool.acquire("another client")  # every slot taken from here on
            try:
                again = await client.post("/api/ask", json={"question": R4V_QUESTION})
                new = await client.post("/api/ask", json={"question": "What is R4V?"})
            finally:
                pool.release("another client")
            pool.close(0)  # shutting down: kept answers are refused too
            closing = await client.post("/api/ask", json={"question": R4V_QUESTION})
        return [first, again, new, closing]

    first, again, new, closing = asyncio.run(ask_four())
    assert first.status_code == 200, first.text
    assert "retrieval" in first.json()["timings_ms"]
    assert again.status_code == 200, again.text
    assert set(again.json()["timings_ms"]) == {"cached"}
    assert again.json()["answer"] == first.json()["answer"]
    assert new.status_code == 503 and new.json()["error"]["type"] == "server_busy"
    assert closing.status_code == 503 and "shutting down" in closing.json()["error"]["message"]
