"""Every reader over the sample study's files: offsets, accounting, roles."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from insight import schema as S
from insight.ingest import ingest_paths

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SAMPLE_FILES = sorted(
    p
    for sub in ("survey", "interviews", "reviews")
    for p in (SAMPLES / sub).glob("*")
    if p.is_file()
)


@pytest.mark.slow
@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_sample_file_reads_exactly(path: Path) -> None:
    res = ingest_paths([path])
    assert not res.problems, res.problems
    f = res.files.iloc[0]
    skipped = sum(v for k, v in f.items() if k.startswith("skipped_"))
    assert f.rows_read == f.rows_with_units + skipped
    assert len(res.units) > 0
    rec = res.records.set_index(S.RECORD_ID)[S.TEXT]
    for u in res.units.itertuples():
        assert rec[u.record_id][u.char_start : u.char_end] == u.text
    assert res.units[S.UNIT_ID].is_unique
    if f[S.SOURCE_TYPE] == S.SOURCE_TRANSCRIPT:
        roles = set(res.units[S.SPEAKER_ROLE])
        assert roles == {S.ROLE_CUSTOMER, S.ROLE_INTERVIEWER}, path.name
        truth = pd.read_csv(SAMPLES / "truth" / "interviews.csv")
        expected = len(truth[truth["file"] == path.name])
        assert res.respondents[S.RESPONDENT_ID].nunique() == expected


def test_sample_survey_roles() -> None:
    res = ingest_paths([SAMPLES / "survey"])
    cols = res.columns.set_index(S.COL_NAME)[S.COL_ROLE]
    assert cols["ResponseId"] == S.ROLE_ID
    assert (cols[[f"Q2_{i}" for i in range(1, 13)]] == S.ROLE_LIKERT).all()
    assert (cols[["Q12_TEXT", "Q13_TEXT", "Q14_TEXT"]] == S.ROLE_TEXT).all()
    assert (cols[["Q5", "Q6", "Q7", "Q8"]] == S.ROLE_DEMOGRAPHIC).all()
    assert (cols[["Q9", "Q10", "Q11"]] == S.ROLE_BEHAVIOUR).all()
    assert (cols[["StartDate", "IPAddress", "Progress", "Finished", "Q1"]] == S.ROLE_METADATA).all()
    truth = pd.read_csv(SAMPLES / "truth" / "respondents.csv")
    dup = set(truth.loc[truth["is_duplicate"].astype(bool), "ResponseId"])
    kept = set(res.respondents[S.RESPONDENT_ID])
    assert kept == set(truth["ResponseId"]) - dup


def test_sample_reviews_roles() -> None:
    res = ingest_paths([SAMPLES / "reviews"])
    cols = res.columns.set_index(S.COL_NAME)[S.COL_ROLE]
    assert res.files.iloc[0][S.SOURCE_TYPE] == S.SOURCE_REVIEW
    assert cols["rating"] == S.ROLE_RATING and cols["date"] == S.ROLE_DATE
    assert cols["text"] == S.ROLE_TEXT and cols["product"] == S.ROLE_PRODUCT
    assert res.units[S.DATE].notna().all()
