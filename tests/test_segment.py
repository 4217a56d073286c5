"""Attitudinal segmentation: small exact checks (issue 6)."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.metrics import adjusted_rand_score

from insight import schema
from insight.errors import InputError, SchemaError
from insight.segment import (
    Segmenter,
    apply_reverse,
    benjamini_hochberg,
    cohens_d,
    factor_analysis,
    find_id_column,
    prepare_items,
    profile_segments,
    segment_respondents,
    segment_text,
    top_items,
    tucker_congruence,
)
from insight.segment.simulate import simulate_likert

ITEMS = [f"Q{j}" for j in range(1, 7)]


def _battery() -> pd.DataFrame:
    rows = [
        [3, 3, 3, 3, 3, 3],  # straight-liner
        [5, 5, 5, np.nan, 5, 5],  # straight-liner with one missing answer
        [1, np.nan, np.nan, np.nan, np.nan, 2],  # incomplete (2 of 6 answered)
        [1, 2, 3, 4, 5, 1],
        [2, 3, 4, 5, 1, 2],
        [5, 4, 3, 2, 1, 5],
        [1, 1, 2, 2, 3, 3],
        [4, 4, 5, 5, 1, 1],
    ]
    df = pd.DataFrame(rows, columns=ITEMS, dtype=float)
    df.insert(0, schema.RESPONDENT_ID, [f"p{i}" for i in range(len(df))])
    df["seconds"] = [300, 310, 280, 40, 290, 305, 295, 120]
    return df


def test_benjamini_hochberg_hand_worked():
    # sorted: .005 .01 .03 .04 -> *4/rank: .02 .02 .04 .04 (already monotone)
    got = benjamini_hochberg([0.01, 0.04, 0.03, 0.005])
    np.testing.assert_allclose(got, [0.02, 0.04, 0.04, 0.02])
    # step-up: .01*3/1=.03, .02*3/2=.03, .04*3/3=.04 ; NaN ignored
    got = benjamini_hochberg([0.04, np.nan, 0.02, 0.01])
    np.testing.assert_allclose(got, [0.04, np.nan, 0.03, 0.03])
    # sorted .05, .5 -> .05*2/1 = .1, .5*2/2 = .5
    np.testing.assert_allclose(benjamini_hochberg([0.5, 0.05]), [0.5, 0.1])


def test_cohens_d_and_profiles_exact():
    assert cohens_d(np.array([1.0, 2, 3]), np.array([3.0, 4, 5])) == pytest.approx(-2.0)
    values = pd.DataFrame({"a": [1.0, 2, 3, 3, 4, 5], "b": [1.0, 1, 2, 2, np.nan, 1]})
    prof = profile_segments(values, np.array([0, 0, 0, 1, 1, 1]))
    row = prof[(prof.segment == 0) & (prof["item"] == "a")].iloc[0]
    assert (row["mean"], row["rest_mean"], row["d"], row["n"]) == (2.0, 4.0, -2.0, 3)
    b1 = prof[(prof.segment == 1) & (prof["item"] == "b")].iloc[0]
    assert b1["n"] == 2 and b1["mean"] == 1.5  # the missing answer drops out
    np.testing.assert_allclose(prof["p_adj"], benjamini_hochberg(prof["p"].to_numpy()))
    top = top_items(prof.assign(p_adj=0.01), n=1)
    assert list(top["item"]) == ["a", "a"] and list(top["direction"]) == ["lower", "higher"]


def test_exclusion_counts_straightliners_speeders_incomplete():
    prep = prepare_items(_battery(), ITEMS, duration="seconds")
    reasons = dict(zip(prep.excluded[schema.RESPONDENT_ID], prep.excluded["reason"], strict=True))
    # median duration 292.5 -> speeders below 146.25: p3 (40) and p7 (120)
    assert reasons == {
        "p0": "straight-liner",
        "p1": "straight-liner",
        "p2": "incomplete",
        "p3": "speeder",
        "p7": "speeder",
    }
    assert prep.counts == {
        "rows": 8,
        "kept": 3,
        "excluded": 5,
        "incomplete": 1,
        "straight-liner": 2,
        "speeder": 2,
    }
    assert list(prep.data.index) == ["p4", "p5", "p6"]
    assert prep.missing["Q2"] == pytest.approx(1 / 8)
    kept = prepare_items(_battery(), ITEMS, exclude_straightliners=False)
    assert kept.counts["straight-liner"] == 0 and kept.counts["kept"] == 7
    assert any("2 straight-liners kept" in w for w in kept.warnings)


def test_reverse_keying_and_scale():
    df = pd.DataFrame({"a": [1.0, 2, 5, np.nan], "b": [1.0, 2, 3, 4]})
    out = apply_reverse(df, ["a"], {"a": (1, 5), "b": (1, 5)})
    assert out["a"].tolist()[:3] == [5.0, 4.0, 1.0] and np.isnan(out["a"].iloc[3])
    assert out["b"].tolist() == [1.0, 2, 3, 4] and df["a"].iloc[0] == 1.0  # input untouched
    bat = _battery()
    bat.loc[3, "Q1"] = 7  # outside 1-5: becomes missing with a warning
    prep = prepare_items(bat, ITEMS, reverse=["Q2"], scale={c: (1, 5) for c in ITEMS})
    assert np.isnan(prep.data.loc["p3", "Q1"]) and any(
        "outside the scale" in w for w in prep.warnings
    )
    assert prep.reversed_items().loc["p4", "Q2"] == 3.0  # 1 + 5 - 3
    with pytest.raises(SchemaError):
        prepare_items(bat, ITEMS, reverse=["nope"])


def test_factor_analysis_flags_negatively_loading_items():
    rng = np.random.default_rng(0)
    f = rng.standard_normal((400, 2))
    cols = {}
    for j in range(4):
        cols[f"x{j}"] = f[:, 0] + 0.6 * rng.standard_normal(400)
        cols[f"y{j}"] = f[:, 1] + 0.6 * rng.standard_normal(400)
    cols["x3"] = -cols["x3"]  # a reverse-keyed item
    fa = factor_analysis(pd.DataFrame(cols), random_state=0)
    assert fa.n_factors == 2
    assert fa.flagged_reverse == ["x3"]
    x_factor = fa.loadings.loc["x0"].abs().idxmax()
    assert fa.loadings.loc["x3", x_factor] < -0.6
    assert tucker_congruence(np.array([1.0, 0]), np.array([2.0, 0])) == pytest.approx(1.0)
    assert tucker_congruence(np.array([1.0, 1]), np.array([1.0, 0])) == pytest.approx(2**-0.5)


@pytest.mark.slow
def test_recovers_well_separated_classes_and_is_deterministic():
    df, truth, rev = simulate_likert(
        300, 12, 3, separation=2.0, missing=0.05, reverse_share=0.25, random_state=4
    )
    items = [c for c in df.columns if c.startswith("Q")]
    a = segment_respondents(df, items, reverse=rev, n_bootstrap=3, random_state=7)
    b = segment_respondents(df, items, reverse=rev, n_bootstrap=3, random_state=7)
    pd.testing.assert_frame_equal(a.assignments, b.assignments)
    assert a.chosen["k"] == 3 and a.chosen["method"].startswith("lca")
    labels = a.assignments.set_index(schema.RESPONDENT_ID)[schema.SEGMENT]
    assert adjusted_rand_score(truth, labels.loc[df[schema.RESPONDENT_ID]]) > 0.9
    assert a.stability.n_bootstrap == 3 and a.stability.ari_mean > 0.8
    assert set(a.fit_table["method"]) == {"lca-categorical", "lca-ordinal", "gmm", "kmeans"}
    assert a.fit_table["chosen"].sum() == 1
    sizes = labels.value_counts().sort_index().to_numpy()
    assert (np.diff(sizes) <= 0).all()  # segment 0 is the largest


def test_predict_new_wave_without_refit():
    df, truth, _ = simulate_likert(500, 10, 3, separation=1.5, random_state=5)
    items = list(df.columns[1:])
    first, wave2 = df.iloc[:350], df.iloc[350:]
    model = Segmenter(method="lca", k=3, random_state=0).fit(first[items])
    table_before = model.fit_table_.copy()
    np.testing.assert_array_equal(model.predict(first[items]), model.labels_)
    new = model.predict(wave2[items])
    assert adjusted_rand_score(truth[350:], new) > 0.9
    proba = model.predict_proba(wave2[items])
    assert proba.shape == (150, 3) and np.allclose(proba.sum(axis=1), 1)
    pd.testing.assert_frame_equal(model.fit_table_, table_before)
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_allclose(again.predict_proba(wave2[items]), proba)
    with pytest.raises(SchemaError):
        model.predict(wave2[items[:-1]])


def test_kmeans_and_gmm_and_extra_columns():
    df, truth, _ = simulate_likert(240, 8, 2, separation=2.0, random_state=6)
    df["spend"] = np.where(truth == 0, 10.0, 30.0) + np.random.default_rng(0).normal(0, 1, 240)
    df["plan"] = np.where(truth == 0, "basic", "pro")
    items = list(df.columns[1:9])
    for method in ("kmeans", "gmm", "lca"):
        res = segment_respondents(
            df, items, method=method, k=2, n_bootstrap=0, extra_columns=["spend", "plan"]
        )
        lab = res.assignments[schema.SEGMENT].to_numpy()
        assert adjusted_rand_score(truth, lab) == pytest.approx(1.0), method
    only = segment_respondents(df, [], extra_columns=["spend"], n_bootstrap=0, k_range=(2, 4))
    assert only.chosen["method"] == "gmm" and only.chosen["k"] == 2


def test_bad_answers_name_the_column():
    df = _battery()
    df["Q3"] = df["Q3"].astype(object)
    df.loc[4, "Q3"] = "maybe"
    with pytest.raises(InputError) as err:
        prepare_items(df, ITEMS)
    assert err.value.column == "Q3" and err.value.row == 4
    with pytest.raises(SchemaError):
        prepare_items(df, ["Q1", "missing_item"])


def test_text_mode_two_groups():
    rng = np.random.default_rng(1)
    x = np.vstack([rng.normal(0, 1, (60, 30)), rng.normal(1.5, 1, (60, 30))])
    feats = pd.DataFrame(x, index=pd.Index([f"t{i}" for i in range(120)]))
    feats.loc["t0"] = np.nan  # no features at all: excluded
    res = segment_text(feats, n_bootstrap=3, k_range=(2, 4))
    assert res.chosen["method"] == "gmm" and res.chosen["k"] == 2
    assert res.excluded[schema.RESPONDENT_ID].tolist() == ["t0"]
    lab = res.assignments[schema.SEGMENT].to_numpy()
    assert adjusted_rand_score([0] * 59 + [1] * 60, lab) == pytest.approx(1.0)
    assert res.model.predict(feats.iloc[1:3]).shape == (2,)


def test_small_segment_warning():
    rng = np.random.default_rng(2)
    x = np.vstack([rng.normal(0, 0.3, (97, 2)), rng.normal(8, 0.3, (3, 2))])
    feats = pd.DataFrame(x, columns=["u", "v"])
    res = segment_text(feats, method="kmeans", k=2, n_bootstrap=2)
    assert res.stability.jaccard["share"].tolist() == [0.97, 0.03]
    assert any("segment 1 is small" in w for w in res.warnings)


def test_cli_writes_segments(tmp_path):
    from insight.cli import main

    df, _, _ = simulate_likert(150, 6, 2, separation=2.0, random_state=8)
    df = df.rename(columns={schema.RESPONDENT_ID: "RespondentID"})
    path = tmp_path / "survey.csv"
    df.to_csv(path, index=False)
    out = tmp_path / "seg.csv"
    args = [
        "segment", str(path), "--items", ",".join(df.columns[1:]), "--k", "2",
        "--bootstrap", "2", "--seed", "1", "--out", str(out),
    ]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    written = pd.read_csv(out)
    assert list(written.columns) == [schema.RESPONDENT_ID, schema.SEGMENT, schema.PROBABILITY]
    assert len(written) == 150 and set(written[schema.SEGMENT]) == {0, 1}
    assert "fit table" in result.output and "stability" in result.output
    bad = CliRunner().invoke(main, ["segment", str(path), "--items", "nope", "--out", str(out)])
    assert bad.exit_code != 0 and '"nope"' in bad.output
    assert find_id_column(["name", "RespondentID", "Q1"]) == "RespondentID"


@pytest.mark.slow
def test_cli_finds_likert_items_when_none_are_named(tmp_path):
    from insight.cli import main

    df, truth, _ = simulate_likert(200, 8, 2, separation=2.0, random_state=3)
    df.insert(1, "age", np.random.default_rng(0).integers(18, 80, len(df)))  # not Likert
    df["comment"] = "fine"
    df.loc[df.index[:20], "Q3"] = np.nan  # blank answers keep Q3 a Likert item
    path = tmp_path / "survey.csv"
    df.to_csv(path, index=False)
    out = tmp_path / "seg.csv"
    args = ["segment", str(path), "--bootstrap", "0", "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    items = [c for c in df.columns if c.startswith("Q")]
    assert f"items (read as Likert; --items to choose): {', '.join(items)}" in result.output
    from sklearn.metrics import adjusted_rand_score

    assert adjusted_rand_score(truth, pd.read_csv(out)[schema.SEGMENT]) > 0.9
    # no Likert columns at all: a usage error that says what to do
    pd.DataFrame({"name": ["a", "b"], "comment": ["x", "y"]}).to_csv(path, index=False)
    bad = CliRunner().invoke(main, ["segment", str(path), "--out", str(out)])
    assert bad.exit_code != 0 and "--items" in bad.output and "insight inspect" in bad.output


@pytest.mark.slow
def test_cli_assigns_a_new_wave_with_a_saved_model(tmp_path):
    from insight.cli import main

    df, truth, _ = simulate_likert(300, 8, 3, separation=2.0, random_state=5)
    fit, wave = df.iloc[:200], df.iloc[200:].copy()
    wave.loc[wave.index[:3], "Q2"] = np.nan  # a missing answer is fine
    fit_path, wave_path = tmp_path / "wave1.csv", tmp_path / "wave2.csv"
    fit.to_csv(fit_path, index=False)
    wave.drop(columns=["Q8"]).to_csv(tmp_path / "short.csv", index=False)
    wave.to_csv(wave_path, index=False)
    model, out1, out2 = tmp_path / "m.pkl", tmp_path / "s1.csv", tmp_path / "s2.csv"
    args = ["segment", str(fit_path), "--bootstrap", "0", "--model-out", str(model)]
    assert CliRunner().invoke(main, [*args, "--out", str(out1)]).exit_code == 0
    before = model.read_bytes()
    result = CliRunner().invoke(
        main, ["segment", str(wave_path), "--model", str(model), "--out", str(out2)]
    )
    assert result.exit_code == 0, result.output
    assert "no refit" in result.output and model.read_bytes() == before
    got = pd.read_csv(out2)
    assert got[schema.RESPONDENT_ID].tolist() == wave[schema.RESPONDENT_ID].tolist()
    from sklearn.metrics import adjusted_rand_score

    assert adjusted_rand_score(truth[200:], got[schema.SEGMENT]) > 0.9
    # a wave without one of the fitted items: one line naming the column
    bad = CliRunner().invoke(
        main, ["segment", str(tmp_path / "short.csv"), "--model", str(model), "--out", str(out2)]
    )
    assert bad.exit_code != 0 and "Q8" in bad.output


@pytest.mark.parametrize(
    ("command", "option"), [("segment", "--k"), ("run", "--k"), ("topics", "--n-topics")]
)
def test_cli_auto_or_count_options_share_one_parser(tmp_path, command, option):
    from insight.cli import main

    path = tmp_path / "answers.csv"
    pd.DataFrame({"respondent_id": ["a", "b"], "Q1": [1, 2], "text": ["x", "y"]}).to_csv(
        path, index=False
    )
    args = {"segment": ["--out", str(tmp_path / "s.csv")], "run": ["--out", str(tmp_path / "o")]}
    args["topics"] = ["--text-column", "text", "--out", str(tmp_path / "t")]
    bad = CliRunner().invoke(main, [command, str(path), option, "many", *args[command]])
    assert bad.exit_code == 1
    name = option.lstrip("-")
    assert f"{option} must be 'auto' or a whole number, got 'many'" in bad.output
    assert f"pass {option} auto or e.g. {option} 4" in bad.output
    assert not list(tmp_path.glob("[sot]*")), f"{name}: nothing is written for a bad value"


def test_progress_bars_stay_out_of_logs(capsys: pytest.CaptureFixture[str]) -> None:
    """A progress bar draws only on a terminal: redirected stderr (logs, CI) gets none."""
    from insight.segment.stability import bootstrap_stability

    df, _, _ = simulate_likert(120, 6, 2, separation=2.0, random_state=1)
    items = list(df.columns[1:])
    model = Segmenter(method="kmeans", k=2, random_state=0).fit(df[items])
    stab = bootstrap_stability(model, df[items], n_bootstrap=3, progress=True)
    assert stab is not None
    assert "resample" not in capsys.readouterr().err
