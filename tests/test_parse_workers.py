"""Vocabulary parsing in helper processes: same candidates as parsing in one process."""

from __future__ import annotations

import pytest

from insight.nlp import load_spacy, spacy_spec
from insight.vocabulary import extractor as E

TEXTS = [
    "The battery dies after two hours, which is way too short.",
    "Customer service never called me back about the rip-off charger.",
    "I'd love to have a dark mode. The screen is great though!",
    "Delivery was late again and the box was damaged.",
    "um, you know, the app keeps crashing when I upload photos [name]",
    "Price",
    "Too expensive for what you get.",
    "Staff were friendly and the check-in was quick.",
] * 5


def _rows(parsed: list[E.Parsed]) -> list[tuple[int, list[tuple[object, ...]]]]:
    return [(n, [tuple(vars(o).values()) for o in occs]) for n, occs in parsed]


def test_spacy_spec_names_how_a_pipeline_was_loaded() -> None:
    import spacy

    nlp = load_spacy(disable=("ner",))
    name, disable = spacy_spec(nlp) or ("", ())
    assert disable == ("ner",) and load_spacy(name, disable) is nlp
    assert spacy_spec(spacy.blank("en")) is None  # not loaded here: no helper can load it


def test_few_texts_or_a_foreign_pipeline_stay_in_this_process(monkeypatch) -> None:
    import spacy

    monkeypatch.delenv(E.WORKERS_ENV, raising=False)
    nlp = load_spacy(disable=("ner",))
    assert E._workers(E.PARALLEL_MIN_TEXTS - 1, nlp) == 0
    assert E._workers(10 * E.PARALLEL_MIN_TEXTS, spacy.blank("en")) == 0
    monkeypatch.setenv(E.WORKERS_ENV, "0")
    assert E._workers(10 * E.PARALLEL_MIN_TEXTS, nlp) == 0
    monkeypatch.setenv(E.WORKERS_ENV, "2")
    assert E._workers(10, nlp) == 2


@pytest.mark.slow
def test_helper_processes_give_the_same_candidates(monkeypatch) -> None:
    nlp = load_spacy(disable=("ner",))
    monkeypatch.setenv(E.WORKERS_ENV, "0")
    alone = E.parse_texts(TEXTS, nlp)
    monkeypatch.setenv(E.WORKERS_ENV, "1")
    monkeypatch.setattr(E, "CHUNK_TEXTS", 3)  # many chunks: some here, some in the helper
    shared = E.parse_texts(TEXTS, nlp)
    assert _rows(shared) == _rows(alone)
    assert any(occs for _, occs in alone)


@pytest.mark.slow
def test_a_helper_that_fails_leaves_its_texts_to_this_process(monkeypatch) -> None:
    import insight.nlp

    nlp = load_spacy(disable=("ner",))
    monkeypatch.setenv(E.WORKERS_ENV, "0")
    alone = E.parse_texts(TEXTS, nlp)
    monkeypatch.setenv(E.WORKERS_ENV, "1")
    monkeypatch.setattr(E, "CHUNK_TEXTS", 5)
    # the helper cannot load this model: its initializer fails and the pool breaks
    real = insight.nlp.spacy_spec
    monkeypatch.setattr(
        insight.nlp, "spacy_spec", lambda n: ("no_such_spacy_model", ()) if real(n) else None
    )
    assert _rows(E.parse_texts(TEXTS, nlp)) == _rows(alone)
