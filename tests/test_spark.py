"""`insight run --engine spark` (local[2]) against the local engine on a tiny study.

Same units, annotations within float tolerance, same embeddings and the same
personas. Skipped when pyspark or Java is missing (``pip install -e '.[spark]'``;
``.ci/run`` installs both, so CI runs it).
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip(
        "Java is not installed (apt-get install default-jre-headless)", allow_module_level=True
    )

from insight import schema as S
from insight.engine.spark import SparkEngine
from insight.ingest import ingest_paths
from insight.pipeline import run_study
from insight.store import Store

SAMPLES = Path(__file__).resolve().parent.parent / "samples"

pytestmark = [pytest.mark.models, pytest.mark.slow]


@pytest.fixture(scope="module")
def studies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("spark")
    data = root / "data"
    data.mkdir()
    for f in sorted((SAMPLES / "interviews").iterdir())[:6]:
        shutil.copy(f, data)
    _tricky_csv(data / "reviews.csv")  # a table: its rows are unitised on the workers
    out = {}
    for engine in ("local", "spark"):
        out[engine] = root / engine
        run_study(
            [data],
            out[engine],
            seed=0,
            n_bootstrap=5,
            engine=engine,
            spark_master="local[2]" if engine == "spark" else None,
        )
    return out


@pytest.fixture(scope="module")
def spark_engine() -> Iterator[SparkEngine]:
    engine = SparkEngine(master="local[2]")
    yield engine
    engine.stop()


def _tricky_csv(path: Path) -> Path:
    """A review export with a multi-line quoted cell, a duplicate row far from its first
    (another partition), an empty row, a non-answer and numeric ids."""
    rows = [["id", "rating", "review"]]
    for i in range(1, 41):
        text = f"Review {i}: the grinder jams. Support replied in {i} days!"
        if i == 7:
            text = 'First line, with a comma.\nSecond line "quoted" here.\n\nThird paragraph.'
        rows.append([str(i), str(1 + i % 5), text])
    rows.append(["", "", ""])
    rows.append(["41", "3", "n/a"])
    rows.append(["3", "4", rows[3][2]])  # the same respondent's row again
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_tables_unitised_on_spark_same_as_local(spark_engine: SparkEngine, tmp_path: Path) -> None:
    tricky = _tricky_csv(tmp_path / "tricky_reviews.csv")
    for path in (SAMPLES / "survey", tricky):
        local = ingest_paths([path])
        spark = ingest_paths([path], mapper=spark_engine.table_mapper())
        for name in ("units", "records", "respondents", "files", "columns"):
            pd.testing.assert_frame_equal(getattr(local, name), getattr(spark, name), obj=name)
        assert local.warnings == spark.warnings
    units = spark.units
    assert "Second line" in " ".join(units[S.TEXT])  # the multi-line cell is one record
    assert spark.files["skipped_duplicate"].iloc[0] == 1
    assert len(units) > 80


def _table(study: Path, name: str) -> pd.DataFrame:
    with Store(study / "study.duckdb", read_only=True) as store:
        return store.read_table(name)


def test_same_units(studies: dict[str, Path]) -> None:
    local, spark = (_table(studies[e], "units") for e in ("local", "spark"))
    cols = ["unit_id", "respondent_id", "speaker_role", "text"]
    pd.testing.assert_frame_equal(
        local[cols].sort_values("unit_id").reset_index(drop=True),
        spark[cols].sort_values("unit_id").reset_index(drop=True),
    )


def test_same_annotations(studies: dict[str, Path]) -> None:
    local, spark = (
        _table(studies[e], "annotations").sort_values("unit_id").reset_index(drop=True)
        for e in ("local", "spark")
    )
    assert len(local) > 20 and list(local.columns) == list(spark.columns)
    for col in local.columns:
        if local[col].dtype.kind == "f":
            np.testing.assert_allclose(
                local[col].to_numpy(float), spark[col].to_numpy(float), atol=1e-5, err_msg=col
            )
        else:
            assert local[col].astype(str).tolist() == spark[col].astype(str).tolist(), col


def test_same_embeddings_and_personas(studies: dict[str, Path]) -> None:
    local, spark = (
        _table(studies[e], "embeddings").sort_values("text_hash").reset_index(drop=True)
        for e in ("local", "spark")
    )
    assert local["text_hash"].tolist() == spark["text_hash"].tolist()
    np.testing.assert_allclose(
        np.stack(local["vector"].map(np.asarray)),
        np.stack(spark["vector"].map(np.asarray)),
        atol=1e-5,
    )
    pl, ps = (
        json.loads((studies[e] / "personas.json").read_text(encoding="utf-8"))
        for e in ("local", "spark")
    )
    for doc in (pl, ps):
        doc.pop("created", None)  # the time each run wrote it
    assert pl == ps and pl["personas"]
    run = json.loads((studies["spark"] / "run.json").read_text(encoding="utf-8"))
    assert run["config"]["engine"] == "spark"
