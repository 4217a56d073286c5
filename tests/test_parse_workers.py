"""Vocabulary parsing in helper processes: same candidates as parsing in one process."""

from __future__ import annotations

from typing import Any

import pytest

import insight.nlp as N
import insight.nlp_pool as P
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


def _pids(nlp: object, items: list[str], batch_size: int) -> list[int]:
    import os

    return [os.getpid()] * len(items)


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

    monkeypatch.delenv(P.WORKERS_ENV, raising=False)
    nlp = load_spacy(disable=("ner",))
    assert P.parse_workers(2999, nlp, min_items=3000) == 0
    assert P.parse_workers(10**6, spacy.blank("en"), min_items=3000) == 0
    monkeypatch.setenv(P.WORKERS_ENV, "0")
    assert P.parse_workers(10**6, nlp, min_items=3000) == 0
    monkeypatch.setenv(P.WORKERS_ENV, "2")
    assert P.parse_workers(10, nlp, min_items=3000) == 2
    assert P.parse_workers(10, spacy.blank("en"), min_items=3000) == 0


def _alone(monkeypatch: pytest.MonkeyPatch, chunk: int) -> tuple[Any, list[Any]]:
    """The pipeline and its candidates of TEXTS in this process; then one helper, ``chunk``
    texts a piece."""
    nlp = load_spacy(disable=("ner",))
    monkeypatch.setenv(P.WORKERS_ENV, "0")
    alone = _rows(E.parse_texts(TEXTS, nlp))
    monkeypatch.setenv(P.WORKERS_ENV, "1")
    monkeypatch.setattr(P, "CHUNK_ITEMS", chunk)
    return nlp, alone


@pytest.mark.slow
def test_helper_processes_give_the_same_candidates(monkeypatch) -> None:
    import os

    nlp, alone = _alone(monkeypatch, 3)  # many chunks: some here, some in the helper
    assert _rows(E.parse_texts(TEXTS, nlp)) == alone
    assert any(occs for _, occs in alone)
    pids = P.map_chunks(_pids, TEXTS, nlp)  # the helper did run some chunks
    assert len(pids) == len(TEXTS) and os.getpid() in pids and set(pids) - {os.getpid()}


@pytest.mark.slow
def test_a_helper_that_fails_leaves_its_texts_to_this_process(monkeypatch) -> None:
    nlp, alone = _alone(monkeypatch, 5)
    # the helper cannot load this model: its initializer fails and the pool breaks
    real = N.spacy_spec
    monkeypatch.setattr(N, "spacy_spec", lambda n: ("no_such_spacy_model", ()) if real(n) else None)
    assert _rows(E.parse_texts(TEXTS, nlp)) == alone


@pytest.mark.slow
def test_name_redaction_with_a_helper_is_the_same(monkeypatch) -> None:
    from insight import pii

    texts = [
        f"Then {name} at the front desk sorted it out, thanks to {name} {n}."
        for n, name in enumerate(["Emma Watson", "James Cook", "Priya Patel", "the manager"] * 3)
    ]
    monkeypatch.setattr(pii, "_CACHE", {})
    monkeypatch.setenv(P.WORKERS_ENV, "0")
    alone = pii.redact_many(texts)
    assert any("[NAME]" in t for t in alone)
    monkeypatch.setattr(pii, "_CACHE", {})
    monkeypatch.setenv(P.WORKERS_ENV, "1")
    monkeypatch.setattr(P, "CHUNK_ITEMS", 2)
    assert pii.redact_many(texts) == alone
