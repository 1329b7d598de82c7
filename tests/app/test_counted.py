"""What a count asked in another language counts, by meaning (app/rag/counted.py), with the
real multilingual embedder on hand-made sentences."""

from __future__ import annotations

import pytest

from app.rag.counted import NOTHING, counted_by_meaning

SENTENCES = [
    "The platform is made up by over 200 organizations in 17 countries.",
    "In 2023 the partners helped 3 million refugees and migrants.",
]


@pytest.fixture(scope="module")
def embedder(real_services):
    return real_services.sentence_embedder


@pytest.mark.parametrize(
    ("counted", "said"),
    [
        ("países", "country"),  # ¿Cuántos países …?
        ("organizações", "organization"),  # Quantas organizações …?
        ("refugiados", "refugee"),  # ¿Cuántos refugiados …?
    ],
)
def test_a_word_of_another_language_is_counted_by_the_words_that_mean_it(embedder, counted, said):
    assert said in counted_by_meaning(counted, SENTENCES, embedder)


@pytest.mark.parametrize("counted", ["entrevistas", "ciudades", "fondos"])
def test_a_count_of_a_thing_no_number_counts_is_not_there(embedder, counted):
    """ "Quantas entrevistas …?": "200 organizations", "17 countries" and "3 million refugees"
    count other things; no number here is an answer."""
    assert counted_by_meaning(counted, SENTENCES, embedder) == (NOTHING,)
