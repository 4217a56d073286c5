"""`insight run --engine spark` (local[2]) against the local engine on a tiny study.

Same units, annotations within float tolerance, same embeddings and the same
personas. Skipped when pyspark or Java is missing (``pip install -e '.[spark]'``;
``.ci/run`` installs both, so CI runs it).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip(
        "Java is not installed (apt-get install default-jre-headless)", allow_module_level=True
    )

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
