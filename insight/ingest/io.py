"""Reading bytes into text and tables: encodings, delimiters, spreadsheets.

Every failure raises :class:`insight.errors.InputError` naming the file (and row
where it applies) and what to do about it.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from insight.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

TABLE_EXTENSIONS = {".csv", ".tsv", ".tab", ".txt", ".xlsx", ".xlsm", ".parquet", ".json", ".jsonl"}
DELIMITERS = [",", "\t", ";", "|"]

# Explicit limits: generous enough for whole interviews in one cell, small enough
# that one hostile file fails alone with a clear message instead of exhausting memory.
#: Largest input file read (bytes).
MAX_FILE_BYTES = 1024 * 1024 * 1024
#: Largest single CSV/TSV cell (characters): a whole transcript in one cell fits.
MAX_CELL_CHARS = 64 * 1024 * 1024
#: Largest uncompressed XML part of a DOCX/XLSX/ODT (bytes) and compression ratio.
MAX_UNZIPPED_BYTES = 512 * 1024 * 1024
MAX_ZIP_RATIO = 200
#: Most paragraphs in one DOCX/ODT.
MAX_PARAGRAPHS = 200_000
#: NUL bytes stripped with a warning when they are fewer than this share of the file.
MAX_NUL_SHARE = 0.01


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
        size = path.stat().st_size
    except OSError:
        size = 0
    if size > MAX_FILE_BYTES:
        raise InputError(
            f"is {size / 1e6:.0f} MB, over the {MAX_FILE_BYTES / 1e6:.0f} MB limit per file",
            file=path.name,
            fix="split it into smaller files (e.g. one per month or per question)",
        )
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
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13, 0))
    nuls = data.count(0)
    if nuls or controls > len(head) // 10:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > len(head) // 4 and even == 0:
            return _strict(data, "utf-16-le", path), "utf-16-le"
        if even > len(head) // 4 and odd == 0:
            return _strict(data, "utf-16-be", path), "utf-16-be"
        if nuls and nuls <= MAX_NUL_SHARE * len(data) and controls <= len(head) // 10:
            text, enc = decode(data.replace(b"\x00", b""), path)
            return text, f"{enc}, {nuls} NUL byte(s) removed"
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
        raise _undecodable(exc, path, "(not UTF-8, UTF-16 or cp1252)") from None


def _strict(data: bytes, encoding: str, path: Path) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _undecodable(exc, path, f"for {encoding}") from None


def _undecodable(exc: UnicodeDecodeError, path: Path, what: str) -> InputError:
    """The error for bytes that do not decode, naming the byte and the fix."""
    return InputError(
        f"undecodable bytes at byte {exc.start} {what}",
        file=path.name,
        fix="re-save the file as UTF-8",
    )


def read_text(path: Path) -> tuple[str, str]:
    """The file's text (newlines normalised to \\n) and its encoding.

    A few stray NUL bytes are removed (the encoding then says how many, see
    :func:`decoding_warning`); a file that is mostly binary is rejected.
    """
    text, enc = decode(read_bytes(path), path)
    return text.replace("\r\n", "\n").replace("\r", "\n"), enc


def decoding_warning(path: Path, encoding: str) -> str | None:
    """The warning to show when decoding had to repair the file (NUL bytes removed)."""
    if "NUL" in encoding:
        n = encoding.split(", ", 1)[1].split()[0]
        return (
            f"{path.name}: {n} NUL byte(s) removed (a damaged export);"
            " check the text around them or export the file again"
        )
    return None


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
    """Read CSV/TSV with encoding and delimiter detection.

    Ragged rows are recorded, not fatal. A line that breaks the parser (an
    unbalanced quote that would swallow the rest of the file, a cell over
    :data:`MAX_CELL_CHARS`) is skipped and reported in ``bad_rows`` (by its
    1-based line number); reading goes on from the next line.
    """
    text, enc = read_text(path)
    delim = sniff_delimiter(text, path)
    rows, numbers, bad = parse_lines(text.split("\n"), delim)
    if not rows:
        raise InputError("the file has no rows", file=path.name, fix="export it again")
    table = RawTable(
        path=path, rows=rows, row_numbers=numbers, encoding=enc, delimiter=delim, bad_rows=bad
    )
    w = decoding_warning(path, enc)
    if w:
        table.warnings.append(w)
    return table


def parse_lines(
    lines: list[str], delim: str, first_line: int = 1
) -> tuple[list[list[str]], list[int], dict[int, str]]:
    """Parse the physical ``lines`` (``first_line`` is the 1-based number of the first)
    into non-blank rows, their line numbers and the lines that could not be parsed."""
    csv.field_size_limit(MAX_CELL_CHARS)
    rows: list[list[str]] = []
    numbers: list[int] = []
    bad: dict[int, str] = {}
    base = first_line - 1
    start = 0  # 0-based physical line where the parser (re)starts
    while start < len(lines):
        reader = csv.reader(_lines_from(lines, start), delimiter=delim)
        consumed = 0
        restart = None
        while True:
            row_first = start + consumed  # physical line where this row begins
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                bad[base + row_first + 1] = f"cannot be parsed ({exc})"
                restart = row_first + 1
                break
            span = reader.line_num - consumed
            if span > 50 and _runaway(row, delim, span):
                bad[base + row_first + 1] = (
                    "has an unbalanced quote (it would swallow the lines below)"
                )
                restart = row_first + 1
                break
            consumed = reader.line_num
            rows.append(row)
            numbers.append(base + row_first + 1)
        if restart is None:
            break
        start = restart
    # Drop fully blank rows (spreadsheet exports add them at the end; a blank line
    # in the middle is no respondent either).
    keep = [i for i, r in enumerate(rows) if any(c.strip() for c in r)]
    return [rows[i] for i in keep], [numbers[i] for i in keep], bad


def _lines_from(lines: list[str], start: int) -> Iterator[str]:
    """``"\\n".join(lines[start:])`` as the csv reader reads it, line by line, without
    building that text (a copy of the file, four bytes a character in a StringIO)."""
    last = len(lines) - 1
    for i in range(start, last):
        yield lines[i] + "\n"
    if last >= start and lines[last]:
        yield lines[last]


def _stream_encoding(path: Path, head: bytes) -> str:
    """The encoding of a large delimited file, from its first bytes (as :func:`decode`
    decides for a whole file; NUL bytes or UTF-16 are not streamed: InputError)."""
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        raise InputError(
            "is UTF-16 or has NUL bytes: too large to read that way",
            file=path.name,
            fix="re-save it as UTF-8",
        )
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a character cut at the end of the sample
            return "utf-8"
    _text, enc = decode(head, path)
    return enc


def iter_delimited(
    path: Path, chunk_bytes: int, on_bytes: Callable[[int], None] | None = None
) -> Iterator[RawTable]:
    """Read a CSV/TSV in pieces of about ``chunk_bytes``, each a :class:`RawTable` of
    whole rows (never cut inside a quoted cell) with the file's line numbers.

    The same rows, line numbers and unparseable lines as :func:`read_delimited`
    gives, with memory bounded by the piece instead of the file. ``on_bytes`` is
    called with the number of bytes read so far (a progress bar).
    """
    import codecs

    block = 1 << 20
    with open(path, "rb") as f:
        head = f.read(block)
        if not head.strip():
            raise InputError(
                "the file is empty", file=path.name, fix="export it again or remove it"
            )
        enc = _stream_encoding(path, head)
        decoder = codecs.getincrementaldecoder(enc)(errors="strict")
        delim: str | None = None
        lines: list[str] = []
        size = quotes = 0
        first_line = 1
        tail = ""  # text after the last newline (and a held-back "\r")
        consumed = 0
        found = False
        data = head
        while True:
            final = not data
            try:
                text = tail + decoder.decode(data, final=final)
            except UnicodeDecodeError as exc:
                raise _undecodable(exc, path, f"for {enc} (near byte {consumed})") from None
            consumed += len(data)
            if on_bytes is not None:
                on_bytes(consumed)
            if not final and text.endswith("\r"):  # maybe the first half of "\r\n"
                text, tail = text[:-1], "\r"
            else:
                tail = ""
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            if delim is None:
                delim = sniff_delimiter(text, path)
            parts = text.split("\n")
            if not final:
                tail = parts.pop() + tail
            for line in parts:
                lines.append(line)
                size += len(line) + 1
                quotes += line.count('"')
                # a piece ends at a line outside any quoted cell (an unbalanced quote
                # that would never close ends it at 4x the size)
                if size >= chunk_bytes and (quotes % 2 == 0 or size >= 4 * chunk_bytes):
                    table = _piece(path, lines, delim, first_line, enc)
                    first_line += len(lines)
                    lines, size, quotes = [], 0, 0
                    if table is not None:
                        found = True
                        yield table
            if final:
                break
            data = f.read(block)
        table = _piece(path, lines, delim or ",", first_line, enc)
        if table is not None:
            found = True
            yield table
        if not found:
            raise InputError("the file has no rows", file=path.name, fix="export it again")


def _piece(path: Path, lines: list[str], delim: str, first_line: int, enc: str) -> RawTable | None:
    rows, numbers, bad = parse_lines(lines, delim, first_line)
    if not rows and not bad:
        return None
    return RawTable(
        path=path, rows=rows, row_numbers=numbers, encoding=enc, delimiter=delim, bad_rows=bad
    )


def _runaway(row: list[str], delim: str, span: int) -> bool:
    """A row spanning many lines whose long cell looks like many rows of the file."""
    longest = max(row, key=len, default="")
    inner = longest.split("\n")
    with_delims = sum(1 for ln in inner if ln.count(delim) >= 1)
    return len(inner) > 50 and with_delims >= 0.5 * len(inner)


def check_zip(path: Path, parts: Sequence[str] = (), kind: str = "document") -> None:
    """Decompression limits for DOCX/XLSX/ODT: uncompressed size and ratio per part.

    Raises InputError naming the file when a part would unpack to more than
    :data:`MAX_UNZIPPED_BYTES` or more than :data:`MAX_ZIP_RATIO` times its
    compressed size (a zip bomb); ``parts`` are name prefixes to check (all by default).
    """
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(
            f"cannot be opened as a {kind} ({type(exc).__name__}: {exc})",
            file=path.name,
            fix="open it in its application and save it again",
        ) from None
    total = 0
    for info in infos:
        if parts and not info.filename.startswith(tuple(parts)):
            continue
        total += info.file_size
        ratio = info.file_size / max(1, info.compress_size)
        if (
            info.file_size > MAX_UNZIPPED_BYTES
            or total > 2 * MAX_UNZIPPED_BYTES
            or (ratio > MAX_ZIP_RATIO and info.file_size > 10_000_000)
        ):
            raise InputError(
                f"{info.filename} unpacks to {info.file_size / 1e6:.0f} MB "
                f"({ratio:.0f}x its packed size); over the limit for one {kind} "
                f"({MAX_UNZIPPED_BYTES / 1e6:.0f} MB, {MAX_ZIP_RATIO}x)",
                file=path.name,
                fix="split the document, or export its text as .txt/.csv",
            )


def count_elements(path: Path, part: str, tag: bytes, limit: int, what: str) -> int:
    """Count ``tag`` occurrences in one zip part without parsing it; over ``limit`` fails."""
    import zipfile

    n = 0
    with zipfile.ZipFile(path) as zf:
        try:
            fh = zf.open(part)
        except KeyError:
            return 0
        with fh:
            tail = b""
            while chunk := fh.read(1 << 20):
                buf = tail + chunk
                n += buf.count(tag)  # a tag cannot lie wholly inside the carried tail
                tail = buf[-(len(tag) - 1) :] if len(tag) > 1 else b""
                if n > limit:
                    raise InputError(
                        f"has more than {limit:,} {what}; over the limit for one file",
                        file=path.name,
                        fix="split the document, or export its text as .txt/.csv",
                    )
    return n


def read_excel(path: Path) -> RawTable:
    import pandas as pd

    check_zip(path, kind="spreadsheet")
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
    bad: dict[int, str] = {}
    lines_of: list[int] = []
    try:
        if path.suffix.lower() == ".jsonl":
            records = []
            for n, line in enumerate(text.split("\n"), start=1):
                if line.strip():
                    try:
                        obj = json.loads(line)
                    except json.JSONDecodeError as exc:
                        bad[n] = f"is not valid JSON ({exc.msg})"
                        continue
                    if not isinstance(obj, dict):
                        bad[n] = "is not a JSON object"
                        continue
                    records.append(obj)
                    lines_of.append(n)
            if not records and bad:
                first = min(bad)
                raise InputError(
                    f"no line could be read as JSON (line {first} {bad[first]})",
                    file=path.name,
                    fix="check it is JSON Lines: one {...} object per line",
                )
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
    if lines_of:  # JSON Lines: rows are numbered by their line in the file
        raw.row_numbers = [0, *lines_of]
    raw.bad_rows = bad
    w = decoding_warning(path, enc)
    if w:
        raw.warnings.append(w)
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
