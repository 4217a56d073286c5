"""What reading one file gives: its records, respondents, schema and row accounting."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from insight import schema as S
from insight.ingest import transcripts as T
from insight.ingest.io import read_bytes
from insight.ingest.roles import FileSchema
from insight.units import stable_id

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


def make_record(
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
