"""Passages that refer back get the name they refer to (index/referents.py)."""

from __future__ import annotations

from index.referents import referent, sentence_referent
from index.retrieve import index_text, index_texts
from ingest.types import Chunk


def chunk(n: int, text: str, section: str = "") -> Chunk:
    return Chunk(f"d#{n:04d}", "d", "Doc", text, 0, len(text), section=section, publisher="Pub")


SUB = "2. Bodies > The Harbour Pilots Council (HPC)"


def test_a_noun_takes_the_sub_heading_that_holds_it():
    c = chunk(3, "At the national level, the Council is the oldest body of its kind.", SUB)
    assert referent(c) == "The Harbour Pilots Council (HPC)"
    assert "(The Harbour Pilots Council (HPC)) At the national level" in index_text(c)


def test_a_pronoun_takes_the_sub_heading_or_the_chunk_before():
    assert referent(chunk(3, "It trains pilots every year.", SUB)) == SUB.split(" > ")[1]
    before = chunk(2, "The Blue Water Programme started in 2020. Pilots joined.", "3. Programmes")
    after = chunk(3, "They also run a school.", "3. Programmes")
    assert referent(after, before) == "Blue Water Programme"
    assert index_texts([before, after])[1].startswith("Pub - 3. Programmes\n(Blue Water Programme)")


def test_the_noun_from_the_chunk_before():
    before = chunk(2, "Ports signed the Coastal Safety Strategy 2030 last year.")
    after = chunk(3, "The Strategy is built around four pillars.")
    assert referent(after, before) == "Coastal Safety Strategy 2030"


def test_nothing_added_when_the_passage_names_it_or_names_itself():
    assert (
        referent(chunk(3, "The HPC has 40 members. The Harbour Pilots Council (HPC) meets.", SUB))
        == ""
    )
    # a noun phrase with its own qualifier names what it is about
    assert referent(chunk(3, "The Council for Ports in Chile is new.", SUB)) == ""
    assert referent(chunk(3, "The following ports are open.", SUB)) == ""
    assert referent(chunk(3, "Ports are open.", SUB)) == ""


def test_a_noun_before_any_verb_in_s_takes_the_sub_heading():
    """'The Council includes …': the verb is no listed one ('is', 'has' …) but has its form."""
    c = chunk(3, "The Council includes twelve port authorities.", SUB)
    assert referent(c) == "The Harbour Pilots Council (HPC)"


def test_it_is_may_be_about_nothing_named_before():
    """'It aims to …' after a sentence that opens with a name is about that name; 'It is …'
    may be about nothing ('It is important to note …'), and gets no name in front of it."""
    before = "The Blue Water Programme trains pilots."
    assert sentence_referent("It aims to train 40 pilots.", before, "") == "Blue Water Programme"
    assert sentence_referent("It is important to note that fees rose.", before, "") == ""
