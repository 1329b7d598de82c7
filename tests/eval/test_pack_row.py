"""The ablation of a language-pack entry re-imports exactly the modules that read the packs."""

from __future__ import annotations

import sys

import app.rag.reader  # noqa: F401 - loaded, as in a run of the ablation
from eval import pack_row


def test_the_modules_that_read_the_packs_are_found_through_their_imports():
    found = pack_row.readers()
    assert {"app.rag.reader", "app.rag.cues", "index.lemmas", "index.lang"} <= found
    assert "index.lang.packs" not in found  # it holds what is switched off
    assert "index.types" not in found and "app.rag.model" not in found


def test_inside_a_row_the_core_is_fresh_and_after_it_as_before():
    from app.rag import cues

    before = sys.modules["app.rag.cues"]
    with pack_row.fresh_core("purpose.said"):
        import app.rag.cues as fresh

        assert fresh is not before
        assert fresh.PURPOSE_SAID.search("It aims to help.") is None
    assert sys.modules["app.rag.cues"] is before is cues
    assert cues.PURPOSE_SAID.search("It aims to help.")
