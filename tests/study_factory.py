"""A small study store written table by table (no models): for export and qdpx tests.

Tables and columns follow what `insight run` writes (units, records, respondents,
annotations, segments, personas, persona_claims, topics, topic_assignments).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from insight import schema as S
from insight.store import Store

RESPONDENTS = [
    # id, email, first, last, segment
    ("R1", "ana@example.com", "Ana", "Silva", 0),
    ("R2", "BEN@Example.com ", "Ben", "O'Neil", 0),
    ("R3", "cat@example.org", '=HYPERLINK("http://x","y")', "Cole", 1),
    ("R4", None, "Dan", "Dee", 1),  # no email
    ("R5", "not-an-address", "Eve", "East", 1),  # invalid
    ("R6", "ana@example.com", "Ana", "Again", 0),  # repeated address
    ("R7", "fay@example.com", "Fay", None, None),  # not segmented
]

ANSWERS = {
    "R1": "The machine broke twice. Support never called back.",
    "R2": "Descaling takes forever, and the manual is unclear.",
    "R3": "Great coffee, but the price of parts is too high.",
}


def build_study(folder: Path, *, with_contacts: bool = True) -> Path:
    """Write the study into ``folder/study.duckdb`` and return that path."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "study.duckdb"
    resp = []
    for rid, email, first, last, _seg in RESPONDENTS:
        row = {
            S.RESPONDENT_ID: rid,
            S.SOURCE: "survey.csv",
            S.SOURCE_TYPE: S.SOURCE_SURVEY,
            "Q1": 4.0,
        }
        if with_contacts:
            row.update(
                {"RecipientEmail": email, "RecipientFirstName": first, "RecipientLastName": last}
            )
        resp.append(row)
    records, units = [], []
    for i, (rid, text) in enumerate(ANSWERS.items()):
        rec = f"rec{i}"
        records.append(
            {
                S.RECORD_ID: rec,
                S.SOURCE: "survey.csv",
                S.SOURCE_TYPE: S.SOURCE_SURVEY,
                S.ROW: i,
                S.TURN: None,
                S.FIELD: "Q12_TEXT",
                S.RESPONDENT_ID: rid,
                S.SPEAKER: None,
                S.SPEAKER_ROLE: S.ROLE_CUSTOMER,
                S.QUESTION: "What could we improve?",
                S.TEXT: text,
                S.DATE: None,
                S.BATCH_ID: "b1",
            }
        )
        start = 0
        for j, sent in enumerate(s for s in text.split(". ") if s):
            sent = sent if sent.endswith(".") else sent + "."
            begin = text.index(sent.rstrip("."), start)
            end = begin + len(sent.rstrip("."))
            if end < len(text) and text[end] == ".":
                end += 1
            units.append(
                {
                    S.UNIT_ID: f"u{i}{j}",
                    S.RECORD_ID: rec,
                    S.SOURCE: "survey.csv",
                    S.SOURCE_TYPE: S.SOURCE_SURVEY,
                    S.ROW: i,
                    S.TURN: None,
                    S.FIELD: "Q12_TEXT",
                    S.RESPONDENT_ID: rid,
                    S.SPEAKER: None,
                    S.SPEAKER_ROLE: S.ROLE_CUSTOMER,
                    S.QUESTION: "What could we improve?",
                    S.CHAR_START: begin,
                    S.CHAR_END: end,
                    S.TEXT: text[begin:end],
                    S.DATE: None,
                    S.BATCH_ID: "b1",
                }
            )
            start = end
    unit_df = pd.DataFrame(units)
    ann = pd.DataFrame(
        {
            S.UNIT_ID: unit_df[S.UNIT_ID],
            S.SENTIMENT: -0.5,
            S.SENTIMENT_LABEL: "negative",
            S.EMOTIONS: "annoyance",
            S.EKMAN: "anger",
            S.INTENSITY: 0.6,
            S.PAIN_POINT: [1, 1, 1, 0, 1, 0][: len(unit_df)],
            S.PAIN_POINT_SCORE: 0.9,
            S.PAIN_POINT_TYPE: ["reliability", "support", "effort", None, "price", None][
                : len(unit_df)
            ],
            S.GOAL: 0,
        }
    )
    segs = pd.DataFrame(
        [
            {
                S.RESPONDENT_ID: rid,
                S.SEGMENT: seg,
                S.PROBABILITY: 0.9,
                "segment_source": "attitudes",
            }
            for rid, _e, _f, _l, seg in RESPONDENTS
            if seg is not None
        ]
    )
    personas = pd.DataFrame(
        [
            {
                "persona_id": "P1",
                "segment": "0",
                "name": "The Fixer",
                "summary": "Wants it to work.",
                "size": 3,
                "share": 0.5,
                "confidence": "medium",
                "warnings": "[]",
                "json": json.dumps({"id": "P1"}),
            },
            {
                "persona_id": "P2",
                "segment": "1",
                "name": "Value, Seeker",
                "summary": "Watches the price.",
                "size": 3,
                "share": 0.5,
                "confidence": "low",
                "warnings": "[]",
                "json": json.dumps({"id": "P2"}),
            },
        ]
    )
    topics = pd.DataFrame(
        {S.TOPIC: [0, 1], "label": ["machine repairs", "price of parts"], "size": [3, 2]}
    )
    tassign = pd.DataFrame(
        {
            S.UNIT_ID: unit_df[S.UNIT_ID],
            S.TOPIC: [0, 0, 0, 1, 1, -1][: len(unit_df)],
        }
    )
    with Store(db) as st:
        st.write_table("respondents", pd.DataFrame(resp))
        st.write_table("records", pd.DataFrame(records))
        st.write_table("units", unit_df)
        st.write_table("annotations", ann)
        st.write_table("segments", segs)
        st.write_table("personas", personas)
        st.write_table("topics", topics)
        st.write_table("topic_assignments", tassign)
    return db


