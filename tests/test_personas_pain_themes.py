"""Pain themes: a study's pain units grouped by what they say, labelled in their words."""

from __future__ import annotations

import pandas as pd
import pytest

from insight import schema as S
from insight.extract.pain_themes import OTHER_LABEL, group_pain_points, is_pain_unit

LICENCE = [
    "I worry about copyright when the model was trained on other artists' work.",
    "The copyright question scares me, nobody knows who owns the output.",
    "Clients ask about copyright and licensing and I have no clear answer.",
    "Copyright law has not caught up and that worries me for licensing deals.",
]
QUALITY = [
    "The output quality is inconsistent, one day great and the next unusable.",
    "Inconsistent output means I redo half the images by hand.",
    "The quality of the output drifts between sessions and I lose hours.",
    "I cannot rely on the output quality for client deadlines.",
]
NON_ANSWERS = ["Did not answer", "n/a", "uh, um, yeah"]


def _units() -> pd.DataFrame:
    rows = []
    texts = LICENCE + QUALITY + NON_ANSWERS
    for i, text in enumerate(texts):
        rows.append(
            {
                S.UNIT_ID: f"u{i:02d}",
                S.RESPONDENT_ID: f"r{i % 6}",
                S.TEXT: text,
                S.PAIN_POINT: 1,
                S.PAIN_POINT_TYPE: "price/value" if i < 4 else "reliability/quality",
                S.PAIN_POINT_SCORE: 0.8,
                S.SENTIMENT: -0.5,
                S.INTENSITY: 0.6,
            }
        )
    rows.append(
        {
            S.UNIT_ID: "u99",
            S.RESPONDENT_ID: "r9",
            S.TEXT: "I love the speed of it for sketches and mood boards.",
            S.PAIN_POINT: 0,
            S.PAIN_POINT_TYPE: None,
            S.PAIN_POINT_SCORE: 0.1,
            S.SENTIMENT: 0.7,
            S.INTENSITY: 0.5,
        }
    )
    return pd.DataFrame(rows)


def test_non_answers_are_never_pains():
    assert not is_pain_unit("Did not answer")
    assert not is_pain_unit("uh, um, yeah")
    assert is_pain_unit("The output quality is inconsistent")
    res = group_pain_points(_units(), None, participants=10, min_units=2)
    assert set(res.assignments[S.UNIT_ID]) == {f"u{i:02d}" for i in range(8)}


def test_themes_follow_the_data_and_are_labelled_in_participants_words():
    res = group_pain_points(_units(), None, participants=10, min_units=2)
    a = res.assignments.set_index(S.UNIT_ID)["pain_theme"]
    licence = {a[f"u{i:02d}"] for i in range(4)}
    quality = {a[f"u{i:02d}"] for i in range(4, 8)}
    assert len(licence) == 1 and len(quality) == 1 and licence != quality
    labels = dict(zip(res.themes["pain_theme"], res.themes["label"], strict=False))
    assert "copyright" in labels[licence.pop()].lower()
    assert "output" in labels[quality.pop()].lower()
    for label in labels.values():
        assert label != OTHER_LABEL
        words = label.lower().replace(",", " ").split()
        assert all(len(w) > 1 for w in words)
        assert not {"uh", "um", "yeah", "the", "and", "like"} & set(words)


def test_severity_is_share_times_intensity_and_taxonomy_is_a_tag():
    res = group_pain_points(_units(), None, participants=10, min_units=2)
    for r in res.themes.to_dict("records"):
        assert r["severity"] == pytest.approx(r["share"] * r["intensity"])
        assert r["share"] == pytest.approx(r["participants"] / 10)
        assert r["intensity"] == pytest.approx((0.8 + 0.5 + 0.6) / 3)
    assert set(res.themes["tag"]) == {"price/value", "reliability/quality"}


def test_deterministic_and_empty_inputs():
    a = group_pain_points(_units(), None, min_units=2, random_state=3)
    b = group_pain_points(_units(), None, min_units=2, random_state=3)
    pd.testing.assert_frame_equal(a.themes, b.themes)
    assert group_pain_points(pd.DataFrame(), None).themes.empty
    none = _units().assign(**{S.PAIN_POINT: 0})
    assert group_pain_points(none, None).assignments.empty


BATTERY = [
    "I feel the battery life is far too short, it requires a charge by noon.",
    "Honestly I feel let down, battery life requires constant charging on trips.",
    "I feel stuck because the battery life requires me to carry a power bank.",
    "It requires a cable all day and I feel the battery dies too fast.",
]
SCREEN = [
    "The screen cracked after one drop and the repair shop kept it for weeks.",
    "A cracked screen again, the repair shop quoted half the price of a new one.",
    "The screen scratches easily and the repair shop could not fix the glass.",
    "My screen went black twice and the repair shop blamed the glass.",
]


