"""Large CSVs read on the Spark workers (byte ranges: insight.ingest.pieces) and every
table file of a read mapped in one Spark job give exactly the local engine's rows,
records, units and row accounting: a title row above the header, multi-line quoted
cells across the pieces, duplicates and an unparseable row. Skipped without pyspark
or Java (``.ci/run`` installs both)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip(
        "Java is not installed (apt-get install default-jre-headless)", allow_module_level=True
    )

from test_chunked_csv import _survey

from insight import schema as S
from insight.engine.spark import SparkEngine
from insight.ingest import ingest_paths
from insight.ingest import tables as tables_mod

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def engine() -> Iterator[SparkEngine]:
    eng = SparkEngine(master="local[2]")
    yield eng
    eng.stop()


def _study(root: Path) -> Path:
    data = root / "data"
    data.mkdir()
    survey = _survey(root / "survey.csv", rows=3000, crlf=True)
    title = b"Customer feedback export (March),,,,\r\n"  # a title row above the header
    (data / "survey.csv").write_bytes(title + survey.read_bytes())
    (data / "reviews.csv").write_text(
        'id,rating,review\n1,4,"Good grinder.\nLoud though."\n2,2,Broke in a week\n',
        encoding="utf-8",
    )
    return data


def test_large_csv_read_on_the_workers_same_as_local(
    engine: SparkEngine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = _study(tmp_path)
    monkeypatch.setattr(tables_mod, "CHUNK_BYTES", 6000)  # the survey is read in pieces
    local = ingest_paths([data])
    sc = engine.spark.sparkContext
    sc.setJobGroup("insight-read-test", "the tables of one read")
    spark = ingest_paths([data], mapper=engine.table_mapper())
    jobs = sc.statusTracker().getJobIdsForGroup("insight-read-test")
    for name in ("units", "records", "respondents", "files", "columns"):
        pd.testing.assert_frame_equal(getattr(local, name), getattr(spark, name), obj=name)
    assert local.warnings == spark.warnings
    said = capsys.readouterr().err
    m = re.search(
        r"(\d+) table file\(s\) in one Spark job: (\d+) piece\(s\) read on the workers", said
    )
    assert m is not None, said
    assert int(m.group(1)) == 2 and int(m.group(2)) > 10
    assert len(jobs) == 1  # both files, one job
    cols = spark.columns[spark.columns[S.SOURCE] == "survey.csv"][S.COL_NAME].tolist()
    assert cols[0] == "Response ID"  # the header under the title row
    rows = spark.records[S.ROW].tolist()
    assert any("\n" in t for t in spark.records[S.TEXT]) and max(rows) > 3000
    assert sum("duplicate" in w for w in spark.warnings) == 2
