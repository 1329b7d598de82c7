"""The numbers of a sentence and the words after them (app/rag/counted.py), on hand-made
sentences."""

from __future__ import annotations

from app.rag.counted import numbers_and_after


def test_each_number_comes_with_the_three_words_after_it():
    sentence = "The platform is made up by over 200 organizations (including NGOs) in 17 countries."
    got = [(m.group(), after) for m, after in numbers_and_after(sentence)]
    assert got == [("200", ["organizations", "including", "NGOs"]), ("17", ["countries"])]


def test_a_number_in_words_counts_too():
    got = [(m.group(), after) for m, after in numbers_and_after("It has seven priority axes.")]
    assert got == [("seven", ["priority", "axes"])]
