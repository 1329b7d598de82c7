"""Which query a conversation turn searches: alone, merged with the last answered question, or both."""

from __future__ import annotations

from app.rag.conversation import candidate_queries, previous_question
from app.rag.types import Message

ANSWERED = [
    Message("user", "What is the UNNM-LAC?"),
    Message("assistant", "It is the United Nations Regional Network on Migration… [1]"),
]
REFUSED = [
    Message("user", "What does the Quito Process do?"),
    Message("assistant", "The documents do not say. The closest passages are [1], [2]."),
]


def test_a_follow_up_is_merged_with_the_previous_question():
    assert candidate_queries("And which agencies co-chair it?", ANSWERED, 2000) == [
        "What is the UNNM-LAC. And which agencies co-chair it?"
    ]


def test_a_self_contained_question_is_searched_as_it_is():
    q = "Where does R4V post its monitoring data?"
    assert candidate_queries(q, ANSWERED + REFUSED, 2000) == [q]


def test_a_refused_turn_never_spoils_the_next_one():
    assert previous_question(ANSWERED + REFUSED, 2000) == "What is the UNNM-LAC?"
    assert previous_question(REFUSED, 2000) == ""
    assert candidate_queries("And who co-chairs it?", REFUSED, 2000) == ["And who co-chairs it?"]


def test_a_question_that_says_the_topic_changes_stands_alone():
    assert candidate_queries("Different topic: what does it fund in Peru?", ANSWERED, 2000) == [
        "what does it fund in Peru?"
    ]
    assert candidate_queries("ok, now something else - what is DataMIG?", ANSWERED, 2000) == [
        "what is DataMIG?"
    ]
    assert candidate_queries("Otra pregunta: ¿qué es R4V?", ANSWERED, 2000) == ["¿qué es R4V?"]


def test_when_unsure_both_queries_are_searched():
    q = "Which actors in the review involve faith-based organisations in their work?"
    assert candidate_queries(q, ANSWERED, 2000) == [q, f"What is the UNNM-LAC. {q}"]


def test_the_history_is_bounded():
    long = [Message("user", "x" * 200_000), Message("assistant", "…")]
    assert len(previous_question(long, 2000)) == 2000


def test_a_pronoun_after_a_name_of_its_own_is_searched_both_ways():
    # "it" may be the Mixed Migration Centre the question names first, or the UNNM-LAC asked
    # about before: both readings are searched and the better supported one answered
    q = "And the Mixed Migration Centre — what is it mainly trying to achieve?"
    assert candidate_queries(q, ANSWERED, 2000) == [q, f"What is the UNNM-LAC. {q}"]
    # a pronoun with no name before it leans on the conversation alone
    assert candidate_queries("And what is it mainly trying to achieve?", ANSWERED, 2000) == [
        "What is the UNNM-LAC. And what is it mainly trying to achieve?"
    ]


def test_a_spanish_follow_up_opening_with_y_after_the_question_mark_leans_on_the_last_one():
    """The question "¿Y en qué normas se apoya?" drops its subject (no pronoun): the "Y" after "¿"
    says it goes on from the last question."""
    history = [Message("user", "¿Qué es la UNNM-LAC?"), Message("assistant", "Es la Red… [1]")]
    assert candidate_queries("¿Y en qué normas se apoya?", history, 2000) == [
        "¿Qué es la UNNM-LAC. ¿Y en qué normas se apoya?"
    ]
