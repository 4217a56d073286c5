"""Topics: reproducible, offline BERTopic over cached embeddings.

``TopicModel`` wraps BERTopic with injected sub-models (reducer, clusterer) and
always hands it precomputed embeddings, so no code path reaches a model hub.
On top of BERTopic's clusters it adds what researchers ask for:

* a fast default (PCA + k-means with k by silhouette, chosen by measurement, see
  ``docs/topics.md``);
  UMAP + HDBSCAN stays selectable with ``reducer="umap"``;
* outlier reduction by nearest centroid with a similarity floor, with the share
  of outliers before and after; whatever stays out is topic -1 "unassigned";
* readable labels from customer phrases (candidate n-grams ranked by c-TF-IDF,
  re-ranked by similarity to the topic centroid with MMR);
* ``transform`` for new batches and ``emerging_topics`` for new units that fit
  no existing topic.

``fit_topics`` adds per-topic evidence (all member unit ids, representative
quotes, sentiment/emotion/pain-point rates) and prevalence differences per group
and over time (two-proportion z or Fisher exact, Benjamini-Hochberg corrected).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from insight import schema as S
from insight.errors import InputError, ModelError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from insight.embed import TextEncoder

log = logging.getLogger(__name__)

UNASSIGNED_LABEL = "unassigned"
REDUCERS = ("pca", "svd", "umap", "none")
CLUSTERERS = ("auto", "kmeans", "hdbscan", "agglomerative")

_TOKEN = r"(?u)\b\w[\w'-]*\b"
_WORD = re.compile(r"\w")


def _has_words(text: str) -> bool:
    """Texts without a single word character ("", "???") get topic -1, never a cluster."""
    return bool(_WORD.search(text))


# -----------------------------------------------------------------------------
# small numeric helpers
# -----------------------------------------------------------------------------
def _normalise_rows(x: np.ndarray) -> np.ndarray:
    import numpy as np

    x = np.asarray(x, dtype=np.float64)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms == 0, 1.0, norms)


def benjamini_hochberg(pvalues: Sequence[float]) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (NaN stays NaN and is not counted)."""
    import numpy as np

    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    m = int(ok.sum())
    if m == 0:
        return out
    pv = p[ok]
    order = np.argsort(pv, kind="mergesort")
    ranked = pv[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
    res = np.empty(m)
    res[order] = np.minimum(adjusted, 1.0)
    out[ok] = res
    return out


def two_proportion_test(a: int, n1: int, b: int, n2: int) -> tuple[float, float, str]:
    """Compare a/n1 with b/n2: (z, two-sided p, method).

    Pooled two-proportion z-test when every expected cell count is at least 5,
    else Fisher's exact test (z is then NaN).
    """
    import math

    from scipy import stats

    if n1 == 0 or n2 == 0:
        return float("nan"), float("nan"), "none"
    pooled = (a + b) / (n1 + n2)
    expected = [n1 * pooled, n1 * (1 - pooled), n2 * pooled, n2 * (1 - pooled)]
    if min(expected) >= 5:
        se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = (a / n1 - b / n2) / se
        return float(z), float(2 * stats.norm.sf(abs(z))), "z"
    res = stats.fisher_exact([[a, n1 - a], [b, n2 - b]])
    return float("nan"), float(res.pvalue), "fisher"


# -----------------------------------------------------------------------------
# labels from customer phrases
# -----------------------------------------------------------------------------
def candidate_phrases(texts: Sequence[str], max_ngram: int = 3) -> tuple[Any, list[str]]:
    """Binary document x phrase matrix over 1..max_ngram-grams of the texts' own words.

    A phrase may contain stop words inside ("ease of use") but not at its edges,
    and no token may be a bare number or a single character.
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    def keep(phrase: str) -> bool:
        toks = phrase.split()
        if toks[0] in ENGLISH_STOP_WORDS or toks[-1] in ENGLISH_STOP_WORDS:
            return False
        return all(len(t) > 1 and not t.isdigit() for t in toks)

    vec = CountVectorizer(
        ngram_range=(1, max_ngram), token_pattern=_TOKEN, lowercase=True, binary=True
    )
    try:
        matrix = vec.fit_transform(list(texts))
    except ValueError:  # empty vocabulary
        return None, []
    vocab = vec.get_feature_names_out()
    cols = [i for i, p in enumerate(vocab) if keep(p)]
    return matrix[:, cols].tocsc(), [str(vocab[i]) for i in cols]


def _mmr(centroid: np.ndarray, cand_vecs: np.ndarray, n: int, diversity: float) -> list[int]:
    """Maximal marginal relevance: indices of n candidates, relevant yet diverse."""
    import numpy as np

    rel = cand_vecs @ centroid
    chosen: list[int] = [int(np.argmax(rel))]
    while len(chosen) < min(n, len(rel)):
        sim_chosen = (cand_vecs @ cand_vecs[chosen].T).max(axis=1)
        score = (1 - diversity) * rel - diversity * sim_chosen
        score[chosen] = -np.inf
        chosen.append(int(np.argmax(score)))
    return chosen


def label_topics(
    texts: Sequence[str],
    topics: np.ndarray,
    centroids: dict[int, np.ndarray] | None = None,
    encoder: TextEncoder | None = None,
    n_phrases: int = 3,
    n_candidates: int = 30,
    diversity: float = 0.4,
) -> dict[int, list[str]]:
    """Key phrases per topic (topic -1 is skipped).

    Candidates are the n-grams members actually wrote, ranked by class-based
    TF-IDF (share of the topic's texts using the phrase x log(1 + N / texts using it
    anywhere)). With an encoder, the top ``n_candidates`` are re-ranked
    KeyBERT-style by similarity to the topic centroid with MMR for diversity.
    A phrase whose words are a subset (or superset) of a chosen one's is skipped.
    """
    import numpy as np

    matrix, vocab = candidate_phrases(texts)
    topic_ids = sorted(int(t) for t in set(topics.tolist()) if t != S.UNASSIGNED_TOPIC)
    if matrix is None or not vocab:
        return {t: [] for t in topic_ids}
    n_docs = matrix.shape[0]
    df_all = np.asarray(matrix.sum(axis=0)).ravel()
    idf = np.log1p(n_docs / np.maximum(df_all, 1))
    vocab_arr = np.array(vocab)
    ntok = np.array([len(p.split()) for p in vocab])
    shortlists: dict[int, list[int]] = {}
    for t in topic_ids:
        rows = np.flatnonzero(topics == t)
        df_t = np.asarray(matrix[rows].sum(axis=0)).ravel()
        score = df_t / len(rows) * idf
        # phrases used by one member only are idiosyncratic unless the topic is tiny
        ok = df_t >= (2 if len(rows) >= 4 else 1)
        idx = np.flatnonzero(ok)
        # ties: longer phrase first, then alphabetical, for stable labels
        order = np.lexsort((vocab_arr[idx], -ntok[idx], -score[idx]))
        shortlists[t] = [int(i) for i in idx[order][:n_candidates]]

    cand_vecs: dict[int, np.ndarray] = {}
    if encoder is not None and centroids is not None:
        needed = sorted({i for lst in shortlists.values() for i in lst})
        if needed:
            vecs = _normalise_rows(encoder.encode([vocab[i] for i in needed], progress=False))
            cand_vecs = dict(zip(needed, vecs, strict=True))

    labels: dict[int, list[str]] = {}
    for t in topic_ids:
        short = shortlists[t]
        if not short:
            labels[t] = []
            continue
        if cand_vecs and centroids is not None and t in centroids:
            picked = _mmr(
                centroids[t], np.stack([cand_vecs[i] for i in short]), len(short), diversity
            )
            ranked = [vocab[short[j]] for j in picked]
        else:
            ranked = [vocab[i] for i in short]
        chosen: list[str] = []
        for p in ranked:
            words = set(p.split())
            if any(words <= set(c.split()) or set(c.split()) <= words for c in chosen):
                continue  # "delivery late" adds nothing to "delivery was late"
            chosen.append(p)
            if len(chosen) == n_phrases:
                break
        labels[t] = chosen
    return labels


# -----------------------------------------------------------------------------
# the estimator
# -----------------------------------------------------------------------------
def _bertopic_embedder(encoder: TextEncoder | None) -> Any:
    """Wrap our encoder as a BERTopic backend so BERTopic never picks (downloads) its own."""
    from bertopic.backend import BaseEmbedder

    class _Backend(BaseEmbedder):  # type: ignore[misc]
        def __init__(self, enc: TextEncoder | None) -> None:
            super().__init__()
            self.enc = enc

        def embed(self, documents: list[str], verbose: bool = False) -> np.ndarray:
            if self.enc is None:
                raise ModelError(
                    "this topic model was fitted on precomputed embeddings and has no embedder",
                    fix="pass embeddings=..., or fit with embedder=insight.embed.Embedder()",
                )
            return self.enc.encode(documents, progress=verbose)

    return _Backend(encoder)


def _loo_floor(emb: np.ndarray, labels: np.ndarray, quantile: float) -> float:
    """Quantile of members' cosine similarity to their topic's centroid without themselves."""
    import numpy as np

    sims = []
    for t in sorted(set(labels.tolist()) - {S.UNASSIGNED_TOPIC}):
        x = emb[labels == t]
        if len(x) < 2:
            continue
        rest = x.sum(axis=0) - x  # each row: the topic's sum without that member
        norms = np.linalg.norm(rest, axis=1)
        sims.append(np.einsum("ij,ij->i", x, rest) / np.where(norms == 0, 1.0, norms))
    if not sims:
        return 0.0
    return float(np.quantile(np.concatenate(sims), quantile))


class SilhouetteKMeans:
    """k-means whose k is the silhouette-best of a grid (scikit-learn clusterer API).

    Args:
        k_min, k_max: the range searched (a grid of at most ~12 values).
        sample_size: silhouette is scored on a seeded sample of at most this many rows.
        random_state: seed for k-means and the sample.
    """

    def __init__(
        self, k_min: int = 2, k_max: int = 30, sample_size: int = 2000, random_state: int = 0
    ) -> None:
        self.k_min = k_min
        self.k_max = k_max
        self.sample_size = sample_size
        self.random_state = random_state

    def _grid(self, n: int) -> list[int]:
        hi = max(min(self.k_max, n - 1), 1)
        lo = min(max(self.k_min, 2), hi)
        base = [2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100]
        return sorted({k for k in base if lo <= k <= hi} | {lo, hi})

    def fit(self, X: Any, y: Any = None) -> SilhouetteKMeans:
        import numpy as np
        from sklearn.cluster import KMeans
        from sklearn.metrics import silhouette_score

        X = np.asarray(X)
        n = len(X)
        rng = np.random.default_rng(self.random_state)
        sample = (
            np.sort(rng.choice(n, self.sample_size, replace=False))
            if n > self.sample_size
            else np.arange(n)
        )
        self.scores_: dict[int, float] = {}
        best: Any = None
        for k in self._grid(n):
            km = KMeans(n_clusters=k, n_init=4, random_state=self.random_state).fit(X)
            lab = km.labels_[sample]
            score = (
                float(silhouette_score(X[sample], lab)) if 1 < len(set(lab)) < len(sample) else -1.0
            )
            self.scores_[k] = score
            if best is None or score > self.scores_[best.n_clusters]:
                best = km
        self.kmeans_ = best
        self.n_clusters_ = int(best.n_clusters)
        self.labels_ = best.labels_.astype(int)
        self.cluster_centers_ = best.cluster_centers_
        return self

    def predict(self, X: Any) -> np.ndarray:
        return self.kmeans_.predict(X)


@dataclass
class EmergingTopic:
    """A dense group of new units that fits no existing topic."""

    indices: list[int]
    label: str
    cohesion: float
    nearest_topic: int
    nearest_similarity: float
    keywords: list[str] = field(default_factory=list)


class TopicModel:
    """Topic model over sentence embeddings (BERTopic with injected sub-models).

    Args:
        reducer: "pca" (default), "svd", "umap" (BERTopic's default UMAP, seeded),
            "none", or any object with ``fit``/``transform``.
        clusterer: "auto" (k-means for pca/svd/none, HDBSCAN for umap), "kmeans",
            "hdbscan", "agglomerative", or any object with ``fit`` and ``labels_``.
        n_components: reduced dimensions (PCA/SVD: 20, UMAP: 5 when None).
        n_topics: topics for k-means/agglomerative. "auto": k-means picks the k with the
            best silhouette among 2..``max_topics`` (at most ``n_docs / min_topic_size``);
            agglomerative uses ``round(sqrt(n_docs / 8))`` clamped to [2, max_topics].
        max_topics: upper bound for "auto".
        min_topic_size: HDBSCAN's ``min_cluster_size``; also the smallest emerging topic.
        outlier_floor: the similarity floor as a quantile of clustered members'
            leave-one-out similarity to their own topic (the similarity a new member of
            the topic would have). An outlier, or a unit of a new batch, joins its most
            similar topic only if at least that similar; else it is -1 "unassigned".
        reduce_outliers: reassign the clusterer's outliers (HDBSCAN's -1) by that rule;
            False keeps them as they are.
        n_label_phrases: phrases joined into a topic label.
        embedder: encoder used for documents given without embeddings and for label
            phrases (``insight.embed.Embedder`` or anything with ``encode``).
        random_state: seed for the reducer and clusterer.
    """

    def __init__(
        self,
        reducer: str | Any = "pca",
        clusterer: str | Any = "auto",
        n_components: int | None = None,
        n_topics: int | str = "auto",
        max_topics: int = 30,
        min_topic_size: int = 10,
        outlier_floor: float = 0.05,
        reduce_outliers: bool = True,
        n_label_phrases: int = 3,
        embedder: TextEncoder | None = None,
        random_state: int = 0,
        verbose: bool = False,
    ) -> None:
        self.reducer = reducer
        self.clusterer = clusterer
        self.n_components = n_components
        self.n_topics = n_topics
        self.max_topics = max_topics
        self.min_topic_size = min_topic_size
        self.outlier_floor = outlier_floor
        self.reduce_outliers = reduce_outliers
        self.n_label_phrases = n_label_phrases
        self.embedder = embedder
        self.random_state = random_state
        self.verbose = verbose

    # -- sub-models -------------------------------------------------------------
    def _auto_k(self, n_docs: int) -> int:
        if isinstance(self.n_topics, int):
            return max(1, min(self.n_topics, n_docs))
        if self.n_topics != "auto":
            raise InputError(
                f'n_topics must be an integer or "auto", got {self.n_topics!r}',
                fix='pass e.g. n_topics=12 or n_topics="auto"',
            )
        k = round((n_docs / 8) ** 0.5)
        return int(min(max(k, 2), self.max_topics, n_docs))

    def _make_reducer(self, n_docs: int, dim: int) -> Any:
        if not isinstance(self.reducer, str):
            return self.reducer
        if self.reducer not in REDUCERS:
            raise InputError(
                f"unknown reducer {self.reducer!r}", fix=f"use one of {', '.join(REDUCERS)}"
            )
        if self.reducer == "none":
            from bertopic.dimensionality import BaseDimensionalityReduction

            return BaseDimensionalityReduction()
        if self.reducer == "umap":
            from umap import UMAP

            n = self.n_components or 5
            return UMAP(
                n_neighbors=min(15, max(2, n_docs - 1)),
                n_components=min(n, max(1, n_docs - 2)),
                min_dist=0.0,
                metric="cosine",
                random_state=self.random_state,
                low_memory=False,
            )
        n = min(self.n_components or 20, dim, max(1, n_docs - 1))
        if self.reducer == "svd":
            from sklearn.decomposition import TruncatedSVD

            return TruncatedSVD(n_components=n, random_state=self.random_state)
        from sklearn.decomposition import PCA

        return PCA(n_components=n, svd_solver="covariance_eigh", random_state=self.random_state)

    def _clusterer_name(self) -> str:
        if self.clusterer != "auto":
            return str(self.clusterer)
        return "hdbscan" if self.reducer == "umap" else "kmeans"

    def _make_clusterer(self, n_docs: int) -> Any:
        if not isinstance(self.clusterer, str):
            return self.clusterer
        if self.clusterer not in CLUSTERERS:
            raise InputError(
                f"unknown clusterer {self.clusterer!r}", fix=f"use one of {', '.join(CLUSTERERS)}"
            )
        name = self._clusterer_name()
        if name == "hdbscan":
            from hdbscan import HDBSCAN

            return HDBSCAN(
                min_cluster_size=max(2, min(self.min_topic_size, n_docs)),
                metric="euclidean",
                cluster_selection_method="eom",
                prediction_data=False,
            )
        if name == "kmeans" and self.n_topics == "auto":
            return SilhouetteKMeans(
                k_min=2,
                k_max=min(self.max_topics, max(2, round(n_docs / max(1, self.min_topic_size)))),
                random_state=self.random_state,
            )
        k = self._auto_k(n_docs)
        if name == "agglomerative":
            from sklearn.cluster import AgglomerativeClustering

            return AgglomerativeClustering(n_clusters=k)
        from sklearn.cluster import KMeans

        return KMeans(n_clusters=k, n_init=4, random_state=self.random_state)

    # -- fitting ------------------------------------------------------------------
    def _embeddings(self, documents: Sequence[str], embeddings: Any) -> np.ndarray:
        import numpy as np

        if embeddings is None:
            from insight.embed import default_embedder, embed_texts

            if self.embedder is None:
                self.embedder = default_embedder()
            embeddings = embed_texts(documents, embedder=self.embedder, progress=self.verbose)
        emb = np.asarray(embeddings, dtype=np.float64)
        if emb.ndim != 2 or emb.shape[0] != len(documents):
            raise InputError(
                f"got {emb.shape[0] if emb.ndim else 0} embeddings for {len(documents)} documents",
                fix="pass one embedding row per document, in the same order",
            )
        return emb

    def fit(self, documents: Sequence[str], embeddings: Any = None, y: Any = None) -> TopicModel:
        """Find topics in ``documents`` (empty texts become -1 "unassigned")."""
        import numpy as np

        documents = ["" if d is None else str(d) for d in documents]
        emb = _normalise_rows(self._embeddings(documents, embeddings))
        n = len(documents)
        usable = np.array([_has_words(d) for d in documents], dtype=bool)
        labels = np.full(n, S.UNASSIGNED_TOPIC, dtype=int)
        idx = np.flatnonzero(usable)
        if len(idx) < 2:
            raise InputError(
                f"need at least 2 non-empty texts to find topics, got {len(idx)}",
                fix="add more texts or check --text-column",
            )
        from bertopic import BERTopic
        from sklearn.feature_extraction.text import CountVectorizer

        reducer = self._make_reducer(len(idx), emb.shape[1])
        clusterer = self._make_clusterer(len(idx))
        self.bertopic_ = BERTopic(
            embedding_model=_bertopic_embedder(self.embedder),
            umap_model=reducer,
            hdbscan_model=clusterer,
            # no stop-word list: answers made only of stop words ("no", "not yet") must
            # not empty BERTopic's vocabulary; insight's own labels skip edge stop words
            vectorizer_model=CountVectorizer(token_pattern=_TOKEN),
            calculate_probabilities=False,
            verbose=self.verbose,
        )
        sub_docs = [documents[i] for i in idx]
        from threadpoolctl import threadpool_limits

        # one BLAS/OpenMP thread: identical results whatever the core count, and on a
        # busy machine several times faster than oversubscribed threads (docs/topics.md)
        with threadpool_limits(limits=1):
            raw = np.asarray(self.bertopic_.fit_transform(sub_docs, embeddings=emb[idx])[0])
        labels[idx] = raw
        self.outlier_share_before_ = float(np.mean(labels == S.UNASSIGNED_TOPIC))

        # outlier reduction: nearest centroid (full embedding space) with a floor
        clustered = sorted(int(t) for t in set(raw.tolist()) if t != S.UNASSIGNED_TOPIC)
        if not clustered:  # the clusterer found nothing: everything is one topic
            labels[idx] = 0
            clustered = [0]
        cents = _normalise_rows(np.stack([emb[labels == t].mean(axis=0) for t in clustered]))
        self.similarity_floor_ = _loo_floor(emb, labels, self.outlier_floor)
        out = np.flatnonzero(usable & (labels == S.UNASSIGNED_TOPIC))
        if len(out) and self.reduce_outliers:
            sims = emb[out] @ cents.T
            best = sims.argmax(axis=1)
            ok = sims[np.arange(len(out)), best] >= self.similarity_floor_
            labels[out[ok]] = np.asarray(clustered)[best[ok]]

        # renumber by size (ties: first member), so numbering is stable
        final = sorted(
            (t for t in set(labels.tolist()) if t != S.UNASSIGNED_TOPIC),
            key=lambda t: (-int(np.sum(labels == t)), int(np.flatnonzero(labels == t)[0])),
        )
        remap = {t: i for i, t in enumerate(final)}
        self.labels_ = np.array([remap.get(int(t), S.UNASSIGNED_TOPIC) for t in labels], dtype=int)
        self.outlier_share_after_ = float(np.mean(self.labels_ == S.UNASSIGNED_TOPIC))
        self.n_topics_ = len(final)
        self.centroids_ = _normalise_rows(
            np.stack([emb[self.labels_ == t].mean(axis=0) for t in range(self.n_topics_)])
        )
        member = self.labels_ != S.UNASSIGNED_TOPIC
        own = np.einsum("ij,ij->i", emb[member], self.centroids_[self.labels_[member]])
        self.cohesion_ = np.array(
            [float(own[self.labels_[member] == t].mean()) for t in range(self.n_topics_)]
        )
        phrases = label_topics(
            documents,
            self.labels_,
            centroids={t: self.centroids_[t] for t in range(self.n_topics_)},
            encoder=self.embedder,
            n_phrases=self.n_label_phrases,
        )
        self.topic_keywords_ = {t: phrases.get(t, []) for t in range(self.n_topics_)}
        self.topic_labels_ = {
            t: (", ".join(p) if p else f"topic {t}") for t, p in self.topic_keywords_.items()
        }
        self.topic_labels_[S.UNASSIGNED_TOPIC] = UNASSIGNED_LABEL
        self.embeddings_ = emb
        log.info(
            "topics: %d topics over %d texts; outliers %.1f%% -> %.1f%%",
            self.n_topics_,
            n,
            100 * self.outlier_share_before_,
            100 * self.outlier_share_after_,
        )
        return self

    def fit_transform(self, documents: Sequence[str], embeddings: Any = None) -> np.ndarray:
        return self.fit(documents, embeddings).labels_

    def _check_fitted(self) -> None:
        if not hasattr(self, "centroids_"):
            raise ModelError("the topic model is not fitted yet", fix="call fit() first")

    # -- new batches ----------------------------------------------------------------
    def similarity(self, documents: Sequence[str], embeddings: Any = None) -> np.ndarray:
        """Cosine similarity of each document to each topic centroid, shape (n, n_topics)."""
        self._check_fitted()
        emb = _normalise_rows(self._embeddings(list(documents), embeddings))
        return emb @ self.centroids_.T

    def transform(self, documents: Sequence[str], embeddings: Any = None) -> np.ndarray:
        """Assign new documents to existing topics (-1 below the similarity floor or empty)."""
        import numpy as np

        documents = ["" if d is None else str(d) for d in documents]
        if not documents:
            return np.zeros(0, dtype=int)
        sims = self.similarity(documents, embeddings)
        best = sims.argmax(axis=1)
        ok = sims[np.arange(len(documents)), best] >= self.similarity_floor_
        ok &= np.array([_has_words(d) for d in documents])
        return np.where(ok, best, S.UNASSIGNED_TOPIC).astype(int)

    def emerging_topics(
        self, documents: Sequence[str], embeddings: Any = None, min_size: int | None = None
    ) -> list[EmergingTopic]:
        """Groups of new documents that fit no existing topic but are dense among themselves.

        Documents below the similarity floor to every centroid are clustered
        (average linkage, cosine, merging while the mean pairwise similarity stays
        above floor squared, which is what members at the floor have to each other);
        a cluster of at least ``min_size`` (default ``min_topic_size``) whose members'
        mean leave-one-out similarity to it reaches the floor - as tight as the
        fitted topics' members are - is reported.
        """
        import numpy as np

        documents = ["" if d is None else str(d) for d in documents]
        emb = _normalise_rows(self._embeddings(documents, embeddings))
        topics = self.transform(documents, emb)
        min_size = min_size or self.min_topic_size
        cand = np.flatnonzero(
            (topics == S.UNASSIGNED_TOPIC) & np.array([_has_words(d) for d in documents])
        )
        if len(cand) < max(2, min_size):
            return []
        from sklearn.cluster import AgglomerativeClustering

        floor = max(self.similarity_floor_, 0.0)
        threshold = min(max(1.0 - floor**2, 1e-6), 2.0)
        groups = AgglomerativeClustering(
            n_clusters=None, metric="cosine", linkage="average", distance_threshold=threshold
        ).fit_predict(emb[cand])
        found: list[EmergingTopic] = []
        for g in sorted(set(groups.tolist())):
            members = cand[groups == g]
            if len(members) < min_size:
                continue
            cent = _normalise_rows(emb[members].mean(axis=0, keepdims=True))[0]
            rest = emb[members].sum(axis=0) - emb[members]
            loo = np.einsum("ij,ij->i", emb[members], _normalise_rows(rest))
            cohesion = float(loo.mean())
            if cohesion < floor:
                continue
            sims = self.centroids_ @ cent
            kw = label_topics(
                [documents[i] for i in members],
                np.zeros(len(members), dtype=int),
                centroids={0: cent},
                encoder=self.embedder,
                n_phrases=self.n_label_phrases,
            ).get(0, [])
            found.append(
                EmergingTopic(
                    indices=[int(i) for i in members],
                    label=", ".join(kw) if kw else "new topic",
                    cohesion=cohesion,
                    nearest_topic=int(sims.argmax()),
                    nearest_similarity=float(sims.max()),
                    keywords=kw,
                )
            )
        found.sort(key=lambda e: (-len(e.indices), e.indices[0]))
        return found

    def transform_units(self, units: pd.DataFrame, embeddings: Any = None) -> pd.DataFrame:
        """Assign a new batch of units (unit_id, text) to the fitted topics.

        Returns the assignments (unit_id, topic, topic_label) and sets
        ``emerging_``: the new batch's emerging topics (see ``assign_batch``).
        """
        batch = assign_batch(self, units, embeddings)
        self.emerging_ = batch.emerging
        return batch.assignments

    def __getstate__(self) -> dict[str, Any]:
        # the training embeddings are big and not needed to assign new batches; the
        # BERTopic object holds a locally defined embedder backend that cannot pickle
        state = self.__dict__.copy()
        state.pop("embeddings_", None)
        state.pop("bertopic_", None)
        return state


# -----------------------------------------------------------------------------
# the pipeline entry point: evidence per topic and differences
# -----------------------------------------------------------------------------
@dataclass
class TopicResult:
    """Everything ``fit_topics`` finds, keyed by unit ids."""

    assignments: pd.DataFrame  # unit_id, topic, topic_label
    topics: pd.DataFrame  # one row per topic (see docs/CONTRACTS.md)
    differences: pd.DataFrame  # prevalence per group / period with tests
    outlier_share_before: float
    outlier_share_after: float
    model: TopicModel

    def called_out(self) -> list[str]:
        """One sentence per significant over-representation (BH-adjusted p < alpha).

        Only the group where a topic is more common is named, so a two-group split
        is not reported twice (once as "more" in A, once as "less" in B).
        """
        d = self.differences
        if d.empty:
            return []
        out = []
        for r in d[d["significant"] & (d["share_in_group"] > d["share_rest"])].itertuples():
            out.append(
                f'"{r.topic_label}" is more common in {r.dimension} {r.group} '
                f"({100 * r.share_in_group:.0f}% vs {100 * r.share_rest:.0f}%, "
                f"adjusted p = {r.p_adj:.3g})"
            )
        return out


def _representative(
    emb: np.ndarray, rows: np.ndarray, centroid: np.ndarray, respondents: Sequence[Any], n: int
) -> list[int]:
    """Most central rows, one per respondent and distinct text order-stable."""
    import numpy as np

    sims = emb[rows] @ centroid
    order = rows[np.lexsort((rows, -sims))]
    chosen, seen = [], set()
    for r in order:
        who = respondents[r]
        key = who if who is not None and who == who else ("row", int(r))
        if key in seen:
            continue
        seen.add(key)
        chosen.append(int(r))
        if len(chosen) == n:
            break
    return chosen


def _top_emotions(ann: pd.DataFrame) -> str | float:
    """ "anger 0.40; sadness 0.20": shares of the top 3 non-neutral emotions (NaN if none known)."""
    import pandas as pd

    col = S.EKMAN if S.EKMAN in ann else (S.EMOTIONS if S.EMOTIONS in ann else None)
    if col is None:
        return float("nan")
    vals = ann[col].dropna().astype(str)
    if vals.empty:
        return float("nan")
    labels = vals.str.split(";").explode().str.strip()
    counts = labels[(labels != "") & (labels != "neutral")].value_counts()
    counts = counts.sort_index().sort_values(ascending=False, kind="mergesort")
    share = counts / len(vals)
    return "; ".join(f"{k} {v:.2f}" for k, v in share.head(3).items() if pd.notna(v))


def _unit_level(values: Any, units: pd.DataFrame, name: str) -> pd.Series:
    """A grouping given per unit, per respondent, or as a units column -> Series per unit row."""
    import pandas as pd

    if values is None:
        return pd.Series([None] * len(units), index=units.index, dtype=object)
    if isinstance(values, str):
        if values not in units:
            raise InputError(
                f"{name} column {values!r} is not in the units table",
                fix=f"pass a Series keyed by unit_id or respondent_id, or one of {list(units.columns)}",
            )
        return units[values]
    s = pd.Series(values)
    if s.index.isin(units[S.UNIT_ID]).any():
        return units[S.UNIT_ID].map(s)
    if S.RESPONDENT_ID in units and s.index.isin(units[S.RESPONDENT_ID]).any():
        return units[S.RESPONDENT_ID].map(s)
    if len(s) == len(units):
        return pd.Series(s.to_numpy(), index=units.index)
    raise InputError(
        f"{name} matches neither unit ids nor respondent ids",
        fix="pass a Series indexed by unit_id or respondent_id",
    )


def _periods(dates: pd.Series, period: str) -> pd.Series:
    import pandas as pd

    d = pd.to_datetime(dates, errors="coerce", utc=True).dt.tz_localize(None)
    valid = d.dropna()
    if valid.empty:
        return pd.Series([None] * len(d), index=d.index, dtype=object)
    if period == "auto":
        span = (valid.max() - valid.min()).days
        period = "W" if span <= 62 else ("M" if span <= 730 else "Q")
    p = d.dt.to_period(period)
    return p.astype(str).where(d.notna(), None)


def prevalence_differences(
    topics: Sequence[int] | np.ndarray,
    groups: Sequence[Any],
    labels: dict[int, str] | None = None,
    dimension: str = "group",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Topic prevalence in each group versus the rest, tested and BH-corrected.

    Units without a group or without a topic (-1) are left out. Each (topic, group)
    pair gets a two-proportion z-test (Fisher exact when counts are small); the
    p-values of one call are adjusted together with Benjamini-Hochberg.
    """
    import numpy as np
    import pandas as pd

    cols = [
        "dimension",
        "group",
        S.TOPIC,
        S.TOPIC_LABEL,
        "count",
        "n_group",
        "share_in_group",
        "share_rest",
        "z",
        "p",
        "method",
        "p_adj",
        "significant",
    ]
    df = pd.DataFrame({"t": np.asarray(topics), "g": list(groups)})
    df = df[df["g"].notna() & (df["t"] != S.UNASSIGNED_TOPIC)]
    df["g"] = df["g"].astype(str)
    levels = sorted(df["g"].unique())
    if len(levels) < 2:
        return pd.DataFrame(columns=cols)
    labels = labels or {}
    rows = []
    total = len(df)
    for t in sorted(df["t"].unique()):
        in_t = df["t"] == t
        n_t = int(in_t.sum())
        for g in levels:
            in_g = df["g"] == g
            a = int((in_t & in_g).sum())
            n1 = int(in_g.sum())
            n2 = total - n1
            b = n_t - a
            z, p, method = two_proportion_test(a, n1, b, n2)
            rows.append(
                {
                    "dimension": dimension,
                    "group": g,
                    S.TOPIC: int(t),
                    S.TOPIC_LABEL: labels.get(int(t), f"topic {t}"),
                    "count": a,
                    "n_group": n1,
                    "share_in_group": a / n1 if n1 else float("nan"),
                    "share_rest": b / n2 if n2 else float("nan"),
                    "z": z,
                    "p": p,
                    "method": method,
                }
            )
    out = pd.DataFrame(rows)
    out["p_adj"] = benjamini_hochberg(out["p"].to_numpy())
    out["significant"] = out["p_adj"] < alpha
    return out[cols]


