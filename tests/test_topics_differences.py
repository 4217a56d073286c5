"""Topic prevalence per group and over time: the tests and Benjamini-Hochberg."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from test_topics import HashingEncoder, themed

from insight import schema as S
from insight.topics import (
    TopicModel,
    benjamini_hochberg,
    fit_topics,
    prevalence_differences,
    two_proportion_test,
)


def test_benjamini_hochberg_hand_worked():
    # sorted p: .005 .01 .03 .04 (m=4) -> .02 .02 .04 .04
    adj = benjamini_hochberg([0.01, 0.04, 0.03, 0.005])
    np.testing.assert_allclose(adj, [0.02, 0.04, 0.04, 0.02])
    p = np.array([0.2, 0.001, 0.5, 0.04, 0.049, 0.9])
    np.testing.assert_allclose(benjamini_hochberg(p), stats.false_discovery_control(p))
    out = benjamini_hochberg([0.01, float("nan"), 0.02])
    assert math.isnan(out[1]) and out[0] == pytest.approx(0.02) and out[2] == pytest.approx(0.02)


def test_two_proportion_z_hand_worked_and_fisher_for_small_counts():
    z, p, method = two_proportion_test(30, 100, 10, 100)
    # pooled .2, se = sqrt(.2 * .8 * (1/100 + 1/100)) = .056569
    assert method == "z"
    assert z == pytest.approx(0.2 / math.sqrt(0.0032))
    assert p == pytest.approx(2 * stats.norm.sf(3.5355339), rel=1e-6)
    z, p, method = two_proportion_test(3, 4, 0, 6)
    assert method == "fisher" and math.isnan(z)
    assert p == pytest.approx(stats.fisher_exact([[3, 1], [0, 6]]).pvalue)


def test_prevalence_differences_only_real_ones_are_significant():
    rng = np.random.default_rng(0)
    topics = np.repeat([0, 1], 100)
    # topic 0 is far more common in group a; topic 1 split evenly... except for a's excess
    groups = np.where(rng.random(200) < 0.5, "a", "b")
    groups[:100] = np.where(np.arange(100) < 80, "a", "b")
    d = prevalence_differences(topics, groups, {0: "zero", 1: "one"})
    assert set(d.columns) >= {"group", S.TOPIC, "share_in_group", "share_rest", "p", "p_adj"}
    sig = d[d["significant"]]
    assert ((sig[S.TOPIC] == 0) & (sig["group"] == "a")).any()
    assert (d["p_adj"] >= d["p"]).all()
    # no grouping variation -> no rows; unassigned units are left out of the tests
    assert prevalence_differences(topics, ["x"] * 200).empty
    d2 = prevalence_differences(np.r_[topics, [-1] * 10], np.r_[groups, ["a"] * 10])
    assert d2[(d2["group"] == "a") & (d2[S.TOPIC] == 0)]["n_group"].iloc[0] == (groups == "a").sum()


def test_fit_topics_differences_by_segment_and_month():
    texts = themed("delivery", 30, seed=1) + themed("price", 30, seed=2)
    n = len(texts)
    units = pd.DataFrame(
        {
            S.UNIT_ID: [f"u{i}" for i in range(n)],
            S.RESPONDENT_ID: [f"r{i}" for i in range(n)],
            S.TEXT: texts,
        }
    )
    # respondent-level segments: delivery complaints come from segment "new"
    seg = pd.Series(
        ["new" if i < 27 or i >= 57 else "loyal" for i in range(n)],
        index=[f"r{i}" for i in range(n)],
    )
    # dates: price talk only in June, delivery spread over January-May
    months = [f"2024-0{1 + i % 5}-15" for i in range(30)] + ["2024-06-10"] * 30
    units[S.DATE] = months
    res = fit_topics(
        units, annotations=None, groups=seg, model=TopicModel(embedder=HashingEncoder())
    )
    d = res.differences
    assert set(d["dimension"]) == {"group", "period"}
    delivery = int(res.assignments[S.TOPIC].iloc[0])
    price = int(res.assignments[S.TOPIC].iloc[-1])
    g = d[(d["dimension"] == "group") & d["significant"]]
    assert ((g[S.TOPIC] == delivery) & (g["group"] == "new")).any()
    p = d[(d["dimension"] == "period") & d["significant"]]
    assert ((p[S.TOPIC] == price) & (p["group"] == "2024-06")).any()
    lines = res.called_out()
    assert lines and all("more common" in line for line in lines)
    assert any("2024-06" in line for line in lines)
    assert len(lines) == int((d["significant"] & (d["share_in_group"] > d["share_rest"])).sum())
