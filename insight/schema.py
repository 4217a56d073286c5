"""Column names of every table that travels between stages (the contracts).

Every stage takes tables keyed by ``unit_id`` / ``respondent_id`` and returns new
ones; column names live here and nowhere else.
"""

from __future__ import annotations

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

UNIT_COLUMNS = [
    UNIT_ID,
    SOURCE,
    SOURCE_TYPE,
    ROW,
    TURN,
    FIELD,
    RESPONDENT_ID,
    SPEAKER,
    SPEAKER_ROLE,
    QUESTION,
    CHAR_START,
    CHAR_END,
    TEXT,
    DATE,
    BATCH_ID,
]

ROLE_CUSTOMER = "customer"
ROLE_INTERVIEWER = "interviewer"

SOURCE_SURVEY = "survey"
SOURCE_TRANSCRIPT = "transcript"
SOURCE_REVIEW = "review"

# --- records: the original answers/turns units point into -------------------
# A record is one original text (survey answer cell, transcript turn, review).
# units.char_start/char_end index into records.text for the same record_id.
RECORD_ID = "record_id"
RECORD_COLUMNS = [
    RECORD_ID,
    SOURCE,
    SOURCE_TYPE,
    ROW,
    TURN,
    FIELD,
    RESPONDENT_ID,
    SPEAKER,
    SPEAKER_ROLE,
    QUESTION,
    TEXT,
    DATE,
    BATCH_ID,
]

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
