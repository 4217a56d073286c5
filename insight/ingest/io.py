"""Reading bytes into text and tables: encodings, delimiters, spreadsheets.

Every failure raises :class:`insight.errors.InputError` naming the file (and row
where it applies) and what to do about it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from insight.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

TABLE_EXTENSIONS = {".csv", ".tsv", ".tab", ".txt", ".xlsx", ".xlsm", ".parquet", ".json", ".jsonl"}
DELIMITERS = [",", "\t", ";", "|"]


@dataclass
class RawTable:
    """A table read as strings, before any header interpretation.

    ``rows`` holds every row of the file (header rows included) as lists of
    strings; ``row_numbers[i]`` is the 1-based spreadsheet row of ``rows[i]``.
    ``bad_rows`` maps a 1-based row number to why it could not be parsed.
    """

    path: Path
    rows: list[list[str]]
    row_numbers: list[int]
    encoding: str = "utf-8"
    delimiter: str | None = None
    bad_rows: dict[int, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", file=path.name, fix="check the path") from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", file=path.name) from None
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror})", file=path.name) from None
    if not data.strip():
        raise InputError("the file is empty", file=path.name, fix="export it again or remove it")
    return data


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """Decode bytes to text: BOMs, UTF-8, UTF-16, then charset detection (cp1252/latin-1...).

    Returns (text, encoding name).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data[3:], "utf-8", path), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", path), "utf-16"
    head = data[:4096]
    # UTF-16 without BOM: every other byte NUL in ASCII-heavy text.
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    if b"\x00" in head or controls > len(head) // 10:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > len(head) // 4 and even == 0:
            return _strict(data, "utf-16-le", path), "utf-16-le"
        if even > len(head) // 4 and odd == 0:
            return _strict(data, "utf-16-be", path), "utf-16-be"
        raise InputError(
            "looks like a binary file, not text",
            file=path.name,
            fix="export it as CSV, XLSX, Parquet, JSON, TXT, VTT, SRT or DOCX",
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding:
        enc = best.encoding
        # charset-normalizer may name a close relative; cp1252 is what spreadsheets write.
        for candidate in ("cp1252", enc, "latin-1"):
            try:
                return data.decode(candidate), candidate
            except (UnicodeDecodeError, LookupError):
                continue
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise InputError(
            f"undecodable bytes at byte {exc.start} (not UTF-8, UTF-16 or cp1252)",
            file=path.name,
            fix="re-save the file as UTF-8",
        ) from None


def _strict(data: bytes, encoding: str, path: Path) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"undecodable bytes at byte {exc.start} for {encoding}",
            file=path.name,
            fix="re-save the file as UTF-8",
        ) from None


def read_text(path: Path) -> tuple[str, str]:
    """The file's text (newlines normalised to \\n) and its encoding."""
    text, enc = decode(read_bytes(path), path)
    return text.replace("\r\n", "\n").replace("\r", "\n"), enc


def sniff_delimiter(text: str, path: Path) -> str:
    """The delimiter of a delimited text file (``.tsv`` is tab)."""
    if path.suffix.lower() in {".tsv", ".tab"}:
        return "\t"
    sample = text[:20000]
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        pass
    first = sample.split("\n", 1)[0]
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def read_delimited(path: Path) -> RawTable:
    """Read CSV/TSV with encoding and delimiter detection; ragged rows are recorded, not fatal."""
    text, enc = read_text(path)
    delim = sniff_delimiter(text, path)
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    rows: list[list[str]] = []
    numbers: list[int] = []
    try:
        for i, row in enumerate(reader, start=1):
            rows.append(row)
            numbers.append(i)
    except csv.Error as exc:
        raise InputError(
            f"cannot be parsed as delimited text near row {len(rows) + 1}: {exc}",
            file=path.name,
            fix="check quoting, or re-export as CSV",
        ) from None
    # Drop fully blank rows at the end (spreadsheet exports add them).
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
        numbers.pop()
    if not rows:
        raise InputError("the file has no rows", file=path.name, fix="export it again")
    table = RawTable(path=path, rows=rows, row_numbers=numbers, encoding=enc, delimiter=delim)
    return table


def read_excel(path: Path) -> RawTable:
    import pandas as pd

    try:
        df = pd.read_excel(path, header=None, dtype=str, keep_default_na=False)
    except Exception as exc:  # openpyxl raises many kinds for corrupt files
        raise InputError(
            f"cannot be read as a spreadsheet ({type(exc).__name__}: {exc})",
            file=path.name,
            fix="open it in Excel and save it again as .xlsx, or export CSV",
        ) from None
    rows = [[_cell(v) for v in r] for r in df.itertuples(index=False, name=None)]
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise InputError("the spreadsheet is empty", file=path.name, fix="check the first sheet")
    return RawTable(path=path, rows=rows, row_numbers=list(range(1, len(rows) + 1)))


