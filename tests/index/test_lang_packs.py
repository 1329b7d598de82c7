"""The language packs: every language has every entry, every entry's examples hold, and a
fifth language is one more file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.lang import detect_language
from index.lang.packs import PACK_DIR, load_pack, packs

PACKS = packs().packs
ENTRIES = [(p.code, e) for p in PACKS for e in p.entries.values()]


def test_every_language_has_every_entry():
    names = {p.code: set(p.entries) for p in PACKS}
    every = set().union(*names.values())
    assert {code: sorted(every - have) for code, have in names.items() if every - have} == {}


@pytest.mark.parametrize(("code", "entry"), ENTRIES, ids=[f"{c}:{e.name}" for c, e in ENTRIES])
def test_entry_examples(code, entry):
    """An entry with content says where it applies and where not; each example holds."""
    if entry.empty:
        assert not entry.match and not entry.no_match
        return
    assert entry.match, f"{code}.toml: {entry.name} needs examples it must match"
    assert entry.no_match, f"{code}.toml: {entry.name} needs examples it must not match"
    assert [m for m in entry.match if not entry.finds(m)] == []
    assert [m for m in entry.no_match if entry.finds(m)] == []


def test_packs_are_loaded_once():
    assert packs() is packs()
    assert packs().codes[0] == "en"  # the documents' language leads the combined patterns


def test_combined_lookups_take_every_language():
    assert {"how many", "cuántos", "quantos", "combien de"} <= set(
        packs().words("question.counted")
    )
    kind = packs().pattern("kind.number")
    assert all(kind.search(q) for q in ("How many?", "¿Cuántas?", "Quantos?", "Combien de?"))
    assert packs().text("answer.refusal", "xx") == packs().text("answer.refusal", "en")


def test_a_fifth_language_is_one_more_file(tmp_path: Path):
    for f in PACK_DIR.glob("*.toml"):
        shutil.copy(f, tmp_path)
    it = (PACK_DIR / "es.toml").read_text(encoding="utf-8")
    it = it.replace('code = "es"', 'code = "it"').replace('name = "Spanish"', 'name = "Italian"')
    it = it.replace("order = 1", "order = 4")
    (tmp_path / "it.toml").write_text(it, encoding="utf-8")
    loaded = packs(tmp_path)
    assert loaded.codes == ("en", "es", "pt", "fr", "it")
    assert load_pack(tmp_path / "it.toml").name == "Italian"


def test_language_guess_reads_the_packs():
    assert detect_language("¿Qué agencias lideran la plataforma?") == "es"
    assert detect_language("Quais organizações participam?") == "pt"
    assert detect_language("Qu'est-ce que la plateforme R4V ?") == "fr"
    assert detect_language("Which agencies co-lead the platform?") == "en"
