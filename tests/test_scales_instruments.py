"""Published usability questionnaires (PSSUQ, SUS, UMUX, SEQ, NPS): recognised by wording
or by numbered columns in a file named for them; their range, better end and keying flow
into attitude claims, summaries and persona names. Tables are generated here."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from insight import schema as S
from insight.ingest import ingest_paths
from insight.ingest.instruments import BATTERIES, find_item


def _battery(name: str):
    return next(b for b in BATTERIES if b.name == name)


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def _answers(n_items: int, lo: int, hi: int, n: int = 14, seed: int = 0) -> list[list[int]]:
    rng = np.random.default_rng(seed)
    return [rng.integers(lo, hi + 1, n_items).tolist() for _ in range(n)]


def _columns(res) -> pd.DataFrame:
    return res.columns.set_index(S.COL_NAME)


def test_pssuq_v3_by_wording_reads_1_to_7_lower_is_better(tmp_path):
    """Answers 1-5 only: the scale is still the PSSUQ's 1-7 (midpoint 4), 1 = strongly agree."""
    from insight.segment.profiles import item_direction, item_instrument

    b = _battery("PSSUQ v3")
    header = ["Participant", *[f"{i.number}. {i.text}" for i in b.items]]
    rows = [[f"P{k}", *a] for k, a in enumerate(_answers(16, 1, 5), 1)]
    res = ingest_paths([_write(tmp_path / "usability.csv", header, rows)])
    cols = _columns(res)
    item12 = header[10]  # v3 item 10: "It was easy to find the information I needed."
    assert cols.loc[item12, "scale_min"] == 1 and cols.loc[item12, "scale_max"] == 7
    assert cols.loc[item12, "why"] == "known instrument: PSSUQ v3 item 10"
    assert item_direction(res.columns, item12) == -1  # a higher answer is the worse end
    assert item_instrument(res.columns, item12) == "known instrument: PSSUQ v3 item 10"
    assert any("PSSUQ) version 3" in g and "lower is better" in g for g in res.warnings)
    assert not any("not known" in g for g in res.warnings)


def test_pssuq_v2_numbered_columns_in_a_file_named_for_it(tmp_path):
    """serdif round 1: Q1..Q19 without wording in pssuq_scores_round1.csv."""
    header = ["participant", *[f"Q{q}" for q in range(1, 20)]]
    rows = [[f"P{k}", *a] for k, a in enumerate(_answers(19, 1, 6), 1)]
    res = ingest_paths([_write(tmp_path / "pssuq_scores_round1.csv", header, rows)])
    cols = _columns(res)
    assert cols.loc["Q12", "why"] == "known instrument: PSSUQ v2 item 12"
    assert cols.loc["Q12", S.COL_QUESTION] == "It was easy to find the information I needed."
    assert cols.loc["Q12", "scale_max"] == 7
    # the same columns in a file not named for it stay bare numbers with the guess line
    other = ingest_paths([_write(tmp_path / "scores.csv", header, rows)])
    assert not str(_columns(other).loc["Q12", "why"]).startswith("known instrument")
    assert any("not known" in g for g in other.warnings)


def test_sus_even_items_are_reverse_keyed(tmp_path):
    from insight.segment.profiles import item_direction

    b = _battery("SUS")
    header = ["id", *[i.text.replace("system", "website") for i in b.items]]
    rows = [[f"r{k}", *a] for k, a in enumerate(_answers(10, 1, 5), 1)]
    res = ingest_paths([_write(tmp_path / "survey.csv", header, rows)])
    cols = _columns(res)
    assert cols.loc[header[1], "why"] == "known instrument: SUS item 1"
    assert [bool(cols.loc[h, "reverse"]) for h in header[1:]] == [False, True] * 5
    # "I found the website unnecessarily complex": agreeing (5) is the worse end
    assert item_direction(res.columns, header[2]) == -1
    assert item_direction(res.columns, header[3]) == 1
    assert any("System Usability Scale" in g and "2, 4, 6, 8, 10" in g for g in res.warnings)


def test_values_outside_the_instruments_range_are_not_read_as_it(tmp_path):
    b = _battery("SUS")
    header = ["id", *[i.text for i in b.items]]
    rows = [[f"r{k}", *a] for k, a in enumerate(_answers(10, 1, 7), 1)]  # 1-7: not SUS
    res = ingest_paths([_write(tmp_path / "survey.csv", header, rows)])
    assert not any(str(w).startswith("known instrument: SUS") for w in res.columns["why"])


def test_own_questions_are_not_an_instrument(tmp_path):
    header = ["id", "I like the colours.", "The price is fair.", "Delivery was on time."]
    rows = [[f"r{k}", *a] for k, a in enumerate(_answers(3, 1, 5), 1)]
    res = ingest_paths([_write(tmp_path / "survey.csv", header, rows)])
    assert not any(str(w).startswith("known instrument") for w in res.columns["why"])


def test_nps_and_seq_single_items(tmp_path):
    header = [
        "id",
        "How likely is it that you would recommend Acme to a friend or colleague?",
        "Overall, how difficult or easy was the task to complete?",
    ]
    rng = np.random.default_rng(1)
    rows = [[f"r{k}", int(rng.integers(0, 11)), int(rng.integers(1, 8))] for k in range(12)]
    res = ingest_paths([_write(tmp_path / "nps.csv", header, rows)])
    cols = _columns(res)
    assert cols.loc[header[1], "why"] == "known instrument: NPS item 1"
    assert cols.loc[header[1], "scale_min"] == 0 and cols.loc[header[1], "scale_max"] == 10


def _attitude(instrument: str, direction: str, agreement: int, mean: float = 5.2):
    from insight.personas.model import Claim

    item = find_item(instrument)
    assert item is not None
    stats = {
        "question": item.text,
        "direction": direction,
        "agreement": agreement,
        "instrument": instrument,
        "mean": mean,
        "rest_mean": 1.0,
    }
    return Claim("attitude", item.text, 2, 10, [], [], stats)


def test_names_and_summaries_say_what_the_score_means():
    from insight.personas.naming import _name, _summary

    # PSSUQ item 12 scored higher (worse) than the rest: agreement -1
    worse = _attitude("known instrument: PSSUQ v2 item 12", "higher", -1)
    assert _name([worse], [], [], []) == "Finds information hard to find"
    summary = _summary(10, 17, [worse], [], [], who="participants")
    assert "less favourably" in summary and "PSSUQ v2 item 12" in summary
    assert "1 = strongly agree … 7 = strongly disagree, lower is better" in summary
    assert "not known" not in summary
    # 2.8 vs 1.0 on the PSSUQ still agrees (2 = agree), only less strongly than the rest
    milder = _attitude("known instrument: PSSUQ v2 item 12", "higher", -1, mean=2.8)
    assert _name([milder], [], [], []) == "Less positive on finding information"
    better = _attitude("known instrument: PSSUQ v2 item 1", "lower", 1, mean=1.2)
    assert _name([better], [], [], []) == "Rates the system easy to use"
    # SUS item 2 (negatively worded) answered lower than the rest: the better end
    sus = _attitude("known instrument: SUS item 2", "lower", 1, mean=1.5)
    assert _name([sus], [], [], []) == "Finds the system simple"
    for name in (_name([worse], [], [], []), _name([better], [], [], [])):
        assert "Scorer" not in name and "Champion" not in name and "Sceptic" not in name
