"""File readers: one file in, records + respondents + column roles + row accounting out."""

from __future__ import annotations

import hashlib
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
from insight.ingest.io import RawTable, read_bytes, read_raw_table, read_text
from insight.ingest.roles import ColumnInfo, FileSchema, apply_overrides, infer_role, to_float
from insight.nlp import is_non_answer
from insight.units import stable_id

TRANSCRIPT_EXTENSIONS = {".txt", ".md", ".markdown", ".vtt", ".srt", ".docx"}
TABLE_EXTENSIONS = {".csv", ".tsv", ".tab", ".xlsx", ".xlsm", ".parquet", ".json", ".jsonl"}
SUPPORTED = sorted(TRANSCRIPT_EXTENSIONS | TABLE_EXTENSIONS)

SKIP_EMPTY = "empty"
SKIP_NON_ANSWER = "non_answer"
SKIP_DUPLICATE = "duplicate"
SKIP_UNPARSEABLE = "unparseable"
SKIP_REASONS = (SKIP_EMPTY, SKIP_NON_ANSWER, SKIP_DUPLICATE, SKIP_UNPARSEABLE)


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
        assert self.read == self.with_units + sum(self.skipped.values()), self

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


def detect_header(raw: RawTable) -> Header:
    """Qualtrics (codes / question text / ImportId JSON), SurveyMonkey (2 rows), or plain."""
    rows = raw.rows
    first = [c.strip() for c in rows[0]]
    if len(rows) >= 3:
        third = [c.strip() for c in rows[2] if c.strip()]
        if third and sum(c.startswith("{") and "ImportId" in c for c in third) >= 0.5 * len(third):
            questions = [q.strip() for q in rows[1]] + [""] * (len(first) - len(rows[1]))
            return Header("qualtrics", _dedupe(first, raw), questions[: len(first)], 3)
    if len(rows) >= 2:
        second = [c.strip() for c in rows[1]]
        markers = {
            "response",
            "open-ended response",
            "open ended response",
            "other (please specify)",
        }
        blanks_after = sum(1 for i, c in enumerate(first) if not c and i > 0)
        if any(c.lower() in markers for c in second) and (blanks_after or "Respondent ID" in first):
            names, questions = [], []
            current = ""
            for i, top in enumerate(first):
                current = top or current
                sub = second[i] if i < len(second) else ""
                if not top and not sub:
                    name = f"column_{i + 1}"
                elif sub and sub.lower() not in markers and sub != current:
                    name = f"{current} - {sub}" if top == "" or sub else current
                else:
                    name = current
                names.append(name)
                questions.append(name)
            return Header("surveymonkey", _dedupe(names, raw), questions, 2)
    if _looks_headerless(first, rows):
        raise InputError(
            "the first row looks like data, not a header row",
            file=raw.path.name,
            row=1,
            fix="add a header row with one name per column",
        )
    names = [c or f"column_{i + 1}" for i, c in enumerate(first)]
    return Header("plain", _dedupe(names, raw), list(names), 1)


def _looks_headerless(first: list[str], rows: list[list[str]]) -> bool:
    cells = [c for c in first if c]
    if not cells:
        return True
    numeric = sum(1 for c in cells if to_float(c) is not None)
    long = sum(1 for c in cells if len(c) > 120)
    return numeric > len(cells) / 2 or long > 0


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
) -> FileResult:
    raw = read_raw_table(path)
    header = detect_header(raw)
    body, numbers, bad = _columns(raw, header)
    if not body:
        raise InputError(
            "has a header but no data rows", file=path.name, fix="export the responses too"
        )
    table_kind = kind or classify_table(raw, header, body, path)
    src_hash = file_hash(path)
    if table_kind == "transcript_table":
        return _read_transcript_table(path, src_hash, header, body, numbers, bad, interviewer_names)
    res = FileResult(path, path.name, src_hash, table_kind, header.format)
    is_review = table_kind == S.SOURCE_REVIEW
    fs = FileSchema(source=path.name, format=header.format)
    for j, name in enumerate(header.names):
        values = [r[j] for i, r in enumerate(body) if numbers[i] not in bad]
        info = infer_role(name, header.questions[j], values, review=is_review)
        if overrides and name in overrides:
            info = apply_overrides(info, overrides[name], values)
        fs.columns[name] = info
    if is_review and not fs.by_role(S.ROLE_TEXT):
        raise InputError(
            "no review text column found",
            file=path.name,
            fix='name the text column in a schema file (role: open_text) or rename it "text"',
        )
    res.schema = fs
    _table_rows(res, header, body, numbers, bad)
    return res


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
    seen_content: set[tuple[str, ...]] = set()
    content_cols = [
        c
        for c, info in fs.columns.items()
        if info.role not in (S.ROLE_METADATA, S.ROLE_ID, S.ROLE_IGNORE, S.ROLE_DATE)
    ]
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
        # Same answers under a new response id (a resubmitted form) is a duplicate too,
        # when there is open text to make the match meaningful.
        content = tuple(row[idx[c]].strip() for c in content_cols)
        has_text = any(row[idx[c]].strip() for c in text_cols)
        if key in seen_rows or (has_text and content in seen_content):
            acc.skip(SKIP_DUPLICATE)
            res.warnings.append(f"{res.source}, row {num}: duplicate of an earlier row - skipped")
            continue
        seen_rows.add(key)
        if has_text:
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
) -> None:
    acc = res.accounting
    last_question = ""
    respondents: dict[str, dict[str, Any]] = {}
    for i, turn in enumerate(tr.turns):
        acc.read += 1
        if not turn.text.strip():
            acc.skip(SKIP_EMPTY)
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
            respondents.setdefault(
                respondent,
                {
                    S.RESPONDENT_ID: respondent,
                    S.SOURCE: res.source,
                    S.SOURCE_TYPE: S.SOURCE_TRANSCRIPT,
                    "speaker": speaker,
                },
            )
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


