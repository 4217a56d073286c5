"""Spreadsheet-safe exports for the report layer: see :mod:`insight.safe_io`."""

from insight.safe_io import (
    FORMULA_PREFIXES,
    neutralise_cell,
    neutralise_frame,
    write_csv_safe,
    write_excel_safe,
    write_readable_csv,
)

__all__ = [
    "FORMULA_PREFIXES",
    "neutralise_cell",
    "neutralise_frame",
    "write_csv_safe",
    "write_excel_safe",
    "write_readable_csv",
]
