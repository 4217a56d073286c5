"""REFI-QDA export: schema-valid project.qde, offsets that point at the unit text, read back."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from study_factory import build_study

from insight.errors import InputError
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


FOREIGN = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="coded elsewhere">
  <CodeBook><Codes>
    <Code guid="11111111-1111-1111-1111-111111111111" name="Breakdowns" isCodable="true"/>
    <Code guid="22222222-2222-2222-2222-222222222222" name="Cost" isCodable="true"/>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="33333333-3333-3333-3333-333333333333" name="survey.docx">
      <PlainTextContent>Answer 1: The machine broke twice. Support never called back. Answer 3: Great coffee, but the price of parts is too high.</PlainTextContent>
      <PlainTextSelection guid="44444444-4444-4444-4444-444444444444" startPosition="10" endPosition="34">
        <Coding guid="55555555-5555-5555-5555-555555555555"><CodeRef targetGUID="11111111-1111-1111-1111-111111111111"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="66666666-6666-6666-6666-666666666666" startPosition="72" endPosition="121">
        <Coding guid="77777777-7777-7777-7777-777777777777"><CodeRef targetGUID="22222222-2222-2222-2222-222222222222"/></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>
"""


def test_validate_the_foreign_fixture():
    assert validate_qde(FOREIGN.encode(), XSD) == []


def test_codes_round_trip_agrees_fully(tmp_path):
    from insight.qdpx import compare_codes

    db = build_study(tmp_path / "study")
    with Store(db, read_only=True) as st:
        path = write_qdpx(st, tmp_path / "p.qdpx").path
        table, summary = compare_codes(st, path)
    assert summary["units_matched"] == summary["customer_units"] == 4
    row = table.set_index("code").loc["Themes / T0 machine repairs"]
    assert row["top_theme"] == "T0 machine repairs" and row["theme_share"] == 1.0
    assert table.set_index("code").loc["Pain points / support", "pain_point_share"] == 1.0


def _write_codebook(qdc: Path) -> None:
    """A REFI-QDA codebook (.qdc) with one code, Breakdowns."""
    qdc.write_text(
        '<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0">'
        '<Codes><Code guid="11111111-1111-1111-1111-111111111111" name="Breakdowns" '
        'isCodable="true"/></Codes></CodeBook>',
        encoding="utf-8",
    )


def test_codes_from_another_tool_match_by_text(tmp_path):
    from insight.cli import main
    from insight.qdpx import compare_codes

    db = build_study(tmp_path / "study")
    qdpx = tmp_path / "nvivo.qdpx"
    with zipfile.ZipFile(qdpx, "w") as z:
        z.writestr("project.qde", FOREIGN)
    with Store(db, read_only=True) as st:
        table, summary = compare_codes(st, qdpx)
    t = table.set_index("code")
    assert t.loc["Breakdowns", "units_matched"] == 1  # "The machine broke twice."
    assert t.loc["Breakdowns", "top_theme"] == "T0 machine repairs"
    assert t.loc["Cost", "top_theme"] == "T1 price of parts"
    assert t.loc["Cost", "pain_point_share"] == 0.0
    assert summary["units_matched"] == 2
    # a codebook (.qdc) lists codes, with nothing coded
    qdc = tmp_path / "book.qdc"
    _write_codebook(qdc)
    r = CliRunner().invoke(main, ["codes", str(db.parent), str(qdc)])
    assert r.exit_code == 0, r.output
    assert "1 codes, 0 coded selections; 0 of 4 customer statements matched" in r.output


# -- `insight run` reads a .qdpx / .qdc (issue 16.5) ---------------------------------------


def _customer(units):
    c = units[units["speaker_role"] == "customer"]
    return sorted(zip(c["source"], c["text"], strict=True))


