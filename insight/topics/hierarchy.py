"""The two-level codebook: sub-themes grouped into themes, and its table.

:func:`group_subthemes` merges fine clusters whose centroids are similar
(average linkage on cosine) into themes; :func:`hierarchy_table` writes the
codebook as one table (theme_id, parent_id, level, label, description, n_units,
n_participants) for the study store and the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from insight import schema as S
from insight.topics.labels import describe

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

#: Columns of the ``topic_hierarchy`` table (one row per theme and per sub-theme).
HIERARCHY_COLUMNS = [
    "theme_id",
    "parent_id",
    "level",
    "topic",
    "label",
    "description",
    "n_units",
    "n_participants",
    "keywords",
    "quotes",
]


def relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber clusters 0..k-1 by size (ties: first member); -1 stays -1."""
    import numpy as np

    labels = np.asarray(labels, dtype=int)
    ids = [t for t in set(labels.tolist()) if t != S.UNASSIGNED_TOPIC]
    order = sorted(
        ids, key=lambda t: (-int(np.sum(labels == t)), int(np.flatnonzero(labels == t)[0]))
    )
    remap = {t: i for i, t in enumerate(order)}
    return np.array([remap.get(int(t), S.UNASSIGNED_TOPIC) for t in labels], dtype=int)


def group_subthemes(
    centroids: np.ndarray, n_topics: int | None = None, merge_similarity: float = 0.95
) -> np.ndarray:
    """Group of each cluster: near-duplicate centroids together.

    With ``n_topics`` the average-linkage tree is cut into that many groups (at
    most one per cluster); otherwise clusters join only while every pair in a
    group is at least ``merge_similarity`` cosine-similar (complete linkage, so
    no chain of similar clusters grows into one catch-all theme).
    """
    import numpy as np

    k = len(centroids)
    if k < 2:
        return np.zeros(k, dtype=int)
    from sklearn.cluster import AgglomerativeClustering

    if n_topics is not None:
        if n_topics >= k:
            return np.arange(k)
        model = AgglomerativeClustering(n_clusters=n_topics, metric="cosine", linkage="average")
    else:
        model = AgglomerativeClustering(
            n_clusters=None,
            metric="cosine",
            linkage="complete",
            distance_threshold=max(1e-9, 1.0 - merge_similarity),
        )
    return np.asarray(model.fit_predict(np.asarray(centroids, dtype=np.float64)), dtype=int)


def split_themes(
    z: np.ndarray,
    themes: np.ndarray,
    min_topic_size: int,
    max_per_theme: int,
    random_state: int = 0,
) -> np.ndarray:
    """Sub-theme of each row: every theme split by k-means on its rows of ``z``.

    A theme of n units gets ``round(sqrt(n / 8))`` sub-themes, at most
    ``max_per_theme``, each of about ``min_topic_size`` units or more; themes under
    ``2 * min_topic_size`` units stay whole. Ids run theme by theme, by size within
    a theme; -1 stays -1.
    """
    import math

    import numpy as np
    from sklearn.cluster import KMeans

    themes = np.asarray(themes, dtype=int)
    out = np.full(len(themes), S.UNASSIGNED_TOPIC, dtype=int)
    next_id = 0
    for t in range(int(themes.max()) + 1 if (themes >= 0).any() else 0):
        rows = np.flatnonzero(themes == t)
        k = min(round(math.sqrt(len(rows) / 8)), max_per_theme, len(rows) // max(1, min_topic_size))
        if k < 2 or len(rows) < 2 * min_topic_size:
            out[rows] = next_id
            next_id += 1
            continue
        local = KMeans(n_clusters=k, n_init=4, random_state=random_state).fit_predict(z[rows])
        local = relabel_by_size(local)
        out[rows] = local + next_id
        next_id += int(local.max()) + 1
    return out


def hierarchy_table(
    model: Any,
    unit_ids: Sequence[Any],
    respondents: Sequence[Any],
    texts: Sequence[str],
    embeddings: np.ndarray,
    n_quotes: int = 3,
) -> pd.DataFrame:
    """The codebook of a fitted :class:`~insight.topics.model.TopicModel`.

    One row per theme (``level`` 1, ``parent_id`` empty) and per sub-theme
    (``level`` 2, ``parent_id`` its theme's id); ids read ``T3`` and ``T3.2``.
    ``n_participants`` counts distinct respondents; ``quotes`` are unit ids of the
    most central members, one per participant.
    """
    import numpy as np
    import pandas as pd

    from insight.topics.evidence import representative_rows

    total = len({r for r in respondents if r is not None and r == r})
    themes = (model.topic_labels_, model.topic_keywords_, model.labels_, model.centroids_)
    subthemes = (
        model.subtopic_labels_,
        model.subtopic_keywords_,
        model.subtopics_,
        model.subtopic_centroids_,
    )

    def row(
        theme_id: str, parent_id: str | None, topic: int, key: int, of: tuple[Any, ...]
    ) -> dict[str, Any]:
        """One codebook row: theme ``key`` (``of=themes``) or sub-theme ``key``."""
        labels, keywords, assigned, centroids = of
        members: np.ndarray = np.flatnonzero(assigned == key)
        quotes = representative_rows(embeddings, members, centroids[key], respondents, n_quotes)
        people = {respondents[i] for i in members if respondents[i] is not None}
        words = keywords.get(key, [])
        first = texts[quotes[0]] if quotes else None
        return {
            "theme_id": theme_id,
            "parent_id": parent_id,
            "level": 1 if parent_id is None else 2,
            "topic": int(topic),
            "label": labels[key],
            "description": describe(words, len(members), len(people), total, first),
            "n_units": len(members),
            "n_participants": len(people),
            "keywords": list(words),
            "quotes": [str(unit_ids[i]) for i in quotes],
        }

    rows = []
    for t in range(model.n_topics_):
        rows.append(row(f"T{t + 1}", None, t, t, themes))
        subs = sorted(s for s, p in model.subtopic_parent_.items() if p == t)
        if len(subs) >= 2:
            rows += [
                row(f"T{t + 1}.{j}", f"T{t + 1}", t, s, subthemes)
                for j, s in enumerate(subs, start=1)
            ]
    return pd.DataFrame(rows, columns=HIERARCHY_COLUMNS)
