"""Segmentation policy behind personas: skip logic, interview groups, archetypes, names."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from insight import schema as S
from insight.segment.policy import (
    coverage,
    min_segment_size,
    segment_items,
    segment_study,
)


def _columns(names: list[str], labels: str = "strongly disagree ... strongly agree"):
    return pd.DataFrame(
        {
            S.COL_NAME: names,
            S.COL_ROLE: S.ROLE_LIKERT,
            S.COL_QUESTION: [f"How much do you agree - item {n}" for n in names],
            "labels": labels,
            "scale_min": 1,
            "scale_max": 5,
        }
    )


def _skip_logic_survey(n: int = 120, seed: int = 0) -> pd.DataFrame:
    """Core items A1-A4 for everyone; branch items B1-B4 only for the 25 who said yes."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 2, n)
    rows = []
    for i in range(n):
        row = {
            S.RESPONDENT_ID: f"r{i}",
            S.SOURCE: "survey.csv",
            S.SOURCE_TYPE: S.SOURCE_SURVEY,
        }
        centre = 4.5 if group[i] else 1.5
        for j in range(1, 5):
            row[f"A{j}"] = float(np.clip(round(centre + rng.normal(0, 0.6)), 1, 5))
        for j in range(1, 5):
            row[f"B{j}"] = float(rng.integers(1, 6)) if i < 25 else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def test_branch_items_are_left_out_and_named():
    resp = _skip_logic_survey()
    cols = _columns([f"A{j}" for j in range(1, 5)] + [f"B{j}" for j in range(1, 5)])
    choice = segment_items(cols, resp)
    assert choice.items == ["A1", "A2", "A3", "A4"]
    assert choice.left_out == ["B1", "B2", "B3", "B4"]
    assert choice.coverage["B1"] == pytest.approx(25 / 120, abs=1e-4)


def test_survey_with_skip_logic_covers_everyone():
    resp = _skip_logic_survey()
    cols = _columns([f"A{j}" for j in range(1, 5)] + [f"B{j}" for j in range(1, 5)])
    empty = pd.DataFrame(
        {S.UNIT_ID: [], S.RESPONDENT_ID: [], S.TEXT: [], S.SPEAKER_ROLE: []}, dtype=object
    )
    plan = segment_study(empty, resp, cols, np.zeros((0, 4)), n_bootstrap=5)
    assert plan.mode == "attitudes" and plan.items == ["A1", "A2", "A3", "A4"]
    assert plan.coverage["respondents"] == 120
    assert plan.coverage["share"] >= 0.9
    assert any("only one branch" in n for n in plan.notes)
    assert plan.meta()["coverage"] == plan.coverage


def _interviews(n_people: int, seed: int = 0):
    """Two kinds of participant: one talks about licensing, the other about output quality."""
    rng = np.random.default_rng(seed)
    texts = {
        0: [
            "Copyright and licensing of the images worry me every week",
            "Clients ask who owns the licensing rights to the artwork",
            "The legal side of training data keeps me awake at night",
        ],
        1: [
            "The output quality drifts between sessions and I redo the work",
            "Inconsistent results mean I fix half of the drafts by hand",
            "Quality control of generated drafts takes most of my afternoon",
        ],
    }
    base = rng.normal(size=(2, 16))
    units, vecs, resp = [], [], []
    for p in range(n_people):
        kind = p % 2
        resp.append(
            {
                S.RESPONDENT_ID: f"p{p}",
                S.SOURCE: f"interview_{p}.txt",
                S.SOURCE_TYPE: S.SOURCE_TRANSCRIPT,
            }
        )
        for j, text in enumerate(texts[kind]):
            units.append(
                {
                    S.UNIT_ID: f"p{p}-{j}",
                    S.RESPONDENT_ID: f"p{p}",
                    S.TEXT: text,
                    S.SPEAKER_ROLE: S.ROLE_CUSTOMER,
                }
            )
            vecs.append(base[kind] + rng.normal(0, 0.3, 16))
    return pd.DataFrame(units), np.array(vecs), pd.DataFrame(resp)


def test_interview_groups_follow_what_people_say_without_internal_profiles():
    from sklearn.metrics import adjusted_rand_score

    units, vecs, resp = _interviews(30)
    plan = segment_study(units, resp, None, vecs, n_bootstrap=5)
    assert plan.mode == "text"
    seg = plan.assignments.set_index(S.RESPONDENT_ID)[S.SEGMENT]
    truth = [int(r[1:]) % 2 for r in seg.index]
    assert adjusted_rand_score(truth, seg.to_numpy()) >= 0.5
    assert plan.profiles.empty  # nothing internal is ever shown as an attitude
    assert seg.value_counts().min() >= min_segment_size(30)
    assert plan.coverage == {"respondents": 30, "assigned": 30, "share": 1.0, "unassigned": 0}


