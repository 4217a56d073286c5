"""Personas on a tiny hand-built study: evidence, verbatim quotes, counts, no interviewer."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from insight import schema as S
from insight.personas import (
    Persona,
    StudyTables,
    build_personas,
    load_personas,
    save_personas,
)
from insight.store import Store

XSS = "Honestly <script>alert(1)</script> the price is too high for us."

# respondent -> (segment, Q1 price matters, Q2 pays for reliability, role, cups/day)
RESPONDENTS = {
    "r1": (0, 5, 2, "Owner", 120),
    "r2": (0, 5, 3, "Owner", 90),
    "r3": (0, 4, 2, "Owner", 150),
    "r4": (0, 2, 3, "Manager", 100),
    "r5": (1, 2, 5, "Manager", 400),
    "r6": (1, 1, 5, "Manager", 380),
    "r7": (1, 2, 4, "Owner", 450),
    "r8": (1, 3, 5, "Manager", 500),
}

# (unit_id, respondent, role, text, pain, pain_type, goal, sentiment, ekman, intensity, topic)
UNITS = [
    (
        "u01",
        "r1",
        "customer",
        "The machine costs far too much for a small cafe like ours.",
        1,
        "price/value",
        0,
        -0.7,
        "anger",
        0.8,
        0,
    ),
    (
        "u02",
        "r1",
        "customer",
        "I think the price of the pods is outrageous every single month.",
        1,
        "price/value",
        0,
        -0.8,
        "anger",
        0.9,
        0,
    ),
    (
        "u03",
        "r1",
        "customer",
        "We clean the steam wand every evening before closing up.",
        0,
        None,
        0,
        0.0,
        "neutral",
        0.1,
        2,
    ),
    ("u04", "r2", "customer", XSS, 1, "price/value", 0, -0.6, "disgust", 0.7, 0),
    (
        "u05",
        "r2",
        "customer",
        "I wish there was a cheaper service plan for independents.",
        0,
        None,
        1,
        0.1,
        "neutral",
        0.2,
        0,
    ),
    (
        "u06",
        "r3",
        "customer",
        "Paying that much for descaling tablets is really frustrating.",
        1,
        "price/value",
        0,
        -0.6,
        "anger",
        0.7,
        0,
    ),
    (
        "u07",
        "r3",
        "customer",
        "To be fair the price was worth it once we saw the quality of the coffee.",
        0,
        None,
        0,
        0.6,
        "joy",
        0.6,
        0,
    ),
    (
        "u08",
        "r4",
        "customer",
        "It broke down twice in the first month and nobody came.",
        1,
        "reliability/quality",
        0,
        -0.7,
        "sadness",
        0.7,
        1,
    ),
    (
        "u09",
        "r4",
        "customer",
        "We use it mostly for flat whites and lattes during the rush.",
        0,
        None,
        0,
        0.1,
        "neutral",
        0.1,
        2,
    ),
    (
        "u10",
        "r5",
        "customer",
        "The grinder keeps jamming in the middle of the morning rush.",
        1,
        "reliability/quality",
        0,
        -0.8,
        "anger",
        0.8,
        1,
    ),
    (
        "u11",
        "r5",
        "customer",
        "I need a machine that just keeps running all day without fuss.",
        0,
        None,
        1,
        0.0,
        "neutral",
        0.3,
        1,
    ),
    (
        "u12",
        "r6",
        "customer",
        "It leaks water under the drip tray almost every week now.",
        1,
        "reliability/quality",
        0,
        -0.6,
        "sadness",
        0.6,
        1,
    ),
    (
        "u13",
        "r6",
        "customer",
        "We run about four hundred cups a day through it at peak.",
        0,
        None,
        0,
        0.0,
        "neutral",
        0.1,
        2,
    ),
    (
        "u14",
        "r7",
        "customer",
        "Honestly it broke again on Saturday and we lost a full morning.",
        1,
        "reliability/quality",
        0,
        -0.9,
        "anger",
        0.9,
        1,
    ),
    (
        "u15",
        "r7",
        "customer",
        "I feel like nobody tested this thing properly before selling it.",
        1,
        "reliability/quality",
        0,
        -0.5,
        "disgust",
        0.6,
        1,
    ),
    (
        "u16",
        "r8",
        "customer",
        "The engineer was quick and friendly when the pump failed.",
        0,
        None,
        0,
        0.7,
        "joy",
        0.7,
        1,
    ),
    (
        "u17",
        "r8",
        "customer",
        "It would be great if it warned us before the boiler fails.",
        0,
        None,
        1,
        0.2,
        "neutral",
        0.3,
        1,
    ),
    # interviewer speech in r1's interview: strongly emotional pain, must never be evidence
    (
        "u18",
        "r1",
        "interviewer",
        "I think that price must be an absolute nightmare for you, right?",
        1,
        "price/value",
        0,
        -0.9,
        "anger",
        1.0,
        0,
    ),
    (
        "u19",
        "r5",
        "interviewer",
        "So the grinder keeps jamming and it breaks a lot, I guess?",
        1,
        "reliability/quality",
        0,
        -0.8,
        "anger",
        1.0,
        1,
    ),
]
TOPIC_LABELS = {0: "price of pods and machines", 1: "breakdowns and repairs", 2: "daily routine"}


AGREE_LABELS = '{"1": "Strongly disagree", "5": "Strongly agree"}'


def tiny_study(with_embeddings: bool = True) -> StudyTables:
    """A hand-built two-segment study with every table of docs/CONTRACTS.md."""
    rows = []
    for i, (uid, rid, role, text, *_rest) in enumerate(UNITS):
        transcript = rid in ("r1", "r5")
        rows.append(
            {
                S.UNIT_ID: uid,
                S.SOURCE: f"interview_{rid}.txt" if transcript else "survey.csv",
                S.SOURCE_TYPE: S.SOURCE_TRANSCRIPT if transcript else S.SOURCE_SURVEY,
                S.ROW: None if transcript else int(rid[1:]) - 1,
                S.TURN: i if transcript else None,
                S.FIELD: "turn" if transcript else "Q10",
                S.RESPONDENT_ID: rid,
                S.SPEAKER: ("Interviewer" if role == "interviewer" else rid.upper())
                if transcript
                else None,
                S.SPEAKER_ROLE: role,
                S.QUESTION: "What frustrates you about your machine?",
                S.CHAR_START: 0,
                S.CHAR_END: len(text),
                S.TEXT: text,
                S.DATE: None,
                S.BATCH_ID: "b1",
            }
        )
    units = pd.DataFrame(rows, columns=S.UNIT_COLUMNS)
    ann = pd.DataFrame(
        [
            {
                S.UNIT_ID: u[0],
                S.SENTIMENT: u[7],
                S.SENTIMENT_LABEL: "negative"
                if u[7] < -0.2
                else ("positive" if u[7] > 0.2 else "neutral"),
                S.EKMAN: u[8],
                S.INTENSITY: u[9],
                S.PAIN_POINT: u[4],
                S.PAIN_POINT_SCORE: 0.9 if u[4] else 0.1,
                S.PAIN_POINT_TYPE: u[5],
                S.GOAL: u[6],
                S.EMOTIONS: u[8],
            }
            for u in UNITS
        ]
    )
    resp = pd.DataFrame(
        [
            {
                S.RESPONDENT_ID: r,
                S.SOURCE: "survey.csv",
                S.SOURCE_TYPE: "survey",
                "Q1": v[1],
                "Q2": v[2],
                "Role": v[3],
                "Cups": v[4],
            }
            for r, v in RESPONDENTS.items()
        ]
    )
    columns = pd.DataFrame(
        [
            {
                S.SOURCE: "survey.csv",
                S.COL_NAME: "Q1",
                S.COL_ROLE: S.ROLE_LIKERT,
                S.COL_QUESTION: "Price is the most important factor when I buy equipment",
                "scale_min": 1,
                "scale_max": 5,
                # an agreement scale: higher = agree (bare numbers would leave it unknown)
                "labels": AGREE_LABELS,
                "reverse": False,
            },
            {
                S.SOURCE: "survey.csv",
                S.COL_NAME: "Q2",
                S.COL_ROLE: S.ROLE_LIKERT,
                S.COL_QUESTION: "I would pay more for a machine that never breaks down",
                "scale_min": 1,
                "scale_max": 5,
                "labels": AGREE_LABELS,
                "reverse": False,
            },
            {
                S.SOURCE: "survey.csv",
                S.COL_NAME: "Role",
                S.COL_ROLE: S.ROLE_DEMOGRAPHIC,
                S.COL_QUESTION: "Your role",
                "scale_min": None,
                "scale_max": None,
                "labels": None,
                "reverse": False,
            },
            {
                S.SOURCE: "survey.csv",
                S.COL_NAME: "Cups",
                S.COL_ROLE: S.ROLE_BEHAVIOUR,
                S.COL_QUESTION: "Cups served per day",
                "scale_min": None,
                "scale_max": None,
                "labels": None,
                "reverse": False,
            },
        ]
    )
    segs = pd.DataFrame(
        [
            {S.RESPONDENT_ID: r, S.SEGMENT: v[0], S.PROBABILITY: 0.9 - 0.1 * (int(r[1:]) % 4)}
            for r, v in RESPONDENTS.items()
        ]
    )
    profiles = pd.DataFrame(
        [
            {S.SEGMENT: 0, "item": "Q1", "mean": 4.0, "rest_mean": 2.0, "d": 1.9, "p_adj": 0.01},
            {S.SEGMENT: 0, "item": "Q2", "mean": 2.5, "rest_mean": 4.75, "d": -2.5, "p_adj": 0.004},
            {S.SEGMENT: 1, "item": "Q1", "mean": 2.0, "rest_mean": 4.0, "d": -1.9, "p_adj": 0.01},
            {S.SEGMENT: 1, "item": "Q2", "mean": 4.75, "rest_mean": 2.5, "d": 2.5, "p_adj": 0.004},
        ]
    )
    vocab = pd.DataFrame(
        [
            {
                "term": "price",
                "variants": ["price", "costs"],
                "count": 4,
                "respondents": 3,
                "z": 2.1,
                "group": "0",
                "unit_ids": ["u02", "u04", "u07", "u18"],
                "examples": [],
            },
            {
                "term": "keeps jamming",
                "variants": ["keeps jamming"],
                "count": 1,
                "respondents": 1,
                "z": 1.5,
                "group": "1",
                "unit_ids": ["u10", "u19"],
                "examples": [],
            },
            {
                "term": "broke",
                "variants": ["broke", "broke down"],
                "count": 2,
                "respondents": 2,
                "z": 1.9,
                "group": "1",
                "unit_ids": ["u14", "u08"],
                "examples": [],
            },
        ]
    )
    ta = pd.DataFrame(
        [{S.UNIT_ID: u[0], S.TOPIC: u[10], S.TOPIC_LABEL: TOPIC_LABELS[u[10]]} for u in UNITS]
    )
    topics = pd.DataFrame(
        [
            {S.TOPIC: t, "label": lab, "size": int((ta[S.TOPIC] == t).sum())}
            for t, lab in TOPIC_LABELS.items()
        ]
    )
    emb = None
    if with_embeddings:
        # Deterministic vectors: a segment direction plus a topic direction plus a small offset.
        vecs = []
        for u in UNITS:
            v = np.zeros(6)
            v[RESPONDENTS[u[1]][0]] = 1.0
            v[2 + u[10]] = 0.5
            v[5] = int(u[0][1:]) / 50
            vecs.append(v)
        emb = pd.DataFrame(np.array(vecs), index=pd.Index([u[0] for u in UNITS], name=S.UNIT_ID))
    return StudyTables(
        units=units,
        respondents=resp,
        columns=columns,
        annotations=ann,
        segments=segs,
        segment_profiles=profiles,
        segment_stability={0: 0.92, 1: 0.6},
        vocabulary=vocab,
        topics=topics,
        topic_assignments=ta,
        embeddings=emb,
    )


@pytest.fixture(scope="module")
def study() -> StudyTables:
    return tiny_study()


@pytest.fixture(scope="module")
def personas(study: StudyTables) -> list[Persona]:
    return build_personas(study)


def _all_quotes(p: Persona):
    yield from p.quotes
    if p.counter_quote:
        yield p.counter_quote
    for qs in p.empathy_map.values():
        yield from qs
    for c in p.claims():
        yield from c.quotes


def by_segment(personas: list[Persona], seg: int) -> Persona:
    return next(p for p in personas if p.segment == seg)


def test_one_persona_per_segment(personas):
    assert [p.id for p in personas] == ["P1", "P2"]
    assert sorted(p.segment for p in personas) == [0, 1]
    assert all(p.size == 4 and p.share == 0.5 for p in personas)
    assert len({p.name for p in personas}) == 2


def test_every_claim_has_unit_ids_of_its_own_customers(study, personas):
    units = study.units.set_index(S.UNIT_ID)
    seg = dict(zip(study.segments[S.RESPONDENT_ID], study.segments[S.SEGMENT], strict=True))
    for p in personas:
        claims = p.claims()
        assert claims
        for c in claims:
            assert c.unit_ids, c.id
            assert c.id.startswith(p.id + ".")
            for u in c.unit_ids:
                assert units.at[u, S.SPEAKER_ROLE] == "customer"
                assert seg[units.at[u, S.RESPONDENT_ID]] == p.segment
    ids = [c.id for p in personas for c in p.claims()]
    assert len(ids) == len(set(ids))


def test_quotes_are_verbatim_customer_units(study, personas):
    units = study.units.set_index(S.UNIT_ID)
    n = 0
    for p in personas:
        for q in _all_quotes(p):
            n += 1
            assert q.text == units.at[q.unit_id, S.TEXT]
            assert q.respondent_id == units.at[q.unit_id, S.RESPONDENT_ID]
            assert units.at[q.unit_id, S.SPEAKER_ROLE] == "customer"
            assert q.source and q.location
    assert n > 20


def test_interviewer_never_evidence(personas):
    blob = json.dumps([p.to_dict() for p in personas])
    assert "u18" not in blob and "u19" not in blob
    assert "absolute nightmare" not in blob


def test_pain_point_counts_and_severity(personas):
    """Pain claims are the study's own pain themes, counted n of N members with text."""
    p0 = by_segment(personas, 0)
    price = next(c for c in p0.pain_points if "u01" in c.unit_ids)
    # the price complaints of r1 (2 units), r2 and r3 form one theme
    assert {"u01", "u02", "u04", "u06"} <= set(price.unit_ids)
    members = {u[0]: u[1] for u in UNITS}
    n = len({members[u] for u in price.unit_ids})
    assert (price.n, price.N) == (n, 4)  # all 4 members of segment 0 have customer text
    assert price.stats["mentions"] == len(price.unit_ids)
    assert price.stats["breadth"] == pytest.approx(n / 4)
    # intensity per unit = mean(pain score, -sentiment, intensity); severity = share x intensity
    per_unit = {
        "u01": (0.9 + 0.7 + 0.8) / 3,
        "u02": (0.9 + 0.8 + 0.9) / 3,
        "u04": (0.9 + 0.6 + 0.7) / 3,
        "u06": (0.9 + 0.6 + 0.7) / 3,
    }
    if set(price.unit_ids) == set(per_unit):
        inten = sum(per_unit.values()) / 4
        assert price.stats["intensity"] == pytest.approx(inten, abs=1e-4)
    inten = price.stats["intensity"]
    assert price.stats["severity"] == pytest.approx(100 * (n / 4) * inten, abs=1e-3)
    assert p0.pain_points[0] is price  # ranked first by severity
    # the label is in the participants' words, never a taxonomy name
    assert any(w in price.label.lower() for w in ("price", "month", "pods", "cafe"))
    assert price.stats["pain_point_type"] == "price/value"  # the taxonomy stays as a tag
    p1 = by_segment(personas, 1)
    top = p1.pain_points[0]
    assert {"u10", "u14"} & set(top.unit_ids)
    # r5, r6, r7 voice it; the interviewer's speech never counts
    assert (top.n, top.N) == (3, 4)


