"""File readers: one file in, records + respondents + column roles + row accounting out."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from insight import schema as S
from insight.errors import InputError
from insight.ingest import transcripts as T
from insight.ingest.io import RawTable, decoding_warning, read_bytes, read_raw_table, read_text
from insight.ingest.roles import (
    PIPED_PLACEHOLDER,
    PIPED_RE,
    ColumnInfo,
    FileSchema,
    apply_overrides,
    infer_role,
    is_non_substantive,
    to_float,
)
from insight.nlp import is_non_answer
from insight.units import stable_id

TRANSCRIPT_EXTENSIONS = {".txt", ".md", ".markdown", ".vtt", ".srt", ".docx", ".odt"}
TABLE_EXTENSIONS = {".csv", ".tsv", ".tab", ".xlsx", ".xlsm", ".parquet", ".json", ".jsonl"}
SUPPORTED = sorted(TRANSCRIPT_EXTENSIONS | TABLE_EXTENSIONS)

SKIP_EMPTY = "empty"
SKIP_NON_ANSWER = "non_answer"
SKIP_DUPLICATE = "duplicate"
SKIP_UNPARSEABLE = "unparseable"
SKIP_NOTE = "observer_note"  # think-aloud observer notes and moderator task prompts' notes
SKIP_REASONS = (SKIP_EMPTY, SKIP_NON_ANSWER, SKIP_DUPLICATE, SKIP_UNPARSEABLE, SKIP_NOTE)


@dataclass
class Accounting:
    """Rows (or turns) read = rows with units + rows skipped (by reason), always."""

    unit_of_count: str = "rows"
    read: int = 0
    with_units: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    respondents: int = 0
    non_answer_cells: int = 0
    unmapped_ratings: int = 0

    def skip(self, reason: str) -> None:
        self.skipped[reason] += 1

    def check(self) -> None:
        """Raise ValueError unless read = with units + skipped."""
        if self.read != self.with_units + sum(self.skipped.values()):
            raise ValueError(f"row accounting does not add up: {self}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "counted": self.unit_of_count,
            "read": self.read,
            "with_units": self.with_units,
            "skipped": {r: int(self.skipped.get(r, 0)) for r in SKIP_REASONS},
            "respondents": self.respondents,
            "non_answer_cells": self.non_answer_cells,
            "unmapped_ratings": self.unmapped_ratings,
        }


@dataclass
class FileResult:
    path: Path
    source: str
    source_hash: str
    source_type: str
    format: str
    records: list[dict[str, Any]] = field(default_factory=list)
    respondents: list[dict[str, Any]] = field(default_factory=list)
    schema: FileSchema | None = None
    accounting: Accounting = field(default_factory=Accounting)
    warnings: list[str] = field(default_factory=list)
    #: one line per guess the reader made about this file, with the option that overrides it
    guesses: list[str] = field(default_factory=list)
    #: transcripts read from this file: (row or None, respondent prefix, date, transcript)
    transcripts: list[tuple[int | None, str, str | None, T.Transcript]] = field(
        default_factory=list
    )
    #: rows of a transcript table skipped before parsing: (row, reason)
    pre_skips: list[tuple[int, str]] = field(default_factory=list)


def file_hash(path: Path) -> str:
    return hashlib.sha1(read_bytes(path)).hexdigest()


def _record(
    res: FileResult,
    *,
    row: int | None,
    turn: int | None,
    field_: str,
    respondent: str,
    speaker: str,
    role: str,
    question: str,
    text: str,
    date: str | None,
) -> dict[str, Any]:
    rid = stable_id("r_", res.source_hash[:12], row, turn, field_)
    return {
        S.RECORD_ID: rid,
        S.SOURCE: res.source,
        S.SOURCE_TYPE: res.source_type,
        S.ROW: row,
        S.TURN: turn,
        S.FIELD: field_,
        S.RESPONDENT_ID: respondent,
        S.SPEAKER: speaker,
        S.SPEAKER_ROLE: role,
        S.QUESTION: question,
        S.TEXT: text,
        S.DATE: date,
    }


# -- tables: surveys and reviews ---------------------------------------------------------


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


def _transposed(raw: RawTable, header: Header) -> tuple[RawTable, Header] | None:
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


def _columns(raw: RawTable, header: Header) -> tuple[list[list[str]], list[int], dict[int, str]]:
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


def read_table_file(
    path: Path,
    overrides: dict[str, dict[str, Any]] | None = None,
    interviewer_names: Sequence[str] = T.DEFAULT_INTERVIEWER_NAMES,
    kind: str | None = None,
    options: dict[str, Any] | None = None,
) -> FileResult:
    """Read a survey/review/transcript table.

    ``options`` are this file's fields from the schema file: ``format`` (see
    :data:`HEADER_FORMATS`), ``header_row`` (1-based), ``kind``
    (survey | review | transcript_table).
    """
    options = options or {}
    raw = read_raw_table(path)
    hr = options.get("header_row")
    fmt_opt = options.get("format")
    if fmt_opt == "transcript_table":
        kind, fmt_opt = kind or "transcript_table", None
    if fmt_opt == "transposed":  # written by inspect; found again from the content
        fmt_opt = None
    header = detect_header(raw, fmt_opt, int(hr) if hr else None)
    flipped = _transposed(raw, header)
    if flipped is not None:
        raw, header = flipped
    header.questions = [PIPED_RE.sub(PIPED_PLACEHOLDER, q) for q in header.questions]
    kind = kind or options.get("kind")
    body, numbers, bad = _columns(raw, header)
    for line, why in raw.bad_rows.items():
        if line not in bad:
            bad[line] = why
    if not body:
        raise InputError(
            "has a header but no data rows", file=path.name, fix="export the responses too"
        )
    table_kind = kind or classify_table(raw, header, body, path)
    src_hash = file_hash(path)
    if table_kind == "transcript_table":
        body, numbers = _with_bad_lines(body, numbers, bad, len(header.names))
        return _read_transcript_table(path, src_hash, header, body, numbers, bad, interviewer_names)
    res = FileResult(path, path.name, src_hash, table_kind, header.format)
    res.warnings.extend(raw.warnings)
    if header.guess:
        res.guesses.append(header.guess)
    is_review = table_kind == S.SOURCE_REVIEW
    fs = FileSchema(source=path.name, format=header.format)
    for j, name in enumerate(header.names):
        values = [r[j] for i, r in enumerate(body) if numbers[i] not in bad]
        info = infer_role(name, header.questions[j], values, review=is_review)
        if overrides and name in overrides:
            info = apply_overrides(info, overrides[name], values)
        fs.columns[name] = info
    _pair_comment_questions(fs, header)
    _share_numeric_scale(fs)
    if is_review and not fs.by_role(S.ROLE_TEXT):
        raise InputError(
            "no review text column found",
            file=path.name,
            fix='name the text column in a schema file (role: open_text) or rename it "text"',
        )
    res.schema = fs
    body, numbers = _with_bad_lines(body, numbers, bad, len(header.names))
    _table_rows(res, header, body, numbers, bad)
    return res


_GENERIC_COMMENT = re.compile(
    r"^(comments?|why\??|explain|please explain|reason|other|notes?|details?)(\.\d+)?$", re.I
)


def _share_numeric_scale(fs: FileSchema) -> None:
    """Numeric items of one file (a battery) share one scale: 1-4 on one item and 1-6 on
    the next only says which points were used, so all get the widest usual range."""
    from insight.ingest.scales import _nominal_range

    items = [
        c
        for c in fs.columns.values()
        if c.role == S.ROLE_LIKERT
        and c.scale is not None
        and c.scale.kind == "numeric"
        and c.scale.max <= 7  # agreement-style items; 0-10 ratings stay apart
        and not c.overridden
    ]
    if len(items) < 3:
        return
    lo = min(c.scale.min for c in items if c.scale is not None)
    hi = max(c.scale.max for c in items if c.scale is not None)
    lo, hi = _nominal_range(lo, hi)
    for c in items:
        if c.scale is not None and c.scale.min >= lo and c.scale.max <= hi:
            c.scale.min, c.scale.max = lo, hi
            c.scale.midpoint = (lo + hi) / 2


def _pair_comment_questions(fs: FileSchema, header: Header) -> None:
    """A "Comments" column after a rated item answers that item (Google Forms pairs)."""
    infos = list(fs.columns.values())
    for prev, info in itertools.pairwise(infos):
        if (
            info.role == S.ROLE_TEXT
            and not info.overridden
            and _GENERIC_COMMENT.match(info.name.strip())
            and prev.role in (S.ROLE_LIKERT, S.ROLE_RATING)
        ):
            info.question = f"{prev.question.strip()} - {info.question.strip()}"


def _with_bad_lines(
    body: list[list[str]], numbers: list[int], bad: dict[int, str], width: int
) -> tuple[list[list[str]], list[int]]:
    """Add lines the parser could not read as (empty) rows, so they are counted and reported."""
    missing = sorted(set(bad) - set(numbers))
    if not missing:
        return body, numbers
    pairs = list(zip(numbers, body, strict=True)) + [(m, [""] * width) for m in missing]
    pairs.sort(key=lambda p: p[0])
    return [p[1] for p in pairs], [p[0] for p in pairs]


def _table_rows(
    res: FileResult, header: Header, body: list[list[str]], numbers: list[int], bad: dict[int, str]
) -> None:
    fs = res.schema
    assert fs is not None
    acc = res.accounting
    idx = {n: j for j, n in enumerate(header.names)}
    id_cols = sorted(
        fs.by_role(S.ROLE_ID), key=lambda c: not re.search(r"respon|particip", c, re.I)
    )
    text_cols = fs.by_role(S.ROLE_TEXT)
    date_cols = fs.by_role(S.ROLE_DATE)
    keep_roles = {
        S.ROLE_LIKERT,
        S.ROLE_DEMOGRAPHIC,
        S.ROLE_BEHAVIOUR,
        S.ROLE_DATE,
        S.ROLE_METADATA,
        S.ROLE_RATING,
        S.ROLE_PRODUCT,
    }
    seen_ids: set[str] = set()
    seen_rows: set[tuple[str, ...]] = set()
    seen_id_content: set[tuple[str, ...]] = set()
    seen_content: set[tuple[str, ...]] = set()
    content_cols = [
        c
        for c, info in fs.columns.items()
        if info.role not in (S.ROLE_METADATA, S.ROLE_ID, S.ROLE_IGNORE, S.ROLE_DATE)
    ]
    # the same respondent's row again: every column but ids, dates and platform
    # metadata equal (a question-wording column keeps long-format rows apart)
    answer_cols = [
        c
        for c, info in fs.columns.items()
        if info.role not in (S.ROLE_ID, S.ROLE_DATE)
        and not (info.role == S.ROLE_METADATA and info.reason == "survey platform metadata")
    ]
    has_piped = any(PIPED_RE.search(v) for r in body[:200] for v in r)
    if has_piped:
        res.guesses.append(
            f"{res.source}: piped text such as [QID19-...] is shown as {PIPED_PLACEHOLDER}"
        )
    stem = res.path.stem
    for row, num in zip(body, numbers, strict=False):
        acc.read += 1
        if num in bad:
            acc.skip(SKIP_UNPARSEABLE)
            res.warnings.append(f"{res.source}, row {num}: {bad[num]} - skipped; check quoting")
            continue
        if not any(c.strip() for c in row):
            acc.skip(SKIP_EMPTY)
            continue
        rid_raw = row[idx[id_cols[0]]].strip() if id_cols else ""
        key = tuple(c.strip() for c in row)
        # A duplicate repeats the same respondent: the same values in every column, or
        # the same id with the same answers. The same short answer ("Very good",
        # "Nothing") from different people is data, not a duplicate.
        content = tuple(row[idx[c]].strip() for c in content_cols)
        id_content = (rid_raw, *(row[idx[c]].strip() for c in answer_cols))
        # A resubmitted form (a new response id, but the same answers to a long form:
        # 12+ answered items including written text) repeats its respondent too; a
        # short form (a rating and a comment) can match by chance and is kept.
        has_text = any(row[idx[c]].strip() for c in text_cols)
        identifying = has_text and sum(1 for c in content if c) >= 12
        same_row = key in seen_rows or bool(rid_raw and id_content in seen_id_content)
        if same_row or (identifying and content in seen_content):
            acc.skip(SKIP_DUPLICATE)
            why = (
                "repeats an earlier row of the same respondent"
                + (f" ({rid_raw})" if rid_raw else "")
                if same_row
                else f"gives the same {sum(1 for c in content if c)} answers as an earlier row"
                " under a new id (a resubmitted form)"
            )
            res.warnings.append(f"{res.source}, row {num}: {why} - skipped as a duplicate")
            continue
        seen_rows.add(key)
        if rid_raw:
            seen_id_content.add(id_content)
        if identifying:
            seen_content.add(content)
        repeat = bool(rid_raw) and rid_raw in seen_ids
        if rid_raw:
            seen_ids.add(rid_raw)
        if not rid_raw:
            respondent = f"{stem}:row{num}"
        elif re.fullmatch(r"\d+", rid_raw) or res.source_type == S.SOURCE_REVIEW:
            respondent = f"{stem}:{rid_raw}"
        else:
            respondent = rid_raw
        date = _first_date(row, idx, date_cols)
        person: dict[str, Any] = {
            S.RESPONDENT_ID: respondent,
            S.SOURCE: res.source,
            S.SOURCE_TYPE: res.source_type,
        }
        for name, info in fs.columns.items():
            if info.role not in keep_roles:
                continue
            v = row[idx[name]].strip()
            if info.role in (S.ROLE_LIKERT, S.ROLE_RATING):
                val = info.scale.value(v) if (info.scale and v) else None
                if v and val is None and is_non_substantive(v):
                    val, v = None, ""  # "Prefer not to say": missing, not a rating
                if v and val is None:
                    val = to_float(v) if info.scale is None else None
                    if val is None:
                        acc.unmapped_ratings += 1
                        lo = f"{info.scale.min:g}-{info.scale.max:g} " if info.scale else ""
                        res.warnings.append(
                            f'{res.source}, row {num}, column "{name}": expected a {lo}rating,'
                            f' got "{v[:40]}" - left missing; map it in a schema file'
                        )
                person[name] = val
            elif info.choices:
                picked = {p.strip() for p in v.split(info.choice_sep)} if v else set()
                for choice in info.choices:
                    person[indicator_name(name, choice)] = float(choice in picked) if v else None
            elif info.role == S.ROLE_BEHAVIOUR:
                person[name] = to_float(v) if v else None
            else:
                person[name] = v or None
        if not repeat:  # a repeated id (long format) adds answers to the same respondent
            res.respondents.append(person)
            acc.respondents += 1
        n_records, n_non = 0, 0
        for name in text_cols:
            v = row[idx[name]]
            if not v.strip():
                continue
            if is_non_answer(v):
                n_non += 1
                acc.non_answer_cells += 1
                continue
            if has_piped:
                v = PIPED_RE.sub(PIPED_PLACEHOLDER, v)
            res.records.append(
                _record(
                    res,
                    row=num,
                    turn=None,
                    field_=name,
                    respondent=respondent,
                    speaker="",
                    role=S.ROLE_CUSTOMER,
                    question=fs.columns[name].question,
                    text=v,
                    date=date,
                )
            )
            n_records += 1
        if n_records:
            acc.with_units += 1
        elif n_non:
            acc.skip(SKIP_NON_ANSWER)
        else:
            acc.skip(SKIP_EMPTY)


def indicator_name(column: str, choice: str) -> str:
    """The 0/1 column of one multi-select choice: ``"Channels: Email"``."""
    return f"{column}: {choice}"


def _first_date(row: list[str], idx: dict[str, int], date_cols: list[str]) -> str | None:
    import pandas as pd

    for c in date_cols:
        v = row[idx[c]].strip()
        if v:
            try:
                return str(pd.Timestamp(v).date())
            except (ValueError, TypeError):
                continue
    return None


# -- transcripts ----------------------------------------------------------------------------


def _transcript_records(
    res: FileResult,
    tr: T.Transcript,
    *,
    row: int | None,
    prefix: str,
    date: str | None = None,
) -> int:
    """Records of one transcript; returns how many participant records it gave."""
    acc = res.accounting
    last_question = ""
    respondents: dict[str, dict[str, Any]] = {}
    n_customer = 0
    code = tr.meta.get("participant") or tr.meta.get("participant id") or ""
    for i, turn in enumerate(tr.turns):
        acc.read += 1
        if not turn.text.strip():
            acc.skip(SKIP_EMPTY)
            continue
        if turn.kind == "note":
            acc.skip(SKIP_NOTE)
            continue
        if turn.role == S.ROLE_CUSTOMER and is_non_answer(turn.text):
            acc.skip(SKIP_NON_ANSWER)
            acc.non_answer_cells += 1
            continue
        speaker = turn.speaker or "participant"
        if turn.role == S.ROLE_INTERVIEWER:
            respondent = f"{prefix}:interviewer"
        else:
            respondent = f"{prefix}:{speaker}"
            if tr.mode in ("think_aloud", "unlabelled"):
                respondent = _participant_code(code, prefix) or respondent
            respondents.setdefault(
                respondent,
                {
                    S.RESPONDENT_ID: respondent,
                    S.SOURCE: res.source,
                    S.SOURCE_TYPE: S.SOURCE_TRANSCRIPT,
                    "speaker": speaker,
                },
            )
            n_customer += 1
        res.records.append(
            _record(
                res,
                row=row,
                turn=i,
                field_="turn",
                respondent=respondent,
                speaker=turn.speaker,
                role=turn.role,
                question=last_question if turn.role == S.ROLE_CUSTOMER else "",
                text=turn.text,
                date=date,
            )
        )
        acc.with_units += 1
        if turn.role == S.ROLE_INTERVIEWER:
            last_question = turn.text
    res.respondents.extend(respondents.values())
    acc.respondents += len(respondents)
    return n_customer


def _participant_code(meta_code: str, prefix: str) -> str:
    """A participant code such as ``P2`` from a ``Participant: P2`` line or a file name
    such as ``P2_GMT20211119`` (so a session and its questionnaire share a respondent)."""
    for cand in (meta_code.strip(), prefix):
        m = re.match(
            r"^((?:p|participant|r|respondent|s|subject|u|user)[-_ ]?\d{1,4})(?:$|[-_ .])",
            cand,
            re.I,
        )
        if m:
            return m.group(1).upper().replace(" ", "").replace("-", "").replace("_", "")
    return ""


def build_transcript_records(res: FileResult) -> None:
    """(Re)build the records of a transcript file from its parsed transcripts.

    Raises InputError naming the file (and row) when a transcript has no
    participant speech left: nothing is dropped silently.
    """
    res.records.clear()
    res.respondents.clear()
    res.accounting = Accounting(unit_of_count="turns")
    total = 0
    fix = (
        "label the participant's turns (e.g. 'P1:'), or name only the real "
        "interviewers with --interviewer NAME"
    )
    for row, prefix, date, tr in res.transcripts:
        n = _transcript_records(res, tr, row=row, prefix=prefix, date=date)
        total += n
        said = [t for t in tr.turns if t.role == S.ROLE_CUSTOMER and t.kind == "speech"]
        if n == 0 and said:  # the participant spoke, but only non-answers: counted, not an error
            total += 1
            where = f", row {row}" if row is not None else ""
            res.warnings.append(
                f"{res.source}{where}: all {len(said)} participant answers are non-answers"
                " (e.g. 'nan', 'N/A') - counted, no evidence"
            )
            continue
        if n == 0 and any(t.text.strip() for t in tr.turns):
            speakers = sorted({t.speaker for t in tr.turns if t.speaker})
            who = f" (speakers: {', '.join(speakers[:6])})" if speakers else ""
            if row is None:
                raise InputError(
                    f"no participant speech found: every turn was taken as the interviewer's{who}",
                    file=res.source,
                    fix=fix,
                )
            res.warnings.append(f"{res.source}, row {row}: no participant speech found{who}; {fix}")
    if res.transcripts and total == 0:
        raise InputError("no participant speech found in any transcript", file=res.source, fix=fix)


def _guess_lines(res: FileResult) -> None:
    """One line per file: what was guessed about its transcripts."""
    seen: dict[str, None] = {}
    removed: dict[str, None] = {}
    for _row, _prefix, _date, tr in res.transcripts:
        for g in tr.guesses:
            seen.setdefault(g, None)
        for r in tr.cleaned:
            removed.setdefault(re.sub(r"^\d+ ", "", r), None)
    parts = list(seen)
    if removed:
        parts.append("removed " + ", ".join(removed) + " before reading turns")
    res.guesses = [f"{res.source}: {p}" for p in parts]


def _odt_text(path: Path) -> str:
    from insight.ingest.io import MAX_PARAGRAPHS, check_zip, count_elements

    check_zip(path, ("content.xml", "styles.xml"), kind="ODT document")
    count_elements(path, "content.xml", b"<text:p", MAX_PARAGRAPHS, "paragraphs")
    try:
        from odf import teletype
        from odf.namespaces import TEXTNS
        from odf.opendocument import load
    except ImportError:  # pragma: no cover - declared dependency
        raise InputError(
            "odfpy is not installed", file=path.name, fix="pip install odfpy"
        ) from None
    try:
        doc = load(str(path))
    except Exception as exc:
        raise InputError(
            f"cannot be read as ODT ({type(exc).__name__})",
            file=path.name,
            fix="open it in LibreOffice and save as .odt again, or export .txt",
        ) from None
    wanted = {(TEXTNS, "p"), (TEXTNS, "h")}
    out: list[str] = []

    def walk(node: Any) -> None:
        for child in node.childNodes:
            if getattr(child, "qname", None) in wanted:
                out.append(teletype.extractText(child))
            elif getattr(child, "childNodes", None):
                walk(child)

    walk(doc.text)
    return "\n".join(out)


def _docx_text(path: Path) -> str:
    from insight.ingest.io import MAX_PARAGRAPHS, check_zip, count_elements

    check_zip(path, ("word/",), kind="DOCX document")
    count_elements(path, "word/document.xml", b"<w:p>", MAX_PARAGRAPHS, "paragraphs")
    count_elements(path, "word/document.xml", b"<w:p ", MAX_PARAGRAPHS, "paragraphs")
    try:
        import docx
    except ImportError:  # pragma: no cover - declared dependency
        raise InputError(
            "python-docx is not installed", file=path.name, fix="pip install python-docx"
        ) from None
    try:
        document = docx.Document(str(path))
    except Exception as exc:
        raise InputError(
            f"cannot be read as DOCX ({type(exc).__name__})",
            file=path.name,
            fix="open it in Word and save as .docx again, or export .txt",
        ) from None
    return "\n".join(p.text for p in document.paragraphs)


def read_transcript_file(
    path: Path,
    interviewer_names: Sequence[str] = T.DEFAULT_INTERVIEWER_NAMES,
    batch_names: Sequence[str] = (),
) -> FileResult:
    ext = path.suffix.lower()
    src_hash = file_hash(path)
    warnings: list[str] = []
    if ext in (".docx", ".odt"):
        text = _docx_text(path) if ext == ".docx" else _odt_text(path)
        if not text.strip():
            raise InputError("the document has no text", file=path.name, fix="check the file")
        tr, fmt = T.from_text(text, interviewer_names, batch_names), ext[1:]
    else:
        text, enc = read_text(path)
        w = decoding_warning(path, enc)
        if w:
            warnings.append(w)
        if ext == ".vtt":
            tr, fmt = T.read_vtt(path, text, interviewer_names), "webvtt"
        elif ext == ".srt":
            tr, fmt = T.read_srt(path, text, interviewer_names), "srt"
        else:
            tr, fmt = T.from_text(text, interviewer_names, batch_names), "text"
    res = FileResult(path, path.name, src_hash, S.SOURCE_TRANSCRIPT, fmt)
    res.accounting.unit_of_count = "turns"
    res.warnings.extend(warnings)
    res.warnings.extend(f"{path.name}: {w}" for w in tr.warnings)
    if tr.mode == "unlabelled":
        res.warnings.append(
            f"{path.name}: no speaker labels found - treated as one respondent's text;"
            ' label turns like "Interviewer:" / "Name:" to separate speakers'
        )
    res.transcripts.append((None, path.stem, None, tr))
    build_transcript_records(res)
    _guess_lines(res)
    return res


def _read_transcript_table(
    path: Path,
    src_hash: str,
    header: Header,
    body: list[list[str]],
    numbers: list[int],
    bad: dict[int, str],
    interviewer_names: Sequence[str],
    batch_names: Sequence[str] = (),
) -> FileResult:
    res = FileResult(path, path.name, src_hash, S.SOURCE_TRANSCRIPT, "transcript_table")
    res.accounting.unit_of_count = "turns"
    cols = header.names
    text_j = max(
        range(len(cols)),
        key=lambda j: sum(T.looks_like_transcript_cell(r[j]) for r in body[:20] if r[j]),
    )
    id_j = next(
        (j for j, c in enumerate(cols) if j != text_j and re.search(r"id$|^id|name", c, re.I)),
        None,
    )
    pre_skips: list[tuple[int, str]] = []
    for row, num in zip(body, numbers, strict=False):
        if num in bad:
            pre_skips.append((num, SKIP_UNPARSEABLE))
            res.warnings.append(f"{path.name}, row {num}: {bad[num]} - skipped")
            continue
        cell = row[text_j]
        if not cell.strip():
            pre_skips.append((num, SKIP_EMPTY))
            continue
        tr = T.from_text(cell, interviewer_names, batch_names)
        ident = row[id_j].strip() if id_j is not None and row[id_j].strip() else f"row{num}"
        res.warnings.extend(f"{path.name}, row {num}: {w}" for w in tr.warnings)
        if tr.mode == "unlabelled":
            res.warnings.append(
                f"{path.name}, row {num}: no speaker labels - treated as one respondent"
            )
        res.transcripts.append((num, ident, None, tr))
    res.pre_skips = pre_skips
    build_transcript_records(res)
    _apply_pre_skips(res)
    _guess_lines(res)
    res.schema = FileSchema(source=path.name, format="transcript_table")
    res.schema.columns[cols[text_j]] = ColumnInfo(cols[text_j], S.ROLE_TEXT, reason="transcripts")
    if id_j is not None:
        res.schema.columns[cols[id_j]] = ColumnInfo(cols[id_j], S.ROLE_ID, reason="transcript id")
    return res


def _apply_pre_skips(res: FileResult) -> None:
    for _num, reason in res.pre_skips:
        res.accounting.read += 1
        res.accounting.skip(reason)


def rebuild_with_batch_interviewers(
    results: Sequence[FileResult], interviewer_names: Sequence[str]
) -> tuple[list[str], dict[str, InputError]]:
    """Find interviewers named the same across the batch and re-read roles everywhere.

    Returns one line per interviewer found, and the files that were then left
    without participant speech (source -> the error naming it and the fix).
    """
    transcripts = [tr for r in results for _a, _b, _c, tr in r.transcripts]
    found = T.batch_interviewers(transcripts)
    failed: dict[str, InputError] = {}
    if not found:
        return [], failed
    for r in results:
        touched = False
        for _row, _prefix, _date, tr in r.transcripts:
            if tr.mode not in ("labelled", "cues"):
                continue
            if not any(T._norm_name(t.speaker) in found for t in tr.turns):
                continue
            guesses = T.assign_roles(tr.turns, interviewer_names, found)
            tr.guesses = [g for g in tr.guesses if not g.startswith("guessed")] + guesses
            touched = True
        if not touched:
            continue
        try:
            build_transcript_records(r)
        except InputError as exc:
            failed[r.source] = exc
            continue
        _apply_pre_skips(r)
        _guess_lines(r)
    names = ", ".join(sorted(found))
    notes = [
        f'"{names}" speaks in most transcripts of this batch and asks most questions: taken as '
        "the interviewer in every file; override with --interviewer NAME"
    ]
    return notes, failed


def read_file(
    path: Path,
    overrides: dict[str, dict[str, Any]] | None = None,
    interviewer_names: Sequence[str] = T.DEFAULT_INTERVIEWER_NAMES,
    kind: str | None = None,
    options: dict[str, Any] | None = None,
) -> FileResult:
    """Read one supported file. Raises InputError with file/row/column and the fix.

    ``options``: this file's fields from the schema file (``format``,
    ``header_row``, ``kind``).
    """
    ext = path.suffix.lower()
    if ext in TRANSCRIPT_EXTENSIONS:
        return read_transcript_file(path, interviewer_names)
    if ext in TABLE_EXTENSIONS:
        return read_table_file(path, overrides, interviewer_names, kind, options)
    raise InputError(
        f'unknown file type "{ext or "(none)"}"',
        file=path.name,
        fix="supported: " + ", ".join(SUPPORTED),
    )


def schema_rows(res: FileResult) -> list[dict[str, Any]]:
    """The `columns` table rows for one file."""
    if res.schema is None:
        return []
    out: list[dict[str, Any]] = []
    for info in res.schema.columns.values():
        for choice in info.choices:
            out.append(
                {
                    S.SOURCE: res.source,
                    S.COL_NAME: indicator_name(info.name, choice),
                    S.COL_ROLE: S.ROLE_DEMOGRAPHIC,
                    S.COL_QUESTION: f"{info.question}: {choice}",
                    "scale_min": None,
                    "scale_max": None,
                    "labels": None,
                    "reverse": False,
                    "why": f"multi-select choice of {info.name}",
                }
            )
        if info.choices:
            continue
        sc = info.scale
        out.append(
            {
                S.SOURCE: res.source,
                S.COL_NAME: info.name,
                S.COL_ROLE: info.role,
                S.COL_QUESTION: info.question,
                "scale_min": sc.min if sc else None,
                "scale_max": sc.max if sc else None,
                "labels": json.dumps(sc.labels, ensure_ascii=False) if sc else None,
                "reverse": bool(info.reverse),
                "why": info.reason,
            }
        )
    return out
