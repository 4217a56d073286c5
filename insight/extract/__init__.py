"""Extract: sentiment, GoEmotions emotions, pain points and goals per evidence unit.

Public entry points (models load lazily from ``models/``, never from a hub):

- `annotate_texts(texts, batch_size=64, progress=True)` -> DataFrame of annotations
- `annotate_units(units_df, batch_size=64, progress=True)` -> unit_id + annotations
  for the customer units
- `respondent_emotions(units_df, annotations_df)` -> emotional variables per respondent
"""

from __future__ import annotations

from insight.extract.annotate import (
    EKMAN_GROUPS,
    Annotator,
    annotate_texts,
    annotate_units,
    annotation_columns,
    respondent_emotions,
)

__all__ = [
    "EKMAN_GROUPS",
    "Annotator",
    "annotate_texts",
    "annotate_units",
    "annotation_columns",
    "respondent_emotions",
]