#: A survey with planted persona-template columns: respondent -> (segment, age answer, job,
#: country, preferred contact, email opens, app logins). Segment 0 is mostly 25-34 nurses
#: in the UK who prefer email; segment 1 mostly 55-64 teachers in Ireland who use the app.
PROFILE_ROWS = {
    **{
        f"R{i:02d}": (
            0,
            "Prefer not to say" if i == 1 else str(27 + i % 7 if i <= 16 else 48 + i % 5),
            "Nurse" if i <= 15 else "Doctor",
            "UK" if i <= 18 else "Ireland",
            "Email" if i <= 14 else "Phone",
            0 if i > 17 else 3 + i,
            0,
        )
        for i in range(1, 21)
    },
    **{
        f"R{i:02d}": (
            1,
            str(56 + i % 8 if i <= 32 else 66 + i % 9),
            "Teacher" if i <= 31 else "Nurse",
            "Ireland",
            "Text message" if i <= 33 else "Phone call",
            0 if i <= 35 else 2,
            5 + i,
        )
        for i in range(21, 41)
    },
}


def write_profile_survey(folder: Path, *, planted: bool = True) -> Path:
    """A survey CSV with the planted template columns (or, without ``planted``, only the
    distractors: an acquisition channel, the practice's age, platform metadata)."""
    import csv

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "profile_survey.csv"
    header = ["ResponseId", "DistributionChannel"]
    if planted:
        header += [
            "Age",
            "Job title",
            "Country",
            "How do you prefer to be contacted?",
            "Email opens (last 90 days)",
            "App logins (last 30 days)",
        ]
    header += [
        "How did you hear about us?",
        "Age of your practice (years)",
        "What gets in the way most?",
    ]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for rid, (seg, age, job, country, contact, opens, logins) in PROFILE_ROWS.items():
            row = [rid, "email"]
            if planted:
                row += [age, job, country, contact, str(opens), str(logins)]
            n = int(rid[1:])
            row += [
                ["Facebook", "Email", "A friend", "Google"][n % 4],
                str(3 + n % 25),
                (
                    f"The rota system crashes every morning when the shift changes ({n})."
                    if seg == 0
                    else f"Marking takes my whole weekend and the portal logs me out ({n})."
                ),
            ]
            w.writerow(row)
    return path


def profile_segments() -> pd.DataFrame:
    """The planted segments of :data:`PROFILE_ROWS`."""
    return pd.DataFrame(
        [
            {S.RESPONDENT_ID: rid, S.SEGMENT: v[0], S.PROBABILITY: 0.9}
            for rid, v in PROFILE_ROWS.items()
        ]
    )
