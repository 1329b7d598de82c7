"""The wording of an extractive answer (app/rag/compose.py)."""

from __future__ import annotations

from app.rag.compose import subject_of


def test_a_near_miss_names_its_subject_without_the_question_word():
    """'Does EUROFRONT …?': the near miss says 'The documents discuss EUROFRONT …'."""
    passage = "EUROFRONT is a programme funded by the European Union."
    assert subject_of("Does EUROFRONT publish a budget?", passage) == "EUROFRONT"
    assert subject_of("Which EUROFRONT office pays?", passage) == "EUROFRONT"


def test_a_near_miss_names_its_subject_without_its_possessive():
    """ "Who heads UN Women's regional office?": the passage says "UN Women", not "UN Women's"."""
    passage = "The UN Women Regional Office for the Americas and the Caribbean is implementing …"
    assert subject_of("Who heads UN Women's regional office?", passage) == "UN Women"
