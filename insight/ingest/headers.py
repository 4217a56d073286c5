"""Header rows of survey and review tables: title rows, one to three header rows
(Qualtrics, SurveyMonkey, legacy Qualtrics), transposed tables, and what kind of
table it is."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from insight import schema as S
from insight.errors import InputError
from insight.ingest import transcripts as T
from insight.ingest.io import RawTable
from insight.ingest.roles import to_float


@dataclass
class Header:
    format: str
    names: list[str]
    questions: list[str]
    data_start: int  # index into RawTable.rows
    guess: str = ""  # what was guessed, with the override


HEADER_FORMATS = ("plain", "qualtrics", "qualtrics_legacy", "surveymonkey", "two_header_rows")

_SM_MARKERS = {"response", "open-ended response", "open ended response", "other (please specify)"}
_QUALTRICS_CODES = {
    "startdate",
    "enddate",
    "status",
    "ipaddress",
    "progress",
    "finished",
    "recordeddate",
    "responseid",
    "distributionchannel",
    "userlanguage",
    "durationinseconds",
}


def _is_value(c: str) -> bool:
    """A number or a date: what data cells are and header cells are not."""
    c = c.strip()
    return to_float(c) is not None or bool(re.match(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}", c))


def _header_votes(cand: list[str], data: list[list[str]], first: list[str]) -> tuple[int, int]:
    """(header-like votes, votes) for ``cand`` being a header row above ``data``."""
    yes = votes = 0
    for j, c in enumerate(cand):
        c = c.strip()
        if not c:
            continue
        col = [r[j].strip() for r in data if j < len(r) and r[j].strip()]
        questiony = len(c.split()) >= 3 or c.endswith(("?", ":"))
        if j < len(first) and c == first[j].strip() and not _is_value(c):
            yes, votes = yes + 1, votes + 1
            continue
        if not col:
            if questiony:
                yes, votes = yes + 1, votes + 1
            continue
        values = sum(_is_value(v) for v in col) / len(col)
        if values >= 0.8:
            votes += 1
            yes += not _is_value(c)
            continue
        if c in set(col):
            votes += 1
            continue
        words = sorted(len(v.split()) for v in col)[len(col) // 2]
        if (words <= 3 and questiony) or c.endswith("?"):
            yes, votes = yes + 1, votes + 1
    return yes, votes


def _title_rows(rows: list[list[str]]) -> int:
    """Leading rows that are a title, not the header (Excel title rows, merged cells)."""
    filled = [sum(1 for c in r if c.strip()) for r in rows[:30]]
    widest = max(filled, default=0)
    if widest < 3:
        return 0
    for i, n in enumerate(filled[:10]):
        if n >= max(2, 0.5 * widest):
            return i
    return 0


def detect_header(
    raw: RawTable, format_hint: str | None = None, header_row: int | None = None
) -> Header:
    """Find the header row(s) by content: 1, 2 or 3 rows, after any title rows.

    Qualtrics (codes / question text / ImportId JSON, or only the first two),
    legacy Qualtrics (``V1 ...`` codes, then field names), SurveyMonkey (question /
    sub-question), a generic second row of question text, or plain. ``format_hint``
    (``format:`` in the schema file) and ``header_row`` (1-based) override the guess.
    """
    rows = raw.rows
    start = header_row - 1 if header_row else _title_rows(rows)
    guess_parts: list[str] = []
    if start:
        guess_parts.append(
            f"rows 1-{start} are a title, the header is row {start + 1}"
            if start > 1
            else "row 1 is a title, the header is row 2"
        )
    first = [c.strip() for c in rows[start]]
    width = len(first)
    fmt = format_hint
    n_rows = 1
    if fmt is None:
        third = [c.strip() for c in rows[start + 2] if c.strip()] if len(rows) > start + 2 else []
        second = [c.strip() for c in rows[start + 1]] if len(rows) > start + 1 else []
        codes = {re.sub(r"[^a-z]", "", c.lower()) for c in first}
        if third and sum(c.startswith("{") and "ImportId" in c for c in third) >= 0.5 * len(third):
            fmt, n_rows = "qualtrics", 3
        elif sum(bool(re.fullmatch(r"V\d{1,3}", c)) for c in first) >= 3 and second:
            fmt, n_rows = "qualtrics_legacy", 2
        elif (
            second
            and any(c.lower() in _SM_MARKERS for c in second)
            and (any(not c for c in first[1:]) or "Respondent ID" in first)
        ):
            fmt, n_rows = "surveymonkey", 2
        elif second:
            yes, votes = _header_votes(second, rows[start + 2 : start + 202], first)
            if votes >= 2 and yes >= 0.6 * votes:
                fmt = "qualtrics" if len(codes & _QUALTRICS_CODES) >= 3 else "two_header_rows"
                n_rows = 2
                if len(rows) > start + 2:
                    y3, v3 = _header_votes(rows[start + 2], rows[start + 3 : start + 203], first)
                    if v3 >= 2 and y3 >= 0.6 * v3:
                        n_rows = 3
            else:
                fmt = "plain"
        else:
            fmt = "plain"
    else:
        fmt = fmt.lower()
        if fmt not in HEADER_FORMATS:
            raise InputError(
                f"unknown format {fmt!r} in the schema file",
                file=raw.path.name,
                fix="use one of: " + ", ".join(HEADER_FORMATS),
            )
        n_rows = {"plain": 1}.get(fmt, 2)
        if fmt == "qualtrics" and len(rows) > start + 2:
            third = [c for c in rows[start + 2] if c.strip()]
            if third and sum("ImportId" in c for c in third) >= 0.5 * len(third):
                n_rows = 3
    second = [c.strip() for c in rows[start + 1]] if n_rows >= 2 and len(rows) > start + 1 else []
    second = (second + [""] * width)[:width]
    if fmt == "surveymonkey":
        names, questions = [], []
        current = ""
        for i, top in enumerate(first):
            current = top or current
            sub = second[i]
            if not top and not sub:
                name = f"column_{i + 1}"
            elif sub and sub.lower() not in _SM_MARKERS and sub != current:
                name = f"{current} - {sub}"
            else:
                name = current
            names.append(name)
            questions.append(name)
    elif fmt == "qualtrics_legacy":
        names = [
            (second[i] or c) if re.fullmatch(r"V\d{1,3}", c) else (c or second[i])
            for i, c in enumerate(first)
        ]
        names = [n or f"column_{i + 1}" for i, n in enumerate(names)]
        questions = [second[i] or names[i] for i in range(width)]
    elif n_rows >= 2:
        names = [c or second[i] or f"column_{i + 1}" for i, c in enumerate(first)]
        questions = [second[i] or names[i] for i in range(width)]
    else:
        if _looks_headerless(first, rows):
            raise InputError(
                "the first row looks like data, not a header row",
                file=raw.path.name,
                row=start + 1,
                fix="add a header row with one name per column",
            )
        names = [c or f"column_{i + 1}" for i, c in enumerate(first)]
        questions = list(names)
    if n_rows > 1:
        guess_parts.append(
            f"{n_rows} header rows ({fmt.replace('_', ' ')}: names, then question text"
            + (", then import ids" if n_rows == 3 else "")
            + ")"
        )
    guess = ""
    if guess_parts:
        guess = (
            f"{raw.path.name}: "
            + "; ".join(guess_parts)
            + "; override with 'format:' (one of "
            + ", ".join(HEADER_FORMATS)
            + ") or 'header_row:' for this file in the schema file"
        )
    return Header(fmt, _dedupe(names, raw), questions, start + n_rows, guess)


PARTICIPANT_CODE = re.compile(
    r"^(?:p|r|s|u|participant|respondent|subject|user|interviewee)[-_ #]?\d{1,4}$", re.I
)


def transposed(raw: RawTable, header: Header) -> tuple[RawTable, Header] | None:
    """A table with one row per question and one column per participant (``Questions,
    P1, P2, ...``) turned into one row per participant."""
    others = header.names[1:]
    codes = sum(1 for n in others if PARTICIPANT_CODE.match(n.strip()))
    if len(others) < 3 or codes < 0.8 * len(others):
        return None
    body = raw.rows[header.data_start :]
    items = [r[0].strip() if r else "" for r in body]
    if not all(items) or len(set(items)) != len(items):
        return None
    rows = [["participant", *items]]
    for j, name in enumerate(header.names[1:], start=1):
        rows.append([name, *[(r[j] if j < len(r) else "") for r in body]])
    flipped = RawTable(
        path=raw.path,
        rows=rows,
        row_numbers=list(range(1, len(rows) + 1)),
        encoding=raw.encoding,
        delimiter=raw.delimiter,
        warnings=list(raw.warnings),
    )
    guess = (
        f"{raw.path.name}: one row per question and one column per participant "
        f"({', '.join(others[:3])}, ...): read as one row per participant; "
        "transpose the file to override"
    )
    new = Header("transposed", ["participant", *items], ["participant", *items], 1, guess)
    return flipped, new


def _looks_headerless(first: list[str], rows: list[list[str]]) -> bool:
    cells = [c for c in first if c]
    if not cells:
        return True
    numeric = sum(1 for c in cells if to_float(c) is not None)
    long = sum(1 for c in cells if len(c) > 120 and not re.match(r"^\d{1,2}[.)]\s", c))
    # a long question can head a column; a long cell beside numbers is a data row
    return numeric > len(cells) / 2 or (long > 0 and numeric > 0) or long > len(cells) / 2


def _dedupe(names: list[str], raw: RawTable) -> list[str]:
    seen: Counter[str] = Counter()
    out = []
    for n in names:
        seen[n] += 1
        out.append(n if seen[n] == 1 else f"{n}.{seen[n] - 1}")
    return out


def padded_body(raw: RawTable, header: Header) -> tuple[list[list[str]], list[int], dict[int, str]]:
    """Data rows padded to the header width; rows with extra cells are marked bad."""
    width = len(header.names)
    body, numbers, bad = [], [], {}
    for row, num in zip(
        raw.rows[header.data_start :], raw.row_numbers[header.data_start :], strict=False
    ):
        if len(row) > width and any(c.strip() for c in row[width:]):
            bad[num] = f"has {len(row)} cells but the header has {width}"
        body.append((row + [""] * width)[:width])
        numbers.append(num)
    return body, numbers, bad


def classify_table(raw: RawTable, header: Header, body: list[list[str]], path: Path) -> str:
    """survey | review | transcript-table, from the columns' content."""
    for j, _name in enumerate(header.names):
        cells = [r[j] for r in body if r[j].strip()]
        if cells and sum(T.looks_like_transcript_cell(c) for c in cells[:20]) >= 0.5 * min(
            len(cells), 20
        ):
            return "transcript_table"
    names = " ".join(header.names).lower()
    if header.format != "plain":
        return S.SOURCE_SURVEY
    review_hint = "review" in path.stem.lower() or re.search(r"\breview|stars?\b|rating", names)
    if review_hint:
        return S.SOURCE_REVIEW
    return S.SOURCE_SURVEY
