"""Fixtures shared by the index tests: a two-document corpus with one unique fact each."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture()
def small_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "andes.md").write_text(
        "# Andean shelters\n\nThe Cucuta shelter network hosted 4,210 people in March.\n",
        encoding="utf-8",
    )
    (corpus / "caribe.txt").write_text(
        "The Kingston liaison desk opened on 3 May 2021 to register arrivals by boat.\n",
        encoding="utf-8",
    )
    return corpus
