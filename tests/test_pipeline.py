"""End to end on part of the sample study, with the real models (marked: models).

One run serves every assertion (it is the slowest test): personas recover the
planted segments, every quote is verbatim unit and source text, every claim
carries unit ids, interviewer speech is never evidence, run.json accounts for
every row, and `insight add` adds a new interview without refitting.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from insight import schema as S
from insight.cli import main
from insight.personas.template import NO_EVIDENCE
from insight.store import Store

SAMPLES = Path(__file__).resolve().parent.parent / "samples"

pytestmark = [pytest.mark.models, pytest.mark.slow]


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("study")
    data = root / "data"
    (data / "interviews").mkdir(parents=True)
    shutil.copy(SAMPLES / "survey" / "brewline_customer_survey_2026.csv", data)
    interviews = sorted((SAMPLES / "interviews").iterdir())
    for f in interviews[:-1]:
        shutil.copy(f, data / "interviews")
    out = root / "out"
    res = CliRunner().invoke(
        main, ["run", str(data), "--out", str(out), "--seed", "0", "--bootstrap", "10"]
    )
    assert res.exit_code == 0, res.output
    assert "Row accounting" in res.output and "report:" in res.output
    return out


def test_outputs_and_run_record(study: Path) -> None:
    for name in (
        "report.html",
        "personas.md",
        "personas.json",
        "units.parquet",
        "pain_points.csv",
        "vocabulary.csv",
        "topics.csv",
        "segments.csv",
        "run.json",
        "study.duckdb",
    ):
        assert (study / name).is_file(), name
    run = json.loads((study / "run.json").read_text(encoding="utf-8"))
    for f in run["inputs"]:
        # every skip reason the reader reports (empty, non_answer, duplicate, ...)
        skipped = sum(v for k, v in f.items() if k.startswith("skipped_") and v == v)
        assert f["rows_read"] == f["rows_with_units"] + skipped
    assert run["seed"] == 0 and run["packages"]["pandas"]
    assert set(run["timings_s"]) >= {"ingest", "extract", "embed", "segment", "topics", "personas"}
    assert run["config"]["seed"] == 0 and run["config"]["n_bootstrap"] == 10  # the RunConfig
    assert any(k.startswith("emotions/") for k in run["models"]["files"])


def test_personas_recover_planted_segments(study: Path) -> None:
    from sklearn.metrics import adjusted_rand_score

    seg = pd.read_csv(study / "segments.csv")
    truth = pd.read_csv(SAMPLES / "truth" / "respondents.csv")[["ResponseId", "segment_index"]]
    m = seg.merge(truth, left_on=S.RESPONDENT_ID, right_on="ResponseId")
    assert len(m) > 250
    assert adjusted_rand_score(m["segment_index"], m[S.SEGMENT]) >= 0.8
    personas = json.loads((study / "personas.json").read_text(encoding="utf-8"))
    assert len(personas["personas"]) == 4
    for p in personas["personas"]:
        assert p["vocabulary"], f"{p['id']} has no distinctive vocabulary"
        assert p["pain_points"] and p["attitudes"] and p["quotes"]


def test_every_quote_is_verbatim_and_every_claim_has_evidence(study: Path) -> None:
    units = pd.read_parquet(study / "units.parquet").set_index(S.UNIT_ID)
    data = json.loads((study / "personas.json").read_text(encoding="utf-8"))
    interviewer_ids = set(units.index[units[S.SPEAKER_ROLE] == S.ROLE_INTERVIEWER])
    sources = {p.name: p for p in (SAMPLES / "survey").iterdir()}
    sources.update({p.name: p for p in (SAMPLES / "interviews").iterdir()})
    raw_text = {
        name: p.read_text(encoding="utf-8-sig")
        for name, p in sources.items()
        if p.suffix in {".csv", ".txt", ".md", ".vtt", ".srt"}
    }
    n_quotes = 0

    def walk(node: object) -> None:
        nonlocal n_quotes
        if isinstance(node, dict):
            if "unit_id" in node and "text" in node:
                n_quotes += 1
                uid = node["unit_id"]
                assert uid in units.index and uid not in interviewer_ids
                if not node.get("masked"):
                    assert node["text"] == units.loc[uid, S.TEXT]
                    src = units.loc[uid, S.SOURCE]
                    if src in raw_text:
                        assert node["text"].replace("\n", " ") in raw_text[src].replace(
                            "\r\n", "\n"
                        ).replace("\n", " ").replace('""', '"')
            # a template field the data has nothing for says so (and claims nothing)
            if "unit_ids" in node and node.get("label") != NO_EVIDENCE:
                assert node["unit_ids"], node.get("label")
                assert not set(node["unit_ids"]) & interviewer_ids
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(data)
    assert n_quotes > 50


def test_add_new_interview_without_refit(study: Path, tmp_path: Path) -> None:
    new = sorted((SAMPLES / "interviews").iterdir())[-1]
    with Store(study / "study.duckdb", read_only=True) as st:
        before_units = len(st.read_table("units"))
        before_emb = len(st.read_table("embeddings"))
        topics_before = st.read_table("topics")
    res = CliRunner().invoke(main, ["add", str(study), str(new)])
    assert res.exit_code == 0, res.output
    again = CliRunner().invoke(main, ["add", str(study), str(new)])
    assert "already in the study" in again.output
    with Store(study / "study.duckdb", read_only=True) as st:
        units = st.read_table("units")
        new_units = units[units[S.SOURCE] == new.name]
        assert len(units) == before_units + len(new_units) > before_units
        customer = new_units[new_units[S.SPEAKER_ROLE] == S.ROLE_CUSTOMER]
        assigned = st.read_table("topic_assignments")
        assert set(customer[S.UNIT_ID]) <= set(assigned[S.UNIT_ID])
        assert set(customer[S.UNIT_ID]) <= set(st.read_table("annotations")[S.UNIT_ID])
        # only the new texts were embedded; the fitted topics did not change
        assert len(st.read_table("embeddings")) <= before_emb + customer[S.TEXT].nunique()
        pd.testing.assert_frame_equal(st.read_table("topics"), topics_before)
        segs = st.read_table("segments")
        assert set(customer[S.RESPONDENT_ID]) <= set(segs[S.RESPONDENT_ID])
