"""Outputs on samples/ before and after a change: same personas, claims, quotes and counts.

`insight run samples/survey samples/interviews samples/reviews --seed 0 --bootstrap 10`
is projected (personas: id, segment, name, n of N, share, every claim's kind, label,
n of N and quote unit ids; themes: count and sizes; the top vocabulary terms; unit
counts; see tests/golden.py) and compared with tests/data/golden/samples.json. A
failure lists each changed value as ``path: expected -> now``.

After an intended change of the outputs, regenerate the snapshot with one command::

    make golden            # = python tests/golden.py --update

(no session fixture elsewhere runs samples/ whole: tests/test_pipeline.py runs a part of
it and then adds an interview to that study, so this run is its own.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from golden import SNAPSHOT, diff, load_snapshot, projection, report, run_samples


@pytest.fixture(scope="module")
def samples_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("golden") / "out"
    run_samples(out)
    return out


@pytest.mark.slow
@pytest.mark.models
def test_samples_outputs_match_the_snapshot(samples_run: Path) -> None:
    assert SNAPSHOT.exists(), f"no snapshot yet: make golden writes {SNAPSHOT}"
    problems = diff(load_snapshot(), projection(samples_run))
    assert not problems, report(problems)


def _snapshot() -> dict[str, Any]:
    return {
        "personas": {
            "P1": {
                "name": "The Price Watcher",
                "share": 0.25,
                "claims": {"P1.pain_point.price": {"n": 12, "quotes": ["u1", "u2"]}},
            }
        },
        "vocabulary": {"top_terms": [["machine", 225], ["stars", 83]]},
    }


def test_diff_is_silent_on_equal_outputs_and_float_noise() -> None:
    now = _snapshot()
    now["personas"]["P1"]["share"] = 0.25 + 1e-12
    assert diff(_snapshot(), now) == []


def test_diff_names_each_changed_value() -> None:
    now = _snapshot()
    p1 = now["personas"]["P1"]
    p1["name"] = "The Bargain Hunter"
    p1["share"] = 0.26
    p1["claims"]["P1.pain_point.price"]["quotes"] = ["u1", "u3"]
    p1["claims"]["P1.goal.speed"] = {"n": 3}
    now["vocabulary"]["top_terms"].append(["descaling", 40])
    assert diff(_snapshot(), now) == [
        'personas/P1/claims/P1.goal.speed: new ({"n": 3})',
        'personas/P1/claims/P1.pain_point.price/quotes[1]: "u2" -> "u3"',
        'personas/P1/name: "The Price Watcher" -> "The Bargain Hunter"',
        "personas/P1/share: 0.25 -> 0.26",
        'vocabulary/top_terms: 2 -> 3 items; new [["descaling", 40]]',
    ]
    assert "make golden" in report(diff(_snapshot(), now))


def test_diff_counts_are_exact_and_a_reordered_list_is_one_line() -> None:
    now = _snapshot()
    now["personas"]["P1"]["claims"]["P1.pain_point.price"]["n"] = 13
    terms = now["vocabulary"]["top_terms"]
    terms.reverse()
    terms += [["a", 1], ["b", 2]]
    old = _snapshot()
    old["vocabulary"]["top_terms"] += [["b", 2], ["a", 1]]
    lines = diff(old, now)
    assert lines[0] == "personas/P1/claims/P1.pain_point.price/n: 12 -> 13"
    assert lines[1:] == ["vocabulary/top_terms: 4 -> 4 items; same items, other order"]
