"""Column names of every table that travels between stages (the contracts).

Every stage takes tables keyed by ``unit_id`` / ``respondent_id`` and returns new
ones; column names live here and nowhere else.
"""

from __future__ import annotations

from typing import Any

# --- evidence units: one row per sentence-level unit -------------------------
UNIT_ID = "unit_id"
SOURCE = "source"  # file name (no directory)
SOURCE_TYPE = "source_type"  # survey | transcript | review
ROW = "row"  # 0-based data row in the file (surveys, reviews, transcript CSV rows)
TURN = "turn"  # 0-based turn index inside a transcript (None for surveys/reviews)
FIELD = "field"  # survey/review column the text came from; "turn" for transcripts
RESPONDENT_ID = "respondent_id"
SPEAKER = "speaker"  # the speaker label as written ("P3", "Jane Doe", ...)
SPEAKER_ROLE = "speaker_role"  # customer | interviewer
QUESTION = "question"  # survey question text or the interviewer's preceding question
CHAR_START = "char_start"  # offsets into the ORIGINAL answer / turn text
CHAR_END = "char_end"
TEXT = "text"  # == original[char_start:char_end]
DATE = "date"  # ISO date string when the source has one, else None
BATCH_ID = "batch_id"
#: optional: ISO 639-1 language of the unit's text (None when too short to judge);
#: set by ingest so English-only models can leave other languages out
LANG = "lang"

#: where a text came from: the columns units and records share
ORIGIN_COLUMNS = [
    SOURCE,
    SOURCE_TYPE,
    ROW,
    TURN,
    FIELD,
    RESPONDENT_ID,
    SPEAKER,
    SPEAKER_ROLE,
    QUESTION,
]
UNIT_COLUMNS = [UNIT_ID, *ORIGIN_COLUMNS, CHAR_START, CHAR_END, TEXT, DATE, BATCH_ID]

ROLE_CUSTOMER = "customer"
ROLE_INTERVIEWER = "interviewer"

SOURCE_SURVEY = "survey"
SOURCE_TRANSCRIPT = "transcript"
SOURCE_REVIEW = "review"

# --- records: the original answers/turns units point into -------------------
# A record is one original text (survey answer cell, transcript turn, review).
# units.char_start/char_end index into records.text for the same record_id.
RECORD_ID = "record_id"
RECORD_COLUMNS = [RECORD_ID, *ORIGIN_COLUMNS, TEXT, DATE, BATCH_ID]

# --- respondents: one row per respondent, wide ------------------------------
# respondent_id, source, source_type, then one column per survey/review column
# (named by its column code) holding the numeric value (Likert items mapped to
# numbers) or the text value (demographics). Roles live in the column table.
RESPONDENT_BASE_COLUMNS = [RESPONDENT_ID, SOURCE, SOURCE_TYPE]

# --- column roles (inferred or from a --schema file) -------------------------
COL_NAME = "column"
COL_ROLE = "role"
COL_QUESTION = "question"
ROLE_ID = "respondent_id"
ROLE_LIKERT = "likert"
ROLE_TEXT = "open_text"
ROLE_DEMOGRAPHIC = "demographic"
ROLE_BEHAVIOUR = "behaviour"
ROLE_DATE = "date"
ROLE_METADATA = "metadata"
ROLE_RATING = "rating"  # review star rating
ROLE_PRODUCT = "product"  # review product / source / channel
ROLE_IGNORE = "ignore"
COLUMN_ROLES = [
    ROLE_ID,
    ROLE_LIKERT,
    ROLE_TEXT,
    ROLE_DEMOGRAPHIC,
    ROLE_BEHAVIOUR,
    ROLE_DATE,
    ROLE_METADATA,
    ROLE_RATING,
    ROLE_PRODUCT,
    ROLE_IGNORE,
]

# --- unit annotations (issue 3), keyed by unit_id -----------------------------
SENTIMENT = "sentiment"  # valence in [-1, 1]
SENTIMENT_LABEL = "sentiment_label"  # negative | neutral | positive
EMOTIONS = "emotions"  # predicted GoEmotions labels joined by ";"
EKMAN = "ekman"  # dominant Ekman group (anger, disgust, fear, joy, sadness, surprise, neutral)
INTENSITY = "intensity"  # emotional intensity in [0, 1]
PAIN_POINT = "pain_point"  # 0/1
PAIN_POINT_SCORE = "pain_point_score"  # [0, 1]
PAIN_POINT_TYPE = "pain_point_type"  # see insight.extract.pain_points.PAIN_TYPES
GOAL = "goal"  # 0/1
EMOTION_PREFIX = "emotion_"  # emotion_<label> for each of the 28 GoEmotions labels

# --- segments (issue 6) -------------------------------------------------------
SEGMENT = "segment"
PROBABILITY = "probability"

# --- topics (issue 5) ---------------------------------------------------------
TOPIC = "topic"
TOPIC_LABEL = "topic_label"
UNASSIGNED_TOPIC = -1


# --- typed table specs: every store table's columns and dtypes ------------------
# dtype kinds: "str" (ids, labels; None allowed), "int", "float", "bool",
# "list" (a list per cell: ids, variants ...), "json" (any JSON-able value),
# "any". A spec lists the columns every writer must provide; ``extra=True``
# tables may carry more (respondents is wide: one column per survey item).
# ``Store.write_table`` validates a frame against its spec once, with an error
# naming the table, column and first bad row; ``Store.read_table`` gives the same
# dtypes back (ids as str, lists as lists), so readers never re-cast.

DTYPES = ("str", "int", "float", "bool", "list", "json", "any")


class TableSpecError(ValueError):
    """A frame does not match its table spec (raised as StoreError by the store)."""


class Col:
    """One column of a table spec: name, dtype kind, and whether it must be present."""

    __slots__ = ("dtype", "name", "required")

    def __init__(self, name: str, dtype: str, required: bool = True) -> None:
        if dtype not in DTYPES:
            raise ValueError(f"unknown dtype {dtype!r} for column {name!r}")
        self.name = name
        self.dtype = dtype
        self.required = required

    def __repr__(self) -> str:
        return f"Col({self.name!r}, {self.dtype!r}{'' if self.required else ', optional'})"


class TableSpec:
    """The contract of one store table.

    Args:
        name: the table name in the store.
        columns: the declared columns (in their usual order).
        key: the columns that identify a row (for upserts and joins).
        extra: other columns are allowed (typed by what pandas holds).
        extra_dtype: the dtype every extra column must have (e.g. "float" for
            the ``emotion_*`` scores of ``annotations``), or None for any.
    """

    def __init__(
        self,
        name: str,
        columns: list[Col],
        key: tuple[str, ...] = (),
        extra: bool = True,
        extra_dtype: str | None = None,
    ) -> None:
        self.name = name
        self.columns = {c.name: c for c in columns}
        self.key = key
        self.extra = extra
        self.extra_dtype = extra_dtype

    def dtype_of(self, column: str) -> str | None:
        c = self.columns.get(column)
        return c.dtype if c else None

    def __repr__(self) -> str:
        return f"TableSpec({self.name!r}, {list(self.columns.values())!r}, key={self.key!r})"


def _ids(*names: str) -> list[Col]:
    return [Col(n, "str") for n in names]


def _optional(dtype: str, *names: str) -> list[Col]:
    """Optional columns of one dtype."""
    return [Col(n, dtype, False) for n in names]


def _lists(*names: str) -> list[Col]:
    """Optional list columns (keywords, unit ids, quotes ...)."""
    return _optional("list", *names)


_UNIT_DTYPES = {
    UNIT_ID: "str",
    SOURCE: "str",
    SOURCE_TYPE: "str",
    ROW: "int",
    TURN: "int",
    FIELD: "str",
    RESPONDENT_ID: "str",
    SPEAKER: "str",
    SPEAKER_ROLE: "str",
    QUESTION: "str",
    CHAR_START: "int",
    CHAR_END: "int",
    TEXT: "str",
    DATE: "str",
    BATCH_ID: "str",
    RECORD_ID: "str",
}

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in [
        TableSpec(
            "units",
            [Col(c, _UNIT_DTYPES[c]) for c in UNIT_COLUMNS]
            + [Col(RECORD_ID, "str", False), Col(LANG, "str", False)],
            key=(UNIT_ID,),
        ),
        TableSpec("records", [Col(c, _UNIT_DTYPES[c]) for c in RECORD_COLUMNS], key=(RECORD_ID,)),
        TableSpec(
            "respondents", [Col(c, "str") for c in RESPONDENT_BASE_COLUMNS], key=(RESPONDENT_ID,)
        ),
        TableSpec(
            "columns",
            [Col(COL_NAME, "str"), Col(COL_ROLE, "str"), Col(COL_QUESTION, "str", False)],
        ),
        TableSpec("files", [Col(SOURCE, "str"), Col("source_hash", "str")], key=("source_hash",)),
        TableSpec(
            "annotations",
            [
                Col(UNIT_ID, "str"),
                Col(SENTIMENT, "float"),
                Col(SENTIMENT_LABEL, "str"),
                Col(EMOTIONS, "str", False),
                Col(EKMAN, "str"),
                Col(INTENSITY, "float"),
                Col(PAIN_POINT, "int"),
                Col(PAIN_POINT_SCORE, "float"),
                Col(PAIN_POINT_TYPE, "str"),
                Col(GOAL, "int"),
            ],
            key=(UNIT_ID,),
        ),
        TableSpec("respondent_emotions", _ids(RESPONDENT_ID), key=(RESPONDENT_ID,)),
        TableSpec(
            "segments",
            [
                Col(RESPONDENT_ID, "str"),
                Col(SEGMENT, "int"),
                Col(PROBABILITY, "float"),
                Col("segment_source", "str", False),
            ],
            key=(RESPONDENT_ID,),
        ),
        TableSpec("segment_profiles", [Col(SEGMENT, "int"), Col("item", "str")]),
        TableSpec("segment_fit", []),
        TableSpec("segment_stability", [Col(SEGMENT, "int", False)]),
        # RFM cell and lifecycle stage per respondent with behaviour columns (issue 16.1)
        TableSpec(
            "behaviour_segments",
            [
                Col(RESPONDENT_ID, "str"),
                *_optional("float", "recency_days", "frequency", "monetary"),
                *_optional("str", "rfm_score", "rfm_cell", "lifecycle"),
            ],
            key=(RESPONDENT_ID,),
        ),
        # researchers' codes of a .qdpx/.qdc input against the themes (issue 16.5)
        TableSpec(
            "codes_vs_themes",
            [
                Col("code", "str"),
                Col("selections", "int"),
                Col("units_matched", "int"),
                Col("top_theme", "str", False),
                *_optional("float", "theme_share", "pain_point_share"),
                Col("project", "str"),
            ],
            key=("project", "code"),
        ),
        TableSpec(
            "topic_assignments",
            [Col(UNIT_ID, "str"), Col(TOPIC, "int")],
            key=(UNIT_ID,),
        ),
        TableSpec(
            "topics",
            [
                Col(TOPIC, "int"),
                Col("label", "str", False),
                *_lists("keywords", "unit_ids", "quotes", "quote_texts"),
            ],
            key=(TOPIC,),
        ),
        TableSpec(
            "topic_hierarchy",
            [
                Col("theme_id", "str"),
                Col("parent_id", "str"),
                Col("level", "int"),
                Col(TOPIC, "int"),
                Col("label", "str"),
                Col("description", "str"),
                Col("n_units", "int"),
                Col("n_participants", "int"),
                *_lists("keywords", "quotes"),
            ],
            key=("theme_id",),
        ),
        TableSpec(
            "topics_by_question",
            [
                Col("question", "str"),
                Col("theme_id", "str"),
                Col(TOPIC, "int"),
                Col("label", "str"),
                Col("n_units", "int"),
                *_lists("keywords", "quotes", "unit_ids"),
            ],
        ),
        TableSpec("topic_differences", [Col(TOPIC, "int", False)]),
        TableSpec("emerging_topics", [*_lists("unit_ids"), Col(BATCH_ID, "str", False)]),
        TableSpec(
            "vocabulary",
            [
                Col("term", "str"),
                *_lists("variants", "variant_counts", "unit_ids"),
                Col("group", "str", False),
                *_lists("distinctive_in", "examples"),
            ],
        ),
        TableSpec("personas", [Col("persona_id", "str"), Col(SEGMENT, "any", False)]),
        TableSpec(
            "persona_claims",
            [
                Col("persona_id", "str"),
                Col("claim_id", "str"),
                *_lists("unit_ids", "quote_ids"),
            ],
        ),
        TableSpec("embeddings", [Col("text_hash", "str"), Col("model", "str")]),
    ]
}


def table_spec(name: str) -> TableSpec | None:
    """The spec of a store table (None for a table without one, e.g. a scratch table)."""
    return TABLES.get(name)


def _kind_ok(dtype: str, values: Any) -> tuple[bool, int | None]:
    """(all non-null values fit ``dtype``, position of the first that does not)."""
    import numpy as np
    import pandas as pd

    s = values
    if dtype in ("any", "json"):
        return True, None
    if dtype == "str":
        if pd.api.types.is_string_dtype(s.dtype) and s.dtype != object:
            return True, None
        for i, v in enumerate(s.tolist()):
            if v is None or isinstance(v, str):
                continue
            if isinstance(v, float) and v != v:  # NaN = missing
                continue
            return False, i
        return True, None
    if dtype == "list":
        for i, v in enumerate(s.tolist()):
            if v is None or isinstance(v, list | tuple | np.ndarray):
                continue
            return False, i
        return True, None
    kind = s.dtype.kind
    if dtype == "float":
        ok = kind in "fiub" or (kind == "O" and s.isna().all())
        return ok, None if ok else 0
    if dtype == "int":
        if kind in "iub":
            return True, None
        if kind == "f":
            vals = s.to_numpy(dtype=float)
            bad = ~np.isnan(vals) & (vals != np.round(vals))
            return (not bad.any()), (int(np.argmax(bad)) if bad.any() else None)
        if kind == "O" and s.isna().all():
            return True, None
        if isinstance(s.dtype, pd.api.extensions.ExtensionDtype) and kind in "iu":
            return True, None
        return False, 0
    if dtype == "bool":
        ok = kind in "biu" or (kind == "O" and s.isna().all())
        return ok, None if ok else 0
    return True, None


def validate_table(name: str, df: Any) -> None:
    """Check ``df`` against the spec of table ``name`` (nothing to check without one).

    Raises:
        TableSpecError: a required column is missing or a column holds the wrong kind
            of value; the message names the table, the column, the first bad row and
            its value.
    """
    spec = TABLES.get(name)
    if spec is None:
        return
    missing = [c.name for c in spec.columns.values() if c.required and c.name not in df.columns]
    if missing and len(df.columns):
        raise TableSpecError(
            f'table "{name}" is missing column(s) {", ".join(missing)} '
            f"(it has: {', '.join(map(str, list(df.columns)[:20]))})"
        )
    for col in df.columns:
        dtype = spec.dtype_of(str(col))
        if dtype is None:
            if not spec.extra:
                raise TableSpecError(f'table "{name}" has no column "{col}" in its spec')
            dtype = spec.extra_dtype
            if dtype is None:
                continue
        ok, at = _kind_ok(dtype, df[col])
        if not ok:
            value = df[col].iloc[at] if at is not None and at < len(df) else None
            raise TableSpecError(
                f'table "{name}", column "{col}" must hold {dtype} values, but row {at} holds '
                f"{value!r} ({type(value).__name__}, column dtype {df[col].dtype})"
            )


def conform_write(name: str, df: Any) -> Any:
    """``df`` ready for the store: list cells given as tuples or numpy arrays become
    lists (a copy is made only when one does)."""
    spec = TABLES.get(name)
    if spec is None or df.empty:
        return df
    import numpy as np

    out = df
    for col in spec.columns.values():
        if col.dtype != "list" or col.name not in df.columns:
            continue
        vals = df[col.name].tolist()
        if any(isinstance(v, tuple | np.ndarray) for v in vals):
            if out is df:
                out = df.copy()
            out[col.name] = [
                [x.item() if isinstance(x, np.generic) else x for x in v]
                if isinstance(v, tuple | np.ndarray)
                else v
                for v in vals
            ]
    return out


def conform_read(name: str, df: Any) -> Any:
    """The frame as its spec promises readers: str columns hold str or None (never
    NaN or numbers from an all-null column), list columns hold Python lists."""
    spec = TABLES.get(name)
    if spec is None or df.empty:
        return df
    import numpy as np

    for col in spec.columns.values():
        if col.name not in df.columns:
            continue
        s = df[col.name]
        if col.dtype == "list":
            df[col.name] = [
                list(v) if isinstance(v, list | tuple | np.ndarray) else ([] if v is None else v)
                for v in s.tolist()
            ]
        elif col.dtype == "str" and s.dtype != object and s.isna().all():
            df[col.name] = np.array([None] * len(s), dtype=object)
    return df