def test_small_batches_get_archetypes():
    units, vecs, resp = _interviews(10)
    plan = segment_study(units, resp, None, vecs, n_bootstrap=5)
    assert plan.mode == "archetypes"
    assert set(plan.assignments["segment_source"]) == {"archetype"}
    assert plan.assignments[S.SEGMENT].value_counts().min() >= 3
    units, vecs, resp = _interviews(4)
    plan = segment_study(units, resp, None, vecs, n_bootstrap=5)
    assert plan.assignments[S.SEGMENT].nunique() == 1 and plan.model is None


def test_min_segment_size_and_coverage():
    assert min_segment_size(20) == 3 and min_segment_size(200) == 10
    resp = pd.DataFrame(
        {
            S.RESPONDENT_ID: ["a", "b", "c", "d"],
            S.SOURCE_TYPE: [S.SOURCE_SURVEY, S.SOURCE_SURVEY, S.SOURCE_TRANSCRIPT, "review"],
        }
    )
    seg = pd.DataFrame({S.RESPONDENT_ID: ["a", "c"], S.SEGMENT: [0, 1]})
    assert coverage(seg, resp) == {
        "respondents": 3,
        "assigned": 2,
        "share": 0.6667,
        "unassigned": 1,
    }


@pytest.mark.slow
def test_interview_personas_name_in_study_words_with_archetype_note():
    from insight.nlp import FILLER_WORDS, STOP_WORDS
    from insight.personas import StudyTables, build_personas

    units, vecs, resp = _interviews(10)
    plan = segment_study(units, resp, None, vecs, n_bootstrap=5)
    units = units.assign(
        **{
            S.SOURCE: "x.txt",
            S.SOURCE_TYPE: S.SOURCE_TRANSCRIPT,
            S.QUESTION: None,
            S.TURN: 1,
        }
    )
    ann = pd.DataFrame(
        {
            S.UNIT_ID: units[S.UNIT_ID],
            S.PAIN_POINT: 1,
            S.PAIN_POINT_TYPE: "price/value",
            S.PAIN_POINT_SCORE: 0.8,
            S.SENTIMENT: -0.4,
            S.INTENSITY: 0.5,
        }
    )
    emb = pd.DataFrame(vecs, index=pd.Index(units[S.UNIT_ID], name=S.UNIT_ID))
    tables = StudyTables(
        units=units,
        respondents=resp,
        annotations=ann,
        segments=plan.assignments,
        segment_profiles=plan.profiles,
        embeddings=emb,
    )
    personas = build_personas(tables)
    assert len(personas) >= 1
    for p in personas:
        assert "Price-Pressured" not in p.name and "Customer" not in p.name
        words = [w.strip(",&").lower() for w in p.name.split()[1:]]
        assert all(len(w) > 1 for w in words if w)
        content = {w for w in words if w not in {"troubled", "by", "archetype", "group"}}
        assert not content & (FILLER_WORDS | STOP_WORDS)
        assert p.summary.startswith(f"{p.size} of 10 participants")
        assert p.confidence["level"] == "low"
        assert any(w.startswith("archetype") for w in p.warnings)
        assert not p.attitudes
        assert all(p.confidence["respondents_with_text"] == c.N for c in p.pain_points)


def test_survey_respondents_who_skipped_every_item_join_by_their_text():
    resp = _skip_logic_survey()
    extra = pd.DataFrame(
        {
            S.RESPONDENT_ID: [f"x{i}" for i in range(10)],
            S.SOURCE: "survey.csv",
            S.SOURCE_TYPE: S.SOURCE_SURVEY,
        }
    )
    resp = pd.concat([resp, extra], ignore_index=True)
    cols = _columns([f"A{j}" for j in range(1, 5)])
    ids = [f"r{i}" for i in range(120)] + [f"x{i}" for i in range(10)]
    units = pd.DataFrame(
        {
            S.UNIT_ID: [f"u{i}" for i in range(len(ids))],
            S.RESPONDENT_ID: ids,
            S.TEXT: "the price of the service is too high for us",
            S.SPEAKER_ROLE: S.ROLE_CUSTOMER,
        }
    )
    vecs = np.random.default_rng(1).normal(size=(len(ids), 8))
    plan = segment_study(units, resp, cols, vecs, n_bootstrap=5)
    joined = plan.assignments[plan.assignments[S.RESPONDENT_ID].str.startswith("x")]
    assert len(joined) == 10 and set(joined["segment_source"]) == {"text-similarity"}
    assert plan.coverage["respondents"] == 130 and plan.coverage["share"] >= 0.9


