"""Themes: a two-level codebook (theme -> sub-themes) over sentence embeddings.

* :mod:`insight.topics.model`: ``TopicModel`` (scikit-learn estimator), new
  batches and emerging topics;
* :mod:`insight.topics.labels`: labels and one-line descriptions from the
  participants' own content words (never filler);
* :mod:`insight.topics.hierarchy`: sub-themes grouped into themes, the codebook table;
* :mod:`insight.topics.evidence`: ``fit_topics`` (members, quotes, rates, themes
  per question, prevalence per segment / Likert answer / period, BH-corrected);
* :mod:`insight.topics.command`: one file, one text per row (``insight topics``).

Importing this package is light: numpy, scikit-learn estimators and the models
load when a theme is fitted.
"""

from __future__ import annotations

from insight.topics.command import topics_from_file, write_topic_csvs
from insight.topics.evidence import (
    BatchAssignment,
    TopicResult,
    assign_batch,
    context_vectors,
    eligible_units,
    fit_topics,
    likert_differences,
    prevalence_differences,
    themes_by_question,
)
from insight.topics.hierarchy import (
    HIERARCHY_COLUMNS,
    group_subthemes,
    hierarchy_table,
    split_themes,
)
from insight.topics.labels import (
    CHATTER_WORDS,
    candidate_phrases,
    describe,
    has_theme_content,
    is_filler_label,
    label_topics,
)
from insight.topics.model import (
    CLUSTERERS,
    REDUCERS,
    UNASSIGNED_LABEL,
    EmergingTopic,
    TopicModel,
    auto_topics,
)

__all__ = [
    "CHATTER_WORDS",
    "CLUSTERERS",
    "HIERARCHY_COLUMNS",
    "REDUCERS",
    "UNASSIGNED_LABEL",
    "BatchAssignment",
    "EmergingTopic",
    "TopicModel",
    "TopicResult",
    "assign_batch",
    "auto_topics",
    "candidate_phrases",
    "context_vectors",
    "describe",
    "eligible_units",
    "fit_topics",
    "group_subthemes",
    "has_theme_content",
    "hierarchy_table",
    "is_filler_label",
    "label_topics",
    "likert_differences",
    "prevalence_differences",
    "split_themes",
    "themes_by_question",
    "topics_from_file",
    "write_topic_csvs",
]
