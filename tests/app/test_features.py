"""Each sentence feature of the reader on hand-made questions and sentences: what it measures."""

from __future__ import annotations

import math

import pytest

from app.rag import features as ft
from app.rag.features import Asked, Sentence
from app.rag.termstats import root_set


def _asked(question: str = "Who funds the regional platform?", **kw) -> Asked:
    """A question's words weighted equally, unless ``weights`` says otherwise."""
    roots = tuple(sorted(root_set(question)))
    kw.setdefault("weights", dict.fromkeys(roots, 1.0))
    return Asked(roots=tuple(kw["weights"]), **kw)


def _s(text: str, asked: Asked | None = None, **kw) -> Sentence:
    kw.setdefault("roots", root_set(text))
    return Sentence(asked or _asked(), text, **kw)


def _f(name: str, s: Sentence) -> float:
    return ft.FUNCTIONS[name](s)


def test_the_registry_is_the_model_order_and_every_feature_gives_a_number():
    assert ft.FEATURES[0] == "bias" and len(set(ft.FEATURES)) == len(ft.FEATURES)
    s = _s("The European Union funds the regional platform.")
    v = ft.vector(s)
    assert len(v) == len(ft.FEATURES) and all(isinstance(x, float) for x in v)
    assert _f("bias", s) == 1.0


def test_lexical_is_the_weighted_share_of_question_words_held():
    a = _asked(weights={"fund": 3.0, "platform": 1.0})
    assert _f("lexical", _s("It funds the platform.", a)) == 1.0
    assert _f("lexical", _s("The platform met.", a)) == 0.25
    assert _f("lexical", _s("Nothing here.", a)) == 0.0


def test_lexical_gap_is_the_distance_to_the_best_sentence():
    a = _asked(weights={"fund": 3.0, "platform": 1.0}, max_lexical=1.0)
    assert _f("lexical_gap", _s("The platform met.", a)) == -0.75
    assert _f("lexical_gap", _s("It funds the platform.", a)) == 0.0


def test_context_counts_only_what_the_header_or_the_sentence_before_adds():
    a = _asked(weights={"fund": 1.0, "platform": 1.0})
    s = _s("It is funded.", a, context=frozenset({"platform", "fund"}))
    assert _f("context", s) == 0.5  # "fund" is the sentence's own
    assert _f("context", _s("It is funded.", a)) == 0.0


def test_dense_and_its_gap_to_the_best_sentence():
    a = _asked(max_dense=0.8)
    s = _s("Anything.", a, dense=0.5)
    assert _f("dense", s) == 0.5
    assert _f("dense_gap", s) == pytest.approx(-0.3)


def test_span_features_need_a_question_that_asks_for_a_span():
    typed = _asked(typed=True, strong=True)
    untyped = _asked()
    with_span = _s("It costs 5 million.", typed, spans=((9, 18),))
    without = _s("It costs a lot.", typed)
    assert _f("span_new", with_span) == 1.0 and _f("span_new", without) == 0.0
    assert _f("span_missing", without) == 1.0 and _f("span_missing", with_span) == 0.0
    assert _f("span_missing", _s("It costs a lot.", untyped)) == 0.0
    assert _f("span_strong", with_span) == 1.0
    actor = _asked(typed=True, strong=False)  # a name: a sentence may say it in other words
    assert _f("span_strong", _s("Led by IOM.", actor, spans=((7, 10),))) == 0.0


def test_rank_prior_falls_with_the_passage_rank():
    assert _f("rank_prior", _s("A.", hit=0)) == 1.0
    assert _f("rank_prior", _s("A.", hit=3)) == 0.25


def test_first_is_one_for_the_first_sentence_of_a_passage_only():
    assert _f("first", _s("A.", pos=0)) == 1.0
    assert _f("first", _s("A.", pos=1)) == 0.0


def test_log_words_grows_with_the_sentence_length():
    assert _f("log_words", _s("Three short words")) == pytest.approx(math.log(4))


