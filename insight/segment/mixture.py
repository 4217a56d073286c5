"""Finite mixtures fitted by EM with missing answers marginalised out.

One model covers latent class analysis (categorical indicators: Likert answers as
categories, nominal columns), ordinal latent class analysis (a Likert answer as a
binomial count of steps up the scale: one parameter per class and item instead of one per
answer option), and latent profile analysis / diagonal Gaussian mixtures (continuous
indicators), in any combination. A missing answer simply drops out of that
respondent's likelihood, so incomplete rows are used without imputation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LOG_2PI = float(np.log(2 * np.pi))


@dataclass
class MixtureData:
    """Indicators in the form EM needs.

    Attributes:
        onehot: (n, T) one-hot answers of the categorical indicators (all zero when missing).
        offsets: (J+1,) start of each categorical indicator's block in ``onehot``.
        gauss: (n, G) continuous indicators with 0 where missing.
        mask: (n, G) 1 where a continuous indicator is observed.
        steps: (n, B) binomial indicators (answer code 0..trials) with 0 where missing.
        bmask: (n, B) 1 where a binomial indicator is observed.
        trials: (B,) answer options minus one.
        logcoef: (n,) sum of log binomial coefficients (so likelihoods compare with LCA's).
    """

    onehot: np.ndarray
    offsets: np.ndarray
    gauss: np.ndarray
    mask: np.ndarray
    steps: np.ndarray
    bmask: np.ndarray
    trials: np.ndarray
    logcoef: np.ndarray

    @classmethod
    def build(
        cls,
        codes: np.ndarray,
        n_categories: list[int],
        gauss: np.ndarray,
        steps: np.ndarray | None = None,
        trials: list[int] | None = None,
    ) -> MixtureData:
        """From integer codes (-1 = missing), a float matrix (NaN = missing) and binomial codes."""
        from scipy.special import gammaln

        n = gauss.shape[0]
        offsets = np.concatenate([[0], np.cumsum(n_categories)]).astype(int)
        onehot = np.zeros((n, int(offsets[-1])))
        for j in range(codes.shape[1] if codes.ndim == 2 else 0):
            c = codes[:, j]
            ok = c >= 0
            onehot[np.flatnonzero(ok), offsets[j] + c[ok]] = 1.0
        mask = np.isfinite(gauss).astype(float)
        if steps is None:
            steps = np.zeros((n, 0), dtype=int)
        tr = np.asarray(trials if trials is not None else [], dtype=float)
        bmask = (steps >= 0).astype(float)
        st = np.where(steps >= 0, steps, 0).astype(float)
        coef = gammaln(tr + 1)[None, :] - gammaln(st + 1) - gammaln(tr[None, :] - st + 1)
        logcoef = (coef * bmask).sum(axis=1)
        return cls(onehot, offsets, np.where(mask > 0, gauss, 0.0), mask, st, bmask, tr, logcoef)

    @property
    def n(self) -> int:
        return self.onehot.shape[0]


@dataclass
class MixtureParams:
    """Fitted parameters of a k-class mixture."""

    weights: np.ndarray  # (k,)
    theta: np.ndarray  # (k, T) category probabilities, each block sums to 1
    mean: np.ndarray  # (k, G)
    var: np.ndarray  # (k, G)
    prob: np.ndarray  # (k, B) binomial step probability

    @property
    def k(self) -> int:
        return len(self.weights)

    def n_parameters(self, offsets: np.ndarray) -> int:
        n_cat = int(np.sum(np.diff(offsets) - 1))
        return (
            (self.k - 1)
            + self.k * n_cat
            + 2 * self.k * self.mean.shape[1]
            + self.k * self.prob.shape[1]
        )

    def permute(self, order: np.ndarray) -> MixtureParams:
        return MixtureParams(
            self.weights[order],
            self.theta[order],
            self.mean[order],
            self.var[order],
            self.prob[order],
        )


def log_joint(params: MixtureParams, data: MixtureData) -> np.ndarray:
    """(n, k) log p(x_i, class = c)."""
    out = np.log(np.maximum(params.weights, 1e-300))[None, :].repeat(data.n, axis=0)
    if data.onehot.shape[1]:
        out += data.onehot @ np.log(params.theta).T
    if data.gauss.shape[1]:
        inv = 1.0 / params.var
        out -= 0.5 * (
            (data.gauss**2) @ inv.T
            - 2 * data.gauss @ (params.mean * inv).T
            + data.mask @ (params.mean**2 * inv + np.log(params.var) + LOG_2PI).T
        )
    if data.steps.shape[1]:
        up = data.steps
        down = data.bmask * data.trials[None, :] - up
        out += up @ np.log(params.prob).T + down @ np.log1p(-params.prob).T
        out += data.logcoef[:, None]
    return out


def _logsumexp(a: np.ndarray) -> np.ndarray:
    m = a.max(axis=1, keepdims=True)
    return (m + np.log(np.exp(a - m).sum(axis=1, keepdims=True)))[:, 0]


def posterior(params: MixtureParams, data: MixtureData) -> tuple[np.ndarray, float]:
    """Class membership probabilities (n, k) and the total log-likelihood."""
    lj = log_joint(params, data)
    norm = _logsumexp(lj)
    return np.exp(lj - norm[:, None]), float(norm.sum())


def m_step(
    resp: np.ndarray, data: MixtureData, var_floor: np.ndarray, alpha: float = 0.1
) -> MixtureParams:
    """Maximise given responsibilities; ``alpha`` is a small Dirichlet smoothing per category."""
    nk = resp.sum(axis=0)
    weights = (nk + 1e-10) / (nk.sum() + 1e-10 * len(nk))
    if data.onehot.shape[1]:
        counts = resp.T @ data.onehot + alpha
        sizes = np.diff(data.offsets)
        block = np.add.reduceat(counts, data.offsets[:-1], axis=1)
        theta = counts / np.repeat(block, sizes, axis=1)
    else:
        theta = np.zeros((len(nk), 0))
    if data.gauss.shape[1]:
        w = resp.T @ data.mask + 1e-10
        s1 = resp.T @ data.gauss
        s2 = resp.T @ data.gauss**2
        mean = s1 / w
        var = np.maximum(s2 / w - mean**2, var_floor[None, :])
    else:
        mean = var = np.zeros((len(nk), 0))
    if data.steps.shape[1]:
        # a Beta(1 + alpha, 1 + alpha)-style smoothing keeps probabilities off 0 and 1
        trials = (resp.T @ data.bmask) * data.trials[None, :]
        prob = (resp.T @ data.steps + alpha) / (trials + 2 * alpha)
    else:
        prob = np.zeros((len(nk), 0))
    return MixtureParams(weights, theta, mean, var, prob)


def variance_floor(data: MixtureData) -> np.ndarray:
    """A small floor per continuous column (1e-3 of its variance) so no class collapses."""
    if not data.gauss.shape[1]:
        return np.zeros(0)
    cnt = np.maximum(data.mask.sum(axis=0), 1)
    mu = data.gauss.sum(axis=0) / cnt
    v = (data.gauss**2).sum(axis=0) / cnt - mu**2
    return np.maximum(1e-3 * v, 1e-6)


def fit_em(
    data: MixtureData,
    init_labels: list[np.ndarray],
    k: int,
    *,
    max_iter: int = 500,
    tol: float = 1e-7,
) -> tuple[MixtureParams, float, np.ndarray]:
    """EM from each starting partition; the best log-likelihood wins.

    Returns:
        parameters, log-likelihood, responsibilities (n, k).
    """
    floor = variance_floor(data)
    best: tuple[MixtureParams, float, np.ndarray] | None = None
    for labels in init_labels:
        resp = np.full((data.n, k), 0.1 / k)
        resp[np.arange(data.n), labels] += 0.9
        params = m_step(resp, data, floor)
        prev = -np.inf
        for _ in range(max_iter):
            resp, ll = posterior(params, data)
            params = m_step(resp, data, floor)
            if ll - prev < tol * abs(ll):
                break
            prev = ll
        resp, ll = posterior(params, data)
        if best is None or ll > best[1]:
            best = (params, ll, resp)
    assert best is not None
    return best


def entropy(resp: np.ndarray) -> float:
    """Classification entropy  -sum r log r."""
    r = np.clip(resp, 1e-300, 1.0)
    return float(-(resp * np.log(r)).sum())


def relative_entropy(resp: np.ndarray) -> float:
    """1 - E / (n log k): 1 = every respondent sits clearly in one class."""
    n, k = resp.shape
    if k < 2 or n == 0:
        return 1.0
    return 1.0 - entropy(resp) / (n * np.log(k))
