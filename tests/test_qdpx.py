"""REFI-QDA export: schema-valid project.qde, offsets that point at the unit text, read back."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from study_factory import build_study

from insight.qdpx import read_qdpx, validate_qde, write_qdpx
from insight.store import Store

XSD = Path(__file__).parent / "data" / "refi-qda" / "Project.xsd"


@pytest.fixture
def project(tmp_path):
    db = build_study(tmp_path / "study")
    with Store(db, read_only=True) as st:
        res = write_qdpx(st, tmp_path / "study.qdpx")
        units = st.read_table("units")
    return res, units


def test_project_validates_against_refi_qda_schema(project):
    res, _ = project
    with zipfile.ZipFile(res.path) as z:
        xml = z.read("project.qde")
        names = z.namelist()
    assert validate_qde(xml, XSD) == []
    assert sum(n.startswith("Sources/") for n in names) == res.sources == 3


def test_schema_check_can_fail(project):
    res, _ = project
    with zipfile.ZipFile(res.path) as z:
        xml = z.read("project.qde").replace(b'startPosition="', b'startPos="', 1)
    assert validate_qde(xml, XSD)  # a required attribute missing is reported


def test_read_back_selections_codes_and_cases(project):
    res, units = project
    proj = read_qdpx(res.path)
    text_of = dict(zip(units["unit_id"], units["text"], strict=True))
    # every customer unit is a selection whose offsets give back its text
    sels = {s["name"]: s for s in proj.selections}
    assert res.selections == len(units)
    for s in proj.selections:
        assert s["text"] == text_of[s["name"]]
    paths = {proj.code_path(s["code"]) for s in proj.selections}
    assert "Themes / T0 machine repairs" in paths
    assert {"Pain points / reliability", "Pain points / support", "Pain points / effort"} <= paths
    assert not any(p.startswith("Pain points / price") for p in paths)  # u20 is no pain point
    # unit u00 ("The machine broke twice.") is theme 0 and a reliability pain point
    coded = {proj.code_path(s["code"]) for s in proj.selections if s["name"] == "u00"}
    assert coded == {"Themes / T0 machine repairs", "Pain points / reliability"}
    assert "u20" in sels
    # personas are cases referencing their members' sources and selections
    cases = {c["name"]: c for c in proj.cases.values()}
    assert set(cases) == {"P1 The Fixer", "P2 Value, Seeker"}
    p2_units = {
        proj_sel["name"]
        for proj_sel in proj.selections
        if proj_sel["selection"] in set(cases["P2 Value, Seeker"]["selections"])
    }
    assert p2_units == {"u20"}  # R3's one sentence
    assert len(cases["P1 The Fixer"]["sources"]) == 2  # R1 and R2


def test_same_study_same_guids(tmp_path):
    db = build_study(tmp_path / "s")
    with Store(db, read_only=True) as st:
        a = read_qdpx(write_qdpx(st, tmp_path / "a.qdpx").path)
        b = read_qdpx(write_qdpx(st, tmp_path / "b.qdpx").path)
    assert a.codes == b.codes and a.selections == b.selections


def test_cli_export_qdpx(tmp_path):
    from insight.cli import main

    db = build_study(tmp_path / "study")
    r = CliRunner().invoke(main, ["export", str(db.parent), "--to", "qdpx"])
    assert r.exit_code == 0, r.output
    assert "3 sources" in r.output and "cases (personas)" in r.output
    assert (db.parent / "study.qdpx").exists()
