"""The language packs: every language has every entry, every entry's examples hold, and a
fifth language is one more file."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from index.lang import detect_language
from index.lang.packs import PACK_DIR, entry_names, load_pack, packs, switch_off

ROOT = Path(__file__).resolve().parents[2]
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


def test_an_entry_switched_off_reads_as_one_no_language_has():
    """The ablation (python -m eval.ablate) empties one entry per process, before the packs load."""
    code = (
        "from index.lang.packs import packs, switch_off\n"
        "switch_off('kind.amount', 'es:stop')\n"
        "p = packs()\n"
        "assert p.pattern('kind.amount').search('How much did it cost?') is None\n"
        "assert p.pattern('kind.number').search('How many are there?')\n"
        "assert p.entry('es', 'stop').empty and 'the' in p.words('stop')\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.stdout.strip() == "ok", done.stderr


def test_switching_off_needs_a_known_entry_and_packs_not_yet_loaded():
    packs()
    with pytest.raises(RuntimeError, match="loaded already"):
        switch_off("stop")
    names = entry_names()
    assert "stop" in names and "kind.amount" in names
    assert "answer.refusal" not in names  # a template says something; it decides nothing


def test_an_entry_is_off_inside_the_block_only():
    from index.lang.packs import switched_off

    with switched_off("purpose.said"):
        assert packs().entry("en", "purpose.said").empty
        assert packs().pattern("purpose.said").search("It aims to help.") is None
    assert packs().pattern("purpose.said").search("It aims to help.")
    with pytest.raises(KeyError, match="no language pack entry"), switched_off("no.such"):
        pass