def test_attitude_counts(personas):
    p0 = by_segment(personas, 0)
    assert [a.stats["item"] for a in p0.attitudes] == ["Q2", "Q1"]  # by |d|
    q1 = next(a for a in p0.attitudes if a.stats["item"] == "Q1")
    assert q1.label == "Price is the most important factor when I buy equipment"
    assert (q1.n, q1.N) == (3, 4)  # answers 5, 5, 4, 2 on 1-5: three above the midpoint
    assert q1.stats["mean"] == pytest.approx(4.0) and q1.stats["rest_mean"] == pytest.approx(2.0)
    assert q1.stats["direction"] == "higher"
    # an agreement scale (higher = agree): the counted side is named by what it means
    assert q1.stats["answer_side"] == "on the agreeing side, above the scale midpoint (3)"
    # evidence: units of r1-r3 that mention the item's words (price)
    assert set(q1.unit_ids) == {"u02", "u04", "u07"}
    assert q1.stats["evidence"] == "mentions"
    q2 = next(a for a in p0.attitudes if a.stats["item"] == "Q2")
    assert q2.stats["direction"] == "lower" and (q2.n, q2.N) == (2, 4)  # 2, 3, 2, 3: two below 3


def test_demographics_behaviour_emotions_vocab_topics(personas):
    p0, p1 = by_segment(personas, 0), by_segment(personas, 1)
    role = p0.demographics[0]
    assert role.stats["category"] == "Owner" and (role.n, role.N) == (3, 4)
    cups = next(c for c in p1.behaviour if c.stats["column"] == "Cups")
    assert cups.stats["median"] == pytest.approx(425) and cups.stats[
        "rest_median"
    ] == pytest.approx(110)
    anger = next(e for e in p0.emotions if e.stats["emotion"] == "anger")
    # segment 0 customer units: 9, of which u01, u02, u06 are anger
    assert anger.stats["units"] == 3 and anger.stats["units_total"] == 9
    assert sorted(anger.unit_ids) == ["u01", "u02", "u06"]
    # a phrase before a bare verb, whatever their z (words.order_vocabulary)
    assert [v.label for v in p1.vocabulary] == ["keeps jamming", "broke"]
    assert p1.vocabulary[0].unit_ids == ["u10"]  # the interviewer's u19 is dropped
    assert p0.vocabulary[0].unit_ids == ["u02", "u04", "u07"]
    assert p1.topics[0].label == "breakdowns and repairs"


