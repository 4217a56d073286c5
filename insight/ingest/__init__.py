"""Ingest: every survey answer, interview turn and review into one evidence-unit table.

>>> from insight.ingest import ingest_paths
>>> result = ingest_paths(["samples/survey", "samples/interviews"])  # doctest: +SKIP
>>> result.units.head()  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from insight import schema as S
from insight.errors import InputError, InsightError
from insight.ingest.io import read_table
from insight.ingest.readers import SUPPORTED, FileResult, read_file, schema_rows
from insight.ingest.transcripts import DEFAULT_INTERVIEWER_NAMES
from insight.units import record_units

if TYPE_CHECKING:
    import pandas as pd

    from insight.ingest.tables import RowMapper

__all__ = ["IngestResult", "expand_paths", "ingest_paths", "read_file", "read_table"]

_IGNORED_NAMES = ("readme", "license", "licence", "changelog", "notice")


@dataclass
class IngestResult:
    """What ingest produced, as tables, plus the per-file accounting and problems."""

    records: pd.DataFrame
    units: pd.DataFrame
    respondents: pd.DataFrame
    columns: pd.DataFrame
    files: pd.DataFrame
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    results: list[FileResult] = field(default_factory=list)
    #: one line per file (or per group of files read the same way): what was guessed
    #: and the option that overrides it; also at the front of ``warnings``
    guesses: list[str] = field(default_factory=list)
    #: the study's language (most common among units long enough to judge)
    language: str = "en"

    @property
    def ok(self) -> bool:
        return bool(len(self.files))


def expand_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[str]]:
    """Files under the given paths (folders recursively, sorted); notes on what was passed over."""
    files: list[Path] = []
    notes: list[str] = []
    for p in map(Path, paths):
        if p.is_dir():
            ignore = _ignore_patterns(p)
            for f in sorted(x for x in p.rglob("*") if x.is_file()):
                rel = f.relative_to(p)
                if any(part.startswith(".") for part in rel.parts):
                    continue
                if any(rel.match(g) or rel.parts[0] == g.rstrip("/") for g in ignore):
                    notes.append(f"{f}: skipped (listed in {p / '.insightignore'})")
                elif f.name.lower().startswith(_IGNORED_NAMES):
                    notes.append(f"{f}: skipped (documentation file)")
                elif f.suffix.lower() in SUPPORTED:
                    files.append(f)
                else:
                    notes.append(
                        f"{f}: skipped (not a supported data file: {f.suffix or 'no extension'})"
                    )
        else:
            files.append(p)
    return files, notes


def _ignore_patterns(folder: Path) -> list[str]:
    """Glob patterns from a folder's ``.insightignore`` (one per line, # comments)."""
    f = folder / ".insightignore"
    if not f.is_file():
        return []
    lines = f.read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]


def batch_id_for(hashes: Sequence[str]) -> str:
    """A deterministic batch id: the same set of files gives the same id."""
    return "b_" + hashlib.sha1("\n".join(sorted(hashes)).encode()).hexdigest()[:10]


