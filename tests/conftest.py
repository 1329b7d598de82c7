"""Shared real parts: the bundled embedder (loaded once) and an index of the real corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
QUESTIONS = ROOT / "tests" / "data" / "questions.jsonl"  # the project's own small set


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--ablate",
        action="append",
        default=[],
        metavar="NAME",
        help="switch a rule of app/rag/rules.py or an entry of the language packs off for the "
        "whole run: the tests that notice it fail (see the README's ablation section; an entry "
        "switched off fails its own examples in tests/index/test_lang_packs.py)",
    )


def pytest_configure(config: pytest.Config) -> None:
    names = config.getoption("--ablate")
    if names:
        from index.lang.packs import entry_names, switch_off

        # Before anything imports the answering core, which compiles the packs' entries.
        entries = set(entry_names())
        switch_off(*(n for n in names if n.split(":", 1)[-1] in entries))
        from app.rag.rules import ablated

        # Entered for the whole session, never left: the run is about this one change.
        rules = [n for n in names if n.split(":", 1)[-1] not in entries]
        config._ruta_ablation = ablated(*rules)  # type: ignore[attr-defined]
        config._ruta_ablation.__enter__()  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def settings_factory(tmp_path_factory: pytest.TempPathFactory):
    from app.settings import Settings

    def make(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "data_dir": tmp_path_factory.mktemp("data"),
            "corpus_dir": CORPUS,
        }
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]

    return make


@pytest.fixture(scope="session")
def real_services(settings_factory):
    """Services over an index of the real corpus, built once for the session."""
    from app.services import Services, ingest_corpus

    services = Services(settings_factory())
    # Sentence vectors are left to the answers (embedded on first use), as before.
    assert not ingest_corpus(services, sentences=False).failures
    return services


@pytest.fixture(scope="session")
def embedder(real_services):
    return real_services.embedder


TINY_MODEL_TEXT = (
    "Answer using the numbered sources . R4V is the Interagency Coordination Platform for "
    "Refugees and Migrants . Where does R4V post its monitoring data ? The data are posted on "
    "the R4V website R4V.info [1] [2]"
)


@pytest.fixture(scope="session")
def tiny_hf_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The smallest real Hugging Face chat model: a 2-layer Llama with random weights and a
    word-level tokenizer (citation markers included), written with save_pretrained and loaded
    back through the real loader. It says nothing sensible; it exercises loading, the chat
    template, generation and streaming for real."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-llama")
    specials = ["<unk>", "<|im_start|>", "<|im_end|>"]
    words = specials + TINY_MODEL_TEXT.split() + ["system", "user", "assistant"]
    vocab = {w: i for i, w in enumerate(dict.fromkeys(words))}
    raw = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    raw.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=raw, unk_token="<unk>", bos_token="<|im_start|>", eos_token="<|im_end|>"
    )
    tokenizer.save_pretrained(folder)  # no chat template: the backend falls back to ChatML
    config = LlamaConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=4096,
        bos_token_id=1,
        eos_token_id=2,
    )
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(folder)
    return folder
