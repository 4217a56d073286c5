"""A large CSV is read in pieces (bounded memory) into exactly the units, respondents
and row accounting of reading it whole (insight.ingest.io.iter_delimited and
insight.ingest.tables.read_table_file with a small chunk size)."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest

from insight.ingest import ingest_paths
from insight.ingest import tables as tables_mod
from insight.ingest.io import iter_delimited, read_delimited
from insight.ingest.tables import read_table_file

COMMENTS = [
    "The milk frother is loud, but it works.",
    'They call it "premium" yet the gasket broke twice.',
    "Delivery was late.\nThe box was crushed.\nSupport refunded me quickly.",
    "Great coffee; terrible app, it logs me out every day",
    "",
    "n/a",
]


def _survey(path: Path, rows: int = 600, *, crlf: bool = False, bom: bool = False) -> Path:
    rnd = random.Random(7)
    lines = ['"Response ID","Date","How satisfied are you? (1-5)","Plan","What could be better?"']
    for i in range(rows):
        comment = rnd.choice(COMMENTS).replace('"', '""')
        if comment:
            comment = f"{comment} (answer {i})"
        lines.append(
            f"R{i:05d},2026-0{1 + i % 9}-1{i % 10},{1 + rnd.randrange(5)},"
            f'{rnd.choice(["basic", "pro"])},"{comment}"'
        )
        if i == 100:
            lines.append(lines[-1])  # an exported row twice: a duplicate
        if i == 200:
            lines.append("R99999,2026-01-01,3,basic,too,many,cells")  # unparseable row
        if i == 300:
            lines.append("")  # a blank line
        if i == 2400:
            lines.append(lines[6])  # a duplicate of a row many pieces earlier
    nl = "\r\n" if crlf else "\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + (nl.join(lines) + nl).encode("utf-8"))
    return path


@pytest.mark.parametrize("crlf,bom", [(False, False), (True, True)])
def test_pieces_have_the_rows_of_the_whole_file(tmp_path: Path, crlf: bool, bom: bool) -> None:
    path = _survey(tmp_path / "survey.csv", crlf=crlf, bom=bom)
    whole = read_delimited(path)
    seen: list[int] = []
    pieces = list(iter_delimited(path, 1500, seen.append))
    assert len(pieces) > 10  # really in pieces, multi-line cells across their edges
    assert [r for p in pieces for r in p.rows] == whole.rows
    assert [n for p in pieces for n in p.row_numbers] == whole.row_numbers
    assert {n: w for p in pieces for n, w in p.bad_rows.items()} == whole.bad_rows
    assert pieces[0].delimiter == whole.delimiter and seen[-1] == path.stat().st_size


def test_a_file_read_in_pieces_gives_the_same_respondents_and_records(tmp_path: Path) -> None:
    path = _survey(tmp_path / "survey.csv", rows=3000)
    whole = read_table_file(path, chunk_bytes=0)
    chunked = read_table_file(path, chunk_bytes=4000)
    assert path.stat().st_size > 40 * 4000
    assert chunked.respondents == whole.respondents
    assert chunked.records == whole.records
    assert vars(chunked.accounting) == vars(whole.accounting)
    assert chunked.warnings == whole.warnings
    assert whole.accounting.read == 3003
    assert sum("duplicate" in w for w in whole.warnings) == 2
    assert any("too, many" in w or "cells" in w for w in whole.warnings)


def test_ingest_units_are_identical_with_a_small_chunk_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _survey(tmp_path / "survey.csv", rows=2500)
    whole = ingest_paths([path])
    monkeypatch.setattr(tables_mod, "CHUNK_BYTES", 4000)  # roles from the first 2000 rows
    chunked = ingest_paths([path])
    pd.testing.assert_frame_equal(chunked.units, whole.units)
    pd.testing.assert_frame_equal(chunked.respondents, whole.respondents)
    pd.testing.assert_frame_equal(chunked.files, whole.files)
