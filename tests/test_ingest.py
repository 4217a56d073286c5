"""Readers, role inference, row accounting, unit offsets and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from insight import schema as S
from insight.errors import InputError
from insight.ingest import ingest_paths, read_file
from insight.ingest.scales import detect_scale
from insight.units import split_sentences

QUALTRICS = (
    "StartDate,EndDate,Status,IPAddress,Progress,Duration (in seconds),Finished,ResponseId,"
    "Q1,Q2_1,Q2_2,Q3,Q4,Q5,Q6,Q7_TEXT\n"
    "Start Date,End Date,Response Type,IP Address,Progress,Duration (in seconds),Finished,"
    "Response ID,Do you consent to take part?,"
    "Agree? - Price matters most,Agree? - The machine is reliable,"
    "How likely are you to recommend us?,What type of business are you?,"
    "Monthly spend on parts (£),How many machines do you own?,"
    "What is the biggest problem you face?\n"
    + ",".join(
        f'"{{""ImportId"":""{c}""}}"'
        for c in [
            "startDate",
            "endDate",
            "status",
            "ipAddress",
            "progress",
            "duration",
            "finished",
            "_recordId",
            "QID1",
            "QID2_1",
            "QID2_2",
            "QID3",
            "QID4",
            "QID5",
            "QID6",
            "QID7_TEXT",
        ]
    )
    + "\n"
    "2026-01-02 10:00:00,2026-01-02 10:09:00,IP Address,1.2.3.4,100,540,True,R_aaa,I agree,"
    'Strongly agree,Somewhat disagree,10 - Extremely likely,Independent café,120,2,"The milk '
    'system keeps breaking. Support is slow!"\n'
    "2026-01-03 10:00:00,2026-01-03 10:07:00,IP Address,1.2.3.5,100,420,True,R_bbb,I agree,"
    "Somewhat agree,Strongly agree,7,Office,40,1,N/A\n"
    "2026-01-04 10:00:00,2026-01-04 10:05:00,IP Address,1.2.3.6,100,300,True,R_ccc,I agree,"
    "Strongly disagree,Neither agree nor disagree,0 - Not at all likely,Hotel,300,5,\n"
    "2026-01-04 10:00:00,2026-01-04 10:05:00,IP Address,1.2.3.6,100,300,True,R_ccc,I agree,"
    "Strongly disagree,Neither agree nor disagree,0 - Not at all likely,Hotel,300,5,\n"
)


@pytest.fixture
def qualtrics(tmp_path: Path) -> Path:
    p = tmp_path / "survey.csv"
    p.write_text(QUALTRICS, encoding="utf-8-sig")
    return p


def _check_offsets(result) -> None:
    rec = result.records.set_index(S.RECORD_ID)[S.TEXT]
    for u in result.units.itertuples():
        assert rec[u.record_id][u.char_start : u.char_end] == u.text


def _check_accounting(result) -> None:
    for f in result.files.itertuples():
        skipped = sum(v for k, v in f._asdict().items() if k.startswith("skipped_"))
        assert f.rows_read == f.rows_with_units + skipped


def test_qualtrics_roles_scales_and_accounting(qualtrics: Path) -> None:
    res = read_file(qualtrics)
    assert res.format == "qualtrics" and res.source_type == S.SOURCE_SURVEY
    roles = {c.name: c.role for c in res.schema.columns.values()}
    assert roles["ResponseId"] == S.ROLE_ID
    for meta in ("StartDate", "IPAddress", "Progress", "Duration (in seconds)", "Finished", "Q1"):
        assert roles[meta] == S.ROLE_METADATA, meta
    assert roles["Q2_1"] == roles["Q2_2"] == roles["Q3"] == S.ROLE_LIKERT
    assert roles["Q4"] == S.ROLE_DEMOGRAPHIC
    assert roles["Q5"] == roles["Q6"] == S.ROLE_BEHAVIOUR
    assert roles["Q7_TEXT"] == S.ROLE_TEXT
    assert res.schema.columns["Q7_TEXT"].question == "What is the biggest problem you face?"
    q3 = res.schema.columns["Q3"].scale
    assert (q3.min, q3.max) == (0, 10) and q3.value("10 - Extremely likely") == 10
    acc = res.accounting
    assert (acc.read, acc.with_units, acc.respondents) == (4, 1, 3)
    assert acc.skipped == {"non_answer": 1, "empty": 1, "duplicate": 1}
    people = {p[S.RESPONDENT_ID]: p for p in res.respondents}
    assert people["R_aaa"]["Q2_1"] == 5 and people["R_aaa"]["Q2_2"] == 2
    assert people["R_ccc"]["Q3"] == 0 and people["R_bbb"]["Q5"] == 40


def test_units_offsets_ids_and_determinism(qualtrics: Path) -> None:
    a = ingest_paths([qualtrics])
    b = ingest_paths([qualtrics])
    assert list(a.units[S.TEXT]) == [
        "The milk system keeps breaking.",
        "Support is slow!",
    ]
    assert list(a.units[S.UNIT_ID]) == list(b.units[S.UNIT_ID])
    assert a.units[S.UNIT_ID].is_unique
    assert set(a.units[S.QUESTION]) == {"What is the biggest problem you face?"}
    assert list(a.units[S.ROW]) == [4, 4]  # spreadsheet row: three header rows first
    _check_offsets(a)
    _check_accounting(a)


def test_surveymonkey_two_header_rows(tmp_path: Path) -> None:
    p = tmp_path / "sm.csv"
    p.write_text(
        "Respondent ID,Collector ID,Start Date,How satisfied are you?,Which features do you use?,,"
        "What would you change?\n"
        ",,,Response,Steam wand,Grinder,Open-Ended Response\n"
        "111,9,01/02/2026,Very satisfied,Steam wand,,Make the water tank bigger please.\n"
        "112,9,01/03/2026,Dissatisfied,,Grinder,The grinder clogs every week and nobody helps.\n",
        encoding="utf-8",
    )
    res = read_file(p)
    assert res.format == "surveymonkey"
    roles = {c.name: c.role for c in res.schema.columns.values()}
    assert roles["Respondent ID"] == S.ROLE_ID
    assert roles["Collector ID"] in (S.ROLE_METADATA,)
    assert roles["How satisfied are you?"] == S.ROLE_LIKERT
    assert "Which features do you use? - Grinder" in roles
    assert roles["What would you change?"] == S.ROLE_TEXT
    assert res.accounting.with_units == 2


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    p = tmp_path / f"reviews_{encoding}.csv"
    text = (
        "review_id;rating;date;text\n"
        "1;2;2026-01-02;The café machine costs £400 to fix – ridiculous.\n"
        "2;5;2026-01-03;Lovely crema, très bon.\n"
    )
    p.write_bytes(text.encode(encoding))
    res = ingest_paths([p])
    assert not res.problems
    assert res.files.iloc[0][S.SOURCE_TYPE] == S.SOURCE_REVIEW
    assert "£400" in res.units[S.TEXT].iloc[0] and "–" in res.units[S.TEXT].iloc[0]
    assert res.respondents["rating"].tolist() == [2.0, 5.0]


def test_xlsx_parquet_tsv_and_json(tmp_path: Path) -> None:
    df = pd.DataFrame(
        {
            "id": ["a1", "a2", "a3"],
            "I trust the brand": ["Agree", "Strongly agree", "Disagree"],
            "comment": [
                "Works fine most days, but descaling is a pain.",
                "Honestly it's great, no complaints from the team.",
                "The technician never turned up on time.",
            ],
        }
    )
    df.to_excel(tmp_path / "s.xlsx", index=False)
    df.to_parquet(tmp_path / "s.parquet")
    df.to_csv(tmp_path / "s.tsv", sep="\t", index=False)
    (tmp_path / "r.jsonl").write_text(
        "\n".join(
            json.dumps({"review_id": i, "stars": s, "body": t})
            for i, s, t in [(1, 1, "Broke after a week, awful support."), (2, 4, "Good value.")]
        ),
        encoding="utf-8",
    )
    for name in ("s.xlsx", "s.parquet", "s.tsv"):
        res = read_file(tmp_path / name)
        roles = {c.name: c.role for c in res.schema.columns.values()}
        assert roles == {
            "id": S.ROLE_ID,
            "I trust the brand": S.ROLE_LIKERT,
            "comment": S.ROLE_TEXT,
        }, name
        assert res.accounting.with_units == 3
    rv = read_file(tmp_path / "r.jsonl", kind=S.SOURCE_REVIEW)
    assert rv.schema.columns["stars"].role == S.ROLE_RATING
    assert rv.schema.columns["body"].role == S.ROLE_TEXT


TXT_STYLES = {
    "plain.txt": "Interviewer: How do you clean it?\nJane Doe: Every night. It takes ages.\n"
    "Interviewer: Why?\nJane Doe: The descaling thing is confusing.\n",
    "qa.txt": "Q: What annoys you?\nA: The price of parts.\nQ: Anything else?\nA: No.\n",
    "pn.txt": "Moderator: Hello both. What do you think?\nP3: It's fine, I guess.\n"
    "P4: I hate the noise.\nModerator: Why?\nP4: It's loud when we're busy.\n",
    "ts.txt": "[00:01:02] Speaker 1: So tell me about your machine?\n"
    "[00:01:10] Speaker 2: Well, it is slow in the morning rush.\n"
    "[00:01:20] Speaker 1: How slow?\n[00:01:25] Speaker 2: Very slow.\n",
    "bold.md": "**Moderator**: Welcome. What is hard?\n**Sam**: Cleaning it, really.\n"
    "**Moderator**: And?\n**Sam**: Nothing else comes to mind.\n",
}


@pytest.mark.parametrize("name", sorted(TXT_STYLES))
def test_transcript_label_styles(tmp_path: Path, name: str) -> None:
    p = tmp_path / name
    p.write_text(TXT_STYLES[name], encoding="utf-8")
    res = ingest_paths([p])
    assert not res.problems
    units = res.units
    interviewer = units[units[S.SPEAKER_ROLE] == S.ROLE_INTERVIEWER]
    customer = units[units[S.SPEAKER_ROLE] == S.ROLE_CUSTOMER]
    assert len(interviewer) and len(customer)
    assert not customer[S.TEXT].str.contains(r"\?$").any()
    # every customer unit knows the question it answered
    assert (customer[S.QUESTION].str.len() > 0).all()
    _check_offsets(res)
    _check_accounting(res)


def test_multi_participant_keeps_one_respondent_each(tmp_path: Path) -> None:
    p = tmp_path / "group.txt"
    p.write_text(TXT_STYLES["pn.txt"], encoding="utf-8")
    res = ingest_paths([p])
    assert set(res.respondents[S.RESPONDENT_ID]) == {"group:P3", "group:P4"}


def test_vtt_srt_docx(tmp_path: Path) -> None:
    import docx

    (tmp_path / "a.vtt").write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Interviewer>What breaks most?\n\n"
        "00:00:05.000 --> 00:00:09.000\n<v Maria>The steam wand. It clogs daily.\n",
        encoding="utf-8",
    )
    (tmp_path / "b.srt").write_text(
        "1\n00:00:01,000 --> 00:00:03,000\nInterviewer: Why did you switch?\n\n"
        "2\n00:00:04,000 --> 00:00:08,000\nTom: Service was too slow.\n",
        encoding="utf-8",
    )
    d = docx.Document()
    for line in [
        "Interviewer: What do you wish it had?",
        "Ana: A bigger water tank.",
        "Interviewer: Anything else?",
        "Ana: Quieter grinder, honestly.",
    ]:
        d.add_paragraph(line)
    d.save(str(tmp_path / "c.docx"))
    res = ingest_paths([tmp_path])
    assert not res.problems
    cust = res.units[res.units[S.SPEAKER_ROLE] == S.ROLE_CUSTOMER]
    assert set(cust[S.RESPONDENT_ID]) == {"a:Maria", "b:Tom", "c:Ana"}
    assert "The steam wand." in set(cust[S.TEXT])
    _check_offsets(res)


def test_transcript_csv_one_per_row(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    pd.DataFrame(
        {
            "transcript_id": ["t1", "t2"],
            "text": [
                "AI: Hi! What do you do?\n\nUser: I design posters.\n\nAI: Do you use AI?\n\n"
                "User: Sometimes. It's hit and miss.",
                "Assistant: Welcome. Tell me about your work?\n\nUser: I'm a composer.\n\n"
                "AI: And tools?\n\nUser: Mostly a DAW.",
            ],
        }
    ).to_csv(p, index=False)
    res = ingest_paths([p])
    assert res.files.iloc[0][S.SOURCE_TYPE] == S.SOURCE_TRANSCRIPT
    cust = res.units[res.units[S.SPEAKER_ROLE] == S.ROLE_CUSTOMER]
    assert set(cust[S.RESPONDENT_ID]) == {"t1:User", "t2:User"}
    assert not cust[S.TEXT].str.contains("AI|Assistant").any()
    _check_offsets(res)
    _check_accounting(res)


def test_no_speaker_labels_falls_back_with_warning(tmp_path: Path) -> None:
    p = tmp_path / "notes.txt"
    p.write_text("We talked about the machine.\n\nShe said it breaks often.\n", encoding="utf-8")
    res = ingest_paths([p])
    assert res.units[S.RESPONDENT_ID].nunique() == 1
    assert any("no speaker labels" in w for w in res.warnings)


BAD = {
    "binary.csv": b"\x00\x01\x02\x03" * 200,
    "notes.pdf": b"%PDF-1.4 whatever",
    "empty.csv": b"",
    "undecodable.txt": bytes(range(128, 256)) * 4 + b"\x81\x8d\x8f\x90\x9d",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_files_one_clear_line(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(BAD[name])
    with pytest.raises(InputError) as err:
        read_file(tmp_path / name)
    msg = err.value.format()
    assert msg.startswith(name) and "\n" not in msg


def test_ragged_rows_are_skipped_and_named(tmp_path: Path) -> None:
    p = tmp_path / "ragged.csv"
    p.write_text(
        "id,comment\n1,The grinder is loud.\n2,Too pricey,extra,cells\n3,Fine.\n", encoding="utf-8"
    )
    res = ingest_paths([p])
    f = res.files.iloc[0]
    assert (f.rows_read, f.rows_with_units, f.skipped_unparseable) == (3, 2, 1)
    assert any("row 3" in w and "ragged.csv" in w for w in res.warnings)


def test_xlsx_without_header(tmp_path: Path) -> None:
    pd.DataFrame([[1, 2, "great stuff here"], [3, 4, "awful stuff there"]]).to_excel(
        tmp_path / "nohead.xlsx", index=False, header=False
    )
    with pytest.raises(InputError, match="header"):
        read_file(tmp_path / "nohead.xlsx")


def test_folder_with_bad_files_processes_the_good_ones(tmp_path: Path, qualtrics: Path) -> None:
    for name, data in BAD.items():
        (tmp_path / name).write_bytes(data)
    res = ingest_paths([tmp_path])
    assert list(res.files[S.SOURCE]) == ["survey.csv"]
    assert len(res.problems) == 3  # the .pdf is not a data file: noted, not an error
    assert any("notes.pdf" in w for w in res.warnings)
    assert all("\n" not in p for p in res.problems)


def test_sentence_splitting_offsets() -> None:
    text = "It broke. then i called support!! They said e.g. wait 3.5 days... Ugh\nNew line"
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == [
        "It broke.",
        "then i called support!!",
        "They said e.g. wait 3.5 days...",
        "Ugh",
        "New line",
    ]


@pytest.mark.parametrize(
    ("values", "kind", "lo", "hi"),
    [
        (["Strongly agree", "Somewhat agree", "Strongly disagree"], "agree5", 1, 5),
        (["Strongly agree", "Agree", "Somewhat agree", "Disagree"], "agree7", 1, 7),
        (["Very dissatisfied", "Satisfied", "Very satisfied"], "satisfaction", 1, 5),
        (["0 - Not at all likely", "6", "10 - Extremely likely"], "numeric", 0, 10),
        (["1", "2", "6", "4"], "numeric", 1, 6),
    ],
)
def test_detect_scale(values: list[str], kind: str, lo: int, hi: int) -> None:
    s = detect_scale(values)
    assert s is not None and (s.kind, s.min, s.max) == (kind, lo, hi)


def test_detect_scale_rejects_ids_and_money() -> None:
    assert detect_scale(["NEAS 528 - Q1", "NEAS 529 - Q2", "NEAS 530 - Q1"]) is None
    assert detect_scale(["120", "300", "45"]) is None


def test_schema_file_overrides_role_and_reverse(tmp_path: Path, qualtrics: Path) -> None:
    from insight.ingest.roles import write_schema

    res = read_file(qualtrics)
    out = tmp_path / "schema.yaml"
    write_schema([res.schema], out)
    text = out.read_text(encoding="utf-8")
    assert "Q2_1:" in text and "role: likert" in text
    import yaml

    data = yaml.safe_load(text)
    cols = data["files"]["survey.csv"]["columns"]
    cols["Q2_2"]["reverse"] = True
    cols["Q6"]["role"] = "demographic"
    out.write_text(yaml.safe_dump(data), encoding="utf-8")
    again = ingest_paths([qualtrics], schema=out)
    c = again.columns.set_index("column")
    assert bool(c.loc["Q2_2", "reverse"]) and c.loc["Q6", "role"] == "demographic"


def test_schema_file_unknown_role_is_named(tmp_path: Path) -> None:
    from insight.errors import SchemaError
    from insight.ingest.roles import load_schema

    p = tmp_path / "s.yaml"
    p.write_text("columns:\n  Q1:\n    role: attitude\n", encoding="utf-8")
    with pytest.raises(SchemaError, match='column "Q1": unknown role'):
        load_schema(p)


def test_insightignore_and_same_respondent_in_two_files(tmp_path: Path) -> None:
    (tmp_path / "truth").mkdir()
    (tmp_path / "truth" / "answers.csv").write_text("id,seg\nR_1,a\n", encoding="utf-8")
    (tmp_path / ".insightignore").write_text("# not data\ntruth/\n", encoding="utf-8")
    (tmp_path / "w1.csv").write_text(
        "ResponseId,I like it,comment\nR_1,Agree,Great machine honestly.\nR_2,Disagree,Too loud.\n"
        "R_3,Agree,Fine overall.\n",
        encoding="utf-8",
    )
    (tmp_path / "w2.csv").write_text(
        "ResponseId,Region\nR_1,North\nR_2,South\nR_3,North\n", encoding="utf-8"
    )
    res = ingest_paths([tmp_path])
    assert sorted(res.files[S.SOURCE]) == ["w1.csv", "w2.csv"]
    assert any("truth/answers.csv" in w for w in res.warnings)
    people = res.respondents.set_index(S.RESPONDENT_ID)
    assert people.index.is_unique and people.loc["R_1", "Region"] == "North"
    assert people.loc["R_1", "I like it"] == 4.0
    assert people.loc["R_1", S.SOURCE] == "w1.csv;w2.csv"


def test_read_table_without_header_numbers_the_columns(tmp_path):
    from insight.ingest import read_table

    p = tmp_path / "t.tsv"
    p.write_text("first text\t1\nsecond text\t2\t extra\n", encoding="utf-8")
    df = read_table(p, header=False)
    assert list(df.columns) == ["1", "2", "3"]
    assert df["1"].tolist() == ["first text", "second text"] and df["3"].tolist() == ["", " extra"]
    assert list(read_table(p).columns) == ["first text", "1"]
