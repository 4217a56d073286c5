"""The one home of the small statistics used by segment, topics, personas and report.

* :func:`bh_adjust`: Benjamini-Hochberg adjusted p-values (one family per call).
* :func:`two_proportion_test`: compare two shares, ``(z, p)``.
* :func:`cohens_d`: standardised mean difference with the pooled standard deviation.
* :func:`normalise_rows`: unit-length rows (cosine geometry for embeddings).
* :func:`is_number`, :func:`plain`: NaN-aware number check and JSON-able conversion.

numpy is the only import at module level; scipy is imported where Fisher's test needs it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["bh_adjust", "cohens_d", "is_number", "normalise_rows", "plain", "two_proportion_test"]


def is_number(v: Any) -> bool:
    """True for anything ``float()`` reads as a finite-or-infinite number (NaN and text are not)."""
    try:
        return not math.isnan(float(v))
    except (TypeError, ValueError):
        return False


def bh_adjust(pvals: Sequence[float] | np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values, same order as given.

    NaN (or None) stays NaN and does not count towards the number of tests.
    """
    p = np.array([float(v) if is_number(v) else np.nan for v in np.asarray(pvals, dtype=object)])
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    m = int(ok.sum())
    if m == 0:
        return out
    vals = p[ok]
    order = np.argsort(vals, kind="stable")
    ranked = vals[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
    res = np.empty(m)
    res[order] = np.minimum(adjusted, 1.0)
    out[ok] = res
    return out


def two_proportion_test(
    k1: int, n1: int, k2: int, n2: int, *, min_expected: float = 5.0
) -> tuple[float, float]:
    """Compare k1/n1 with k2/n2: ``(z, two-sided p)``.

    The pooled two-proportion z-test when every expected cell count is at least
    ``min_expected``; otherwise Fisher's exact test, and z is NaN (so a caller can tell
    which test ran: ``"z" if math.isfinite(z) else "fisher"``). ``min_expected=0`` always
    uses the z-test. Both shares 0 or both 1 give ``(0.0, 1.0)``; an empty group gives NaNs.
    """
    if n1 <= 0 or n2 <= 0:
        return float("nan"), float("nan")
    pooled = (k1 + k2) / (n1 + n2)
    if pooled in (0.0, 1.0):
        return 0.0, 1.0
    expected = (n1 * pooled, n1 * (1 - pooled), n2 * pooled, n2 * (1 - pooled))
    if min(expected) >= min_expected:
        se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = (k1 / n1 - k2 / n2) / se
        return float(z), float(math.erfc(abs(z) / math.sqrt(2)))
    from scipy import stats

    res = stats.fisher_exact([[k1, n1 - k1], [k2, n2 - k2]])
    return float("nan"), float(res.pvalue)


def cohens_d(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> float:
    """(mean(a) - mean(b)) / pooled sd; NaN when undefined (fewer than 2 in a group)."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    na, nb = len(a), len(b)
    if na < 2 or nb < 2:
        return float("nan")
    pooled = ((na - 1) * a.var(ddof=1) + (nb - 1) * b.var(ddof=1)) / (na + nb - 2)
    if pooled <= 0:
        if a.mean() == b.mean():
            return float("nan")
        return float(np.sign(a.mean() - b.mean()) * np.inf)
    return float((a.mean() - b.mean()) / np.sqrt(pooled))


def normalise_rows(x: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (float64); all-zero rows stay zero."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x.reshape(1, -1)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms == 0, 1.0, norms)


def plain(obj: Any) -> Any:
    """Convert numpy / pandas scalars inside nested containers to JSON-able Python.

    Floats are rounded to 4 decimals (3 significant digits below 0.001); NaN/inf become None.
    """
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set):
        return [plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [plain(v) for v in obj.tolist()]
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating | float):
        f = float(obj)
        if math.isnan(f) or math.isinf(f):
            return None
        return round(f, 4) if abs(f) >= 1e-3 or f == 0 else float(f"{f:.3g}")
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj
