"""Look-alikes: a new wave scored with the study's saved segment model, no refit."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.metrics import adjusted_rand_score

from insight.audiences.lookalike import score_file
from insight.errors import InputError
from insight.segment.models import Segmenter
from insight.segment.simulate import simulate_likert
from insight.store import Store

ITEMS = [f"Q{i}" for i in range(1, 9)]


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    """A study fitted on 400 simulated respondents; 200 more form the new wave."""
    tmp = tmp_path_factory.mktemp("score")
    df, truth, _ = simulate_likert(n=600, n_items=8, k=3, separation=2.0, random_state=3)
    fit, new = df.iloc[:400], df.iloc[400:]
    model = Segmenter(method="gmm", k=3, random_state=0).fit(fit.set_index("respondent_id")[ITEMS])
    db = tmp / "study" / "study.duckdb"
    db.parent.mkdir()
    with Store(db) as st:
        st.write_table("respondents", fit.assign(source="s.csv", source_type="survey"))
        st.write_table(
            "segments",
            pd.DataFrame(
                {
                    "respondent_id": fit["respondent_id"],
                    "segment": model.labels_.astype(int),
                    "probability": model.proba_.max(axis=1),
                }
            ),
        )
        st.write_table(
            "personas",
            pd.DataFrame(
                {
                    "persona_id": ["P1", "P2", "P3"],
                    "segment": ["0", "1", "2"],
                    "name": ["Alpha", "Beta", "Gamma"],
                    "summary": "",
                    "size": 1,
                    "share": 0.3,
                    "confidence": "high",
                    "warnings": "[]",
                    "json": json.dumps({}),
                }
            ),
        )
        st.put_meta("segmentation", {"mode": "attitudes", "items": ITEMS})
        st.put_blob("segmenter", pickle.dumps(model))
    wave = tmp / "wave2.csv"
    new.assign(**{c: new[c].astype(int).astype(str) for c in ITEMS}).to_csv(wave, index=False)
    return db, wave, model, new, truth[400:]


def test_new_wave_lands_in_the_fitted_personas(fitted):
    db, wave, model, new, truth = fitted
    with Store(db, read_only=True) as st:
        res = score_file(st, wave)
    t = res.table.set_index("respondent_id").loc[new["respondent_id"]]
    assert res.scored == 200 and res.without_answers == 0
    # same preprocessing as the fit: identical to the model's own prediction
    direct = model.predict_proba(new.set_index("respondent_id")[ITEMS]).argmax(axis=1)
    assert (t["segment"].to_numpy() == direct).all()
    assert adjusted_rand_score(truth, t["segment"]) > 0.9
    assert set(t["persona_id"]) == {"P1", "P2", "P3"}
    p = t[["p_P1", "p_P2", "p_P3"]].sum(axis=1)
    assert np.allclose(p, 1.0, atol=1e-3)


def test_like_flags_the_most_similar(fitted):
    db, wave, *_ = fitted
    with Store(db, read_only=True) as st:
        top = score_file(st, wave, like="p2", top=15).table
        thr = score_file(st, wave, like="P2", threshold=0.9).table
        with pytest.raises(InputError, match="P7"):
            score_file(st, wave, like="P7")
    assert top["lookalike"].sum() == 15
    assert top["p_P2"].is_monotonic_decreasing
    assert (top.loc[top["lookalike"], "persona_id"] == "P2").all()
    assert (thr.loc[thr["lookalike"], "p_P2"] >= 0.9).all()
    assert (thr.loc[~thr["lookalike"], "p_P2"] < 0.9).all()


def test_missing_items_are_named(fitted, tmp_path):
    db, wave, *_ = fitted
    bad = tmp_path / "bad.csv"
    pd.read_csv(wave).drop(columns=["Q3", "Q7"]).to_csv(bad, index=False)
    with Store(db, read_only=True) as st, pytest.raises(InputError, match="Q3, Q7"):
        score_file(st, bad)


def test_cli_score(fitted, tmp_path):
    from insight.cli import main

    db, wave, *_ = fitted
    out = tmp_path / "scored.csv"
    r = CliRunner().invoke(
        main, ["score", str(db.parent), str(wave), "--like", "P1", "--top", "5", "--out", str(out)]
    )
    assert r.exit_code == 0, r.output
    assert "scored 200 of 200 respondents on the 8 attitude items" in r.output
    assert "look-alikes of P1 (Alpha): 5 flagged" in r.output
    assert pd.read_csv(out)["lookalike"].sum() == 5
