"""Goal claims read as goals: the wish a unit states, not a step of the session."""

from __future__ import annotations

import pandas as pd
import pytest

from insight import schema as S
from insight.extract.goals import goal_statement, stated_goal


@pytest.mark.parametrize(
    ("text", "goal"),
    [
        (
            "It would be useful if I could see where the data comes from.",
            "See where the data comes from",
        ),
        (
            "In my case, I would like to get the data for all Ireland.",
            "Get the data for all Ireland",
        ),
        ("I think I would like a scatter plot as it is more transparent.", "Have a scatter plot"),
        (
            "Presumably there should be an option to select all locations.",
            "Have an option to select all locations",
        ),
        ("Could you include more options for that?", "Include more options for that"),
        ("I need to link different data sets.", "Link different data sets"),
        # the goal is what follows "is", never "want is ..."
        ("Well, all I want is fair prices on parts", "Have fair prices on parts"),
        ("What we need is a map of the stations.", "Have a map of the stations"),
    ],
)
def test_wishes_become_short_goal_claims(text, goal):
    assert goal_statement(text) == goal


@pytest.mark.parametrize(
    "text",
    [
        "There is nothing I can think of just now that would be useful there.",
        "Maybe I need your help here.",
        "I need to click that again.",
        "Do I need to read all of them?",
        "I don't need to export anything.",
        "Let's just say for a moment I want the high probability events.",
        "I would like to close that window",
    ],
)
def test_steps_questions_and_empty_wishes_are_no_goals(text):
    assert goal_statement(text) is None


def test_wishes_outrank_plain_needs_for_the_label():
    from insight.personas.claims import _goal_label

    texts = {
        "u0": "I need to resubmit the query.",
        "u1": "I would like to see a histogram of the query results.",
        "u2": "I want to compare the query results.",
    }
    said = {u: stated_goal(t) for u, t in texts.items()}
    assert said["u1"] is not None and said["u1"].wish
    assert said["u0"] is not None and not said["u0"].wish
    g = pd.DataFrame(
        {S.RESPONDENT_ID: ["a", "b", "c"], S.TEXT: list(texts.values())}, index=list(texts)
    )
    words = {"u0": {"query"}, "u1": {"histogram", "query"}, "u2": {"compar", "query"}}
    best, score = _goal_label(g, said, words, {})
    assert said[best] is not None and said[best].text == "See a histogram of the query results"
    assert max(score, key=lambda u: score[u]) == "u1"


@pytest.mark.parametrize(
    "text",
    [
        "Initially, it is me who decides what exactly I want to be removed, but after that",
        "I understand what I want my final image to look like, but it is hard.",
        "Someone could say I want to write a novel about",
    ],
)
def test_fragments_and_relative_wants_are_no_goals(text):
    """creatives: "Be removed,", "Have this to look like", "Write about" were goal labels."""
    assert goal_statement(text) is None