def test_qdpx_input_gives_the_same_units_and_reads_back_the_codes(tmp_path):
    import pandas as pd

    from insight import schema as S
    from insight.ingest import ingest_paths
    from insight.qdpx import CODES_META, codes_stage, compare_codes

    db = build_study(tmp_path / "study")
    with Store(db, read_only=True) as st:
        path = write_qdpx(st, tmp_path / "p.qdpx").path
        units = st.read_table("units")
        topics = st.read_table("topics")
        assigned = st.read_table("topic_assignments")
    res = ingest_paths([path])
    assert not res.problems
    # every customer statement again, with its file's name and the same text
    assert _customer(res.units) == _customer(units)
    assert res.files["format"].tolist() == ["qdpx"]
    assert res.files["participant_units"].tolist() == [len(_customer(units))]
    # offsets back to the source: each unit's span in its source's text is its text
    from insight.ingest.documents import qdpx_unit_spans

    cust = res.units[res.units["speaker_role"] == "customer"]
    spans = qdpx_unit_spans(path, cust)
    sources = read_qdpx(path).sources
    assert len(spans) == len(cust) == 4
    text_of = dict(zip(cust["unit_id"], cust["text"], strict=True))
    for u, g, a, b in spans.itertuples(index=False):
        assert sources[g]["text"][a:b] == text_of[u]
    # a study of the re-read units, themed as before: the codes are read back and agree
    topic_of_text = dict(
        zip(
            units.set_index(S.UNIT_ID).loc[assigned[S.UNIT_ID], S.TEXT],
            assigned[S.TOPIC],
            strict=True,
        )
    )
    new = res.units
    with Store(tmp_path / "again.duckdb") as st:
        st.write_table("units", new)
        st.write_table("topics", topics)
        st.write_table(
            "topic_assignments",
            pd.DataFrame(
                {
                    S.UNIT_ID: new[S.UNIT_ID],
                    S.TOPIC: [topic_of_text.get(t, -1) for t in new[S.TEXT]],
                }
            ),
        )
        summary: dict = {}
        codes_stage(st, [str(path)], summary, lambda _line: None)
        meta = st.get_meta(CODES_META)
        table = st.read_table(CODES_META)
    (p,) = meta["projects"]
    assert p["project"] == "p.qdpx"
    assert p["units_matched"] == p["customer_units"] == 4
    row = table.set_index("code").loc["Themes / T0 machine repairs"]
    assert row["theme_share"] == 1.0 and row["top_theme"] == "T0 machine repairs"
    # the same per-code agreement as on the study the project was exported from
    with Store(db, read_only=True) as st:
        before, _ = compare_codes(st, path)
    cols = ["code", "selections", "units_matched", "top_theme", "theme_share"]
    assert table[cols].to_dict("records") == before[cols].to_dict("records")


def test_qdpx_from_another_tool_is_read_as_documents(tmp_path):
    from insight.ingest import ingest_paths

    qdpx = tmp_path / "nvivo.qdpx"
    with zipfile.ZipFile(qdpx, "w") as z:
        z.writestr("project.qde", FOREIGN)
    res = ingest_paths([qdpx])
    assert not res.problems
    texts = " ".join(res.units["text"])
    assert "The machine broke twice." in texts and "price of parts" in texts
    assert set(res.units["source"]) == {"survey.docx"}


def test_a_qdc_codebook_input_gives_codes_and_no_text(tmp_path):
    from insight.ingest import ingest_paths

    qdc = tmp_path / "book.qdc"
    _write_codebook(qdc)
    res = ingest_paths([qdc])
    assert not res.problems and len(res.units) == 0
    assert any("codebook, 1 codes" in g for g in res.warnings)


@pytest.mark.parametrize(
    "content, says",
    [
        (b"not a zip at all", "not a REFI-QDA file"),
        ({"readme.txt": "hello"}, "no project.qde inside"),
        ({"project.qde": "<Project"}, "not a REFI-QDA file"),
        (
            {"project.qde": '<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>'},
            "the project has no text sources",
        ),
    ],
)
def test_malformed_qdpx_names_the_file_and_the_fix(tmp_path, content, says):
    from insight.ingest import ingest_paths

    bad = tmp_path / "broken.qdpx"
    if isinstance(content, bytes):
        bad.write_bytes(content)
    else:
        with zipfile.ZipFile(bad, "w") as z:
            for name, text in content.items():
                z.writestr(name, text)
    res = ingest_paths([bad])
    (problem,) = res.problems
    assert "broken.qdpx" in problem and says in problem
    assert "fix:" in problem.lower() or "export" in problem.lower()


