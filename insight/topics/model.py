"""``TopicModel``: themes and sub-themes over sentence embeddings, scikit-learn style.

The default finds themes at the grain researchers code at (tens of themes for a
study of a few thousand units), never "2 because a silhouette or elbow prefers
the coarsest split":

1. units with no content word (filler, thanks, anonymisation marks, empty) stay
   -1 "unassigned";
2. PCA to 20 dimensions, then k-means with ``k = sqrt(n_units)`` clusters
   (clamped to [2, ``max_topics``=60] and to ``n_units / min_topic_size``; when the units
   come from fewer people than units, ``n_units`` is replaced by the geometric mean
   ``sqrt(n_units * n_people)``: see :func:`auto_topics`);
3. clusters whose centroids are near-duplicates (cosine >= ``merge_similarity`` = 0.95,
   complete linkage) are one theme;
4. each theme is split into sub-themes by k-means (``sqrt(n_theme / 8)``, at most
   ``max_subtopics_per_topic``; themes under ``2 * min_topic_size`` units stay whole).

The rule and constants were chosen by measurement on the dev studies only
(``benchmarks/real_themes.py``, ``docs/topics.md``): NMI against the researchers'
codes rises with the number of themes while silhouette always prefers the fewest.
``reducer="umap"`` gives BERTopic's UMAP + HDBSCAN (seeded); an integer
``n_topics`` gives exactly that many themes.
``fit`` never changes a constructor parameter, so ``sklearn.base.clone`` works.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sklearn.base import BaseEstimator

from insight import schema as S
from insight.errors import InputError, ModelError
from insight.topics.hierarchy import group_subthemes, relabel_by_size, split_themes
from insight.topics.labels import (
    candidate_phrases,
    candidates_of_rows,
    has_theme_content,
    label_topics,
)

if TYPE_CHECKING:
    from pathlib import Path

    import numpy as np
    import pandas as pd

    from insight.embed import TextEncoder
    from insight.store import Store

log = logging.getLogger(__name__)

UNASSIGNED_LABEL = "unassigned"
#: the study store blob a fitted TopicModel is saved under (``insight run``)
MODEL_KEY = "topic_model"
REDUCERS = ("pca", "svd", "umap", "none")
CLUSTERERS = ("auto", "kmeans", "hdbscan", "agglomerative")


def _has_words(text: str) -> bool:
    """Texts without a content word ("", "???", "uh yeah", "thanks!") get -1, never a theme."""
    return has_theme_content(text)


def _normalise_rows(x: Any) -> np.ndarray:
    from insight.stats import normalise_rows

    return normalise_rows(x)


def auto_topics(
    n_units: int, min_topic_size: int, max_topics: int, n_sources: int | None = None
) -> int:
    """Themes for ``n_units``: ``sqrt(n)`` in [2, max_topics], with room for min_topic_size each.

    ``n_sources``: the people (respondents, transcripts) the units come from. Units of one
    person are not independent evidence, so with fewer people than units the count of
    evidence is the geometric mean ``sqrt(n_units * n_sources)``: 17 think-aloud
    sessions of 3,600 statements give 16 themes, not 60; one answer per respondent
    (M10, most surveys) keeps ``sqrt(n_units)``.
    """
    evidence = float(n_units)
    if n_sources and 0 < n_sources < n_units:
        evidence = math.sqrt(n_units * n_sources)
    k = round(math.sqrt(evidence))
    k = min(k, max_topics, max(1, n_units // max(1, min_topic_size)))
    return int(max(min(2, n_units), k))


def _bertopic_embedder(encoder: TextEncoder | None) -> Any:
    """Wrap an encoder as a BERTopic backend so BERTopic never picks (downloads) its own."""
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


def _subtopic_ids(parent: dict[int, int]) -> dict[int, str]:
    """Codebook ids: theme "T3", its sub-themes "T3.1", "T3.2" (a theme that is not
    split has no sub-theme ids of its own)."""
    ids: dict[int, str] = {}
    for t in sorted({p for p in parent.values() if p >= 0}):
        own = sorted(s for s, p in parent.items() if p == t)
        for j, s in enumerate(own, start=1):
            ids[s] = f"T{t + 1}.{j}" if len(own) > 1 else f"T{t + 1}"
    return ids


@dataclass
class EmergingTopic:
    """A dense group of new units that fits no existing topic."""

    indices: list[int]
    label: str
    cohesion: float
    nearest_topic: int
    nearest_similarity: float
    keywords: list[str] = field(default_factory=list)


class TopicModel(BaseEstimator):  # type: ignore[misc]
    """Themes and sub-themes over sentence embeddings (a scikit-learn estimator).

    Args:
        reducer: "pca" (default), "svd", "umap" (BERTopic's default UMAP, seeded),
            "none", or any object with ``fit_transform``.
        clusterer: "auto" (k-means sub-themes grouped into themes for pca/svd/none,
            HDBSCAN for umap), "kmeans", "hdbscan", "agglomerative", or any object
            with ``fit`` and ``labels_`` (its clusters are the sub-themes).
        n_components: reduced dimensions (PCA/SVD: 20, UMAP: 5 when None).
        n_topics: "auto" (k-means with :func:`auto_topics` clusters, near-duplicates
            merged) or an integer: exactly that many themes.
        max_topics: upper bound for "auto".
        merge_similarity: with "auto", clusters whose centroids are at least this
            cosine-similar (average linkage) form one theme.
        max_subtopics_per_topic: most sub-themes a theme is split into.
        min_topic_size: HDBSCAN's ``min_cluster_size``; the smallest auto sub-theme
            (on average) and the smallest emerging topic.
        outlier_floor: the similarity floor as a quantile of clustered members'
            leave-one-out similarity to their own theme. An outlier, or a unit of a
            new batch, joins its most similar theme only if at least that similar.
        reduce_outliers: reassign the clusterer's outliers (HDBSCAN's -1) by that rule.
        n_label_phrases: phrases joined into a label.
        embedder: encoder for documents given without embeddings and for label
            phrases (``insight.embed.Embedder`` or anything with ``encode``); the
            default embedder is used (and kept in ``embedder_``) when None.
        random_state: seed for the reducer and clusterer.

    Fitted attributes: ``labels_`` (theme per document, -1 unassigned),
    ``subtopics_`` (sub-theme per document), ``subtopic_parent_`` (sub-theme ->
    theme), ``n_topics_``, ``n_subtopics_``, ``centroids_``, ``subtopic_centroids_``,
    ``cohesion_``, ``topic_keywords_``/``topic_labels_``,
    ``subtopic_keywords_``/``subtopic_labels_``, ``similarity_floor_``,
    ``outlier_share_before_``/``outlier_share_after_``, ``raw_labels_`` (the
    clusterer's output before outlier reduction), ``reducer_``, ``embedder_``,
    ``embeddings_`` (training vectors; not pickled).
    """

    def __init__(
        self,
        reducer: str | Any = "pca",
        clusterer: str | Any = "auto",
        n_components: int | None = None,
        n_topics: int | str = "auto",
        max_topics: int = 60,
        merge_similarity: float = 0.95,
        max_subtopics_per_topic: int = 5,
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
        self.merge_similarity = merge_similarity
        self.max_subtopics_per_topic = max_subtopics_per_topic
        self.min_topic_size = min_topic_size
        self.outlier_floor = outlier_floor
        self.reduce_outliers = reduce_outliers
        self.n_label_phrases = n_label_phrases
        self.embedder = embedder
        self.random_state = random_state
        self.verbose = verbose

    # -- sub-models -------------------------------------------------------------
    def _n_clusters(self, n_docs: int) -> int:
        if isinstance(self.n_topics, int) and not isinstance(self.n_topics, bool):
            return max(1, min(self.n_topics, n_docs))
        sources = getattr(self, "n_sources_", None)
        return auto_topics(n_docs, self.min_topic_size, self.max_topics, sources)

    def _check_n_topics(self) -> None:
        if isinstance(self.n_topics, int) and not isinstance(self.n_topics, bool):
            if self.n_topics < 1:
                raise InputError(
                    f"n_topics must be at least 1, got {self.n_topics}", fix="pass n_topics>=1"
                )
            return
        if self.n_topics != "auto":
            raise InputError(
                f'n_topics must be an integer or "auto", got {self.n_topics!r}',
                fix='pass e.g. n_topics=12 or n_topics="auto"',
            )

    def _make_reducer(self, n_docs: int, dim: int) -> Any:
        if not isinstance(self.reducer, str):
            return self.reducer
        if self.reducer not in REDUCERS:
            raise InputError(
                f"unknown reducer {self.reducer!r}", fix=f"use one of {', '.join(REDUCERS)}"
            )
        if self.reducer == "none":
            return None
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

    def _cluster(self, z: np.ndarray) -> np.ndarray:
        """Fine cluster per row (-1 = the clusterer's outlier)."""
        import numpy as np

        n_docs = len(z)
        if not isinstance(self.clusterer, str):
            return np.asarray(self.clusterer.fit(z).labels_, dtype=int)
        if self.clusterer not in CLUSTERERS:
            raise InputError(
                f"unknown clusterer {self.clusterer!r}", fix=f"use one of {', '.join(CLUSTERERS)}"
            )
        name = self._clusterer_name()
        if name == "hdbscan":
            from hdbscan import HDBSCAN

            return np.asarray(
                HDBSCAN(
                    min_cluster_size=max(2, min(self.min_topic_size, n_docs)),
                    metric="euclidean",
                    cluster_selection_method="eom",
                    prediction_data=False,
                )
                .fit(z)
                .labels_,
                dtype=int,
            )
        k = self._n_clusters(n_docs)
        if name == "agglomerative":
            from sklearn.cluster import AgglomerativeClustering

            return np.asarray(AgglomerativeClustering(n_clusters=k).fit(z).labels_, dtype=int)
        from sklearn.cluster import KMeans

        return np.asarray(
            KMeans(n_clusters=k, n_init=4, random_state=self.random_state).fit(z).labels_,
            dtype=int,
        )

    # -- fitting ------------------------------------------------------------------
    def _encoder(self) -> TextEncoder:
        enc = getattr(self, "embedder_", None) or self.embedder
        if enc is None:
            from insight.embed import default_embedder

            enc = default_embedder()
        return enc

    def _embeddings(self, documents: Sequence[str], embeddings: Any) -> np.ndarray:
        import numpy as np

        if embeddings is None:
            from insight.embed import embed_texts

            embeddings = embed_texts(documents, embedder=self._encoder(), progress=self.verbose)
        emb = np.asarray(embeddings, dtype=np.float64)
        if emb.ndim != 2 or emb.shape[0] != len(documents):
            raise InputError(
                f"got {emb.shape[0] if emb.ndim else 0} embeddings for {len(documents)} documents",
                fix="pass one embedding row per document, in the same order",
            )
        return emb

    def fit(
        self,
        documents: Sequence[str],
        embeddings: Any = None,
        y: Any = None,
        groups: Sequence[Any] | None = None,
    ) -> TopicModel:
        """Find themes and sub-themes in ``documents`` (texts without content get -1).

        ``groups``: the person (respondent id) of each document; with fewer people than
        documents the "auto" theme count follows the evidence (:func:`auto_topics`).
        """
        import numpy as np
        from threadpoolctl import threadpool_limits

        self._check_n_topics()
        documents = ["" if d is None else str(d) for d in documents]
        self.embedder_ = self._encoder() if embeddings is None else self.embedder
        emb = _normalise_rows(self._embeddings(documents, embeddings))
        n = len(documents)
        usable = np.array([_has_words(d) for d in documents], dtype=bool)
        idx = np.flatnonzero(usable)
        if len(idx) < 2:
            raise InputError(
                f"need at least 2 texts with content words to find topics, got {len(idx)}",
                fix="add more texts or check --text-column",
            )
        people = {groups[int(i)] for i in idx} - {None} if groups is not None else set()
        self.n_sources_: int | None = len(people) or None
        fine = np.full(n, S.UNASSIGNED_TOPIC, dtype=int)
        z_all = np.zeros((n, 1))
        # one BLAS/OpenMP thread: identical results whatever the core count, and on a
        # busy machine several times faster than oversubscribed threads (docs/topics.md)
        with threadpool_limits(limits=1):
            reducer = self._make_reducer(len(idx), emb.shape[1])
            z = emb[idx] if reducer is None else np.asarray(reducer.fit_transform(emb[idx]))
            z_all = np.zeros((n, z.shape[1]))
            z_all[idx] = z
            fine[idx] = self._cluster(z)
        self.reducer_ = reducer
        self.raw_labels_ = fine.copy()  # the clusterer's own output, before outlier reduction
        self.outlier_share_before_ = float(np.mean(fine == S.UNASSIGNED_TOPIC))

        # outlier reduction: nearest centroid (full embedding space) with a floor
        clustered = sorted(int(t) for t in set(fine.tolist()) if t != S.UNASSIGNED_TOPIC)
        if not clustered:  # the clusterer found nothing: everything is one topic
            fine[idx] = 0
            clustered = [0]
        cents = _normalise_rows(np.stack([emb[fine == t].mean(axis=0) for t in clustered]))
        self.similarity_floor_ = _loo_floor(emb, fine, self.outlier_floor)
        out = np.flatnonzero(usable & (fine == S.UNASSIGNED_TOPIC))
        if len(out) and self.reduce_outliers:
            sims = emb[out] @ cents.T
            best = sims.argmax(axis=1)
            ok = sims[np.arange(len(out)), best] >= self.similarity_floor_
            fine[out[ok]] = np.asarray(clustered)[best[ok]]

        # themes: clusters whose centroids are near-duplicates are one theme
        fine = relabel_by_size(fine)
        n_fine = int(fine.max()) + 1
        fine_cents = _normalise_rows(np.stack([emb[fine == t].mean(axis=0) for t in range(n_fine)]))
        if isinstance(self.n_topics, int) and self._clusterer_name() != "hdbscan":
            parent = np.arange(n_fine)  # the themes asked for, as the clusterer made them
        else:
            parent = group_subthemes(
                fine_cents,
                n_topics=self.n_topics if isinstance(self.n_topics, int) else None,
                merge_similarity=self.merge_similarity,
            )
        themes = np.where(fine >= 0, parent[np.maximum(fine, 0)], S.UNASSIGNED_TOPIC)
        themes = relabel_by_size(themes)
        # sub-themes: each theme split by k-means (ids numbered by theme, then size)
        with threadpool_limits(limits=1):
            subs = split_themes(
                z_all, themes, self.min_topic_size, self.max_subtopics_per_topic, self.random_state
            )
        self.subtopics_ = subs
        n_sub = int(subs.max()) + 1
        self.subtopic_parent_ = {s: int(themes[subs == s][0]) for s in range(n_sub)}
        self.subtopic_ids_ = _subtopic_ids(self.subtopic_parent_)
        self.labels_ = themes.astype(int)
        self.outlier_share_after_ = float(np.mean(self.labels_ == S.UNASSIGNED_TOPIC))
        self.n_topics_ = int(self.labels_.max()) + 1
        self.n_subtopics_ = n_sub
        self.centroids_ = _normalise_rows(
            np.stack([emb[self.labels_ == t].mean(axis=0) for t in range(self.n_topics_)])
        )
        self.subtopic_centroids_ = _normalise_rows(
            np.stack([emb[self.subtopics_ == s].mean(axis=0) for s in range(n_sub)])
        )
        member = self.labels_ != S.UNASSIGNED_TOPIC
        own = np.einsum("ij,ij->i", emb[member], self.centroids_[self.labels_[member]])
        self.cohesion_ = np.array(
            [float(own[self.labels_[member] == t].mean()) for t in range(self.n_topics_)]
        )
        self._label(documents)
        self.embeddings_ = emb
        log.info(
            "topics: %d themes, %d sub-themes over %d texts; outliers %.1f%% -> %.1f%%",
            self.n_topics_,
            self.n_subtopics_,
            n,
            100 * self.outlier_share_before_,
            100 * self.outlier_share_after_,
        )
        return self

    def _label(self, documents: list[str]) -> None:
        """Theme labels over all texts; sub-theme labels against their sibling sub-themes."""
        import numpy as np

        enc = self.embedder_
        # the candidate phrases of all texts, read once; each theme's sub-themes are
        # labelled from its rows of them (the same as reading the theme's texts anew)
        candidates = candidate_phrases(documents)
        phrases = label_topics(
            documents,
            self.labels_,
            centroids={t: self.centroids_[t] for t in range(self.n_topics_)},
            encoder=enc,
            n_phrases=self.n_label_phrases,
            candidates=candidates,
        )
        self.topic_keywords_ = {t: phrases.get(t, []) for t in range(self.n_topics_)}
        self.topic_labels_ = {
            t: (", ".join(p) if p else f"topic {t}") for t, p in self.topic_keywords_.items()
        }
        self.topic_labels_[S.UNASSIGNED_TOPIC] = UNASSIGNED_LABEL
        self.subtopic_keywords_: dict[int, list[str]] = {}
        for t in range(self.n_topics_):
            rows = np.flatnonzero(self.labels_ == t)
            subs = self.subtopics_[rows]
            if len(set(subs.tolist())) < 2:
                for s in set(subs.tolist()):
                    self.subtopic_keywords_[int(s)] = self.topic_keywords_[t]
                continue
            sub_phrases = label_topics(
                [documents[i] for i in rows],
                subs,
                centroids={int(s): self.subtopic_centroids_[s] for s in set(subs.tolist())},
                encoder=enc,
                n_phrases=self.n_label_phrases,
                candidates=candidates_of_rows(candidates, rows),
            )
            self.subtopic_keywords_.update({int(s): p for s, p in sub_phrases.items()})
        self.subtopic_labels_ = {
            s: (", ".join(p) if p else f"sub-theme {s}") for s, p in self.subtopic_keywords_.items()
        }
        self.subtopic_labels_[S.UNASSIGNED_TOPIC] = UNASSIGNED_LABEL

    def fit_transform(self, documents: Sequence[str], embeddings: Any = None) -> np.ndarray:
        return self.fit(documents, embeddings).labels_

    def _check_fitted(self) -> None:
        if not hasattr(self, "centroids_"):
            raise ModelError("the topic model is not fitted yet", fix="call fit() first")

    # -- new batches ----------------------------------------------------------------
    def similarity(self, documents: Sequence[str], embeddings: Any = None) -> np.ndarray:
        """Cosine similarity of each document to each theme centroid, shape (n, n_topics)."""
        self._check_fitted()
        emb = _normalise_rows(self._embeddings(list(documents), embeddings))
        return emb @ self.centroids_.T

    def transform_subtopics(self, documents: Sequence[str], embeddings: Any = None) -> np.ndarray:
        """Sub-theme of each new document: the most similar one, -1 below the floor or empty."""
        import numpy as np

        documents = ["" if d is None else str(d) for d in documents]
        if not documents:
            return np.zeros(0, dtype=int)
        self._check_fitted()
        emb = _normalise_rows(self._embeddings(documents, embeddings))
        sims = emb @ self.subtopic_centroids_.T
        best = sims.argmax(axis=1)
        ok = sims[np.arange(len(documents)), best] >= self.similarity_floor_
        ok &= np.array([_has_words(d) for d in documents])
        return np.where(ok, best, S.UNASSIGNED_TOPIC).astype(int)

    def transform(self, documents: Sequence[str], embeddings: Any = None) -> np.ndarray:
        """Assign new documents to existing themes (-1 below the similarity floor or empty).

        The nearest sub-theme decides, so a new unit lands where fitted ones like it are.
        """
        import numpy as np

        subs = self.transform_subtopics(documents, embeddings)
        return np.array(
            [self.subtopic_parent_[int(s)] if s >= 0 else S.UNASSIGNED_TOPIC for s in subs],
            dtype=int,
        )

    def emerging_topics(
        self, documents: Sequence[str], embeddings: Any = None, min_size: int | None = None
    ) -> list[EmergingTopic]:
        """Groups of new documents that fit no existing theme but are dense among themselves.

        Documents below the similarity floor to every sub-theme are clustered
        (average linkage, cosine, merging while the mean pairwise similarity stays
        above floor squared, which is what members at the floor have to each other);
        a cluster of at least ``min_size`` (default ``min_topic_size``) whose members'
        mean leave-one-out similarity to it reaches the floor is reported.
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
                encoder=self.embedder_,
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
        """Assign a new batch of units (unit_id, text) to the fitted themes.

        Returns the assignments (unit_id, topic, topic_label) and sets
        ``emerging_``: the new batch's emerging topics (see ``assign_batch``).
        """
        from insight.topics.evidence import assign_batch

        batch = assign_batch(self, units, embeddings)
        self.emerging_ = batch.emerging
        return batch.assignments

    # -- persistence ------------------------------------------------------------------
    def save(self, target: Store | str | Path, key: str = MODEL_KEY) -> None:
        """Save the fitted model into a study store (blob ``key``) or a file."""
        from insight.store import save_model

        self._check_fitted()
        save_model(self, target, key)

    @classmethod
    def load(cls, source: Store | str | Path, key: str = MODEL_KEY) -> TopicModel:
        """The fitted model :meth:`save` wrote (a study store or a file).

        Raises:
            StoreError: none saved, unreadable, or too old to assign new units (the fix:
                re-run ``insight run``).
        """
        from insight.store import load_model

        fix = "re-run `insight run` on the study's files to refit the themes"
        model = load_model(
            source, key, kind=cls, fitted="subtopic_ids_", what="topic model", fix=fix
        )
        return model  # type: ignore[no-any-return]

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        # models saved before codebook ids existed: the ids follow from the parents
        if not hasattr(self, "subtopic_ids_") and hasattr(self, "subtopic_parent_"):
            self.subtopic_ids_ = _subtopic_ids(self.subtopic_parent_)

    def __getstate__(self) -> dict[str, Any]:
        # the training embeddings are big and not needed to assign new batches
        state = dict(super().__getstate__())
        state.pop("embeddings_", None)
        state.pop("reducer_", None)  # UMAP holds numba state; new batches need the centroids
        return state