def test_labels_are_shared_phrases_never_a_lone_verb_or_adjective():
    rows = [
        {
            S.UNIT_ID: f"b{i}",
            S.RESPONDENT_ID: f"r{i}",
            S.TEXT: text,
            S.PAIN_POINT: 1,
            S.PAIN_POINT_SCORE: 0.9,
        }
        for i, text in enumerate(BATTERY + SCREEN)
    ]
    res = group_pain_points(pd.DataFrame(rows), None, participants=8, min_units=2)
    labels = res.themes.set_index("pain_theme")["label"].str.lower().to_dict()
    terms = res.themes.set_index("pain_theme")["terms"].to_dict()
    a = res.assignments.set_index(S.UNIT_ID)["pain_theme"]
    assert labels[a["b0"]].startswith("battery life")
    assert labels[a["b4"]].startswith("repair shop")
    texts = " ".join(BATTERY + SCREEN).lower()
    for theme, words in terms.items():
        assert words and all(w in texts for w in words)  # verbatim in the quotes
        # "feel", "requires", "cracked", "black" are shared too, yet never label a theme
        assert not {"feel", "require", "requires", "cracked", "black"} & set(words), theme


def test_persona_names_take_noun_phrases_of_pain_themes():
    from insight.extract.pain_themes import is_noun_phrase

    tags = {"price": "NOUN", "of": "ADP", "parts": "NOUN", "costs": "VERB", "an": "DET"}
    tags |= {"arm": "NOUN", "model": "NOUN", "for": "ADP", "feedback": "NOUN"}
    assert is_noun_phrase("price of parts", tags)
    assert not is_noun_phrase("costs an arm", tags)
    assert not is_noun_phrase("model for feedback", tags)
    rows = [
        {S.UNIT_ID: f"b{i}", S.RESPONDENT_ID: f"r{i}", S.TEXT: t, S.PAIN_POINT: 1}
        for i, t in enumerate(BATTERY + SCREEN)
    ]
    themes = group_pain_points(pd.DataFrame(rows), None, min_units=2).themes
    assert "repair shop" in {t for terms in themes["noun_terms"] for t in terms}


CAFE_PRICES = [
    "We are a small café and the parts are too expensive for a business like ours.",
    "As a small café business we find the parts are too expensive, every single time.",
    "For a small café the parts are far too expensive, the business cannot carry it.",
    "Small café business here: the parts are too expensive and the callout too.",
    "Honestly the parts are too expensive for a small café business.",
]
EXPORT = [
    "The data export is really slow when I pick a long time window.",
    "Exporting takes ages, the data export is slow and I give up.",
    "The data export is slow, I wait minutes for one file.",
    "I find the data export slow for the bigger queries.",
]


def test_pain_labels_name_the_problem_not_the_setting():
    """Samples: "Small businesses, café, time" over quotes about part prices."""
    rows = []
    for i, text in enumerate(CAFE_PRICES + EXPORT):
        rows.append(
            {
                S.UNIT_ID: f"u{i:02d}",
                S.RESPONDENT_ID: f"r{i}",
                S.TEXT: text,
                S.PAIN_POINT: 1,
                S.PAIN_POINT_TYPE: "price/value",
                S.PAIN_POINT_SCORE: 0.8,
                S.SENTIMENT: -0.5,
                S.INTENSITY: 0.6,
            }
        )
    res = group_pain_points(pd.DataFrame(rows), None, participants=9, min_units=2)
    a = res.assignments.set_index(S.UNIT_ID)["pain_theme"]
    labels = dict(zip(res.themes["pain_theme"], res.themes["label"], strict=False))
    cafe = labels[a["u00"]].lower()
    export = labels[a["u05"]].lower()
    # a researcher's problem statement, not a list of words
    assert cafe == "parts are too expensive", cafe
    assert export == "data export is slow", export


def test_pain_change_over_batches_uses_the_studys_pain_themes():
    """The chart used the fixed taxonomy tags ("Price and value") instead of the themes."""
    from types import SimpleNamespace

    from insight.report.charts.change import pain_change_chart
    from insight.report.charts.common import QuotePool

    rows, claims = [], {"Parts too expensive": [], "Slow data export": []}
    for i in range(60):
        batch = "b1" if i < 30 else "b2"
        # the export theme appears only in the second batch
        theme = "Slow data export" if (batch == "b2" and i % 2) else "Parts too expensive"
        rows.append(
            {
                S.UNIT_ID: f"u{i}",
                S.RESPONDENT_ID: f"r{i}",
                S.TEXT: f"statement {i}",
                S.SPEAKER_ROLE: S.ROLE_CUSTOMER,
                S.BATCH_ID: batch,
                S.DATE: None,
            }
        )
        if i % 3 == 0 or theme == "Slow data export":
            claims[theme].append(f"u{i}")
    personas = [
        {
            "id": "P1",
            "pain_points": [
                {"label": label, "unit_ids": ids, "stats": {"pain_point_type": "price/value"}}
                for label, ids in claims.items()
            ],
        }
    ]
    tables = SimpleNamespace(units=pd.DataFrame(rows), annotations=None)
    chart = pain_change_chart(tables, QuotePool(), personas)
    assert chart is not None
    ys = [y for trace in chart.data for y in trace["y"]]
    assert any("Slow data export" in y for y in ys)
    assert any(y.startswith("▲ emerging") and "Slow data export" in y for y in ys)
    assert not any("Price and value" in y for y in ys)


