"""`insight topics FILE --text-column COL --out DIR`."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner
from test_topics import THEMES, HashingEncoder, themed

import insight.embed
from insight.cli import main


def test_help_has_an_example():
    res = CliRunner().invoke(main, ["topics", "--help"])
    assert res.exit_code == 0 and "Example:" in res.output


@pytest.mark.slow
def test_topics_command_writes_every_row_and_is_byte_reproducible(tmp_path, monkeypatch):
    monkeypatch.setattr(insight.embed, "Embedder", HashingEncoder)
    texts = [t for k, th in enumerate(THEMES) for t in themed(th, 12, seed=k)]
    texts[5] = ""  # an empty answer keeps its row
    pd.DataFrame({"id": range(len(texts)), "comment": texts}).to_csv(
        tmp_path / "answers.csv", index=False
    )
    outs = []
    for name in ("a", "b"):
        res = CliRunner().invoke(
            main,
            [
                "topics",
                str(tmp_path / "answers.csv"),
                "--text-column",
                "comment",
                "--seed",
                "1",
                "--out",
                str(tmp_path / name),
            ],
        )
        assert res.exit_code == 0, res.output
        outs.append(tmp_path / name)
    for f in ("assignments.csv", "topics.csv", "themes.csv"):
        assert (outs[0] / f).read_bytes() == (outs[1] / f).read_bytes()
    a = pd.read_csv(outs[0] / "assignments.csv")
    assert list(a.columns) == ["row", "topic", "topic_label", "subtopic", "theme_id"]
    assert a["row"].tolist() == list(range(len(texts)))
    assert a.loc[5, "topic"] == -1 and a.loc[5, "topic_label"] == "unassigned"
    assert a["topic"].nunique() == 5  # four themes + unassigned
    t = pd.read_csv(outs[0] / "topics.csv")
    assert t["size"].sum() == len(texts)
    assert {"topic", "label", "size", "share", "quotes", "rows"} <= set(t.columns)


def test_missing_text_column_is_one_clean_line(tmp_path):
    (tmp_path / "a.csv").write_text("x,y\n1,2\n")
    res = CliRunner().invoke(
        main, ["topics", str(tmp_path / "a.csv"), "--text-column", "comment", "--out", "o"]
    )
    assert res.exit_code != 0
    assert 'no column "comment"' in res.output and 'use one of: "x", "y"' in res.output
