"""answer() with a generative backend: the real SmolLM2 GGUF, citations parsed and validated."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.rag.answer import Answerer
from app.rag.citations import validate
from app.services import answer_config


def test_validate_drops_unknown_numbers_and_flags_unsupported(real_services):
    hits = real_services.retriever().search("Where does R4V post its monitoring data?", k=3)
    text = (
        "The data are regularly posted on the R4V website R4V.info [1]. "
        "Penguins govern Antarctica with an iron flipper [9]."
    )
    out, cites, unsupported = validate(text, hits)
    assert "[9]" not in out and "(unverified)" in out
    assert unsupported == 1
    assert cites[0].n == 1 and cites[0].verified and "R4V.info" in cites[0].quote


@pytest.mark.llamacpp
def test_smollm2_answer_streams_and_cites_only_real_sources(real_services):
    pytest.importorskip("llama_cpp")
    from app.rag.llms.llamacpp import LlamaCppLLM

    llm = LlamaCppLLM(model_path="", max_tokens=48, timeout_s=120, n_threads=1)
    answerer = Answerer(
        real_services.retriever(),
        replace(answer_config(real_services.settings), top_k=3),
        llm,
        real_services.multilingual_embedder,
    )
    pieces = list(answerer.stream("Where does R4V post its monitoring data?"))
    final = pieces[-1]
    assert len(pieces) > 2 and all(isinstance(p, str) for p in pieces[:-1])
    assert final.backend in ("llamacpp", "extractive")
    ids = {h.chunk.chunk_id for h in final.hits}
    assert all(c.chunk_id in ids for c in final.citations)
    assert all(0.0 <= c.support <= 1.0 for c in final.citations)


def test_unreachable_llm_falls_back_to_extractive(real_services):
    from app.rag.llms.openai_compat import OpenAICompatLLM

    llm = OpenAICompatLLM(
        base_url="http://127.0.0.1:9/v1", model="x", api_key="x", timeout_s=2, max_tokens=32
    )
    answerer = Answerer(
        real_services.retriever(),
        answer_config(real_services.settings),
        llm,
        real_services.multilingual_embedder,
    )
    a = answerer.answer("Where does R4V post its monitoring data?")
    assert a.backend == "extractive" and "R4V.info" in a.text
    assert "unavailable" in a.notice


def test_transformers_answer_cites_only_real_sources(real_services, tiny_hf_model):
    """The tiny random-weight Llama writes noise (its vocabulary holds [1] and [2]): whatever
    it writes, markers must point at retrieved passages and every sentence gets checked."""
    from app.rag.llms.transformers_local import TransformersLLM

    llm = TransformersLLM(str(tiny_hf_model), max_tokens=40, timeout_s=60)
    answerer = Answerer(
        real_services.retriever(),
        replace(answer_config(real_services.settings), top_k=2),
        llm,
        real_services.multilingual_embedder,
    )
    pieces = list(answerer.stream("Where does R4V post its monitoring data?"))
    final = pieces[-1]
    assert len(pieces) > 2 and final.backend == "transformers"
    ids = {h.chunk.chunk_id for h in final.hits}
    assert all(c.chunk_id in ids and c.n in (1, 2) for c in final.citations)
    # Its noise supports nothing: what it wrote is flagged for the reader, not passed off.
    assert "(unverified)" in final.text and "could not be verified" in final.notice