# --- labels as problem statements, quotes that state them (real-study round) -------------
DENIALS = [
    "NA - I don't believe I encountered any errors.",
    "I got very few error messages, if any",
    "No issues at all.",
    "It is not a problem.",
]


def test_statements_that_deny_a_problem_are_no_pain():
    from insight.extract.pain_labels import denies_problem

    for text in DENIALS:
        assert denies_problem(text), text
        assert not is_pain_unit(text), text
    for text in (
        "No issues, but the export crashed.",
        "There were a few syntax errors and typos in there.",
        "The error messages could be clearer when the plots become buggy.",
    ):
        assert not denies_problem(text), text
    rows = [
        {S.UNIT_ID: f"d{i}", S.RESPONDENT_ID: f"r{i}", S.TEXT: t, S.PAIN_POINT: 1}
        for i, t in enumerate(DENIALS + EXPORT)
    ]
    res = group_pain_points(pd.DataFrame(rows), None, min_units=2)
    assert not {f"d{i}" for i in range(len(DENIALS))} & set(res.assignments[S.UNIT_ID])


def test_cue_labels_say_the_problem_with_the_themes_thing():
    from insight.extract.pain_labels import theme_labels

    texts = [
        "I can't find the export button anywhere.",
        "Where is it, I cannot find the export button.",
        "Sorry, I could not find the export button at first.",
        "The export button is grey.",
        "The time window length is not clear to me.",
        "What the time window length does is confusing.",
        "I set the time window length to 30 days.",
        "I'm a bit lost with the time window length, it is not clear.",
    ]
    labels = [0, 0, 0, 0, 1, 1, 1, 1]
    nps = {0: ["export button", "button"], 1: ["time window length", "days"]}
    named, stating = theme_labels(texts, labels, {}, nps)
    assert named == {0: "Export button is hard to find", 1: "Time window length is unclear"}
    assert stating[0] == (0, 1, 2)  # "is grey" states no problem
    assert stating[1] == (4, 5, 7)


def test_fallback_label_is_one_noun_phrase_never_a_list():
    from insight.extract.pain_labels import Problem, statement, theme_labels

    texts = ["The polar plot shows wind.", "The polar plot and the word.", "Polar plot again."]
    named, _ = theme_labels(texts, [0, 0, 0], {}, {0: ["wind", "polar plot", "word"]})
    assert named == {0: "Polar plot"}
    assert "," not in named[0]
    assert statement(Problem("confusing settings", "confusing", "settings", ())) == (
        "Settings are confusing"
    )
    assert statement(Problem("labels not clear enough", "not clear", "labels", ())) == (
        "Labels are not clear enough"
    )
    assert statement(Problem("export problems", "problem", "export", ())) == (
        "Problems with export"
    )
    assert statement(Problem("too many buttons", "too many", "buttons", ())) == "Too many buttons"


def test_pain_quotes_state_the_label_first():
    """serdif: "Buggy plots, error messages" quoted "Okay, I am misremembering, my memory is
    poor." before the units that say the error messages are unclear."""
    from insight.personas.claims import pain_quote_scores

    units = pd.DataFrame(
        {
            S.TEXT: [
                "Okay, I am misremembering, my memory is poor.",
                "The error messages could be clearer.",
                "The error messages are not clear at all.",
                "Hmm, the messages about errors.",
            ],
            S.PAIN_POINT_SCORE: [0.99, 0.6, 0.5, 0.7],
        },
        index=["u0", "u1", "u2", "u3"],
    )
    score = pain_quote_scores(units, "Error messages are unclear", {"u2"}, {})
    order = sorted(score, key=lambda u: -score[u])
    assert order[0] == "u2"
    assert order[-1] == "u0"  # the most "painful" unit by the model, yet off the label


def test_waiting_is_said_as_a_wait_for_the_thing():
    from insight.extract.pain_labels import theme_labels

    texts = [
        "It was a long time to wait for the ambulance.",
        "We waited 4 hours for the ambulance to come.",
        "The ambulance delay was worrying.",
        "The ambulance crew were kind.",
    ]
    named, stating = theme_labels(texts, [0, 0, 0, 0], {}, {0: ["ambulance", "crew"]})
    assert named == {0: "Long wait for ambulance"}
    assert stating[0] == (0, 1, 2)