def read_parquet(path: Path) -> RawTable:
    import pandas as pd

    try:
        df = pd.read_parquet(path)
    except Exception as exc:
        raise InputError(
            f"cannot be read as Parquet ({type(exc).__name__})",
            file=path.name,
            fix="check the file is a complete Parquet file",
        ) from None
    return _frame_to_raw(df, path)


def read_json(path: Path) -> RawTable:
    import json

    import pandas as pd

    text, enc = read_text(path)
    records: list[object]
    try:
        if path.suffix.lower() == ".jsonl":
            records = []
            for n, line in enumerate(text.split("\n"), start=1):
                if line.strip():
                    try:
                        records.append(json.loads(line))
                    except json.JSONDecodeError as exc:
                        raise InputError(
                            f"invalid JSON ({exc.msg})",
                            file=path.name,
                            row=n,
                            fix="fix or remove that line",
                        ) from None
        else:
            obj = json.loads(text)
            if isinstance(obj, dict):
                lists = [v for v in obj.values() if isinstance(v, list)]
                obj = lists[0] if len(lists) == 1 else [obj]
            records = list(obj) if isinstance(obj, list) else [obj]
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
            file=path.name,
            fix="validate the file or export JSON Lines",
        ) from None
    if not records or not all(isinstance(r, dict) for r in records):
        raise InputError(
            "expected a list of objects (one per review/answer)",
            file=path.name,
            fix='use [{"text": ..., "rating": ...}, ...] or JSON Lines',
        )
    df = pd.json_normalize(records)  # type: ignore[arg-type]
    raw = _frame_to_raw(df, path)
    raw.encoding = enc
    return raw


def _cell(v: object) -> str:
    if v is None:
        return ""
    try:
        import pandas as pd

        if pd.isna(v):  # type: ignore[call-overload]
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _frame_to_raw(df: pd.DataFrame, path: Path) -> RawTable:
    header = [str(c) for c in df.columns]
    rows = [header] + [[_cell(v) for v in r] for r in df.itertuples(index=False, name=None)]
    return RawTable(path=path, rows=rows, row_numbers=list(range(1, len(rows) + 1)))


def read_raw_table(path: Path) -> RawTable:
    """Read any supported table file into a :class:`RawTable`."""
    ext = path.suffix.lower()
    if ext in {".xlsx", ".xlsm"}:
        return read_excel(path)
    if ext == ".xls":
        raise InputError(
            "old .xls spreadsheets are not supported",
            file=path.name,
            fix="save it as .xlsx or CSV",
        )
    if ext in {".parquet", ".pq"}:
        return read_parquet(path)
    if ext in {".json", ".jsonl"}:
        return read_json(path)
    return read_delimited(path)


def read_table(path: str | Path, header: bool = True) -> pd.DataFrame:
    """A table file as a DataFrame of strings with its (single-row) header.

    ``header=False``: every row is data and the columns are numbered "1", "2", ...
    (a GoEmotions-style TSV). For Qualtrics/SurveyMonkey exports use
    :func:`insight.ingest.survey.parse_survey`.
    """
    import pandas as pd

    raw = read_raw_table(Path(path))
    if not header:
        width = max((len(r) for r in raw.rows), default=0)
        names = [str(i + 1) for i in range(width)]
        return pd.DataFrame([(r + [""] * width)[:width] for r in raw.rows], columns=names)
    header_row = _dedupe([h.strip() or f"column_{i + 1}" for i, h in enumerate(raw.rows[0])])
    body = [(r + [""] * (len(header_row) - len(r)))[: len(header_row)] for r in raw.rows[1:]]
    return pd.DataFrame(body, columns=header_row)


def missing_column_fix(column: str, columns: Sequence[object]) -> str:
    """The fix for a --text-column (or other column) that is not in the file."""
    names = ", ".join(f'"{c}"' for c in list(columns)[:30])
    more = f" (+{len(columns) - 30} more)" if len(columns) > 30 else ""
    fix = f"use one of: {names}{more}"
    if column.strip().isdigit():
        fix += "; if the file has no header row, add --no-header (columns are then 1, 2, 3 ...)"
    return fix


def _dedupe(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        if n in seen:
            seen[n] += 1
            out.append(f"{n}.{seen[n]}")
        else:
            seen[n] = 0
            out.append(n)
    return out
