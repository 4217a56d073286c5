"""Audiences out: each tool's import columns, contacts only, spreadsheet-safe cells."""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from click.testing import CliRunner
from study_factory import build_study

from insight.audiences import TOOLS, export_audience, find_contact_columns
from insight.errors import InputError
from insight.store import Store

# The columns each tool's published contact-import guide names (see README "Audiences out").
EXPECTED = {
    "hubspot": ["Email", "First Name", "Last Name", "Insight Persona", "Insight Segment"],
    "salesforce": ["Email", "First Name", "Last Name", "Persona", "Segment"],
    "mailchimp": ["Email Address", "First Name", "Last Name", "Tags"],
    "mailerlite": ["email", "name", "last_name", "persona", "segment"],
    "brevo": ["EMAIL", "FIRSTNAME", "LASTNAME", "PERSONA", "SEGMENT"],
    "getresponse": ["email", "name", "persona", "segment"],
    "aweber": ["Email", "Name", "Tags"],
    "omnisend": ["Email", "First name", "Last name", "persona", "segment"],
    "convertkit": ["email", "first_name", "last_name", "tags"],
    "agilecrm": ["Email", "First Name", "Last Name", "Tags"],
}


def _read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def study(tmp_path):
    return build_study(tmp_path / "study")


@pytest.mark.slow
def test_every_tool_has_its_documented_columns(study, tmp_path):
    assert set(EXPECTED) | {"csv"} == set(TOOLS)
    with Store(study, read_only=True) as st:
        for tool, cols in EXPECTED.items():
            res = export_audience(st, tool, tmp_path / "out")
            rows = _read(res.path)
            assert list(rows[0].keys()) == cols, tool
            # R1, R2, R3, R7: R4 has no email, R5 an invalid one, R6 repeats R1's address
            assert res.rows == 4 and len(rows) == 4
            assert (res.without_email, res.invalid_email, res.duplicate_email) == (1, 1, 1)


def test_rows_carry_persona_and_segment(study, tmp_path):
    with Store(study, read_only=True) as st:
        mc = _read(export_audience(st, "mailchimp", tmp_path / "mc.csv").path)
        hs = _read(export_audience(st, "hubspot", tmp_path / "hs.csv").path)
        gr = _read(export_audience(st, "getresponse", tmp_path / "gr.csv").path)
        plain = _read(export_audience(st, "csv", tmp_path / "plain.csv").path)
    by_email = {r["Email Address"]: r for r in mc}
    assert set(by_email) == {
        "ana@example.com",
        "ben@example.com",
        "cat@example.org",
        "fay@example.com",
    }
    assert by_email["ana@example.com"]["Tags"] == "Persona: The Fixer,Segment: 0"
    # a comma inside a persona name must not split the tag
    assert by_email["cat@example.org"]["Tags"] == "Persona: Value  Seeker,Segment: 1"
    assert by_email["fay@example.com"]["Tags"] == ""  # not segmented: no tags
    hs_ben = next(r for r in hs if r["Email"] == "ben@example.com")
    assert hs_ben["Insight Persona"] == "P1 The Fixer" and hs_ben["Insight Segment"] == "0"
    assert hs_ben["Last Name"] == "O'Neil"
    assert {r["name"] for r in gr} >= {"Ana Silva", "Ben O'Neil", "Fay"}
    row = next(r for r in plain if r["email"] == "ana@example.com")
    assert row["respondent_id"] == "R1" and row["persona_id"] == "P1"
    assert float(row["probability"]) == pytest.approx(0.9)


def test_formula_cells_are_neutralised(study, tmp_path):
    with Store(study, read_only=True) as st:
        rows = _read(export_audience(st, "hubspot", tmp_path / "h.csv").path)
    cat = next(r for r in rows if r["Email"] == "cat@example.org")
    assert cat["First Name"].startswith("'=HYPERLINK")


def test_persona_filter_and_unknown_persona(study, tmp_path):
    with Store(study, read_only=True) as st:
        res = export_audience(st, "brevo", tmp_path / "p2.csv", personas=["p2"])
        assert [r["EMAIL"] for r in _read(res.path)] == ["cat@example.org"]
        with pytest.raises(InputError, match="P9"):
            export_audience(st, "brevo", tmp_path / "p9.csv", personas=["P9"])


def test_no_contact_column_is_a_clear_error(tmp_path):
    db = build_study(tmp_path / "anon", with_contacts=False)
    with Store(db, read_only=True) as st, pytest.raises(InputError) as err:
        export_audience(st, "mailchimp", tmp_path / "x.csv")
    msg = str(err.value)
    assert "no contact column" in msg and "RecipientEmail" in msg
    assert not (tmp_path / "x.csv").exists()


def test_contact_columns_found_by_name_and_values():
    df = pd.DataFrame(
        {
            "respondent_id": ["a", "b", "c"],
            "Full name": ["Jo Bloggs", "Al Smith", None],
            "E-mail address": ["jo@x.io", "al@y.com", ""],
            "notes": ["mail me", "x", "y"],
        }
    )
    cc = find_contact_columns(df)
    assert cc is not None and cc.email == "E-mail address" and cc.full_name == "Full name"
    assert find_contact_columns(df.drop(columns=["E-mail address"])) is None
    # a column called email that holds no addresses is not a contact column
    assert find_contact_columns(pd.DataFrame({"email_opt_in": ["yes", "no"]})) is None


def test_cli_export(study, tmp_path):
    from insight.cli import main

    r = CliRunner().invoke(main, ["export", str(study.parent), "--to", "convertkit"])
    assert r.exit_code == 0, r.output
    assert "wrote 4 contacts for Kit (ConvertKit)" in r.output
    assert "left out 3 of 7 respondents" in r.output
    assert (study.parent / "convertkit_contacts.csv").exists()
    anon = build_study(tmp_path / "anon", with_contacts=False)
    r = CliRunner().invoke(main, ["export", str(anon), "--to", "hubspot"])
    assert r.exit_code != 0 and "no contact column" in r.output