def fit_topics(
    units: pd.DataFrame,
    embeddings: Any = None,
    annotations: pd.DataFrame | None = None,
    groups: Any = None,
    dates: Any = None,
    random_state: int = 0,
    model: TopicModel | None = None,
    period: str = "auto",
    alpha: float = 0.05,
    n_quotes: int = 5,
) -> TopicResult:
    """Topics over customer units with all the evidence behind them.

    Args:
        units: the units table (unit_id, respondent_id, text; date optional).
        embeddings: one row per unit, in order (``insight.embed.embed_texts``);
            ``None`` embeds with the model's embedder.
        annotations: optional, keyed by unit_id, with sentiment / ekman or emotions /
            pain_point columns; missing columns give NaN statistics.
        groups: segment or any grouping: a Series keyed by unit_id or respondent_id,
            or a column name of ``units``.
        dates: a Series keyed by unit_id/respondent_id, a column name, or ``None`` to
            use the units' ``date`` column when it has values.
        random_state: seed (ignored when ``model`` is given).
        model: an unfitted ``TopicModel`` to use instead of the default one.
        period: "auto" (week, month or quarter by the span of dates) or a pandas
            period alias ("W", "M", "Q", "Y").
        alpha: false discovery rate for calling out differences.
        n_quotes: representative quotes per topic (3-5 recommended).
    """
    import numpy as np
    import pandas as pd

    for col in (S.UNIT_ID, S.TEXT):
        if col not in units:
            raise InputError(
                f'the units table has no "{col}" column', fix="pass the units table from ingest"
            )
    units = units.reset_index(drop=True)
    texts = units[S.TEXT].fillna("").astype(str).tolist()
    model = model if model is not None else TopicModel(random_state=random_state)
    model.fit(texts, embeddings)
    emb = model.embeddings_
    topics = model.labels_
    labels = model.topic_labels_

    assignments = pd.DataFrame(
        {
            S.UNIT_ID: units[S.UNIT_ID].to_numpy(),
            S.TOPIC: topics,
            S.TOPIC_LABEL: [labels[int(t)] for t in topics],
        }
    )

    resp = units[S.RESPONDENT_ID].tolist() if S.RESPONDENT_ID in units else [None] * len(units)
    ann = None
    if annotations is not None and len(annotations):
        ann = units[[S.UNIT_ID]].merge(annotations, on=S.UNIT_ID, how="left")
    n = len(units)
    rows = []
    for t in [*range(model.n_topics_), S.UNASSIGNED_TOPIC]:
        members = np.flatnonzero(topics == t)
        if t == S.UNASSIGNED_TOPIC and len(members) == 0:
            continue
        a = ann.iloc[members] if ann is not None else pd.DataFrame()
        if t == S.UNASSIGNED_TOPIC:
            quotes: list[int] = []
        else:
            quotes = _representative(emb, members, model.centroids_[t], resp, n_quotes)
        rows.append(
            {
                S.TOPIC: int(t),
                "label": labels[int(t)],
                "size": len(members),
                "respondents": len({resp[i] for i in members if resp[i] is not None}),
                "share": len(members) / n if n else float("nan"),
                "mean_sentiment": float(a[S.SENTIMENT].mean())
                if S.SENTIMENT in a and a[S.SENTIMENT].notna().any()
                else float("nan"),
                "top_emotions": _top_emotions(a) if len(a) else float("nan"),
                "pain_point_rate": float(a[S.PAIN_POINT].astype(float).mean())
                if S.PAIN_POINT in a and a[S.PAIN_POINT].notna().any()
                else float("nan"),
                "keywords": model.topic_keywords_.get(int(t), []),
                "unit_ids": [units.at[i, S.UNIT_ID] for i in members],
                "quotes": [units.at[i, S.UNIT_ID] for i in quotes],
                "quote_texts": [texts[i] for i in quotes],
            }
        )
    topics_df = pd.DataFrame(rows)

    diffs = []
    if groups is not None:
        g = _unit_level(groups, units, "groups")
        diffs.append(prevalence_differences(topics, g.tolist(), labels, "group", alpha))
    if dates is None and S.DATE in units and units[S.DATE].notna().any():
        dates = S.DATE
    if dates is not None:
        p = _periods(_unit_level(dates, units, "dates"), period)
        diffs.append(prevalence_differences(topics, p.tolist(), labels, "period", alpha))
    diffs = [d for d in diffs if len(d)]
    differences = (
        pd.concat(diffs, ignore_index=True) if diffs else prevalence_differences([], [], labels)
    )
    return TopicResult(
        assignments=assignments,
        topics=topics_df,
        differences=differences,
        outlier_share_before=model.outlier_share_before_,
        outlier_share_after=model.outlier_share_after_,
        model=model,
    )


