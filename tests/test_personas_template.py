"""Persona template fields: filled from planted columns and own words, with n of N; no
evidence said plainly; nothing invented when a statement is ambiguous."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from insight import schema as S
from insight.ingest import ingest_paths
from insight.personas import Persona, StudyTables, build_personas
from insight.personas.template import (
    NO_EVIDENCE,
    age_band,
    channel_of,
    self_described_role,
)

sys.path.insert(0, str(Path(__file__).parent))
from study_factory import profile_segments, write_profile_survey
from test_personas import tiny_study


def _study(folder: Path, *, planted: bool = True, drop: tuple[str, ...] = ()) -> StudyTables:
    """The planted survey read by the real ingest (column roles inferred), planted segments."""
    res = ingest_paths([write_profile_survey(folder, planted=planted)])
    resp = res.respondents.drop(columns=list(drop))
    cols = res.columns[~res.columns[S.COL_NAME].isin(drop)]
    return StudyTables(units=res.units, respondents=resp, columns=cols, segments=profile_segments())


def fields(p: Persona) -> dict[str, tuple[str, int, int]]:
    return {c.stats["field"]: (c.label, c.n, c.N) for c in p.profile}


def by_segment(personas: list[Persona], seg: int) -> Persona:
    return next(p for p in personas if p.segment == seg)


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> list[Persona]:
    return build_personas(_study(tmp_path_factory.mktemp("planted")))


def test_planted_columns_fill_the_fields_with_n_of_n(planted):
    a, b = fields(by_segment(planted, 0)), fields(by_segment(planted, 1))
    # R01 answered "Prefer not to say": no age, so 15 of the 19 who gave one
    assert a["age_band"] == ("25-34", 15, 19)
    assert a["role"] == ("Nurse", 15, 20)
    assert a["location"] == ("UK", 18, 20)
    assert a["channels"] == ("Email", 14, 20)  # the stated preference, not email opens
    assert b["age_band"] == ("55-64", 12, 20)
    assert b["role"] == ("Teacher", 11, 20)
    assert b["location"] == ("Ireland", 20, 20)
    assert b["channels"] == ("SMS / text", 13, 20)


def test_field_evidence_names_its_column_and_members(planted):
    p = by_segment(planted, 0)
    role = next(c for c in p.profile if c.stats["field"] == "role")
    assert 'column "Job title"' in role.stats["source"]
    assert len(role.stats["respondent_ids"]) == 15 and "R16" not in role.stats["respondent_ids"]
    assert role.quotes == []  # a column answer is no statement: nothing quoted as its proof
    assert role.unit_ids and role in p.claims() and role.id == f"{p.id}.profile.role"
    age = next(c for c in p.profile if c.stats["field"] == "age_band")
    assert age.stats["values"][:2] == [{"value": "25-34", "n": 15}, {"value": "45-54", "n": 4}]


def test_distractor_columns_fill_nothing(tmp_path):
    # acquisition source, age of the practice and DistributionChannel are no template field
    personas = build_personas(_study(tmp_path, planted=False))
    for p in personas:
        f = {c.stats["field"]: c for c in p.profile}
        for key in ("role", "age_band", "location", "channels"):
            assert f[key].label == NO_EVIDENCE and f[key].n == 0 and not f[key].unit_ids
            assert f[key].stats["no_evidence"]
            assert f[key] not in p.claims()
        assert "no age" in f["age_band"].stats["no_evidence"]
        assert "no goal" in f["goals"].stats["no_evidence"]


def test_an_attitude_item_that_mentions_a_channel_is_no_channel(tmp_path):
    # a PSSUQ item: numbers 1-7 under wording with "online help" and "messages"
    t = _study(tmp_path, planted=False)
    item = (
        "The information (such as online help, on-screen messages and other documentation) "
        "provided with this system was clear."
    )
    resp = t.respondents.copy()
    resp[item] = [1 + i % 7 for i in range(len(resp))]
    row = {S.SOURCE: t.columns[S.SOURCE].iloc[0], S.COL_NAME: item, S.COL_ROLE: S.ROLE_LIKERT}
    cols = pd.concat([t.columns, pd.DataFrame([{**row, S.COL_QUESTION: item}])])
    personas = build_personas(
        StudyTables(units=t.units, respondents=resp, columns=cols, segments=t.segments)
    )
    for p in personas:
        assert fields(p)["channels"][0] == NO_EVIDENCE


def test_channels_from_behaviour_when_nobody_states_one(tmp_path):
    personas = build_personas(_study(tmp_path, drop=("How do you prefer to be contacted?",)))
    a, b = fields(by_segment(personas, 0)), fields(by_segment(personas, 1))
    assert a["channels"] == ("Email", 17, 20)  # 17 opened an email; nobody logged in
    assert b["channels"] == ("App", 20, 20)
    src = next(c for c in by_segment(personas, 1).profile if c.stats["field"] == "channels")
    assert "engagement > 0" in src.stats["source"]


def _interview_study(texts: dict[str, str]) -> StudyTables:
    """The tiny study without its Role column, some transcript units re-worded."""
    t = tiny_study(with_embeddings=False)
    units = t.units.copy()
    for uid, text in texts.items():
        units.loc[units[S.UNIT_ID] == uid, S.TEXT] = text
    resp = t.respondents.drop(columns=["Role"])
    cols = t.columns[t.columns[S.COL_NAME] != "Role"]
    return StudyTables(
        units=units,
        respondents=resp,
        columns=cols,
        annotations=t.annotations,
        segments=t.segments,
        segment_profiles=t.segment_profiles,
        topic_assignments=t.topic_assignments,
        topics=t.topics,
    )


def test_interview_self_description_gives_role_with_its_quote():
    nurse = "I'm a nurse, so we clean the steam wand every evening before closing up."
    personas = build_personas(
        _interview_study({"u03": nurse, "u10": "If I were a manager the grinder would go."})
    )
    p0, p1 = by_segment(personas, 0), by_segment(personas, 1)
    role = next(c for c in p0.profile if c.stats["field"] == "role")
    assert (role.label, role.n, role.N) == ("Nurse", 1, 1)
    assert [q.unit_id for q in role.quotes] == ["u03"] and role.quotes[0].text == nurse
    assert "own words (1 of 4 members)" in role.stats["source"]
    # a hypothetical is no self-description: nothing invented for segment 1
    role1 = next(c for c in p1.profile if c.stats["field"] == "role")
    assert role1.label == NO_EVIDENCE
    assert "none of this persona's 4 members states their job" in role1.stats["no_evidence"]


@pytest.mark.parametrize(
    "text, role",
    [
        ("I'm a nurse.", "Nurse"),
        ("As a product manager, I need the weekly report.", "Product manager"),
        ("I'm head barista at a specialty café.", "Head barista"),
        ("It might not be useful for me as a statistician.", "Statistician"),
        ("I'm not a nurse.", None),
        ("If I was a doctor I would know.", None),
        ("Seems I am a researcher in one of these projects.", None),
        ("I used to be a teacher.", None),
        ("I am a weird person.", None),
        ("As a user, I would download it.", None),
        ("I'm a big fan of the app.", None),
        ("I am a little bit lost here.", None),
        # from real interview transcripts (creatives, usability study)
        ("I am also a creative writer, focusing on poetry.", "Creative writer"),
        ("I'm the head of marketing at a bank.", "Head of marketing"),
        ("I'm playing supervisor to some extent.", None),
        ("As it stands, I am the sole driver of creative decisions.", None),
        ("One client replaced me as her blog writer.", None),
    ],
)
def test_self_description_only_when_explicit(text, role):
    assert self_described_role(text) == role


@pytest.mark.parametrize(
    "value, band",
    [
        ("34", "25-34"),
        ("18", "18-24"),
        ("17", "Under 18"),
        ("64", "55-64"),
        ("71", "65+"),
        ("25 to 34", "25-34"),
        ("65 or over", "65+"),
        ("Under 18", "Under 18"),
        ("Prefer not to say", None),
        ("3", None),
    ],
)
def test_age_band(value, band):
    assert age_band(value) == band


def test_birth_year_needs_a_reference_for_an_age():
    assert age_band("1990", 2026, birth=True) == "35-44"
    assert age_band("1990", None, birth=True) == "born in the 1990s"


def test_channel_words():
    assert channel_of("Email or phone call") == ["Email", "Phone"]
    assert channel_of("WhatsApp") == ["WhatsApp"]
    assert channel_of("No preference") == []


def test_scenario_is_a_situation_of_the_top_pain_and_goals_reuse_claims():
    personas = build_personas(tiny_study(with_embeddings=False))
    p1 = by_segment(personas, 1)
    f = {c.stats["field"]: c for c in p1.profile}
    sc = f["scenario"]
    top = p1.pain_points[0]
    assert sc.stats["claim_id"] == top.id
    assert sc.quotes[0].unit_id in top.unit_ids and sc.unit_ids[0] == sc.quotes[0].unit_id
    assert sc.label == sc.quotes[0].text
    assert any(w in sc.label.lower() for w in ("rush", "every week", "saturday"))
    assert 1 <= sc.n <= sc.N
    ch = f["challenges"]
    assert [i["claim_id"] for i in ch.stats["items"]] == [c.id for c in p1.pain_points[:3]]
    assert set(ch.unit_ids) == {u for c in p1.pain_points[:3] for u in c.unit_ids}
    goals = f["goals"]
    assert [i["claim_id"] for i in goals.stats["items"]] == [c.id for c in p1.goals[:3]]
    assert list(f) == [
        "role",
        "age_band",
        "location",
        "channels",
        "scenario",
        "goals",
        "challenges",
    ]


def test_persona_dict_keeps_every_field_and_its_reason(tmp_path):
    p = build_personas(_study(tmp_path, planted=False))[0]
    d = p.to_dict()["profile"]
    assert [c["stats"]["field"] for c in d] == list(
        ["role", "age_band", "location", "channels", "scenario", "goals", "challenges"]
    )
    assert all(c["label"] == NO_EVIDENCE and c["stats"]["no_evidence"] for c in d[:4])


BANDS = ["18-24", "25-34", "35-44", "45-54", "25-34", "18-24"]


@pytest.mark.parametrize(
    "header, role, values, field",
    [
        ("What is your age?", S.ROLE_DEMOGRAPHIC, BANDS, "age_band"),
        ("Q3", S.ROLE_DEMOGRAPHIC, BANDS, "age_band"),  # bands recognised by their values
        ("How old are you?", S.ROLE_BEHAVIOUR, ["23", "45", "61", "38"], "age_band"),
        ("Year of birth", S.ROLE_BEHAVIOUR, ["1980", "1975", "1999", "1962"], "age_band"),
        ("Age of your practice (years)", S.ROLE_BEHAVIOUR, ["3", "12", "25", "40"], None),
        ("Company size", S.ROLE_DEMOGRAPHIC, ["1-10", "11-50", "51-200", "11-50"], None),
        (
            "Which country do you live in?",
            S.ROLE_DEMOGRAPHIC,
            ["France", "Peru", "Chad"],
            "location",
        ),
        ("Q4", S.ROLE_DEMOGRAPHIC, ["United Kingdom", "France", "Germany", "UK"], "location"),
        ("Postcode", S.ROLE_DEMOGRAPHIC, ["SW1A 1AA", "M1 2AB", "LS6 3QW"], "location"),
        ("Preferred contact method", S.ROLE_DEMOGRAPHIC, ["Email", "Phone", "SMS"], "channels"),
        ("Q7", S.ROLE_DEMOGRAPHIC, ["Email", "Phone", "Text", "Email"], "channels"),
        ("How did you hear about us?", S.ROLE_DEMOGRAPHIC, ["Facebook", "Email", "Google"], None),
        ("Email opens (last 90 days)", S.ROLE_BEHAVIOUR, ["0.0", "4.0", "12.0"], "channels"),
        ("App logins", S.ROLE_BEHAVIOUR, ["0", "7", "30"], "channels"),
        ("Orders (last year)", S.ROLE_BEHAVIOUR, ["0", "7", "30"], None),
        ("Job title", S.ROLE_DEMOGRAPHIC, ["Teacher", "Nurse", "Head of IT"], "role"),
        ("What is your occupation?", S.ROLE_DEMOGRAPHIC, ["Retired", "Plumber"], "role"),
        ("Q9", S.ROLE_DEMOGRAPHIC, ["Teacher", "Nurse", "Software developer"], "role"),
        (
            "What role does coffee play in your business?",
            S.ROLE_DEMOGRAPHIC,
            ["Central", "Minor"],
            None,
        ),
        ("Which best describes your business?", S.ROLE_DEMOGRAPHIC, ["Restaurant", "Café"], None),
    ],
)
def test_columns_recognised_by_header_words_and_values(header, role, values, field):
    from insight.personas.template import _column_source

    src = _column_source(header, header, role, values, None)
    assert (src.field if src else None) == field


def test_profile_claims_are_stored_and_queryable(tmp_path):
    from insight.personas import find_evidence, save_personas
    from insight.store import Store

    nurse = "I'm a nurse, so we clean the steam wand every evening before closing up."
    study = _interview_study({"u03": nurse})
    personas = build_personas(study)
    p0 = by_segment(personas, 0)
    with Store(tmp_path / "study.duckdb") as store:
        store.write_table("units", study.units)
        save_personas(store, personas)
        rows = store.read_table("persona_claims")
        res = find_evidence(store, claim=f"{p0.id}.profile.role")
    assert set(rows.loc[rows["kind"] == "profile", "claim_id"]) == {
        c.id for p in personas for c in p.profile if c.unit_ids
    }
    assert f"{p0.id}.profile.age_band" not in set(rows["claim_id"])  # no evidence, no claim
    assert res.quotes[0].unit_id == "u03" and "Nurse (1 of 1)" in res.header[0]


def test_situation_cues_outrank_a_bare_when():
    from insight.personas.template import situation_score

    situation = "It happens most days, usually mid-morning when both groups are flat out."
    moment = "I need an explanation of these tabs, maybe when I hover over them."
    assert situation_score(situation) > situation_score(moment) > 0
    # a condition is no situation (real samples and usability-study statements)
    assert situation_score("Paying £200 for a valve when it takes five minutes to fit.") == 0
    assert situation_score("This fits my reading when compared with the table below.") == 0
    assert situation_score("The price of parts is a rip-off.") == 0


@pytest.mark.parametrize(
    "ranked, N, label",
    [
        ([("Owner", 71), ("General manager", 15)], 95, "Owner"),
        # real samples P2: Owner 36 of 74 is no majority; with Head barista they cover 86%
        (
            [("Owner", 36), ("Head barista", 28), ("General manager", 6)],
            74,
            "Mixed: Owner, Head barista",
        ),
        ([("A", 21), ("B", 19), ("C", 14), ("D", 11)], 95, "Mixed: A, B, C"),
        ([("Nurse", 1), ("Doctor", 1)], 2, "Mixed: Nurse, Doctor"),  # a tie is no majority
        ([("Email", 3)], 10, "Email"),  # one value only: itself, with its 3 of 10
        ([(f"Town{i}", 1) for i in range(40)], 40, "Varied: 40 different answers"),
    ],
)
def test_field_value_is_a_majority_or_says_mixed(ranked, N, label):
    # (titles that share no job noun stay "Varied"; see _by_job_noun)
    from insight.personas.template import summarise

    assert summarise(ranked, N)[0] == label


def test_many_valued_city_postcode_and_job_columns_reach_the_fields(tmp_path):
    # 40 different towns, postcodes and job titles: kept at ingest (not dropped as
    # "unrecognised" or read as written text) and read by the template
    import csv

    path = tmp_path / "s.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "City", "Postcode", "Job title", "What gets in the way?"])
        for i in range(40):
            area = "LS" if i < 30 else "M"
            w.writerow(
                [
                    f"r{i}",
                    f"Town{i}",
                    f"{area}{i % 9 + 1} {i % 8 + 1}AB",
                    f"Grade {i} nurse",
                    f"The rota crashes every morning when I log in ({i}).",
                ]
            )
    res = ingest_paths([path])
    roles = dict(zip(res.columns[S.COL_NAME], res.columns[S.COL_ROLE], strict=True))
    assert roles["City"] == roles["Postcode"] == roles["Job title"] == S.ROLE_DEMOGRAPHIC
    seg = pd.DataFrame({S.RESPONDENT_ID: [f"r{i}" for i in range(40)], S.SEGMENT: 0})
    p = build_personas(
        StudyTables(units=res.units, respondents=res.respondents, columns=res.columns, segments=seg)
    )[0]
    f = {c.stats["field"]: (c.label, c.n, c.N) for c in p.profile}
    # 40 different towns stand for nobody; the postcode area does (30 of 40 in LS)
    assert f["location"] == ("LS postcode area", 30, 40)
    loc = next(c for c in p.profile if c.stats["field"] == "location")
    assert loc.stats["source"] == 'column "Postcode"'
    # 40 different titles, every one of them a nurse's: the shared job noun, not "Varied"
    assert f["role"] == ("Nurse (40 job titles)", 40, 40)


def test_titles_group_by_their_job_noun_only_when_most_share_it():
    from insight.personas.template import _by_job_noun

    titles = [("Staff nurse", 3), ("Senior nurse", 2), ("Ward manager", 2), ("Nurse", 1)]
    assert _by_job_noun(titles, 8) == (
        "Nurse (3 job titles)",
        ["Staff nurse", "Senior nurse", "Nurse"],
    )
    assert _by_job_noun([("Staff nurse", 2), ("Teacher", 3), ("Ward manager", 3)], 8) is None
    assert _by_job_noun([("Marketing", 4), ("Finance", 4)], 8) is None  # departments