def test_quotes_empathy_counter_confidence(personas):
    p0, p1 = by_segment(personas, 0), by_segment(personas, 1)
    for p in personas:
        assert 3 <= len(p.quotes) <= 5
        assert len({q.respondent_id for q in p.quotes}) == len(p.quotes)
    # counter-quote: a positive unit on the segment's top pain (price) from segment 0
    assert p0.counter_quote is not None and p0.counter_quote.unit_id == "u07"
    assert [q.unit_id for q in p0.empathy_map["thinks"]] in (
        ["u02"],
        ["u07"],
        ["u02", "u07"],
        ["u07", "u02"],
    )
    assert {q.unit_id for q in p0.empathy_map["does"]} <= {"u03", "u09"}
    assert p0.empathy_map["does"]
    assert all(
        q.unit_id in {"u01", "u02", "u04", "u06", "u07", "u08"} for q in p0.empathy_map["feels"]
    )
    assert p0.confidence["stability"] == pytest.approx(0.92)
    assert any("unstable" in w for w in p1.warnings)
    assert any("thin evidence" in w for w in p0.warnings)


@pytest.mark.slow
def test_without_embeddings_and_deterministic(study):
    a = [p.to_dict() for p in build_personas(tiny_study(with_embeddings=False))]
    b = [p.to_dict() for p in build_personas(tiny_study(with_embeddings=False))]
    assert a == b
    assert all(len(p["quotes"]) >= 3 for p in a)