# --- scales: which end agrees, and codes that are no scale point --------------------------------


def _survey_file(tmp_path, header: list[str], rows: list[list[object]]):
    path = tmp_path / "survey.csv"
    lines = [",".join(header)] + [",".join(str(v) for v in r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_nhs_fft_dont_know_codes_are_missing_not_scale_points(tmp_path):
    """NHS FFT: 1 very good ... 5 very poor; 6 = don't know (7 also occurs): never a point."""
    from insight.ingest import ingest_paths

    answers = [1, 2, 3, 4, 5, 6, 7, 1, 2, 1, 6, 7]
    rows = [
        [f"r{i}", a, f"The staff were kind and the wait was short {i}"]
        for i, a in enumerate(answers)
    ]
    path = _survey_file(tmp_path, ["Respondent ID", "FFT categorical answer", "FFT answer"], rows)
    res = ingest_paths([path])
    resp = res.respondents.set_index(S.RESPONDENT_ID)
    values = pd.to_numeric(resp["FFT categorical answer"], errors="coerce")
    assert values.max() == 5
    assert values.isna().sum() == 4  # the two 6s and two 7s
    assert values["r0"] == 1 and values["r4"] == 5
    col = res.columns[res.columns[S.COL_NAME] == "FFT categorical answer"].iloc[0]
    assert col["scale_max"] == 5
    assert any("6 = Don't know" in g for g in res.warnings)


def test_bare_numeric_items_say_direction_unknown_and_how_to_mark_reverse(tmp_path):
    from insight.ingest import ingest_paths
    from insight.ingest.scales import detect_scale, label_direction

    rng = np.random.default_rng(0)
    rows = [[f"p{i}", *rng.integers(1, 8, 4).tolist()] for i in range(12)]
    path = _survey_file(tmp_path, ["participant", "Q1", "Q2", "Q3", "Q4"], rows)
    res = ingest_paths([path])
    notes = [g for g in res.warnings if "reverse: true" in g]
    assert notes and "Q1" in notes[0] and "not known" in notes[0]
    # labelled scales know their direction; bare numbers do not
    assert label_direction({"1": "Strongly disagree", "5": "Strongly agree"}) == 1
    assert label_direction({"1": "Very good", "5": "Very poor"}) == -1
    assert label_direction({"1": "Strongly agree", "7": "Strongly disagree"}) == -1
    assert detect_scale(["1", "2", "3", "4", "5", "6", "7"]).direction is None
    assert detect_scale(["Agree", "Disagree", "Neutral", "Strongly agree"]).direction == 1


def _attitude(direction: str, agreement: int | None):
    from insight.personas.model import Claim

    stats = {
        "question": "The system gave error messages that clearly told me how to fix problems",
        "direction": direction,
        "mean": 5.1,
        "rest_mean": 2.9,
    }
    if agreement is not None:
        stats["agreement"] = agreement
    return Claim("attitude", "errors", 4, 6, [], [], stats)


def test_no_champion_or_sceptic_from_a_scale_whose_direction_is_unknown():
    from insight.personas.naming import _name, _summary

    unknown = _attitude("higher", None)
    name = _name([unknown], [], [], [])
    assert "Champion" not in name and "Sceptic" not in name
    assert "High Scorer" in name
    summary = _summary(6, 17, [unknown], [], [], who="participants")
    assert "score higher" in summary and "agree" in summary.split("(")[-1]
    # PSSUQ marked reverse (1 = agree): a higher mean is less agreement
    assert "Sceptic" in _name([_attitude("higher", -1)], [], [], [])
    assert "Champion" in _name([_attitude("lower", 1)], [], [], [])
    assert "less favourably" in _summary(6, 17, [_attitude("higher", -1)], [], [])


def test_item_direction_reads_labels_and_reverse_from_the_columns_table():
    from insight.segment.profiles import item_direction

    cols = pd.DataFrame(
        {
            S.COL_NAME: ["Q1", "Q2", "Q3", "Q4"],
            "labels": [
                '{"1": "Strongly disagree", "5": "Strongly agree"}',
                "{}",
                "{}",
                '{"1": "Very good", "5": "Very poor"}',
            ],
            "reverse": [False, False, True, False],
        }
    )
    assert [item_direction(cols, q) for q in ("Q1", "Q2", "Q3", "Q4")] == [1, None, -1, -1]


def test_persona_vocabulary_leads_with_participants_terms_not_generic_verbs():
    """serdif: a persona's vocabulary led with "look", "got", "go" (highest z)."""
    from insight.personas.words import order_vocabulary

    texts = {
        "u1": "I look at the time window and got the data provenance from the export.",
        "u2": "So I go to the time window, uh, and look at the PM2.5 values.",
        "u3": "The data provenance file is what I got, you know.",
    }
    rows = pd.DataFrame(
        {
            "term": [
                "look",
                "got",
                "go",
                "uh",
                "you know",
                "time window",
                "data provenance",
                "PM2.5",
                "values",
            ],
            "kind": [
                "word",
                "word",
                "word",
                "word",
                "ngram",
                "noun_phrase",
                "noun_phrase",
                "word",
                "word",
            ],
            "z": [3.4, 3.3, 3.2, 5.0, 4.0, 1.6, 1.5, 1.4, 1.2],
            "z_background": [-0.7, -9.4, -2.0, None, None, 4.7, 3.9, 4.5, 17.8],
            "unit_ids": [
                ["u1", "u2"],
                ["u1", "u3"],
                ["u2"],
                ["u2"],
                ["u3"],
                ["u1", "u2"],
                ["u1", "u3"],
                ["u2"],
                ["u2"],
            ],
        }
    )
    order = order_vocabulary(rows, texts)["term"].tolist()
    assert order[:4] == ["time window", "data provenance", "PM2.5", "values"]
    assert "uh" not in order and "you know" not in order  # filler is never shown
    assert set(order[4:]) <= {"look", "got", "go"}


def test_theme_names_are_one_phrase_never_two_glued_words():
    """creatives: "The Writers & Write Group", "The Tools & Brainstorming Group"; NHS FFT:
    "The Excellent & Class Group" (praise is no group)."""
    from insight.personas.model import Claim
    from insight.personas.naming import _label_phrase, _name

    assert _label_phrase("ai-generated, image and video, editing", set()) == "Image and Video"
    assert _label_phrase("ai writing, use ai, readers", set()) == "AI Writing"
    assert _label_phrase("excellent, class", set()) == "Class"
    assert _label_phrase("see and convey", set()) is None  # verbs
    topic = Claim("topic", "writers, write, novel", 8, 10, [], [], {"distinctive": True})
    name = _name([], [], [], [], topics=[topic])
    assert "&" not in name and name == "The Writers Group"


def test_fft_rating_names_what_the_score_means():
    from insight.personas.model import Claim
    from insight.personas.naming import _name, _summary

    stats = {
        "question": "FFT categorical answer",
        "direction": "higher",
        "agreement": -1,
        "instrument": "known instrument: NHS FFT item 1",
        "mean": 4.0,
        "rest_mean": 1.1,
    }
    poor = Claim("attitude", "FFT categorical answer", 20, 27, [], [], stats)
    assert _name([poor], [], [], []) == "Rates the service poor"
    summary = _summary(27, 400, [poor], [], [])
    assert "the NHS FFT rating" in summary and "1 = very good … 5 = very poor" in summary


def test_near_duplicate_theme_names_take_a_new_phrase():
    """creatives: "The Writers Group" and "The Writer Group" side by side."""
    from insight.personas.model import Claim, Persona
    from insight.personas.naming import _dedupe_names

    def persona(pid: str, name: str, topic: str) -> Persona:
        t = Claim("topic", topic, 5, 10, [], [], {"distinctive": True})
        return Persona(
            pid, name, "", 10, 0.1, [], [], [], [], [], [], [], [t], [], None, {}, {}, []
        )

    ps = [
        persona("P1", "The Writers Group", "writers, creative, readers"),
        persona("P2", "The Writer Group, troubled by deadlines", "writer, short stories"),
    ]
    _dedupe_names(ps)
    assert [p.name for p in ps] == [
        "The Writers Group",
        "The Short Stories Group, troubled by deadlines",
    ]


def test_pain_suffix_drops_a_judgement_word():
    """NHS FFT: "troubled by difficult short staffing"."""
    from insight.personas.model import Claim
    from insight.personas.naming import _pain_words

    stats = {"pain_theme": 1, "distinctive": True, "lift": 2.0}
    stats["noun_terms"] = ["difficult short staffing"]
    pain = Claim("pain_point", "Short staffing", 5, 10, [], [], stats)
    assert _pain_words([pain]) == ["short", "staffing"]


def test_a_label_goes_mid_sentence_without_breaking_capitals():
    from insight.personas.naming import _lower_first

    assert _lower_first("Events are unclear") == "events are unclear"
    assert _lower_first("AI art") == "AI art"  # was "aI art" in the creatives summary
    assert _lower_first("NHS staff are kind") == "NHS staff are kind"