def test_names_counts_the_question_names_held_here_or_in_the_context():
    a = _asked(names=frozenset({"iom", "unhcr"}))
    here = _s("IOM and UNHCR lead it.", a)
    in_header = _s("It leads.", a, context=frozenset({"iom"}))
    spelled = _s("The International Organization for Migration leads.", a, acronyms={"iom"})
    assert _f("names", here) == 1.0 and _f("names_here", here) == 1.0
    assert _f("names", in_header) == 0.5 and _f("names_here", in_header) == 0.0
    assert _f("names_here", spelled) == 0.5
    assert _f("names", _s("IOM leads.")) == 0.0  # a question without names


def test_novelty_is_the_share_of_the_sentence_the_question_lacks():
    a = _asked(weights={"fund": 1.0})
    assert _f("novelty", _s("Funds.", a)) == 0.0
    assert _f("novelty", _s("Funds arrive late.", a)) == pytest.approx(2 / 3)


def test_lead_in_and_item_serve_plural_questions():
    plural = _asked(plural=True)
    single = _asked()
    assert _f("lead_in", _s("The platform has three goals:", plural)) == 1.0
    assert _f("lead_in", _s("The platform has three goals:", single)) == 0.0
    assert _f("lead_in", _s("The platform has three goals.", plural)) == 0.0
    assert _f("item", _s("- protection", plural)) == 1.0
    assert _f("item", _s("- protection", single)) == 0.0
    assert _f("item", _s("Protection matters.", plural)) == 0.0


def test_body_leaves_out_the_words_that_name_the_document():
    a = _asked(weights={"platform": 1.0, "fund": 1.0})
    s = _s("The platform is funded.", a, header=frozenset({"platform"}))
    assert _f("lexical", _s("It is funded.", a)) == 0.5
    assert _f("body", _s("It is funded.", a, header=frozenset({"platform"}))) == 1.0
    assert _f("body", s) == 1.0
    assert _f("body", _s("The platform met.", a, header=frozenset({"platform"}))) == 0.0


def test_heading_is_a_short_unpunctuated_line_that_is_no_item():
    assert _f("heading", _s("Regional Response Plan 2024")) == 1.0
    assert _f("heading", _s("The plan was launched in 2024.")) == 0.0
    assert _f("heading", _s("- Regional Response Plan")) == 0.0
    assert _f("heading", _s(" ".join(["word"] * 25))) == 0.0


def test_passage_is_the_share_of_the_question_its_passage_holds():
    a = _asked(weights={"fund": 1.0, "platform": 1.0})
    s = _s("It met.", a, passage=frozenset({"fund", "platform", "meet"}))
    assert _f("passage", s) == 1.0
    assert _f("passage", _s("It met.", a, passage=frozenset({"fund"}))) == 0.5


def test_hit_score_is_relative_to_the_best_passage():
    a = _asked(top_score=2.0)
    assert _f("hit_score", _s("A.", a, score=1.0)) == 0.5
    assert _f("hit_score", _s("A.", a, score=2.0)) == 1.0


def test_bigrams_are_question_word_pairs_side_by_side():
    a = _asked(weights={"regional": 1.0, "platform": 1.0})
    assert _f("bigrams", _s("The regional platform met.", a)) == 1.0
    assert _f("bigrams", _s("The platform is regional.", a)) == 0.0
    assert _f("bigrams", _s("The regional platform met.", _asked(weights={"fund": 1.0}))) == 0.0


def test_rare_is_the_rarest_question_word_held():
    a = _asked(weights={"fund": 4.0, "platform": 1.0})
    assert _f("rare", _s("It funds.", a)) == 1.0
    assert _f("rare", _s("The platform.", a)) == 0.25
    assert _f("rare", _s("Nothing.", a)) == 0.0


def test_beside_says_the_span_stands_by_the_question_words():
    assert _f("beside", _s("A.", beside=True)) == 1.0
    assert _f("beside", _s("A.")) == 0.0


def test_purpose_pairs_a_question_about_aims_with_a_sentence_saying_one():
    asks = _asked(purpose=True)
    assert _f("purpose", _s("The plan aims to protect migrants.", asks)) == 1.0
    assert _f("purpose", _s("The plan was signed in Quito.", asks)) == 0.0
    assert _f("purpose", _s("The plan aims to protect migrants.", _asked())) == 0.0
