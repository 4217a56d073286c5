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
    r1 = folder / "scores_round1.csv"
    with r1.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Questions", *[f"P{i}" for i in range(1, 11)]])
        for q in range(1, 20):
            w.writerow([f"Q{q}", *rng.integers(1, 7, 10).tolist()])
    r2 = folder / "scores_round2.csv"
    header = ["Timestamp", "Input your participant number as: P + Number (e.g. P1, P42)"]
    for n, q in enumerate(QUESTIONS, 1):
        header += [f"{n}. {q} ", "Comments"]
    with r2.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for p in range(1, 18):
            row = [f"11/{p + 10}/2021 12:31:56", f"P{p}"]
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