@dataclass
class BatchAssignment:
    """Topics for a new batch of units, plus emerging topics among them."""

    assignments: pd.DataFrame  # unit_id, topic, topic_label
    emerging: pd.DataFrame  # emerging_id, label, size, cohesion, nearest_topic, unit_ids


def assign_batch(model: TopicModel, units: pd.DataFrame, embeddings: Any = None) -> BatchAssignment:
    """Assign a new batch of units to a fitted model's topics and flag emerging ones.

    Pass ``embeddings`` from ``embed_texts(new_texts, store)`` so only the new
    texts are embedded; earlier units are never touched.
    """
    import pandas as pd

    units = units.reset_index(drop=True)
    texts = units[S.TEXT].fillna("").astype(str).tolist()
    emb = _normalise_rows(model._embeddings(texts, embeddings))
    topics = model.transform(texts, emb)
    assignments = pd.DataFrame(
        {
            S.UNIT_ID: units[S.UNIT_ID].to_numpy(),
            S.TOPIC: topics,
            S.TOPIC_LABEL: [model.topic_labels_[int(t)] for t in topics],
        }
    )
    emerging = model.emerging_topics(texts, emb)
    em = pd.DataFrame(
        [
            {
                "emerging_id": i,
                "label": e.label,
                "size": len(e.indices),
                "cohesion": e.cohesion,
                "nearest_topic": e.nearest_topic,
                "nearest_similarity": e.nearest_similarity,
                "unit_ids": [units.at[j, S.UNIT_ID] for j in e.indices],
            }
            for i, e in enumerate(emerging)
        ],
        columns=[
            "emerging_id",
            "label",
            "size",
            "cohesion",
            "nearest_topic",
            "nearest_similarity",
            "unit_ids",
        ],
    )
    return BatchAssignment(assignments=assignments, emerging=em)


