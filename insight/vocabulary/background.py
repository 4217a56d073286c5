"""Distinctiveness statistics: Fightin' Words log-odds z-scores (Monroe, Colaresi & Quinn
2008) and the general-English background table (``models/background``).
"""

from __future__ import annotations

import gzip
import itertools
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from insight.errors import ModelError
from insight.resources import models_dir

if TYPE_CHECKING:
    pass


#: Background table shipped with the repo (built by models/build_background.py).
BACKGROUND_FILE = Path("background") / "goemotions_lemmas.tsv.gz"
BACKGROUND_PATH = models_dir() / BACKGROUND_FILE


def log_odds_z(
    y_i: float, n_i: float, y_j: float, n_j: float, alpha_w: float, alpha_0: float
) -> float:
    """z-score of the log-odds ratio with an informative Dirichlet prior.

    Monroe, Colaresi & Quinn (2008), eq. 16 and 20: for a word w with counts
    ``y_i`` / ``y_j`` in corpora of sizes ``n_i`` / ``n_j`` and prior
    ``alpha_w`` (summing to ``alpha_0`` over the vocabulary)::

        delta = log((y_i + a_w) / (n_i + a_0 - y_i - a_w))
              - log((y_j + a_w) / (n_j + a_0 - y_j - a_w))
        var   = 1 / (y_i + a_w) + 1 / (y_j + a_w)
        z     = delta / sqrt(var)

    Positive z: w is over-used in corpus i.
    """
    if alpha_w <= 0:
        raise ValueError("alpha_w must be positive")
    a, b = y_i + alpha_w, y_j + alpha_w
    rest_i = n_i + alpha_0 - a
    rest_j = n_j + alpha_0 - b
    if rest_i <= 0 or rest_j <= 0:
        raise ValueError("alpha_0 must exceed alpha_w and counts must not exceed corpus sizes")
    delta = math.log(a / rest_i) - math.log(b / rest_j)
    return delta / math.sqrt(1.0 / a + 1.0 / b)


def _prior(pooled_count: float, pooled_total: float, alpha_0: float) -> float:
    # Informative prior: alpha_w proportional to the pooled frequency, at least one
    # pseudo-count. Without that floor a term absent from one side gets a vanishing
    # prior there, its variance 1 / alpha_w explodes and z falls as the count on that
    # side falls to zero: "battery life" (never in the background) would rank below
    # "desktop" (9 times), and a phrase only one segment uses would not be distinctive.
    return max(alpha_0 * (pooled_count + 0.5) / (pooled_total + 0.5), min(1.0, alpha_0))


def fightin_words_z(
    y_i: float, n_i: float, y_j: float, n_j: float, prior_strength: float = 1.0
) -> float:
    """Fightin' Words z of corpus i vs corpus j with the prior taken from both pooled.

    ``alpha_0 = prior_strength * min(n_i, n_j)`` and ``alpha_w = alpha_0 *
    (y_i + y_j + 0.5) / (n_i + n_j + 0.5)``: the prior is as strong as the
    smaller corpus, so rare terms are shrunk towards "no difference".
    """
    alpha_0 = max(prior_strength * min(n_i, n_j), 1.0)
    alpha_w = _prior(y_i + y_j, n_i + n_j, alpha_0)
    return log_odds_z(y_i, n_i, y_j, n_j, alpha_w, alpha_0)


@dataclass(frozen=True)
class Background:
    """General-English lemma counts: unigrams and bigrams, plus the token total."""

    counts: dict[str, int]
    total: int

    def count(self, key: str) -> float:
        """Background count of a lemma key; longer keys by a bigram-chain estimate."""
        if key in self.counts:
            return float(self.counts[key])
        if "-" in key:
            # the table was counted with "rip-off" split into "rip off"
            return self.count(" ".join(key.replace("-", " ").split()))
        words = key.split()
        if len(words) <= 2:
            return 0.0
        # c(w1..wk) ~ c(w1 w2) * prod c(w_i w_i+1) / c(w_i): a first-order Markov estimate.
        est = float(self.counts.get(words[0] + " " + words[1], 0))
        for a, b in itertools.pairwise(words[1:]):
            ca = self.counts.get(a, 0)
            cab = self.counts.get(a + " " + b, 0)
            if not ca or not cab:
                return 0.0
            est *= cab / ca
        return est


@lru_cache(maxsize=4)
def load_background(path: str | Path | None = None) -> Background:
    """Read the gzip'd ``ngram<TAB>count`` background table (cached)."""
    # the models folder is resolved at call time, so $INSIGHT_MODELS_DIR set later counts
    p = Path(path) if path is not None else models_dir() / BACKGROUND_FILE
    if not p.exists():
        raise ModelError(
            "the general-English background table is missing",
            file=str(p),
            fix="build it: python models/build_background.py ../shared/datasets/goemotions/train.tsv",
        )
    counts: dict[str, int] = {}
    total = 0
    with gzip.open(p, "rt", encoding="utf-8") as fh:
        for line in fh:
            key, _, value = line.rstrip("\n").rpartition("\t")
            if key.startswith("#"):
                if key.strip("# ") == "total_tokens":
                    total = int(value)
                continue
            counts[key] = int(value)
    if total <= 0:
        total = sum(c for k, c in counts.items() if " " not in k)
    return Background(counts, total)
