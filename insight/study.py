"""Study-level operations on the store: adding ingested batches and summarising them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from insight import schema as S
from insight.store import Store

if TYPE_CHECKING:
    from insight.ingest import IngestResult

STORE_NAME = "study.duckdb"


def store_path(path: str | Path) -> Path:
    """``DIR`` (an output folder) or ``DIR/study.duckdb`` -> the store file."""
    p = Path(path)
    return p / STORE_NAME if p.suffix != ".duckdb" else p


def known_hashes(store: Store) -> set[str]:
    return {str(h) for h in store.keys("files", "source_hash")}


def add_batch(store: Store, result: IngestResult) -> dict[str, int]:
    """Append an ingested batch; files already in the study were skipped by ingest."""
    counts = {"files": len(result.files), "units": len(result.units), "respondents": 0}
    if not len(result.files):
        return counts
    store.append("files", result.files)
    store.append("records", result.records)
    store.append("units", result.units)
    if len(result.columns):
        store.append("columns", result.columns)
    if len(result.respondents):
        counts["respondents"] = store.upsert("respondents", result.respondents, S.RESPONDENT_ID)
    return counts


def accounting_table(files: Any) -> Any:
    """Per-file row accounting for printing: read = with units + skipped."""
    cols = [
        S.SOURCE,
        "counted",
        "rows_read",
        "rows_with_units",
        "skipped_empty",
        "skipped_non_answer",
        "skipped_duplicate",
        "skipped_unparseable",
        "skipped_observer_note",
        "respondents",
        "participant_units",
        "interviewer_units",
        "language",
        "units",
    ]
    return files[[c for c in cols if c in files.columns]].rename(
        columns={
            "rows_read": "read",
            "rows_with_units": "with_units",
            "skipped_empty": "empty",
            "skipped_non_answer": "non_answer",
            "skipped_duplicate": "duplicate",
            "skipped_unparseable": "unparseable",
            "skipped_observer_note": "observer_note",
            "participant_units": "participant",
            "interviewer_units": "interviewer",
        }
    )