def test_coded_segments_csv_compares_like_a_project(tmp_path):
    """A highlights export (document, tag, content: Taguette, a spreadsheet) is read as
    coded selections; a codebook CSV (tag, description) lists codes."""
    import pandas as pd

    from insight.qdpx import compare_codes

    db = build_study(tmp_path / "study")
    csv = tmp_path / "coded_segments.csv"
    pd.DataFrame(
        {
            "id": [1, 2],
            "document": ["survey.csv", "survey.csv"],
            "tag": ["Breakdowns", "Cost"],
            "content": ["The machine broke twice.", "the price of parts is too high"],
        }
    ).to_csv(csv, index=False)
    with Store(db, read_only=True) as st:
        table, summary = compare_codes(st, csv)
    t = table.set_index("code")
    assert t.loc["Breakdowns", "top_theme"] == "T0 machine repairs"
    assert t.loc["Cost", "top_theme"] == "T1 price of parts"
    assert summary["units_matched"] == 2
    book = tmp_path / "codebook.csv"
    pd.DataFrame({"tag": ["Breakdowns"], "description": ["It broke"]}).to_csv(book, index=False)
    with Store(db, read_only=True) as st:
        table, summary = compare_codes(st, book)
    assert table["code"].tolist() == ["Breakdowns"] and summary["coded_selections"] == 0
    bad = tmp_path / "notes.csv"
    pd.DataFrame({"a": [1]}).to_csv(bad, index=False)
    with Store(db, read_only=True) as st, pytest.raises(InputError, match="no code column"):
        compare_codes(st, bad)


def test_one_participant_session_keeps_its_code(tmp_path):
    from insight.ingest import ingest_paths

    text = "Interviewer: What do you think?\nParticipant: The export button is hard to find."
    qde = (
        '<Project xmlns="urn:QDA-XML:project:1.0" name="s"><Sources>'
        '<TextSource guid="33333333-3333-3333-3333-333333333333" name="P2_GMT20211119.odt">'
        f"<PlainTextContent>{text}</PlainTextContent></TextSource></Sources></Project>"
    )
    qdpx = tmp_path / "sessions.qdpx"
    with zipfile.ZipFile(qdpx, "w") as z:
        z.writestr("project.qde", qde)
    res = ingest_paths([qdpx])
    cust = res.units[res.units["speaker_role"] == "customer"]
    assert set(cust["respondent_id"]) == {"P2"}
    assert set(res.respondents["respondent_id"]) == {"P2"}


def test_seed_codes_names_themes_after_the_codes_that_cover_them(tmp_path):
    import pandas as pd

    from insight.qdpx import seed_theme_labels

    units = [f"u{i}" for i in range(8)]
    with Store(tmp_path / "s.duckdb") as st:
        st.write_table(
            "topics", pd.DataFrame({"topic": [0, 1], "label": ["fix, broke, engineer", "price"]})
        )
        st.write_table(
            "topic_assignments",
            pd.DataFrame({"unit_id": units, "topic": [0] * 4 + [1] * 4, "topic_label": ["m"] * 8}),
        )
        matches = pd.DataFrame(
            {
                "selection": ["s0", "s1", "s2", "s4"],
                "code": ["Breakdowns", "Breakdowns", "Breakdowns", "Cost"],
                "unit_id": ["u0", "u1", "u2", "u4"],
            }
        )
        seeded = seed_theme_labels(st, matches)
        topics = st.read_table("topics").set_index("topic")
        labels = st.read_table("topic_assignments").set_index("unit_id")["topic_label"]
    # 3 of the 4 statements of theme 0 carry Breakdowns; Cost covers 1 of 4 of theme 1
    assert seeded == [{"topic": 0, "label": "Breakdowns", "statements": 3, "of": 4}]
    assert topics.at[0, "label"] == "Breakdowns"
    assert topics.at[0, "model_label"] == "fix, broke, engineer"
    assert topics.at[1, "label"] == "price"
    assert labels["u3"] == "Breakdowns" and labels["u5"] == "m"
