"""`insight evidence` as one parameterised query over a hand-built study store.

Eight units, two personas, hand-worked expected unit ids in their expected order
(a persona's or claim's own quotes first, then store order). The store is only
queried: no table is loaded into pandas.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from insight import schema as S
from insight.cli import main
from insight.errors import InsightError
from insight.personas.persist import find_evidence, whole_word_pattern
from insight.pii import redaction
from insight.store import Store

TEXTS = [
    ("u1", "r1", S.ROLE_CUSTOMER, "The price is too high."),
    ("u2", "r1", S.ROLE_CUSTOMER, "I love the café au lait."),
    ("u3", "r2", S.ROLE_CUSTOMER, "Price/value is poor; 50% off would help."),
    ("u4", "r2", S.ROLE_INTERVIEWER, "What about the price?"),
    ("u5", "r3", S.ROLE_CUSTOMER, "Cafés nearby are cheaper."),
    ("u6", "r3", S.ROLE_CUSTOMER, "The machine broke; descaling is a pain."),
    ("u7", "r4", S.ROLE_CUSTOMER, "   "),
    ("u8", "r4", S.ROLE_CUSTOMER, "'; DROP TABLE units; -- the price"),
]


def _units() -> pd.DataFrame:
    rows = []
    for i, (uid, rid, role, text) in enumerate(TEXTS):
        rows.append(
            {
                S.UNIT_ID: uid,
                S.SOURCE: "interview.txt",
                S.SOURCE_TYPE: S.SOURCE_TRANSCRIPT,
                S.ROW: None,
                S.TURN: i,
                S.FIELD: "turn",
                S.RESPONDENT_ID: rid,
                S.SPEAKER: rid,
                S.SPEAKER_ROLE: role,
                S.QUESTION: None,
                S.CHAR_START: 0,
                S.CHAR_END: len(text),
                S.TEXT: text,
                S.DATE: None,
                S.BATCH_ID: "b1",
            }
        )
    return pd.DataFrame(rows, columns=S.UNIT_COLUMNS)


def _claim(cid: str, kind: str, units: list[str], quotes: list[str], n: int) -> dict:
    return {
        "claim_id": cid,
        "persona_id": cid.split(".")[0],
        "kind": kind,
        "label": kind.replace("_", " ") if kind == "quote" else "price/value",
        "n": n,
        "n_total": 4,
        "unit_ids": units,
        "quote_ids": quotes,
        "stats": "{}",
    }


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("evq") / "study.duckdb"
    with Store(path) as st:
        st.write_table("units", _units())
        st.write_table(
            "segments",
            pd.DataFrame(
                {
                    S.RESPONDENT_ID: ["r1", "r2", "r3", "r4"],
                    S.SEGMENT: [0, 0, 1, 1],
                    S.PROBABILITY: [1.0] * 4,
                }
            ),
        )
        st.write_table(
            "personas",
            pd.DataFrame(
                {
                    "persona_id": ["P1", "P2"],
                    "segment": ["0", "1"],
                    "name": ["The Bargain Hunter", "The Tinkerer"],
                    "summary": ["counts every penny", "fixes the machine"],
                }
            ),
        )
        st.write_table(
            "persona_claims",
            pd.DataFrame(
                [
                    _claim("P1.pain_point.price-value", "pain_point", ["u1", "u3"], ["u3"], 2),
                    _claim("P1.quote", "quote", ["u2"], ["u2"], 1),
                    _claim("P2.pain_point.reliability", "pain_point", ["u6"], ["u6"], 1),
                ]
            ),
        )
        st.write_table(
            "annotations",
            pd.DataFrame(
                {
                    S.UNIT_ID: ["u1", "u3", "u5", "u6"],
                    S.PAIN_POINT: [1, 1, 0, 1],
                    S.PAIN_POINT_TYPE: [
                        "price/value",
                        "price/value",
                        "price/value",
                        "reliability/quality",
                    ],
                    S.PAIN_POINT_SCORE: [0.9, 0.8, 0.2, 0.9],
                    S.SENTIMENT: [-0.5, -0.6, 0.1, -0.7],
                    S.SENTIMENT_LABEL: ["negative", "negative", "neutral", "negative"],
                    S.EKMAN: ["anger", "sadness", "neutral", "anger"],
                    S.INTENSITY: [0.5, 0.6, 0.1, 0.7],
                    S.GOAL: [0, 0, 0, 0],
                }
            ),
        )
        st.write_table(
            "vocabulary",
            pd.DataFrame(
                {
                    "term": ["descaling", "cafe"],
                    "variants": [["descale"], ["Café"]],
                    "unit_ids": [["u6"], ["u2"]],
                }
            ),
        )
        st.write_table(
            "topic_assignments",
            pd.DataFrame({S.UNIT_ID: ["u1", "u3", "u5", "u6"], S.TOPIC: [0, 0, 1, 1]}),
        )
    return path


@pytest.fixture
def store(store_path: Path, monkeypatch: pytest.MonkeyPatch):
    def no_load(self: Store, name: str, *a: object) -> None:
        raise AssertionError(f"find_evidence loaded the whole {name} table")

    # verbatim quotes (masking loads a name model; insight.pii has its own tests)
    with redaction(False), Store(store_path, read_only=True) as st:
        monkeypatch.setattr(Store, "read_table", no_load)
        monkeypatch.setattr(Store, "read_or_empty", no_load)
        yield st


def ids(res) -> list[str]:
    return [q.unit_id for q in res.quotes]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        # the persona's quote first, then its claims' quotes, then store order; no interviewer
        ({"persona": "p1"}, ["u2", "u3", "u1"]),
        ({"persona": "P2"}, ["u6", "u5", "u8"]),
        # a claim: its quotes, then its units (claim ids ignore case)
        ({"claim": "p1.PAIN_POINT.price-value"}, ["u3", "u1"]),
        # a pain type is a prefix over the annotations, pain_point >= 1 only (not u5)
        ({"pain_point": "price"}, ["u1", "u3"]),
        ({"pain_point": "P2.pain_point.reliability"}, ["u6"]),
        # whole words, any case; the interviewer's "price" (u4) is never evidence
        ({"term": " Price "}, ["u1", "u3", "u8"]),
        ({"term": "descale"}, ["u6"]),  # a vocabulary variant
        ({"term": "cafe"}, ["u2"]),  # the vocabulary entry's units
        ({"term": "café"}, ["u2"]),  # "Cafés" is another word
        ({"term": "50%"}, ["u3"]),
        ({"term": "'; DROP TABLE units; --"}, ["u8"]),  # a value, never SQL
        ({"topic": 1, "respondent": "r3"}, ["u5", "u6"]),
        ({"persona": "P1", "term": "price"}, ["u3", "u1"]),
        ({"respondent": "r4"}, ["u8"]),  # the blank unit u7 is no quote
        ({"respondent": "nobody"}, []),
    ],
)
def test_filters_select_and_order_units(store: Store, filters: dict, expected: list[str]) -> None:
    res = find_evidence(store, **filters)
    assert ids(res) == expected
    assert res.total == len(expected)


def test_limit_counts_every_match(store: Store) -> None:
    res = find_evidence(store, term="price", limit=2)
    assert ids(res) == ["u1", "u3"] and res.total == 3
    res = find_evidence(store, term="price", limit=0)
    assert ids(res) == [] and res.total == 3


def test_headers_and_quotes_carry_their_place(store: Store) -> None:
    res = find_evidence(store, persona="P1", claim="P1.pain_point.price-value")
    assert res.header == [
        "P1: The Bargain Hunter - counts every penny",
        "P1.pain_point.price-value: price/value (2 of 4)",
    ]
    q = res.quotes[0]
    assert (q.unit_id, q.respondent_id, q.source) == ("u3", "r2", "interview.txt")
    assert q.text == TEXTS[2][3] and q.location.startswith("turn 2")


def test_errors_name_the_fix(store: Store) -> None:
    with pytest.raises(InsightError, match="P1, P2"):
        find_evidence(store, persona="P9")
    with pytest.raises(InsightError, match="price/value, reliability/quality"):
        find_evidence(store, pain_point="teleportation")
    with pytest.raises(InsightError, match="copy a claim id"):
        find_evidence(store, claim="P7.nothing")


def test_cli_prints_the_query(store_path: Path) -> None:
    res = CliRunner().invoke(
        main,
        ["evidence", str(store_path.parent), "--term", "price", "--limit", "1", "--no-redact"],
    )
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[:3] == [
        "3 matching customer statements (showing 1)",
        "",
        "  “The price is too high.”",
    ]
    assert "interview.txt · respondent" in res.output and "unit u1" in res.output


@pytest.mark.parametrize(
    ("term", "text", "hit"),
    [
        ("caf", "Cafés", False),
        ("a.b", "axb", False),
        ("a.b", "x a.b.", True),
        ("(x)", "y (x) z", True),
        ("über", "Über alles", True),
        ("caf", "caf_e", False),
    ],
)
def test_whole_word_pattern_matches_like_python_word_edges(
    store: Store, term: str, text: str, hit: bool
) -> None:
    got = store.query("SELECT regexp_matches(?, ?, 'i') AS m", [text, whole_word_pattern(term)])
    assert bool(got["m"].iloc[0]) is hit
