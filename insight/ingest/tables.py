"""Survey and review tables into records and respondents, one row at a time."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import itertools
import os
import re
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from insight import schema as S
from insight.errors import InputError
from insight.ingest import transcripts as T
from insight.ingest.documents import read_transcript_table
from insight.ingest.headers import Header, classify_table, detect_header, padded_body, transposed
from insight.ingest.io import RawTable, read_raw_table
from insight.ingest.pieces import PieceSpec, SpecPieces, read_piece
from insight.ingest.results import (
    SKIP_DUPLICATE,
    SKIP_EMPTY,
    SKIP_NON_ANSWER,
    SKIP_UNPARSEABLE,
    FileResult,
    file_hash,
    make_record,
)
from insight.ingest.roles import (
    PIPED_PLACEHOLDER,
    PIPED_RE,
    FileSchema,
    apply_overrides,
    behaviour_value,
    infer_role,
    is_non_substantive,
    to_float,
)
from insight.ingest.scales import is_missing_code, settle_scales
from insight.nlp import is_non_answer


def read_table_file(
    path: Path,
    interviewer_names: Sequence[str] = T.DEFAULT_INTERVIEWER_NAMES,
    *,
    overrides: dict[str, dict[str, Any]] | None = None,
    kind: str | None = None,
    options: dict[str, Any] | None = None,
    mapper: RowMapper | None = None,
    chunk_bytes: int | None = None,
) -> FileResult:
    """Read a survey/review/transcript table.

    ``overrides``: column name -> that column's fields from the schema file.
    ``kind`` (survey | review | transcript_table) forces the kind of table.
    ``options`` are this file's fields from the schema file: ``format`` (see
    :data:`~insight.ingest.headers.HEADER_FORMATS`), ``header_row`` (1-based), ``kind``.
    ``mapper`` turns the survey/review rows into row outputs (default :func:`map_rows`;
    the Spark engine passes one that runs on its workers).

    A CSV/TSV over ``chunk_bytes`` (default :data:`CHUNK_BYTES`, 0: never) is read
    in pieces of that size (:func:`~insight.ingest.io.iter_delimited`), so memory
    grows with the piece and the rows kept, not with the file, under a progress
    bar over bytes: the header, the kind of table and the column roles come from
    the first piece (at least :data:`SAMPLE_ROWS` rows); every piece's rows become
    records the same way, duplicates found across pieces.
    """
    options = options or {}
    limit = CHUNK_BYTES if chunk_bytes is None else chunk_bytes
    whole: dict[str, Any] = dict(
        overrides=overrides, kind=kind, options=options, mapper=mapper, chunk_bytes=0
    )
    pieces, why_driver = _pieces(path, limit, hasattr(mapper, "defer"))
    raw = _first_rows(pieces, SAMPLE_ROWS)
    hr = options.get("header_row")
    fmt_opt = options.get("format")
    if fmt_opt == "transcript_table":
        kind, fmt_opt = kind or "transcript_table", None
    if fmt_opt == "transposed":  # written by inspect; found again from the content
        fmt_opt = None
    header = detect_header(raw, fmt_opt, int(hr) if hr else None)
    flipped = transposed(raw, header)
    if flipped is not None and limit and _large(path, limit):
        _close(pieces)  # a transposed table is read whole
        return read_table_file(path, interviewer_names, **whole)
    if flipped is not None:
        raw, header = flipped
    header.questions = [PIPED_RE.sub(PIPED_PLACEHOLDER, q) for q in header.questions]
    kind = kind or options.get("kind")
    body, numbers, bad = padded_body(raw, header)
    for line, why in raw.bad_rows.items():
        if line not in bad:
            bad[line] = why
    if not body:
        raise InputError(
            "has a header but no data rows", file=path.name, fix="export the responses too"
        )
    table_kind = kind or classify_table(raw, header, body, path)
    src_hash = file_hash(path)
    if table_kind == "transcript_table" and limit and _large(path, limit):
        _close(pieces)  # one transcript per row: the transcript reader needs every row
        return read_table_file(path, interviewer_names, **whole)
    if table_kind == "transcript_table":
        body, numbers = _with_bad_lines(body, numbers, bad, len(header.names))
        return read_transcript_table(path, src_hash, header, body, numbers, bad, interviewer_names)
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
    res.guesses.extend(settle_scales(fs.columns.values(), path.name))
    if is_review and not fs.by_role(S.ROLE_TEXT):
        raise InputError(
            "no review text column found",
            file=path.name,
            fix='name the text column in a schema file (role: open_text) or rename it "text"',
        )
    res.schema = fs
    body, numbers = _with_bad_lines(body, numbers, bad, len(header.names))
    _table_rows(res, header, body, numbers, bad, mapper or map_rows, pieces, why_driver)
    return res


#: CSV/TSV files over this many bytes are read in pieces of this size (bounded
#: memory); the environment variable INSIGHT_CSV_CHUNK_MB sets it (0: never)
CHUNK_BYTES = int(float(os.environ.get("INSIGHT_CSV_CHUNK_MB", "50")) * 2**20)
#: rows (at least) the column roles and scales of a table read in pieces come from
SAMPLE_ROWS = 2000


def _large(path: Path, limit: int) -> bool:
    """A CSV/TSV over ``limit`` bytes (read in pieces)."""
    if path.suffix.lower() not in {".csv", ".tsv", ".tab", ".txt"}:
        return False
    try:
        return path.stat().st_size > limit
    except OSError:
        return False


def _first_rows(pieces: Iterator[RawTable], n: int) -> RawTable:
    """The first piece, with the next ones joined until it has ``n`` rows (what the
    header, the kind of table and the column roles are found from)."""
    raw = next(pieces)
    while len(raw.rows) < n:
        more = next(pieces, None)
        if more is None:
            break
        raw.rows.extend(more.rows)
        raw.row_numbers.extend(more.row_numbers)
        raw.bad_rows.update(more.bad_rows)
    return raw


def _pieces(path: Path, limit: int, apart: bool = False) -> tuple[Iterator[RawTable], str]:
    """The whole table as one piece, or a large CSV/TSV in pieces of ``limit`` bytes.

    ``apart`` (a mapper that reads pieces elsewhere, see :class:`TableJob`): the
    pieces as byte ranges (:class:`~insight.ingest.pieces.SpecPieces`), read here only
    as far as the header and column roles need; here when the ranges cannot be
    found without parsing (then the reason is returned too).
    """
    if not (limit and _large(path, limit)):
        return iter([read_raw_table(path)]), ""
    why = ""
    if apart:
        from insight.ingest.pieces import SpecPieces, piece_specs

        specs, why = piece_specs(path, limit)
        if specs is not None:
            return SpecPieces(path, specs), ""
    return _read_pieces(path, limit), why


def _read_pieces(path: Path, limit: int) -> Generator[RawTable, None, None]:
    """A large CSV/TSV in pieces of ``limit`` bytes under a progress bar over bytes (on
    stderr, only on a terminal)."""
    from tqdm import tqdm

    from insight.ingest.io import iter_delimited

    size = path.stat().st_size
    desc = f"reading {path.name[-30:]}"
    with tqdm(total=size, desc=desc, unit="B", unit_scale=True, disable=None, leave=False) as bar:

        def on_bytes(n: int) -> None:
            bar.update(n - bar.n)

        yield from iter_delimited(path, limit, on_bytes)


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


#: turns the data rows of one file into row outputs (None for an empty row), in row
#: order: :func:`map_rows` here, or the Spark engine's over its workers
RowMapper = Callable[["RowPlan", list[list[str]], list[int]], list["RowOut | None"]]

_KEEP_ROLES = frozenset(
    {
        S.ROLE_LIKERT,
        S.ROLE_DEMOGRAPHIC,
        S.ROLE_BEHAVIOUR,
        S.ROLE_DATE,
        S.ROLE_METADATA,
        S.ROLE_RATING,
        S.ROLE_PRODUCT,
    }
)


@dataclass
class RowPlan:
    """How each data row of one survey/review table becomes a respondent and records.

    Decided once per file (header, column roles); applied to every row by
    :func:`row_output`, locally or on Spark workers (it pickles).
    """

    shell: FileResult  # the file's source, hash and type (what records carry)
    schema: FileSchema
    idx: dict[str, int]
    id_cols: list[str]
    text_cols: list[str]
    date_cols: list[str]
    content_cols: list[str]
    answer_cols: list[str]
    has_piped: bool


@dataclass
class RowOut:
    """What one non-empty row gives before the file-wide duplicate check.

    ``key``/``content``/``id_content`` are digests of the row's values (the three ways
    a row can repeat an earlier one, see :func:`add_rows`).
    """

    rid_raw: str
    key: str
    content: str
    id_content: str
    identifying: bool
    answered: int
    person: dict[str, Any]
    records: list[dict[str, Any]]
    non_answers: int = 0
    unmapped: int = 0
    warnings: list[str] = field(default_factory=list)


def row_plan(res: FileResult, header: Header, body: list[list[str]]) -> RowPlan:
    fs = res.schema
    assert fs is not None
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
    return RowPlan(
        shell=FileResult(res.path, res.source, res.source_hash, res.source_type, res.format),
        schema=fs,
        idx={n: j for j, n in enumerate(header.names)},
        id_cols=sorted(
            fs.by_role(S.ROLE_ID), key=lambda c: not re.search(r"respon|particip", c, re.I)
        ),
        text_cols=fs.by_role(S.ROLE_TEXT),
        date_cols=fs.by_role(S.ROLE_DATE),
        content_cols=content_cols,
        answer_cols=answer_cols,
        has_piped=any(PIPED_RE.search(v) for r in body[:200] for v in r),
    )


def _digest(values: tuple[str, ...]) -> str:
    return hashlib.blake2b(repr(values).encode(), digest_size=16).hexdigest()


def row_output(plan: RowPlan, row: list[str], num: int) -> RowOut | None:
    """One data row (spreadsheet row ``num``) -> its respondent and records; None when empty."""
    if not any(c.strip() for c in row):
        return None
    fs, idx, res = plan.schema, plan.idx, plan.shell
    rid_raw = row[idx[plan.id_cols[0]]].strip() if plan.id_cols else ""
    content = tuple(row[idx[c]].strip() for c in plan.content_cols)
    # A resubmitted form (a new response id, but the same answers to a long form:
    # 12+ answered items including written text) repeats its respondent too; a
    # short form (a rating and a comment) can match by chance and is kept.
    has_text = any(row[idx[c]].strip() for c in plan.text_cols)
    answered = sum(1 for c in content if c)
    out = RowOut(
        rid_raw=rid_raw,
        key=_digest(tuple(c.strip() for c in row)),
        content=_digest(content),
        id_content=_digest((rid_raw, *(row[idx[c]].strip() for c in plan.answer_cols))),
        identifying=has_text and answered >= 12,
        answered=answered,
        person={},
        records=[],
    )
    if not rid_raw:
        respondent = f"{res.path.stem}:row{num}"
    elif re.fullmatch(r"\d+", rid_raw) or res.source_type == S.SOURCE_REVIEW:
        respondent = f"{res.path.stem}:{rid_raw}"
    else:
        respondent = rid_raw
    date = _first_date(row, idx, plan.date_cols)
    person = out.person
    person.update(
        {S.RESPONDENT_ID: respondent, S.SOURCE: res.source, S.SOURCE_TYPE: res.source_type}
    )
    for name, info in fs.columns.items():
        if info.role not in _KEEP_ROLES:
            continue
        v = row[idx[name]].strip()
        if info.role in (S.ROLE_LIKERT, S.ROLE_RATING):
            val = info.scale.value(v) if (info.scale and v) else None
            if v and val is None and (is_non_substantive(v) or is_missing_code(info.scale, v)):
                val, v = None, ""  # "Prefer not to say": missing, not a rating
            if v and val is None:
                val = to_float(v) if info.scale is None else None
                if val is None:
                    out.unmapped += 1
                    lo = f"{info.scale.min:g}-{info.scale.max:g} " if info.scale else ""
                    out.warnings.append(
                        f'{res.source}, row {num}, column "{name}": expected a {lo}rating,'
                        f' got "{v[:40]}" - left missing; map it in a schema file'
                    )
            person[name] = val
        elif info.choices:
            picked = {p.strip() for p in v.split(info.choice_sep)} if v else set()
            for choice in info.choices:
                person[indicator_name(name, choice)] = float(choice in picked) if v else None
        elif info.role == S.ROLE_BEHAVIOUR:
            person[name] = behaviour_value(info, v)  # number, ISO date or category
        else:
            person[name] = v or None
    for name in plan.text_cols:
        v = row[idx[name]]
        if not v.strip():
            continue
        if is_non_answer(v):
            out.non_answers += 1
            continue
        if plan.has_piped:
            v = PIPED_RE.sub(PIPED_PLACEHOLDER, v)
        out.records.append(
            make_record(
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
    return out


def map_rows(plan: RowPlan, body: list[list[str]], numbers: list[int]) -> list[RowOut | None]:
    """:func:`row_output` of every row, here (the local engine's :data:`RowMapper`)."""
    return [row_output(plan, row, num) for row, num in zip(body, numbers, strict=False)]


def _table_rows(
    res: FileResult,
    header: Header,
    body: list[list[str]],
    numbers: list[int],
    bad: dict[int, str],
    mapper: RowMapper = map_rows,
    rest: Iterable[RawTable] = (),
    why_driver: str = "",
) -> None:
    """Records and respondents of the data rows ``body``, then of each further piece
    of the same table in ``rest`` (rows only, read in pieces: see read_table_file).

    A mapper with a ``defer`` method (the Spark engine's) is handed the whole table as
    a :class:`TableJob` instead, to run with the other tables of the run in one go.
    """
    plan = row_plan(res, header, body)
    if plan.has_piped:
        res.guesses.append(
            f"{res.source}: piped text such as [QID19-...] is shown as {PIPED_PLACEHOLDER}"
        )
    rows_only = dataclasses.replace(header, data_start=0)
    defer = getattr(mapper, "defer", None)
    if defer is not None:
        parts: list[RowsPart | PieceSpec] = [RowsPart(body, numbers, bad)]
        if isinstance(rest, SpecPieces):
            parts.extend(rest.rest())  # read where the rows are mapped
        else:
            parts.extend(RowsPart(*_piece_body(p, rows_only)) for p in rest)
        defer(TableJob(res, plan, rows_only, parts, why_driver))
        return
    seen = Seen()
    more = (_piece_body(p, rows_only) for p in rest)  # one piece at a time
    for rows, nums, skip in itertools.chain([(body, numbers, bad)], more):
        good = [i for i, num in enumerate(nums) if num not in skip]
        outs = mapper(plan, [rows[i] for i in good], [nums[i] for i in good])
        by_num = dict(zip((nums[i] for i in good), outs, strict=True))
        add_rows(res, nums, by_num, skip, seen)


def _piece_body(
    piece: RawTable, rows_only: Header
) -> tuple[list[list[str]], list[int], dict[int, str]]:
    """A later piece's rows padded to the header, with its unparseable lines as rows."""
    body, numbers, bad = padded_body(piece, rows_only)
    bad.update({n: why for n, why in piece.bad_rows.items() if n not in bad})
    body, numbers = _with_bad_lines(body, numbers, bad, len(rows_only.names))
    return body, numbers, bad


def _close(pieces: Iterator[RawTable]) -> None:
    close = getattr(pieces, "close", None)
    if close is not None:
        close()


@dataclass
class RowsPart:
    """Rows of a table read on the driver: ``numbers`` (every row, in order) and ``bad``
    (those that could not be parsed, by number) as :func:`add_rows` takes them."""

    body: list[list[str]]
    numbers: list[int]
    bad: dict[int, str]

    def good(self) -> tuple[list[list[str]], list[int]]:
        """The parsed rows and their numbers (what :func:`row_output` is run on)."""
        keep = [i for i, num in enumerate(self.numbers) if num not in self.bad]
        return [self.body[i] for i in keep], [self.numbers[i] for i in keep]


#: one part's rows: (every row number in order, the unparseable ones, row outputs by number)
PartOut = tuple[list[int], dict[int, str], dict[int, "RowOut | None"]]


@dataclass
class TableJob:
    """A survey/review table whose rows are turned into row outputs elsewhere, with the
    other tables of the run (the Spark engine, one job for all).

    ``parts`` in file order: rows the driver read (:class:`RowsPart`) and pieces of a
    large CSV to be read where they are mapped (:class:`~insight.ingest.pieces.PieceSpec`,
    see :func:`piece_rows`). ``why_driver``: why a large CSV's pieces were read on the
    driver instead (empty when they were not, or the file is not large).
    """

    res: FileResult
    plan: RowPlan
    rows_only: Header
    parts: list[RowsPart | PieceSpec]
    why_driver: str = ""

    def finish(self, outs: Sequence[PartOut]) -> None:
        """Count and keep the rows of every part (``outs``, one per part, in order),
        duplicates found across parts, as the local engine does."""
        seen = Seen()
        for numbers, bad, by_num in outs:
            add_rows(self.res, numbers, by_num, bad, seen)


def piece_rows(plan: RowPlan, rows_only: Header, spec: PieceSpec) -> PartOut:
    """One piece of a large CSV read, parsed and turned into row outputs (on a worker)."""
    raw = read_piece(spec)
    if raw is None:
        return [], {}, {}
    body, numbers, bad = _piece_body(raw, rows_only)
    outs = {
        n: row_output(plan, row, n) for row, n in zip(body, numbers, strict=True) if n not in bad
    }
    return numbers, bad, outs


@dataclass
class Seen:
    """Digests of the rows kept so far in one file (the duplicate check of add_rows)."""

    ids: set[str] = field(default_factory=set)
    rows: set[str] = field(default_factory=set)
    id_content: set[str] = field(default_factory=set)
    content: set[str] = field(default_factory=set)


def add_rows(
    res: FileResult,
    numbers: list[int],
    outs: dict[int, RowOut | None],
    bad: dict[int, str],
    seen: Seen | None = None,
) -> None:
    """Count every row and keep what it gave, in row order, unless it repeats an earlier
    one (``seen``: the rows of the file's earlier pieces)."""
    acc = res.accounting
    seen = seen if seen is not None else Seen()
    seen_ids, seen_rows = seen.ids, seen.rows
    seen_id_content, seen_content = seen.id_content, seen.content
    for num in numbers:
        acc.read += 1
        if num in bad:
            acc.skip(SKIP_UNPARSEABLE)
            res.warnings.append(f"{res.source}, row {num}: {bad[num]} - skipped; check quoting")
            continue
        out = outs[num]
        if out is None:
            acc.skip(SKIP_EMPTY)
            continue
        rid_raw = out.rid_raw
        # A duplicate repeats the same respondent: the same values in every column, or
        # the same id with the same answers. The same short answer ("Very good",
        # "Nothing") from different people is data, not a duplicate.
        same_row = out.key in seen_rows or bool(rid_raw and out.id_content in seen_id_content)
        if same_row or (out.identifying and out.content in seen_content):
            acc.skip(SKIP_DUPLICATE)
            why = (
                "repeats an earlier row of the same respondent"
                + (f" ({rid_raw})" if rid_raw else "")
                if same_row
                else f"gives the same {out.answered} answers as an earlier row"
                " under a new id (a resubmitted form)"
            )
            res.warnings.append(f"{res.source}, row {num}: {why} - skipped as a duplicate")
            continue
        seen_rows.add(out.key)
        if rid_raw:
            seen_id_content.add(out.id_content)
        if out.identifying:
            seen_content.add(out.content)
        repeat = bool(rid_raw) and rid_raw in seen_ids
        if rid_raw:
            seen_ids.add(rid_raw)
        acc.unmapped_ratings += out.unmapped
        res.warnings.extend(out.warnings)
        if not repeat:  # a repeated id (long format) adds answers to the same respondent
            res.respondents.append(out.person)
            acc.respondents += 1
        res.records.extend(out.records)
        acc.non_answer_cells += out.non_answers
        if out.records:
            acc.with_units += 1
        elif out.non_answers:
            acc.skip(SKIP_NON_ANSWER)
        else:
            acc.skip(SKIP_EMPTY)


def indicator_name(column: str, choice: str) -> str:
    """The 0/1 column of one multi-select choice: ``"Channels: Email"``."""
    return f"{column}: {choice}"


def _first_date(row: list[str], idx: dict[str, int], date_cols: list[str]) -> str | None:
    for c in date_cols:
        v = row[idx[c]].strip()
        day = _iso_day(v) if v else None
        if day is not None:
            return day
    return None


@functools.lru_cache(maxsize=8192)
def _iso_day(v: str) -> str | None:
    """``YYYY-MM-DD`` of a date cell, None when it is no date (cached: a large export
    repeats its dates, and parsing one costs more than the rest of the row)."""
    import pandas as pd

    try:
        return str(pd.Timestamp(v).date())
    except (ValueError, TypeError):
        return None
