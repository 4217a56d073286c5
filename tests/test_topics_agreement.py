"""benchmarks/real_themes.py: aligning researcher codes to units and scoring themes."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from insight import schema as S

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from real_themes import align_codes, theme_agreement


def test_units_take_the_code_of_the_segment_they_lie_in():
    units = pd.DataFrame(
        {
            S.UNIT_ID: ["a", "b", "c", "d", "e"],
            S.SOURCE: ["P1.odt", "P1.odt", "P1.odt", "P2.odt", "P1.odt"],
            S.TEXT: [
                "The export button is hidden.",
                "Okay.",  # too short to place: inside almost any segment
                "I like the heat map a lot",
                "The export button is hidden.",  # other transcript: not coded
                "Nothing here was highlighted by anyone",
            ],
        }
    )
    segments = pd.DataFrame(
        {
            "document": ["P1.odt", "P1.odt"],
            "tag": ["Navigation complex", "Visualization useful"],
            "content": [
                "Okay. The export button is hidden, I cannot find it.",
                "Okay, I like the heat map a lot, it is clear.",
            ],
        }
    )
    codes = align_codes(units, segments)
    assert codes.to_dict() == {
        "a": "Navigation complex",
        "b": None,
        "c": "Visualization useful",
        "d": None,
        "e": None,
    }


def test_theme_agreement_perfect_relabelled_and_random():
    codes = {"u1": "x", "u2": "x", "u3": "y", "u4": "y", "u5": None}
    ids = ["u1", "u2", "u3", "u4", "u5"]
    perfect = theme_agreement(ids, [7, 7, 3, 3, -1], codes)
    assert perfect["nmi"] == 1.0 and perfect["ari"] == 1.0
    assert perfect["n_units_scored"] == 4 and perfect["n_themes"] == 2
    mixed = theme_agreement(ids, [0, 1, 0, 1, 0], codes)
    assert mixed["nmi"] == 0.0 and mixed["ari"] < 0
    with pytest.raises(ValueError, match="no unit carries a code"):
        theme_agreement(["z"], [0], codes)
