"""Theme prevalence per group, per Likert answer and over time, BH-corrected (insight.stats)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_topics import HashingEncoder, themed

from insight import schema as S
from insight.stats import bh_adjust, two_proportion_test
from insight.topics import TopicModel, fit_topics, prevalence_differences


def test_prevalence_differences_use_the_shared_stats_module():
    # the method column says which test ran; the z-test agrees with insight.stats
    topics = np.repeat([0, 1], [130, 70])
    groups = np.array(["a"] * 100 + ["b"] * 100)
    d = prevalence_differences(topics, groups)
    row = d[(d[S.TOPIC] == 0) & (d["group"] == "a")].iloc[0]
    z, p = two_proportion_test(100, 100, 30, 100)
    assert row["method"] == "z" and row["z"] == pytest.approx(z) and row["p"] == pytest.approx(p)
    np.testing.assert_allclose(d["p_adj"], bh_adjust(d["p"].to_numpy()))
    small = prevalence_differences([0, 0, 0, 1, 1, 1, 1], ["a", "a", "a", "b", "b", "b", "a"])
    assert set(small["method"]) == {"fisher"} and small["z"].isna().all()


def test_likert_cross_tab_finds_the_theme_of_the_disagreeing():
    # respondents who disagree (1) talk about price, those who agree (5) about delivery
    texts = themed("delivery", 40, seed=1) + themed("price", 40, seed=2)
    units = pd.DataFrame(
        {
            S.UNIT_ID: [f"u{i}" for i in range(80)],
            S.RESPONDENT_ID: [f"r{i // 2}" for i in range(80)],
            S.TEXT: texts,
        }
    )
    likert = pd.DataFrame(
        {"q_easy": [5] * 20 + [1] * 20, "q_noise": [3, 4] * 20},
        index=[f"r{i}" for i in range(40)],
    )
    res = fit_topics(units, likert=likert, model=TopicModel(embedder=HashingEncoder(), n_topics=2))
    d = res.differences
    assert set(d["dimension"]) == {"likert:q_easy", "likert:q_noise"}
    price = int(res.assignments[S.TOPIC].iloc[-1])
    sig = d[d["significant"]]
    assert (
        (sig["dimension"] == "likert:q_easy") & (sig[S.TOPIC] == price) & (sig["group"] == "1")
    ).any()
    # an item unrelated to the themes gives nothing after correction
    assert not sig["dimension"].eq("likert:q_noise").any()
    # one BH family over every Likert test
    np.testing.assert_allclose(d["p_adj"], bh_adjust(d["p"].to_numpy()))


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
        units, annotations=None, groups=seg, model=TopicModel(embedder=HashingEncoder(), n_topics=2)
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
