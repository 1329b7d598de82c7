"""LLM-judged faithfulness with the real SmolLM2 GGUF: the mechanism, not the model's wisdom."""

from __future__ import annotations

import pytest

from eval.judge import judge_records


@pytest.mark.llamacpp
def test_judge_counts_verdicts_with_a_real_model():
    pytest.importorskip("llama_cpp")
    from app.rag.llms.llamacpp import LlamaCppLLM

    llm = LlamaCppLLM(model_path="", max_tokens=4, timeout_s=120, n_threads=1)
    records = [
        {
            "answer": "R4V posts its data on R4V.info. [1]",
            "refused": False,
            "citations": [
                {"n": 1, "quote": "The data are regularly posted on the R4V website R4V.info."}
            ],
        },
        {"answer": "The documents do not say.", "refused": True, "citations": []},
    ]
    out = judge_records(records, llm)
    assert out["judge"] == "llamacpp"
    assert out["judged_claims"] + out["unclear_verdicts"] == 1
    if out["judged_claims"]:
        assert records[0]["faithfulness_llm"] in (0.0, 1.0)
