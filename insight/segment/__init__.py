"""Attitudinal segmentation: Likert preprocessing, LCA / Gaussian mixture / k-means with
model selection, bootstrap stability, factor analysis, segment profiles, text-only mode,
and a fitted `Segmenter` that assigns new respondents.

scikit-learn and scipy are imported inside the functions that need them.
"""

from insight.segment.api import (
    SegmentationResult,
    assignments_frame,
    find_id_column,
    load_segmenter,
    read_respondents,
    save_segmenter,
    segment_file,
    segment_respondents,
)
from insight.segment.factors import (
    FactorResult,
    factor_analysis,
    match_factors,
    parallel_analysis,
    tucker_congruence,
)
from insight.segment.models import Segmenter
from insight.segment.preprocess import PreparedItems, apply_reverse, prepare_items
from insight.segment.profiles import benjamini_hochberg, cohens_d, profile_segments, top_items
from insight.segment.stability import Stability, bootstrap_stability
from insight.segment.text import segment_text

__all__ = [
    "FactorResult",
    "PreparedItems",
    "SegmentationResult",
    "Segmenter",
    "Stability",
    "apply_reverse",
    "assignments_frame",
    "benjamini_hochberg",
    "bootstrap_stability",
    "cohens_d",
    "factor_analysis",
    "find_id_column",
    "load_segmenter",
    "match_factors",
    "parallel_analysis",
    "prepare_items",
    "profile_segments",
    "read_respondents",
    "save_segmenter",
    "segment_file",
    "segment_respondents",
    "segment_text",
    "top_items",
    "tucker_congruence",
]
