"""Survey and review tables of a run made into records and units on Spark workers.

The driver reads each table's header and column roles as the local engine does
(:func:`~insight.ingest.tables.read_table_file`) and hands the rows over as a
:class:`~insight.ingest.tables.TableJob`; :meth:`SparkTables.flush` then runs every
table of the run in one Spark job (one ``mapInPandas``):

- rows the driver parsed (a table under ``INSIGHT_CSV_CHUNK_MB``, an XLSX/JSON/
  Parquet file, the first piece of a large CSV) travel to the workers in batches;
- the rest of a large CSV travels as byte ranges
  (:class:`~insight.ingest.pieces.PieceSpec`, the local engine's own pieces), read and
  parsed on the worker itself.

Each worker runs the local engine's :func:`~insight.ingest.tables.row_output` and
splits the records into units; the driver then counts and keeps the rows of each
table in file order (duplicates, row accounting) exactly as the local engine does.
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Iterator
from typing import Any

from insight.errors import ModelError
from insight.ingest.pieces import PieceSpec, WorkerCannotRead
from insight.ingest.tables import PartOut, RowOut, RowsPart, TableJob

#: driver-read rows per Spark task (and per pickled block a worker sends back)
ROWS_PER_TASK = 2048

#: one task item: (table, part, driver rows) or (table, part, piece to read)
Item = tuple[int, int, Any]


def _precompute(outs: dict[int, RowOut | None]) -> None:
    from insight.ingest import precompute_units

    for out in outs.values():
        if out is not None:
            precompute_units(out.records)


def _tables_partition(plans_blob: bytes, batches: Iterator[Any]) -> Iterator[Any]:
    """mapInPandas: task blobs -> (table, part, block, pickled (extra, outs, error)).

    ``extra``: a piece's (row numbers, unparseable rows), on its first block only;
    ``error``: why the worker could not read a piece (the driver reads it instead).
    """
    import pandas as pd

    from insight.ingest.tables import piece_rows, row_output

    plans = pickle.loads(plans_blob)

    def frame(j: int, p: int, seq: int, value: Any) -> Any:
        return pd.DataFrame({"job": [j], "part": [p], "seq": [seq], "blob": [pickle.dumps(value)]})

    for pdf in batches:
        for task in pdf["task"]:
            for j, p, payload in pickle.loads(task):
                plan, rows_only = plans[j]
                if isinstance(payload, PieceSpec):
                    try:
                        numbers, bad, outs = piece_rows(plan, rows_only, payload)
                    except WorkerCannotRead as exc:
                        yield frame(j, p, 0, (None, {}, str(exc)))
                        continue
                    _precompute(outs)
                    items = list(outs.items())
                    for seq, k in enumerate(range(0, max(len(items), 1), ROWS_PER_TASK)):
                        block = dict(items[k : k + ROWS_PER_TASK])
                        yield frame(j, p, seq, ((numbers, bad) if seq == 0 else None, block, None))
                else:
                    rows, nums = payload
                    outs = {n: row_output(plan, r, n) for r, n in zip(rows, nums, strict=True)}
                    _precompute(outs)
                    yield frame(j, p, nums[0] if nums else 0, (None, outs, None))


class SparkTables:
    """Collects the survey/review tables of one read (:meth:`defer`, called by
    :func:`~insight.ingest.tables.read_table_file`) and maps all their rows in one Spark
    job (:meth:`flush`, called by :func:`~insight.ingest.ingest_paths` after the last
    file)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.jobs: list[TableJob] = []

    def defer(self, job: TableJob) -> None:
        self.jobs.append(job)

    def flush(self) -> None:
        """Run every collected table in one job and finish each (rows kept in file order)."""
        jobs, self.jobs = self.jobs, []
        if not jobs:
            return
        for job in jobs:
            if job.why_driver:
                _say(f"{job.res.source}: read on the driver ({job.why_driver})")
        items: list[Item] = []
        for j, job in enumerate(jobs):
            for p, part in enumerate(job.parts):
                if isinstance(part, PieceSpec):
                    items.append((j, p, part))
                    continue
                rows, nums = part.good()
                for k in range(0, len(rows), ROWS_PER_TASK):
                    items.append((j, p, (rows[k : k + ROWS_PER_TASK], nums[k : k + ROWS_PER_TASK])))
        pieces = sum(isinstance(it[2], PieceSpec) for it in items)
        _say(
            f"{len(jobs)} table file(s) in one Spark job: {pieces} piece(s) read on the workers,"
            f" {sum(len(it[2][1]) for it in items if not isinstance(it[2], PieceSpec)):,}"
            " row(s) read here"
        )
        plans = {j: (job.plan, job.rows_only) for j, job in enumerate(jobs)}
        done = self._run(plans, _pack(items)) if items else {}
        for j, job in enumerate(jobs):
            job.finish([_part_out(job, j, p, part, done) for p, part in enumerate(job.parts)])

    def _run(self, plans: dict[int, Any], tasks: list[bytes]) -> dict[tuple[int, int], Any]:
        """(table, part) -> (extra, row outputs by number, error) from the workers."""
        spark = self.engine.spark
        rdd = spark.sparkContext.parallelize([(t,) for t in tasks], numSlices=len(tasks))
        blob = pickle.dumps(plans)
        out = (
            spark.createDataFrame(rdd, schema="task binary")
            .mapInPandas(
                lambda batches: _tables_partition(blob, batches),
                schema="job int, part int, seq long, blob binary",
            )
            .toPandas()
        )
        done: dict[tuple[int, int], Any] = {}
        for j, p, b in zip(out["job"], out["part"], out["blob"], strict=True):
            extra, outs, error = pickle.loads(b)
            have = done.setdefault((int(j), int(p)), [None, {}, None])
            have[0] = extra if extra is not None else have[0]
            have[1].update(outs)
            have[2] = error or have[2]
        return done