# -----------------------------------------------------------------------------
# one file, one text per row (the `insight topics` command)
# -----------------------------------------------------------------------------
def topics_from_file(
    path: str,
    text_column: str,
    out_dir: str | None = None,
    random_state: int = 0,
    reducer: str = "pca",
    n_topics: int | str = "auto",
    group_column: str | None = None,
    date_column: str | None = None,
    cache: str | None = None,
    embedder: TextEncoder | None = None,
    header: bool = True,
) -> TopicResult:
    """Topics over one table file, one unit per row (no sentence splitting).

    Writes ``assignments.csv`` (row, topic, topic_label; ``row`` is the 0-based
    data row of the input, every row present, empty texts as -1 "unassigned"),
    ``topics.csv`` and, with a group or date column, ``differences.csv`` to
    ``out_dir``. ``cache`` is a study store file where embeddings are cached.
    """
    from pathlib import Path

    import pandas as pd

    from insight.embed import default_embedder, embed_texts
    from insight.ingest.io import missing_column_fix, read_table

    table = read_table(path, header=header)
    for col in (text_column, group_column, date_column):
        if col is not None and col not in table:
            raise InputError(
                f'no column "{col}"',
                file=Path(path).name,
                fix=missing_column_fix(col, list(table.columns)),
            )
    texts = table[text_column].fillna("").astype(str).str.strip()
    units = pd.DataFrame(
        {
            S.UNIT_ID: [str(i) for i in range(len(table))],
            S.RESPONDENT_ID: [str(i) for i in range(len(table))],
            S.TEXT: texts.to_numpy(),
        }
    )
    if date_column:
        units[S.DATE] = table[date_column].replace("", None).to_numpy()
    embedder = embedder if embedder is not None else default_embedder()
    if cache:
        from insight.store import Store

        with Store(cache) as store:
            vectors = embed_texts(units[S.TEXT].tolist(), store=store, embedder=embedder)
    else:
        vectors = embed_texts(units[S.TEXT].tolist(), embedder=embedder)
    groups = None
    if group_column:
        groups = pd.Series(table[group_column].replace("", None).to_numpy(), index=units[S.UNIT_ID])
    model = TopicModel(
        reducer=reducer, n_topics=n_topics, embedder=embedder, random_state=random_state
    )
    result = fit_topics(
        units,
        vectors,
        groups=groups,
        dates=S.DATE if date_column else None,
        model=model,
    )
    if out_dir is not None:
        write_topic_csvs(result, out_dir)
    return result


def write_topic_csvs(result: TopicResult, out_dir: str) -> list[str]:
    """assignments.csv, topics.csv (and differences.csv when there are any) for a file run."""
    from pathlib import Path

    # spreadsheet-safe, PII-masked CSVs (the one writer every export uses)
    from insight.safe_io import write_readable_csv

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    a = result.assignments.rename(columns={S.UNIT_ID: S.ROW})
    a[S.ROW] = a[S.ROW].astype(int)
    write_readable_csv(a, out / "assignments.csv")
    t = result.topics.copy()
    t["keywords"] = t["keywords"].map("; ".join)
    t["quote_rows"] = t["quotes"].map(lambda ids: ";".join(map(str, ids)))
    t["quotes"] = t["quote_texts"].map(" | ".join)
    t["rows"] = t["unit_ids"].map(lambda ids: ";".join(map(str, ids)))
    t = t.drop(columns=["unit_ids", "quote_texts", "respondents"])
    t = t.dropna(axis=1, how="all")
    write_readable_csv(t, out / "topics.csv")
    written = [str(out / "assignments.csv"), str(out / "topics.csv")]
    if len(result.differences):
        write_readable_csv(result.differences, out / "differences.csv")
        written.append(str(out / "differences.csv"))
    return written