def read_transcript_file(
    path: Path, interviewer_names: Sequence[str] = T.DEFAULT_INTERVIEWER_NAMES
) -> FileResult:
    ext = path.suffix.lower()
    src_hash = file_hash(path)
    if ext == ".docx":
        tr = T.read_docx(path, interviewer_names)
        fmt = "docx"
    else:
        text, _enc = read_text(path)
        if ext == ".vtt":
            tr, fmt = T.read_vtt(path, text, interviewer_names), "webvtt"
        elif ext == ".srt":
            tr, fmt = T.read_srt(path, text, interviewer_names), "srt"
        else:
            tr, fmt = T.from_text(text, interviewer_names), "text"
    res = FileResult(path, path.name, src_hash, S.SOURCE_TRANSCRIPT, fmt)
    res.accounting.unit_of_count = "turns"
    res.warnings.extend(f"{path.name}: {w}" for w in tr.warnings)
    if not tr.labelled:
        res.warnings.append(
            f"{path.name}: no speaker labels found - treated as one respondent's text;"
            ' label turns like "Interviewer:" / "Name:" to separate speakers'
        )
    _transcript_records(res, tr, row=None, prefix=path.stem)
    return res


def _read_transcript_table(
    path: Path,
    src_hash: str,
    header: Header,
    body: list[list[str]],
    numbers: list[int],
    bad: dict[int, str],
    interviewer_names: Sequence[str],
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
    for row, num in zip(body, numbers, strict=False):
        if num in bad:
            res.accounting.read += 1
            res.accounting.skip(SKIP_UNPARSEABLE)
            res.warnings.append(f"{path.name}, row {num}: {bad[num]} - skipped")
            continue
        cell = row[text_j]
        if not cell.strip():
            res.accounting.read += 1
            res.accounting.skip(SKIP_EMPTY)
            continue
        tr = T.from_text(cell, interviewer_names)
        ident = row[id_j].strip() if id_j is not None and row[id_j].strip() else f"row{num}"
        res.warnings.extend(f"{path.name}, row {num}: {w}" for w in tr.warnings)
        if not tr.labelled:
            res.warnings.append(
                f"{path.name}, row {num}: no speaker labels - treated as one respondent"
            )
        _transcript_records(res, tr, row=num, prefix=ident)
    res.schema = FileSchema(source=path.name, format="transcript_table")
    res.schema.columns[cols[text_j]] = ColumnInfo(cols[text_j], S.ROLE_TEXT, reason="transcripts")
    if id_j is not None:
        res.schema.columns[cols[id_j]] = ColumnInfo(cols[id_j], S.ROLE_ID, reason="transcript id")
    return res


def read_file(
    path: Path,
    overrides: dict[str, dict[str, Any]] | None = None,
    interviewer_names: Sequence[str] = T.DEFAULT_INTERVIEWER_NAMES,
    kind: str | None = None,
) -> FileResult:
    """Read one supported file. Raises InputError with file/row/column and the fix."""
    ext = path.suffix.lower()
    if ext in TRANSCRIPT_EXTENSIONS:
        return read_transcript_file(path, interviewer_names)
    if ext in TABLE_EXTENSIONS:
        return read_table_file(path, overrides, interviewer_names, kind)
    raise InputError(
        f'unknown file type "{ext or "(none)"}"',
        file=path.name,
        fix="supported: " + ", ".join(SUPPORTED),
    )


def schema_rows(res: FileResult) -> list[dict[str, Any]]:
    """The `columns` table rows for one file."""
    if res.schema is None:
        return []
    out = []
    for info in res.schema.columns.values():
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
