"""The study store, idempotent `add`, and the CLI through CliRunner."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from insight import schema as S
from insight.cli import main
from insight.ingest import ingest_paths
from insight.store import Store
from insight.study import add_batch, known_hashes

TRANSCRIPT = (
    "Interviewer: What is the hardest part of your day?\n"
    "Priya: Cleaning the milk system. It takes forever.\n"
    "Interviewer: Anything else?\n"
    "Priya: The price of gaskets, honestly.\n"
)


def test_store_roundtrip_upsert_and_meta(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as st:
        st.write_table("t", pd.DataFrame({"k": ["a", "b"], "v": [1, 2]}))
        st.upsert("t", pd.DataFrame({"k": ["b", "c"], "v": [20, 30]}), "k")
        got = st.read_table("t").sort_values("k")
        assert got["v"].tolist() == [1, 20, 30]
        st.put_meta("x", {"a": 1})
        st.put_blob("m", b"\x00\x01")
        assert st.get_meta("x") == {"a": 1} and st.get_blob("m") == b"\x00\x01"


def test_add_same_file_twice_adds_nothing(tmp_path: Path) -> None:
    a = tmp_path / "a.txt"
    a.write_text(TRANSCRIPT, encoding="utf-8")
    with Store(tmp_path / "s.duckdb") as st:
        add_batch(st, ingest_paths([a]))
        n = len(st.read_table("units"))
        again = ingest_paths([a], skip_hashes=known_hashes(st))
        assert len(again.units) == 0 and any("already in the study" in w for w in again.warnings)
        add_batch(st, again)
        assert len(st.read_table("units")) == n
        b = tmp_path / "b.txt"
        b.write_text(TRANSCRIPT.replace("Priya", "Leo"), encoding="utf-8")
        new = ingest_paths([a, b], skip_hashes=known_hashes(st))
        add_batch(st, new)
        units = st.read_table("units")
        assert len(units) == 2 * n
        assert set(units[S.RESPONDENT_ID]) == {"a:Priya", "a:interviewer", "b:Leo", "b:interviewer"}


def test_cli_help_is_fast_and_has_examples() -> None:
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", "from insight.cli import main; main(['--help'])"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0 and time.perf_counter() - t0 < 3.0  # interpreter start included
    runner = CliRunner()
    for cmd in main.commands:
        res = runner.invoke(main, [cmd, "--help"])
        assert res.exit_code == 0 and "Example" in res.output, cmd


def test_import_insight_is_light() -> None:
    code = (
        "import sys, insight, insight.cli, insight.schema;"
        "heavy={'torch','spacy','bertopic','sentence_transformers','sklearn','pandas','duckdb'};"
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_cli_inspect_writes_schema(tmp_path: Path) -> None:
    p = tmp_path / "s.csv"
    p.write_text(
        "id,Overall I am satisfied,Why?\n"
        "1,Strongly agree,Because the coffee is consistently good.\n"
        "2,Disagree,The machine broke twice in a month.\n"
        "3,Agree,Support fixed it quickly last time.\n",
        encoding="utf-8",
    )
    res = CliRunner().invoke(main, ["inspect", str(p), "--schema-out", str(tmp_path / "x.yaml")])
    assert res.exit_code == 0, res.output
    assert "likert" in res.output and "open_text" in res.output
    assert "role: likert" in (tmp_path / "x.yaml").read_text(encoding="utf-8")


def test_cli_inspect_never_writes_beside_the_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    p = data / "s.csv"
    p.write_text(
        "id,Overall I am satisfied,Why?\n"
        "1,Strongly agree,Because the coffee is consistently good.\n"
        "2,Disagree,The machine broke twice in a month.\n",
        encoding="utf-8",
    )
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    res = CliRunner().invoke(main, ["inspect", str(p)])
    assert res.exit_code == 0, res.output
    assert sorted(x.name for x in data.iterdir()) == ["s.csv"]
    assert (work / "s.schema.yaml").exists()


def test_cli_bad_file_is_one_line_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00\x01\x02\x03" * 200)
    res = CliRunner().invoke(main, ["inspect", str(bad)])
    assert res.exit_code != 0
    assert "Traceback" not in res.output
    assert "bad.csv: looks like a binary file" in res.output
