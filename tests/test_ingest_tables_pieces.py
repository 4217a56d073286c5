"""A large CSV's pieces found from its bytes (insight.ingest.pieces) are the pieces
insight.ingest.io.iter_delimited parses, row for row and line number for line number,
and a table handed over as a TableJob (what the Spark engine maps) gives the rows,
records and accounting of reading it here."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from test_chunked_csv import _survey

from insight.errors import InputError
from insight.ingest import ingest_paths
from insight.ingest import tables as tables_mod
from insight.ingest.io import iter_delimited
from insight.ingest.pieces import PieceSpec, piece_specs, read_piece
from insight.ingest.tables import TableJob, piece_rows, row_output


def _variant(path: Path, kind: str) -> Path:
    src = _survey(path.with_suffix(".src.csv"), rows=1500, crlf=kind != "lf", bom=kind == "bom")
    data = src.read_bytes()
    if kind == "cr":  # old Mac line ends, and a file mixing both
        half = data.replace(b"\r\n", b"\r")
        data = half[: len(half) // 2] + half[len(half) // 2 :].replace(b"\r", b"\r\n")
    elif kind == "cp1252":
        data = data.decode().replace("frother", "fröther café").encode("cp1252")
    elif kind == "stray_quote":  # an inch mark: the quotes of a piece no longer pair up
        data = data.replace(b"Delivery was late", b'Delivery was 5" late', 3)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("kind", ["lf", "crlf", "bom", "cr", "cp1252", "stray_quote"])
@pytest.mark.parametrize("chunk", [700, 4000])
def test_pieces_from_bytes_are_the_pieces_read_here(tmp_path: Path, kind: str, chunk: int) -> None:
    path = _variant(tmp_path / "survey.csv", kind)
    want = list(iter_delimited(path, chunk))
    specs, why = piece_specs(path, chunk)
    assert specs is not None, why
    got = [raw for raw in map(read_piece, specs) if raw is not None]
    assert len(got) == len(want) > 5
    assert [r.rows for r in got] == [r.rows for r in want]
    assert [r.row_numbers for r in got] == [r.row_numbers for r in want]
    assert [r.bad_rows for r in got] == [r.bad_rows for r in want]
    assert {r.delimiter for r in got} == {r.delimiter for r in want}
    assert specs[0].start == 0 and specs[-1].end == path.stat().st_size
    assert all(a.end == b.start for a, b in itertools.pairwise(specs))


def test_bytes_that_do_not_decode_after_the_first_mb_are_left_to_the_driver(
    tmp_path: Path,
) -> None:
    path = _survey(tmp_path / "survey.csv", rows=16000)
    data = path.read_bytes()
    assert len(data) > 1.1 * 2**20  # the encoding is decided from the first MB
    path.write_bytes(data[: len(data) - 500] + b"\xff\xfe\xfa" + data[len(data) - 500 :])
    specs, why = piece_specs(path, 4000)
    assert specs is None and "decode" in why
    with pytest.raises(InputError, match="undecodable"):  # what reading it here says
        list(iter_delimited(path, 4000))


class _Deferred:
    """A deferring mapper that maps the TableJobs here, part by part (as the Spark
    engine's workers do, without Spark)."""

    def __init__(self) -> None:
        self.jobs: list[TableJob] = []

    def __call__(self, *args: object) -> list[object]:
        raise AssertionError("a deferring mapper is not called row by row")

    def defer(self, job: TableJob) -> None:
        self.jobs.append(job)

    def flush(self) -> None:
        for job in self.jobs:
            outs = []
            for part in job.parts:
                if isinstance(part, PieceSpec):
                    outs.append(piece_rows(job.plan, job.rows_only, part))
                else:
                    rows, nums = part.good()
                    by_num = {
                        n: row_output(job.plan, r, n) for r, n in zip(rows, nums, strict=True)
                    }
                    outs.append((part.numbers, part.bad, by_num))
            job.finish(outs)


def test_a_table_job_gives_what_reading_here_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = _survey(tmp_path / "survey.csv", rows=3000)
    small = _survey(tmp_path / "small.csv", rows=50)
    monkeypatch.setattr(tables_mod, "CHUNK_BYTES", 4000)
    here = ingest_paths([big, small])
    mapper = _Deferred()
    job = ingest_paths([big, small], mapper=mapper)  # type: ignore[arg-type]
    assert len(mapper.jobs) == 2
    assert sum(isinstance(p, PieceSpec) for p in mapper.jobs[0].parts) > 10
    for name in ("units", "records", "respondents", "files", "columns"):
        assert getattr(job, name).equals(getattr(here, name)), name
    assert job.warnings == here.warnings
    assert sum("duplicate" in w for w in job.warnings) == 2


def test_a_piece_a_worker_cannot_read_is_read_on_the_driver(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from insight.engine.spark.tables import _part_out
    from insight.ingest.pieces import WorkerCannotRead

    path = _survey(tmp_path / "survey.csv", rows=3000)
    monkeypatch.setattr(tables_mod, "CHUNK_BYTES", 4000)
    mapper = _Deferred()
    ingest_paths([path], mapper=mapper)  # type: ignore[arg-type]
    job = mapper.jobs[0]
    p, spec = next((i, s) for i, s in enumerate(job.parts) if isinstance(s, PieceSpec))
    moved = PieceSpec(**{**vars(spec), "size": spec.size + 1})  # another file on the worker
    with pytest.raises(WorkerCannotRead, match="bytes here"):
        read_piece(moved)
    got = _part_out(job, 0, p, spec, {(0, p): [None, {}, "no such file"]})
    numbers, bad, outs = piece_rows(job.plan, job.rows_only, spec)
    assert got[0] == numbers and got[1] == bad and got[2].keys() == outs.keys()
    assert "read here" in capsys.readouterr().err
