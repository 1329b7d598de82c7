"""Shared real parts: the bundled embedder (loaded once) and an index of the real corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
DEV_SET = ROOT.parent / "shared" / "evalsets" / "dev.jsonl"


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
    from app.services import Services
    from index.build import build_index
    from ingest.pipeline import load_corpus

    settings = settings_factory()
    services = Services(settings)
    docs, failures = load_corpus(settings.corpus_dir)
    assert not failures
    build_index(docs, services.stores(), settings.data_dir, progress=False)
    return services


@pytest.fixture(scope="session")
def embedder(real_services):
    return real_services.embedder