def ingest_paths(
    paths: Iterable[str | Path],
    *,
    schema: str | Path | dict[str, dict[str, Any]] | None = None,
    interviewer_names: Sequence[str] = DEFAULT_INTERVIEWER_NAMES,
    skip_hashes: set[str] | None = None,
    kind: str | None = None,
    on_file: Callable[[Path], None] | None = None,
    mapper: RowMapper | None = None,
) -> IngestResult:
    """Read every file; a bad file is reported in ``problems`` and the others go on.

    Args:
        paths: files and/or folders.
        schema: a schema file (from ``insight inspect``) or its parsed column overrides.
        interviewer_names: speaker names (case-insensitive) or ``re:PATTERN`` entries
            that mark interviewer/moderator turns.
        skip_hashes: content hashes already in the study (``insight add``): skipped.
        kind: force ``survey`` or ``review`` for table files.
        on_file: called before each file (progress bars).
        mapper: turns survey/review rows into records and units (default: here; the
            Spark engine's runs on its workers, see :mod:`insight.engine.spark`).
    """
    import pandas as pd

    from insight.ingest.readers import rebuild_with_batch_interviewers
    from insight.ingest.roles import load_file_options, load_schema

    overrides = load_schema(schema) if isinstance(schema, str | Path) else (schema or {})
    file_options = load_file_options(schema) if isinstance(schema, str | Path) else {}
    files, notes = expand_paths(paths)
    results: list[FileResult] = []
    problems: list[str] = []
    warnings: list[str] = list(notes)
    seen: set[str] = set(skip_hashes or ())
    for f in files:
        if on_file:
            on_file(f)
        try:
            res = read_file(
                f, overrides, interviewer_names, kind, file_options.get(f.name), mapper=mapper
            )
        except InsightError as exc:
            problems.append(exc.format() if exc.file else f"{f.name}: {exc.format()}")
            continue
        except Exception as exc:  # a reader bug must not lose the other files
            problems.append(f"{f.name}: could not be read ({type(exc).__name__}: {exc})")
            continue
        if res.source_hash in seen:
            warnings.append(f"{f.name}: already in the study (same content) - nothing added")
            continue
        seen.add(res.source_hash)
        results.append(res)
    flush = getattr(mapper, "flush", None)
    if flush is not None:  # a mapper that deferred the tables' rows maps them all now
        flush()
    batch_notes, failed = rebuild_with_batch_interviewers(results, interviewer_names)
    for err in failed.values():  # left without participant speech: reported, not added
        problems.append(err.format())
    kept: list[FileResult] = []
    for res in results:
        if res.source in failed:
            continue
        try:
            res.accounting.check()
        except ValueError:  # a reader bug must not lose the other files
            problems.append(
                f"{res.source}: rows could not be accounted for ({res.accounting.to_dict()});"
                " please report this file"
            )
            continue
        kept.append(res)
        warnings.extend(res.warnings)
    results = kept
    guesses = batch_notes + _collapse_guesses([g for r in results for g in r.guesses])
    warnings[:0] = guesses
    batch = batch_id_for([r.source_hash for r in results])
    rec_rows: list[dict[str, Any]] = []
    unit_rows: list[dict[str, Any]] = []
    for res in results:
        for rec in res.records:
            rec[S.BATCH_ID] = batch
            rec_rows.append(rec)
            split_lines = res.format not in ("webvtt", "srt")
            spans = rec.pop(_UNITS, None)  # made where the row was read (precompute_units)
            if spans is None:
                spans = record_units(rec[S.RECORD_ID], rec[S.TEXT], split_lines)
            for uid, a, b, text in spans:
                unit_rows.append(
                    {
                        S.UNIT_ID: uid,
                        S.RECORD_ID: rec[S.RECORD_ID],
                        **{c: rec[c] for c in S.RECORD_COLUMNS if c not in (S.RECORD_ID, S.TEXT)},
                        S.CHAR_START: a,
                        S.CHAR_END: b,
                        S.TEXT: text,
                    }
                )
    record_lang = _record_languages(rec_rows)
    for u in unit_rows:
        u[S.LANG] = record_lang.get(u[S.RECORD_ID])
    units = pd.DataFrame(unit_rows, columns=[*S.UNIT_COLUMNS, S.RECORD_ID, S.LANG])
    for col in (S.ROW, S.TURN):
        units[col] = units[col].astype("Int64")
    from insight.ingest.language import language_note, study_language

    study_lang = study_language(list(record_lang.values()))
    file_lang: dict[str, str] = {}
    for res in results:
        langs = [record_lang.get(r[S.RECORD_ID]) for r in res.records]
        file_lang[res.source] = study_language(langs) if any(langs) else ""
        note = language_note(res.source, langs, study_lang)
        if note:
            warnings.append(note)
    records = pd.DataFrame(rec_rows, columns=S.RECORD_COLUMNS)
    for col in (S.ROW, S.TURN):
        records[col] = records[col].astype("Int64")
    respondents = _respondent_frame([p for r in results for p in r.respondents])
    columns = pd.DataFrame([row for r in results for row in schema_rows(r)])
    file_rows = []
    for res in results:
        acc = res.accounting.to_dict()
        file_rows.append(
            {
                S.SOURCE: res.source,
                "path": str(res.path),
                "source_hash": res.source_hash,
                S.SOURCE_TYPE: res.source_type,
                "format": res.format,
                S.BATCH_ID: batch,
                "counted": acc["counted"],
                "rows_read": acc["read"],
                "rows_with_units": acc["with_units"],
                **{f"skipped_{k}": v for k, v in acc["skipped"].items()},
                "respondents": acc["respondents"],
                "non_answer_cells": acc["non_answer_cells"],
                "unmapped_ratings": acc["unmapped_ratings"],
                "units": int(_of_file(units, res).sum()) if len(units) else 0,
                "participant_units": _count_role(units, res, S.ROLE_CUSTOMER),
                "interviewer_units": _count_role(units, res, S.ROLE_INTERVIEWER),
                "language": file_lang.get(res.source, ""),
            }
        )
    files_df = pd.DataFrame(file_rows)
    return IngestResult(
        records,
        units,
        respondents,
        columns,
        files_df,
        problems,
        warnings,
        results,
        guesses=guesses,
        language=study_lang,
    )