def _pack(items: list[Item]) -> list[bytes]:
    """Items into Spark tasks: each piece alone, driver rows ~ROWS_PER_TASK a task."""
    tasks: list[bytes] = []
    batch: list[Item] = []
    rows = 0
    for item in items:
        if isinstance(item[2], PieceSpec):
            tasks.append(pickle.dumps([item]))
            continue
        batch.append(item)
        rows += len(item[2][1])
        if rows >= ROWS_PER_TASK:
            tasks.append(pickle.dumps(batch))
            batch, rows = [], 0
    if batch:
        tasks.append(pickle.dumps(batch))
    return tasks


def _part_out(
    job: TableJob, j: int, p: int, part: RowsPart | PieceSpec, done: dict[Any, Any]
) -> PartOut:
    """One part's rows as TableJob.finish takes them (checked complete)."""
    from insight.ingest.tables import piece_rows

    got = done.get((j, p))
    source = job.res.source
    if isinstance(part, PieceSpec):
        if got is not None and got[2]:
            if not job.why_driver:  # said once a file
                job.why_driver = f"a worker cannot read it: {got[2]}"
                _say(f"{source}: its pieces are read here ({job.why_driver})")
            numbers, bad, outs = piece_rows(job.plan, job.rows_only, part)
            _precompute(outs)
            return numbers, bad, outs
        if got is None or got[0] is None:
            raise _lost(source, f"the piece at byte {part.start}")
        numbers, bad = got[0]
        outs = got[1]
    else:
        numbers, bad, outs = part.numbers, part.bad, got[1] if got is not None else {}
    missing = [n for n in numbers if n not in bad and n not in outs]
    if missing:
        raise _lost(source, f"row {missing[0]} and {len(missing) - 1} more")
    return numbers, bad, outs


def _lost(source: str, what: str) -> ModelError:
    return ModelError(
        f"Spark returned nothing for {what} of {source}",
        fix="re-run; if it persists, run with --engine local",
    )


def _say(line: str) -> None:
    print(f"[spark] {line}", file=sys.stderr, flush=True)
