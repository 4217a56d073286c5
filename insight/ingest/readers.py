"""File readers: one file in, records + respondents + column roles + row accounting out.

The work is done in :mod:`~insight.ingest.headers` (header rows), :mod:`~insight.ingest.tables`
(surveys and reviews), :mod:`~insight.ingest.documents` (transcripts) and
:mod:`~insight.ingest.results` (what a file gives); their names stay importable from here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from insight import schema as S
from insight.errors import InputError
from insight.ingest import transcripts as T
from insight.ingest.documents import (
    build_transcript_records,
    document_text,
    read_qdpx_file,
    read_transcript_file,
    read_transcript_table,
    rebuild_with_batch_interviewers,
)
from insight.ingest.headers import HEADER_FORMATS, Header, classify_table, detect_header
from insight.ingest.results import (
    SKIP_DUPLICATE,
    SKIP_EMPTY,
    SKIP_NON_ANSWER,
    SKIP_NOTE,
    SKIP_REASONS,
    SKIP_UNPARSEABLE,
    Accounting,
    FileResult,
    file_hash,
)
from insight.ingest.tables import RowMapper, indicator_name, read_table_file

__all__ = [
    "HEADER_FORMATS",
    "QDA_EXTENSIONS",
    "SKIP_DUPLICATE",
    "SKIP_EMPTY",
    "SKIP_NON_ANSWER",
    "SKIP_NOTE",
    "SKIP_REASONS",
    "SKIP_UNPARSEABLE",
    "SUPPORTED",
    "TABLE_EXTENSIONS",
    "TRANSCRIPT_EXTENSIONS",
    "Accounting",
    "FileResult",
    "Header",
    "build_transcript_records",
    "classify_table",
    "detect_header",
    "document_text",
    "file_hash",
    "indicator_name",
    "read_file",
    "read_table_file",
    "read_transcript_file",
    "read_transcript_table",
    "rebuild_with_batch_interviewers",
    "schema_rows",
]

TRANSCRIPT_EXTENSIONS = {".txt", ".md", ".markdown", ".vtt", ".srt", ".docx", ".odt"}
TABLE_EXTENSIONS = {".csv", ".tsv", ".tab", ".xlsx", ".xlsm", ".parquet", ".json", ".jsonl"}
#: REFI-QDA project (documents + the researchers' coded selections) and codebook
QDA_EXTENSIONS = {".qdpx", ".qdc"}
SUPPORTED = sorted(TRANSCRIPT_EXTENSIONS | TABLE_EXTENSIONS | QDA_EXTENSIONS)


def read_file(
    path: Path,
    overrides: dict[str, dict[str, Any]] | None = None,
    interviewer_names: Sequence[str] = T.DEFAULT_INTERVIEWER_NAMES,
    kind: str | None = None,
    options: dict[str, Any] | None = None,
    *,
    mapper: RowMapper | None = None,
) -> FileResult:
    """Read one supported file. Raises InputError with file/row/column and the fix.

    ``options``: this file's fields from the schema file (``format``,
    ``header_row``, ``kind``).
    """
    ext = path.suffix.lower()
    if ext in TRANSCRIPT_EXTENSIONS:
        return read_transcript_file(path, interviewer_names)
    if ext in QDA_EXTENSIONS:
        return read_qdpx_file(path, interviewer_names)
    if ext in TABLE_EXTENSIONS:
        return read_table_file(
            path, interviewer_names, overrides=overrides, kind=kind, options=options, mapper=mapper
        )
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