def _of_file(units: pd.DataFrame, res: FileResult) -> pd.Series:
    """Which units came from the file of ``res`` (by record: a .qdpx's units carry the
    names of its sources, not the project's)."""
    return units[S.RECORD_ID].isin({r[S.RECORD_ID] for r in res.records})


def _count_role(units: pd.DataFrame, res: FileResult, role: str) -> int:
    if not len(units):
        return 0
    return int((_of_file(units, res) & (units[S.SPEAKER_ROLE] == role)).sum())


_UNITS, _LANG = "_units", "_lang"


def precompute_units(records: list[dict[str, Any]], split_lines: bool = True) -> None:
    """Attach each record's units and language to it (what :func:`ingest_paths` would
    compute), so that a worker that read the rows does this work too."""
    langs = _record_languages(records)
    for rec in records:
        rec[_UNITS] = list(record_units(rec[S.RECORD_ID], rec[S.TEXT], split_lines))
        rec[_LANG] = langs[rec[S.RECORD_ID]]


def _record_languages(records: list[dict[str, Any]]) -> dict[str, str | None]:
    """Language of each participant record long enough to judge (others: None)."""
    from insight.ingest.language import MIN_WORDS, detect_language

    out: dict[str, str | None] = {}
    for rec in records:
        if _LANG in rec:  # detected where the row was read (precompute_units)
            out[rec[S.RECORD_ID]] = rec.pop(_LANG)
            continue
        text = str(rec[S.TEXT])
        if rec[S.SPEAKER_ROLE] != S.ROLE_CUSTOMER or len(text.split()) < MIN_WORDS:
            out[rec[S.RECORD_ID]] = None
            continue
        out[rec[S.RECORD_ID]] = detect_language(text[:2000])
    return out


def _collapse_guesses(lines: list[str]) -> list[str]:
    """The same guess for many files becomes one line naming the files."""
    by_text: dict[str, list[str]] = {}
    for line in lines:
        source, _, text = line.partition(": ")
        by_text.setdefault(text, []).append(source)
    out = []
    for text, sources in by_text.items():
        if len(sources) == 1:
            out.append(f"{sources[0]}: {text}")
        else:
            shown = ", ".join(sources[:4]) + (
                f" and {len(sources) - 4} more" if len(sources) > 4 else ""
            )
            out.append(f"{len(sources)} files ({shown}): {text}")
    return out


def _respondent_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    df = pd.DataFrame(rows)
    if df.empty:
        return pd.DataFrame(columns=S.RESPONDENT_BASE_COLUMNS)
    if df[S.RESPONDENT_ID].duplicated().any():
        # The same respondent in several files (a panel, a second wave): one row,
        # first non-missing value per attribute, sources joined.
        sources = df.groupby(S.RESPONDENT_ID, sort=False)[S.SOURCE].agg(
            lambda s: ";".join(dict.fromkeys(s))
        )
        df = df.groupby(S.RESPONDENT_ID, sort=False).first().reset_index()
        df[S.SOURCE] = df[S.RESPONDENT_ID].map(sources)
    for c in df.columns:
        if c in S.RESPONDENT_BASE_COLUMNS:
            continue
        col = df[c]
        numeric = pd.to_numeric(col, errors="coerce")
        if col.notna().sum() and numeric.notna().sum() == col.notna().sum():
            df[c] = numeric.astype("float64")
        else:
            df[c] = col.astype("string").astype(object).where(col.notna(), None)
    return df


def check_input(result: IngestResult) -> None:
    """Raise when nothing at all could be processed."""
    if not result.ok:
        detail = "; ".join(result.problems[:3]) if result.problems else "no data files found"
        raise InputError(
            f"nothing could be processed ({detail})", fix="check the paths and formats"
        )
