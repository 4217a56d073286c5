"""insight.stats: the one BH, proportion test, effect size and normalisation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from insight.stats import bh_adjust, cohens_d, is_number, normalise_rows, plain, two_proportion_test


def test_bh_adjust_matches_hand_computation_and_keeps_order():
    p = [0.01, 0.04, 0.03, 0.005]
    # sorted: 0.005, 0.01, 0.03, 0.04 -> *4/rank: 0.02, 0.02, 0.04, 0.04
    assert np.allclose(bh_adjust(p), [0.02, 0.04, 0.04, 0.02])


def test_bh_adjust_nan_and_none_do_not_count():
    out = bh_adjust([0.01, float("nan"), None, 0.02])
    assert math.isnan(out[1]) and math.isnan(out[2])
    assert np.allclose(out[[0, 3]], [0.02, 0.02])
    assert np.isnan(bh_adjust([float("nan")])).all()
    assert len(bh_adjust([])) == 0


def test_bh_adjust_agrees_with_statsmodels_style_reference():
    rng = np.random.default_rng(0)
    p = rng.uniform(size=50)
    adj = bh_adjust(p)
    # monotone in p and never below p, never above 1
    order = np.argsort(p)
    assert np.all(np.diff(adj[order]) >= -1e-12)
    assert np.all(adj >= p - 1e-12) and np.all(adj <= 1)


def test_two_proportion_z_test_large_counts():
    z, p = two_proportion_test(60, 100, 40, 100)
    # pooled 0.5, se = sqrt(.25 * .02) = 0.0707 -> z = 2.828
    assert z == pytest.approx(2.8284, abs=1e-3)
    assert p == pytest.approx(math.erfc(2.8284 / math.sqrt(2)), rel=1e-3)


def test_two_proportion_small_counts_use_fisher():
    z, p = two_proportion_test(3, 4, 0, 5)
    assert math.isnan(z)
    from scipy import stats

    assert p == pytest.approx(stats.fisher_exact([[3, 1], [0, 5]]).pvalue)
    z0, _ = two_proportion_test(3, 4, 0, 5, min_expected=0)
    assert z0 > 0


def test_two_proportion_degenerate():
    assert two_proportion_test(0, 10, 0, 20) == (0.0, 1.0)
    assert two_proportion_test(10, 10, 20, 20) == (0.0, 1.0)
    z, p = two_proportion_test(1, 0, 2, 3)
    assert math.isnan(z) and math.isnan(p)


def test_two_proportion_equal_and_clear_differences():
    assert two_proportion_test(10, 20, 10, 20)[1] == pytest.approx(1.0)
    assert two_proportion_test(18, 20, 2, 20, min_expected=0)[1] < 0.001
    assert two_proportion_test(18, 20, 2, 20)[1] < 0.001


def test_cohens_d():
    a = np.array([2.0, 4.0, 6.0])
    b = np.array([1.0, 3.0, 5.0])
    assert cohens_d(a, b) == pytest.approx(0.5)
    assert math.isnan(cohens_d([1.0], [1.0, 2.0]))
    assert cohens_d([2.0, 2.0], [1.0, 1.0]) == math.inf
    assert math.isnan(cohens_d([1.0, 1.0], [1.0, 1.0]))


def test_normalise_rows():
    x = normalise_rows([[3.0, 4.0], [0.0, 0.0]])
    assert np.allclose(x, [[0.6, 0.8], [0.0, 0.0]])


def test_plain_and_is_number():
    assert plain({"a": np.float64(0.123456), "b": [np.int64(2), float("nan")]}) == {
        "a": 0.1235,
        "b": [2, None],
    }
    assert is_number("3.5") and not is_number("x") and not is_number(None)
    assert not is_number(float("nan"))