def test_save_and_load_personas(tmp_path, personas):
    with Store(tmp_path / "study.duckdb") as store:
        save_personas(store, personas)
        loaded = load_personas(store)
        claims = store.read_table("persona_claims")
    assert [p["id"] for p in loaded] == ["P1", "P2"]
    assert loaded[0]["quotes"][0]["unit_id"] and loaded[0]["quotes"][0]["text"]
    n_claims = sum(len(p.claims()) for p in personas)
    assert (
        len(
            claims[
                ~claims["kind"].isin(["quote", "counter_quote", "says", "thinks", "does", "feels"])
            ]
        )
        == n_claims
    )
    assert all(len(u) > 0 for u in claims["unit_ids"])


@pytest.fixture(scope="module")
def study_store(tmp_path_factory, study, personas):
    path = tmp_path_factory.mktemp("ev") / "study.duckdb"
    with Store(path) as store:
        for name in (
            "units",
            "respondents",
            "annotations",
            "segments",
            "vocabulary",
            "topic_assignments",
        ):
            store.write_table(name, getattr(study, name))
        save_personas(store, personas)
    return path


def _evidence(*args):
    from click.testing import CliRunner

    from insight.cli import main

    return CliRunner().invoke(main, ["evidence", *map(str, args)])


def test_evidence_cli_claim_and_filters(study_store, personas):
    p0 = by_segment(personas, 0)
    price = next(c for c in p0.pain_points if c.stats["pain_point_type"] == "price/value")
    res = _evidence(study_store, "--claim", price.id)
    assert res.exit_code == 0, res.output
    assert f"{len(price.unit_ids)} matching customer statements" in res.output
    assert "The machine costs far too much" in res.output
    assert (
        "respondent r1" in res.output
        and "interview_r1.txt" in res.output
        and "turn 0" in res.output
    )
    # the out folder works too, and the pain type is a prefix filter
    res = _evidence(study_store.parent, "--pain-point", "price", "--persona", p0.id, "--limit", "1")
    assert res.exit_code == 0, res.output
    assert "4 matching customer statements (showing 1)" in res.output
    res = _evidence(study_store, "--respondent", "r1")
    assert "3 matching" in res.output and "absolute nightmare" not in res.output
    res = _evidence(study_store, "--term", "price", "--persona", p0.id)
    assert "3 matching" in res.output  # u02, u04, u07 say "price"; u18 is the interviewer
    res = _evidence(study_store, "--topic", "1", "--respondent", "r4")
    assert "1 matching" in res.output and "broke down twice" in res.output


def test_evidence_cli_errors_are_one_line(study_store):
    res = _evidence(study_store, "--persona", "P9")
    assert res.exit_code != 0
    assert 'no persona "P9"' in res.output and "P1, P2" in res.output
    assert "Traceback" not in res.output
    res = _evidence(study_store, "--pain-point", "teleportation")
    assert res.exit_code != 0 and "price/value" in res.output


def test_name_keyword_of_an_item_is_its_noun_not_a_participle():
    # real PSSUQ item: "needed" and "easy" named personas ("The Needed Sceptic") before
    from insight.personas.words import _keyword

    item = "12. It was easy to find the information I needed."
    assert _keyword(item, {"need": 0.9, "easi": 0.8, "easy": 0.8}) == "information"


def test_representative_quotes_say_something():
    # "Okay so this is the data." is typical of a think-aloud session but tells nothing
    import pandas as pd

    from insight.personas.build import _contentful

    mine = pd.DataFrame(
        {
            "text": [
                "Okay so this is the data.",
                "The time window length needs a short explanation.",
            ]
        },
        index=["u1", "u2"],
    )
    assert _contentful(mine) == ["u2"]
    assert _contentful(mine.iloc[:1]) == ["u1"]  # nothing better: keep what there is
