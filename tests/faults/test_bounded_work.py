"""Every request does bounded work: a huge history, a huge input to the embedders and an answer
past its time budget, on the real index and a real server; and what /healthz says."""

from __future__ import annotations

import httpx
import pytest

from app.rag.conversation import bound_history
from app.rag.types import Message
from app.services import Services
from index.embed import E5_MAX_TOKENS, E5Embedder

QUESTION = "Where does R4V post its monitoring data?"
# 200 KB of plausible text in one earlier turn: the follow-up "and it?" leans on it.
HUGE = ("The platform coordinates the response for refugees and migrants in the region. " * 2600)[
    :200_000
]


@pytest.fixture(scope="module")
def real_url(real_services, settings_factory, serve):
    settings = settings_factory(data_dir=real_services.settings.data_dir, rate_limit_per_minute=0)
    with serve(settings, real_services) as url:
        assert httpx.get(f"{url}/healthz", timeout=120).status_code == 200
        yield url


def test_history_is_capped_to_the_last_turns_each_cut_to_the_question_limit() -> None:
    history = [Message("user", f"q{i} " + "x" * 5000) for i in range(50)]
    kept = bound_history([Message("system", "s"), *history], 6, 2000)
    assert [m.content[:4] for m in kept] == [f"q{i} " for i in range(44, 50)]
    assert all(len(m.content) == 2000 for m in kept)
    assert bound_history(history, 0, 2000) == []


def test_the_multilingual_embedder_reads_at_most_its_maximum_tokens() -> None:
    e5 = E5Embedder()
    fitted = e5.fit(HUGE, query=True)
    assert e5._model.token_count(fitted, True) <= E5_MAX_TOKENS
    assert e5._model.token_count(HUGE[: len(fitted) + 40], True) > E5_MAX_TOKENS  # not cut short
    assert e5.fit("short text", query=False) == "short text"
    # Cut or not, the vector is the one of what the model reads.
    assert (e5.queries([HUGE]) == e5.queries([fitted])).all()


def test_a_200_kb_history_is_answered_within_the_time_budget(real_url: str) -> None:
    """The issue's reproduction: before, 38 s for 20 KB and ~8 min of a core for 200 KB."""
    history = [{"role": "user", "content": HUGE}, {"role": "assistant", "content": "R4V. [1]"}]
    r = httpx.post(
        f"{real_url}/api/ask",
        json={"question": "and it?", "history": history},
        timeout=120,
    )
    # A 504 would be an answer stopped at the (default, 60 s) budget.
    assert r.status_code == 200, r.text
    assert len(r.json()["standalone_question"]) <= 2000 + len(" and it?")

    messages = [
        {"role": "user", "content": HUGE},
        {"role": "assistant", "content": HUGE},
        {"role": "user", "content": "and it?"},
    ]
    v1 = httpx.post(f"{real_url}/v1/chat/completions", json={"messages": messages}, timeout=120)
    assert v1.status_code == 200, v1.text


def test_an_answer_past_its_budget_is_stopped(real_services, settings_factory, serve) -> None:
    settings = settings_factory(
        data_dir=real_services.settings.data_dir,
        rate_limit_per_minute=0,
        request_timeout_s=1e-6,
    )
    with serve(settings, real_services) as url:
        r = httpx.post(f"{url}/api/ask", json={"question": QUESTION}, timeout=120)
        assert r.status_code == 504
        assert r.json()["error"]["type"] == "timeout"
        assert "RUTA_REQUEST_TIMEOUT_S" in r.json()["error"]["message"]


def test_healthz_reports_an_unreachable_llm_as_degraded(
    real_services, settings_factory, serve, port
) -> None:
    settings = settings_factory(
        data_dir=real_services.settings.data_dir,
        llm="openai",
        openai_base_url=f"http://127.0.0.1:{port}/v1",  # nothing listens there
    )
    with serve(settings, Services(settings)) as url:
        r = httpx.get(f"{url}/healthz", timeout=120)
        assert r.status_code == 200  # answers fall back to extractive ones
        assert r.json()["llm"] == "unreachable" and r.json()["index"] == "ready"


def test_healthz_errors_carry_no_absolute_paths(small_settings, tmp_path, serve) -> None:
    settings = small_settings(data_dir=tmp_path / "nowhere" / "data")
    with serve(settings) as url:
        r = httpx.get(f"{url}/healthz", timeout=120)
        assert r.status_code == 503
        assert str(tmp_path) not in r.text, r.text
        ask = httpx.post(f"{url}/api/ask", json={"question": QUESTION}, timeout=60)
        assert ask.status_code == 503 and str(tmp_path) not in ask.text, ask.text
