"""Answer spans by shape: amounts, counts, dates, places and names, minus what the question says."""

from __future__ import annotations

from app.rag.spans import (
    find_spans,
    is_place,
    located,
    marked_spans,
    new_spans,
    one_run,
    span_groups,
)
from index.lemmas import root, terms

S = "At the macro level, the Platform is co-led by UNHCR and IOM in 17 countries."


def _texts(text, spans):
    return [text[a:b] for a, b in spans]


def test_names_not_in_the_question_are_the_answer():
    spans = new_spans(S, "actor", terms("Which agencies co-lead the platform?"))
    assert _texts(S, spans) == ["UNHCR", "IOM"]
    assert _texts(S, span_groups(S, spans)) == ["UNHCR and IOM"]


def test_a_run_of_names_is_marked_whole():
    """Beside the question's predicate ('programme … in'), or as the first group: the run of
    names, not its first ('Panama'), with 'and the' inside it ('INTERPOL and the UNODC')."""
    t = "The Office runs a humanitarian programme in Panama, Costa Rica and Honduras."
    spans = find_spans(t, "country")
    marks, beside = marked_spans(t, spans, set(), {root("programme")})
    assert _texts(t, marks) == ["Panama, Costa Rica and Honduras"] and beside
    t = "Under the project, INTERPOL and the UNODC will streamline efforts."
    spans = new_spans(t, "actor", terms("Which two organisations join forces?"))
    assert _texts(t, marked_spans(t, spans, set(), set())[0]) == ["INTERPOL and the UNODC"]


def test_a_count_must_count_what_was_asked():
    assert _texts(S, new_spans(S, "number", [], ("country",))) == ["17"]
    assert new_spans(S, "number", [], ("office",)) == []
    # in another language, by the count class its pack puts the noun in ("países", "pays")
    t = "It gathers over 200 organisations of civil society and the UN, in 17 countries."
    for counted in terms("¿En cuántos países?", "es")[-1:] + terms("combien de pays", "fr")[-1:]:
        assert _texts(t, new_spans(t, "number", [], (counted,))) == ["17"], counted


def test_amounts_dates_and_countries():
    t = "USAID is providing $25 million from July 16, 2024 to 2026 in Peru and the Caribbean."
    assert _texts(t, find_spans(t, "amount")) == ["$25 million"]
    assert "July 16, 2024" in _texts(t, find_spans(t, "date"))
    assert _texts(t, find_spans(t, "country")) == ["Peru"]
    assert set(_texts(t, find_spans(t, "place"))) == {"Peru", "Caribbean"}


def test_an_amount_said_in_words_is_an_amount_but_a_vague_count_of_people_is_none():
    t = "With organized crime groups earning billions of dollars, the region is a territory."
    assert _texts(t, find_spans(t, "amount")) == ["billions of dollars"]
    t = "It gave 5 million euros and helped millions of refugees."
    assert _texts(t, find_spans(t, "amount")) == ["5 million euros"]


def test_a_year_is_no_count():
    assert find_spans("The Work Plan 2023-2024 was agreed.", "number") == []
    t = "Presented on July 16, 2024, with more than 400 people."
    assert _texts(t, find_spans(t, "number")) == ["400"]  # the day of a date is no count


def test_a_name_spelled_out_for_the_questions_acronym_is_the_subject_not_an_answer():
    t = "The Interagency Coordination Platform for Refugees and Migrants (R4V) includes UNHCR."
    spans = new_spans(t, "actor", terms("Which agencies take part in R4V?"))
    assert _texts(t, spans) == ["UNHCR"]


def test_when_asks_for_a_moment_not_a_duration():
    t = "It is a two-and-a-half-year initiative launched in March 2023."
    assert _texts(t, find_spans(t, "moment")) == ["March 2023"]
    assert "two-and-a-half-year" in _texts(t, find_spans(t, "date"))


def test_a_city_is_a_short_name_after_in_or_at():
    t = "The report was presented in Quito by the Regional Risk Group in Colombia."
    assert _texts(t, find_spans(t, "city")) == ["Quito"]


def test_regions_and_countries_in_passing_are_no_actors():
    t = "The Centre operates in Colombia and Latin America, funded by Canada and the IDB."
    assert _texts(t, find_spans(t, "actor")) == ["Centre", "Canada and the IDB"]


def test_a_month_is_no_actor():
    t = "The study, presented on July 16, 2024, was carried out by IECAH from February to July."
    assert _texts(t, find_spans(t, "actor")) == ["IECAH"]


def test_a_capitalised_common_word_after_an_article_is_no_name():
    t = "It carries out a Mapping of the mechanisms with UNHCR."
    assert _texts(t, find_spans(t, "actor")) == ["UNHCR"]


def test_an_acronym_of_the_questions_own_name_is_no_answer():
    t = "MMC's partner UNHCR collects data."
    spans = new_spans(t, "actor", terms("Who works with the Mixed Migration Centre?"))
    assert _texts(t, spans) == ["UNHCR"]


def test_names_spell_their_acronyms():
    from app.rag.termstats import spelled_acronyms

    got = spelled_acronyms("Led by the International Labour Organization and UN Women.")
    assert "ilo" in got
    assert "unodc" in spelled_acronyms("the United Nations Office on Drugs and Crime")
    # Two words spell one too: a question's "UN" network is the "United Nations" one.
    assert "un" in spelled_acronyms("the United Nations Regional Network on Migration")


def test_a_period_whose_end_year_is_shortened_is_one_date():
    t = "The Work Plan 2023-24 is based on four priorities, as in 2019-2023 and 2020/21."
    assert _texts(t, find_spans(t, "date")) == ["2023-24", "2019-2023", "2020/21"]


def test_names_side_by_side_are_one_run():
    t = "Under the project, INTERPOL and the UNODC act with the Regional Strategy."
    spans = new_spans(t, "actor", terms("Which agencies act?"))
    assert _texts(t, spans) == ["INTERPOL", "UNODC", "Regional Strategy"]
    assert one_run(t, spans[:2]) and not one_run(t, spans[1:])


def test_countries_and_regions_are_places():
    assert is_place("argentina") and is_place("caribbean") and is_place("lac")
    assert not is_place("unhcr") and not is_place("programme")

    assert located("Which of them are in Latin America?") and located("held in Peru")
    assert not located("How much does Canada provide?") and not located("Who works in UNHCR?")
