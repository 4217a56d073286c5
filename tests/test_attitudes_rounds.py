"""Two rounds of one questionnaire in two exports (shaped like a real usability study's
PSSUQ files, generated here): round 1 is question-per-row (Q1..Q19 x P1..P10), round 2 a
Google-Forms export (one row per participant P1..P17, numbered question columns each
followed by a Comments column). The round-2 items, answered by everyone, are the
attitude basis; the round-1 items are partial and left out, named, never merged by number.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from insight.ingest import ingest_paths
from insight.segment.policy import coverage_line, segment_study

QUESTIONS = [
    "Overall, I am satisfied with how easy it is to use this system.",
    "It was simple to use this system.",
    "I could effectively complete the tasks using this system.",
    "I was able to complete the tasks quickly using this system.",
    "I felt comfortable using this system.",
    "It was easy to learn to use this system.",
    "The system gave error messages that clearly told me how to fix problems.",
    "It was easy to find the information I needed.",
]


def _write_rounds(folder: Path, seed: int = 0) -> tuple[Path, Path]:
    rng = np.random.default_rng(seed)
    # named as the real study names them: the file name says which questionnaire the
    # unworded Q1..Q19 are (PSSUQ v2 by position), so both rounds share its 1-7 scale
    r1 = folder / "pssuq_scores_round1.csv"
    with r1.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Questions", *[f"P{i}" for i in range(1, 11)]])
        for q in range(1, 20):
            w.writerow([f"Q{q}", *rng.integers(1, 7, 10).tolist()])
    r2 = folder / "pssuq_scores_round2.csv"
    header = ["Timestamp", "Input your participant number as: P + Number (e.g. P1, P42)"]
    for num, text in enumerate(QUESTIONS, 1):
        header += [f"{num}. {text} ", "Comments"]
    with r2.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for p in range(1, 18):
            row: list[object] = [f"11/{p + 10}/2021 12:31:56", f"P{p}"]
            centre = 1.5 if p % 2 else 4.5  # two groups of participants
            for n in range(len(QUESTIONS)):
                score = (
                    1 if p in (7, 15) else int(np.clip(round(centre + rng.normal(0, 0.7)), 1, 7))
                )
                comment = "" if p in (7, 15) or n % 3 else f"Finding item {n} took me a while."
                row += [score, comment]
            w.writerow(row)
    return r1, r2


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory):
    r1, r2 = _write_rounds(tmp_path_factory.mktemp("rounds"))
    res = ingest_paths([r1, r2])
    assert not res.problems, res.problems
    units = res.units
    return segment_study(
        units.iloc[:0], res.respondents, res.columns, np.zeros((0, 4)), n_bootstrap=3
    )


def test_round_two_items_are_the_basis_and_round_one_is_left_out(plan):
    assert plan.mode == "attitudes"
    assert len(plan.items) == len(QUESTIONS)
    assert all(i.split(".")[0].isdigit() for i in plan.items)  # the numbered round-2 items
    assert plan.left_out == [f"Q{q}" for q in range(1, 20)]  # not merged with items 1-8
    note = next(n for n in plan.notes if n.startswith("left out 19 item(s)"))
    assert "10 respondent(s), vs 17 for the items used" in note
    assert "Q1; Q2" in note and "(19 in all)" in note


def test_coverage_line_names_the_items_and_the_straight_liners(plan):
    line = coverage_line(plan.coverage, plan.items)
    assert line.startswith("coverage: 15 of 17 respondents in a segment (88%)")
    assert f"on {len(QUESTIONS)} attitude item(s): 1. Overall, I am satisfied" in line
    assert "(8 in all)" in line
    straight = [n for n in plan.notes if "straight-liner" in n]
    assert straight == ["2 respondent(s) left out of the attitude fit as straight-liner: P7, P15"]


# --- the attitudes chart: each item drawn with its own favourable end on the right ------
FFT = '{"1": "Very good", "2": "Good", "3": "Neither good nor poor", "4": "Poor", "5": "Very poor"}'
AGREE = (
    '{"1": "Strongly disagree", "2": "Disagree", "3": "Neither agree nor disagree", '
    '"4": "Agree", "5": "Strongly agree"}'
)


def _chart(items: dict[str, str]):
    """Persona P1 (r0-r5) rates the service very good and agrees; P2 (r6-r11) the opposite."""
    from types import SimpleNamespace

    import pandas as pd

    from insight import schema as S
    from insight.report.charts import attitudes_chart
    from insight.report.charts.common import QuotePool

    ids = [f"r{i}" for i in range(12)]
    good = {"fft": 1, "agree": 5}
    resp = pd.DataFrame(
        {S.RESPONDENT_ID: ids}
        | {it: [good[it] if i < 6 else 6 - good[it] for i in range(12)] for it in items}
    )
    cols = pd.DataFrame(
        {
            S.COL_NAME: list(items),
            S.COL_ROLE: S.ROLE_LIKERT,
            "labels": list(items.values()),
            "scale_min": 1,
            "scale_max": 5,
        }
    )
    prof = pd.DataFrame(
        [
            {"segment": seg, "item": it, "n": 6, "mean": m, "rest_mean": 6 - m}
            | {"d": 3.0 if m > 3 else -3.0, "p": 1e-4, "p_adj": 1e-3}
            for it in items
            for seg, m in ((0, good[it]), (1, 6 - good[it]))
        ]
    )
    tables = SimpleNamespace(
        segment_profiles=prof,
        respondents=resp,
        columns=cols,
        segments=pd.DataFrame({S.RESPONDENT_ID: ids, S.SEGMENT: [0] * 6 + [1] * 6}),
    )
    personas = [
        {"id": "P1", "segment": 0, "attitudes": []},
        {"id": "P2", "segment": 1, "attitudes": []},
    ]
    return attitudes_chart(tables, personas, {}, QuotePool())


def _side(chart, item_row: int, persona_row: int) -> float:
    """Net share of the row right of zero (row = item x persona, in drawing order)."""
    r = 2 * item_row + persona_row
    return sum(t["x"][r] for t in chart.data if t["type"] == "bar")


def test_quality_scale_reads_favourable_not_agree():
    chart = _chart({"fft": FFT})
    title = chart.layout["xaxis"]["title"]["text"]
    assert "less favourable" in title and "more favourable" in title
    assert "agree" not in title
    assert _side(chart, 0, 0) > 0 > _side(chart, 0, 1)  # P1's "Very good" on the right
    assert "answer more favourably on" in chart.takeaway or "answer less favourably on" in (
        chart.takeaway
    )


def test_each_item_takes_its_own_direction():
    chart = _chart({"fft": FFT, "agree": AGREE})
    # both items: P1 (very good, strongly agree) on the right, P2 on the left
    for item_row in (0, 1):
        assert _side(chart, item_row, 0) > 0 > _side(chart, item_row, 1)
    title = chart.layout["xaxis"]["title"]["text"]
    assert "less favourable" in title and "disagree" not in title
