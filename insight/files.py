"""One file + its text (and group/date) columns -> evidence units, or + its id column ->
respondents: the one reader behind the single-file commands (``insight annotate``,
``topics``, ``vocabulary``, ``segment``).

Every one of them accepts the same file types, reads them with the ingest
machinery (encoding detection, delimiter sniffing, one-line errors), and names a
missing column with the columns that exist. The stages themselves never import
the ingest readers: they take the units this module builds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from insight import schema as S
from insight.errors import InputError, SchemaError

if TYPE_CHECKING:
    import pandas as pd

#: table files (read by insight.ingest.io.read_table: every cell kept as text)
TABLE_SUFFIXES = (".csv", ".tsv", ".tab", ".xlsx", ".xlsm", ".parquet", ".pq", ".json", ".jsonl")
#: plain text files: one text per non-empty line, in a column named "text"
LINE_SUFFIXES = (".txt", ".md")
FILE_TYPES = TABLE_SUFFIXES + LINE_SUFFIXES


def read_file_table(path: str | Path, header: bool = True) -> pd.DataFrame:
    """A CSV/TSV/XLSX/Parquet/JSON(L) table with every cell as written, or a TXT/MD
    file as one row per non-empty line (column ``text``).

    ``header=False``: the table has no header row; columns are numbered "1", "2", ...

    Raises:
        InputError: the file is missing, of an unsupported type, or unreadable.
    """
    import pandas as pd

    p = Path(path)
    if not p.exists():
        raise InputError("file not found", file=str(p), fix="check the path")
    if p.is_dir():
        raise InputError("this is a folder, not a file", file=str(p), fix="pass one file")
    suffix = p.suffix.lower()
    if suffix in LINE_SUFFIXES:
        try:
            text = p.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise InputError(f"cannot read the file: {exc.strerror}", file=str(p)) from None
        lines = [ln.strip() for ln in text.replace("\x00", "").splitlines()]
        return pd.DataFrame({"text": [ln for ln in lines if ln]})
    if suffix not in TABLE_SUFFIXES:
        raise InputError(
            f"unsupported file type {suffix or '(none)'}",
            file=str(p),
            fix="use one of " + ", ".join(FILE_TYPES),
        )
    from insight.ingest.io import read_table

    return read_table(p, header=header)


def check_columns(df: pd.DataFrame, columns: dict[str, str | None], source: str) -> None:
    """Every named column exists; ``columns`` maps option name -> column (None = unused).

    Raises:
        SchemaError: naming the column, the option and the columns the file has.
    """
    from insight.ingest.io import missing_column_fix

    for option, col in columns.items():
        if col is not None and col not in df.columns:
            raise SchemaError(
                f'no column "{col}"',
                file=source or None,
                column=col,
                fix=missing_column_fix(col, list(df.columns)) + f" ({option})",
            )


@dataclass
class FileUnits:
    """A file read for a single-file command.

    Attributes:
        table: the file as read (every column, original row order).
        units: one unit per row: unit_id (``<file stem>:<row>``), source, row
            (0-based data row), field (the text column), respondent_id (= unit_id),
            speaker_role (customer), text (stripped; "" for an empty cell), and date
            when a date column was given.
        groups: the group of each unit (indexed by unit_id), or None.
    """

    table: pd.DataFrame
    units: pd.DataFrame
    groups: pd.Series | None = None


def units_from_table(
    table: pd.DataFrame,
    text_column: str,
    *,
    source: str = "",
    group_column: str | None = None,
    date_column: str | None = None,
    prefix_ids: bool = True,
) -> FileUnits:
    """One evidence unit per row of ``table`` (no sentence splitting).

    ``prefix_ids=False``: unit ids are the bare row numbers ("0", "1", ...).
    """
    import pandas as pd

    check_columns(
        table,
        {
            "--text-column": text_column,
            "--group-column": group_column,
            "--date-column": date_column,
        },
        source,
    )
    stem = Path(source).stem or "row"
    ids = [f"{stem}:{i}" if prefix_ids else str(i) for i in range(len(table))]
    texts = table[text_column].fillna("").astype(str).str.strip()
    units = pd.DataFrame(
        {
            S.UNIT_ID: ids,
            S.SOURCE: Path(source).name,
            S.ROW: range(len(table)),
            S.FIELD: str(text_column),
            S.RESPONDENT_ID: ids,
            S.SPEAKER_ROLE: S.ROLE_CUSTOMER,
            S.TEXT: texts.to_numpy(),
        }
    )
    if date_column:
        units[S.DATE] = table[date_column].replace("", None).to_numpy()
    groups = None
    if group_column:
        groups = pd.Series(
            table[group_column].replace("", None).to_numpy(), index=ids, name=group_column
        )
    return FileUnits(table=table, units=units, groups=groups)


def file_units(
    path: str | Path,
    text_column: str,
    *,
    group_column: str | None = None,
    date_column: str | None = None,
    header: bool = True,
    prefix_ids: bool = True,
) -> FileUnits:
    """Read ``path`` and turn ``text_column`` into units (see :class:`FileUnits`)."""
    table = read_file_table(path, header=header)
    return units_from_table(
        table,
        text_column,
        source=str(path),
        group_column=group_column,
        date_column=date_column,
        prefix_ids=prefix_ids,
    )


def texts_of(path: str | Path, text_column: str, header: bool = True) -> tuple[Any, list[str]]:
    """The table and the raw texts of one column (for commands that keep every row)."""
    table = read_file_table(path, header=header)
    check_columns(table, {"--text-column": text_column}, str(path))
    return table, table[text_column].tolist()


# --- respondents (insight segment FILE): one row per respondent -------------------------
ID_NAMES = ("respondent_id", "respondent", "respondentid", "response_id", "responseid", "id")


def find_id_column(columns: Sequence[str]) -> str | None:
    """The first column named like a respondent id (exact names first, then *id / respondent*)."""
    norm = {c: str(c).strip().lower().replace(" ", "_") for c in columns}
    for name in ID_NAMES:
        for col, low in norm.items():
            if low == name:
                return col
    for col, low in norm.items():
        if low.endswith("_id") or low.endswith("id") or "respondent" in low:
            return col
    return None


def read_respondents(
    path: str, id_column: str | None = None, numeric: Sequence[str] = ()
) -> tuple[pd.DataFrame, str]:
    """Read a file of respondents for ``insight segment`` (any of :data:`FILE_TYPES`).

    Returns the frame with a ``respondent_id`` column (from ``id_column``, the first
    id-like column, or the row number) and the name of the column used.
    """
    df = read_file_table(path)
    check_columns(df, {"--id-column": id_column}, str(path))
    col = id_column or find_id_column(list(df.columns))
    df = df.copy()
    if col is None:
        df.insert(0, S.RESPONDENT_ID, [f"row{i + 1}" for i in range(len(df))])
        col = "(row number)"
    elif col != S.RESPONDENT_ID:
        if S.RESPONDENT_ID in df.columns:
            df = df.drop(columns=[S.RESPONDENT_ID])
        df = df.rename(columns={col: S.RESPONDENT_ID})
    numeric_columns(df, numeric)
    return df, col


def numeric_columns(df: pd.DataFrame, columns: Sequence[str]) -> None:
    """Convert these columns in place where every answer is a number (blank = missing)."""
    import numpy as np
    import pandas as pd

    for c in columns:
        if c in df.columns:
            text = df[c].dtype == object or pd.api.types.is_string_dtype(df[c])
            values = df[c].replace("", np.nan) if text else df[c]
            converted = pd.to_numeric(values, errors="coerce")
            if converted.notna().sum() == values.notna().sum():
                df[c] = converted


def detect_likert_items(
    df: pd.DataFrame, exclude: Sequence[str] = (), source: str | None = None
) -> list[str]:
    """Columns that role inference reads as numerically coded Likert items
    (``insight inspect`` shows the same roles), in file order.

    Raises:
        SchemaError: there are none, with the fix (name them with --items).
    """
    import pandas as pd

    from insight.ingest.roles import infer_role

    out = []
    for c in df.columns:
        if c in exclude or c == S.RESPONDENT_ID:
            continue
        values = ["" if pd.isna(v) else str(v).strip() for v in df[c].tolist()]
        info = infer_role(str(c), str(c), values)
        answered = [v for v in values if v]
        numeric = pd.to_numeric(pd.Series(answered, dtype=object), errors="coerce")
        if info.role == S.ROLE_LIKERT and answered and numeric.notna().all():
            out.append(str(c))
    if not out:
        raise SchemaError(
            "no Likert item columns found",
            file=source,
            fix="name them with --items Q1,Q2,... (run `insight inspect FILE` to see "
            "the roles read from the file)",
        )
    return out
