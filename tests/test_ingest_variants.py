"""Real-world export and transcript variants (issue 11) and bad-line tolerance (issue 15.3).

Every file is small and written by the test.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from insight import schema as S
from insight.errors import InputError
from insight.ingest import ingest_paths, read_file
from insight.ingest.scales import detect_scale


def _participant(res) -> pd.DataFrame:
    return res.units[res.units[S.SPEAKER_ROLE] == S.ROLE_CUSTOMER]


def _interviewer(res) -> pd.DataFrame:
    return res.units[res.units[S.SPEAKER_ROLE] == S.ROLE_INTERVIEWER]


def _check_accounting(res) -> None:
    for f in res.files.to_dict(orient="records"):
        skipped = sum(v for k, v in f.items() if k.startswith("skipped_"))
        assert f["rows_read"] == f["rows_with_units"] + skipped, f


LABEL_OR_NUMBER = re.compile(r"^\s*(\d+\s|\[?\d{1,2}:\d{2})|^\s*\w[\w ]{0,20}\s?:\s")


# --- transcripts ----------------------------------------------------------------------


def test_line_numbers_from_pdf_are_removed(tmp_path: Path) -> None:
    p = tmp_path / "kim.txt"
    p.write_text(
        "1 Interviewer: How do you plan a trip?\n"
        "2 Kim: So I think I start with the map.\n"
        "3 and then I check the prices twice.\n"
        "4 Interviewer: Why twice?\n"
        "5 Kim: Because they change overnight.\n"
        "6 Page 1 of 3\n",
        encoding="utf-8",
    )
    res = ingest_paths([p])
    part = _participant(res)
    assert set(part[S.SPEAKER]) == {"Kim"}
    assert not part[S.TEXT].str.contains(r"^\d|Interviewer|Page 1").any()
    assert "and then I check the prices twice." in set(part[S.TEXT])
    assert _interviewer(res)[S.TEXT].str.contains("Why twice").any()
    assert any("line numbers" in g for g in res.guesses)
    _check_accounting(res)


def test_timestamps_before_labels(tmp_path: Path) -> None:
    p = tmp_path / "ts.txt"
    p.write_text(
        "[00:00:05] Interviewer: What breaks first?\n"
        "[00:00:09] P3: The hinge. It snaps in winter.\n"
        "00:01:10 Interviewer: And then?\n"
        "00:01:15 P3: I buy another one.\n",
        encoding="utf-8",
    )
    res = ingest_paths([p])
    part = _participant(res)
    assert set(part[S.TEXT]) == {"The hinge.", "It snaps in winter.", "I buy another one."}


def test_otter_zoom_style_name_and_time_on_their_own_line(tmp_path: Path) -> None:
    p = tmp_path / "otter.txt"
    p.write_text(
        "Jo Smith  00:13\nSo how did the onboarding go for you?\n\n"
        "Alex Brown  00:20\nHonestly it was confusing. The emails came too late.\n\n"
        "Jo Smith  01:02\nWhat would have helped?\n\n"
        "Alex Brown  01:09\nA checklist on day one.\n",
        encoding="utf-8",
    )
    res = ingest_paths([p])
    part = _participant(res)
    assert set(part[S.SPEAKER]) == {"Alex Brown"}
    assert "A checklist on day one." in set(part[S.TEXT])
    assert not part[S.TEXT].str.contains(r"\d\d:\d\d|Jo Smith").any()
    assert set(_interviewer(res)[S.SPEAKER]) == {"Jo Smith"}


def test_numbered_interviewers_space_before_colon_and_lowercase(tmp_path: Path) -> None:
    p = tmp_path / "panel.txt"
    p.write_text(
        "Interviewer1 : Thanks for coming. What do you use it for?\n"
        "interviewee: mostly for invoices, it is quick.\n"
        "Interviewer2 : Anything that annoys you?\n"
        "interviewee: the export to excel breaks the dates.\n"
        "Interviewer3: Thanks!\n",
        encoding="utf-8",
    )
    res = ingest_paths([p])
    part = _participant(res)
    assert set(part[S.SPEAKER]) == {"interviewee"}
    assert len(part) == 2
    assert set(_interviewer(res)[S.SPEAKER]) == {"Interviewer1", "Interviewer2", "Interviewer3"}
    assert res.respondents[S.RESPONDENT_ID].nunique() == 1


def test_lowercase_participant_label_is_never_dropped(tmp_path: Path) -> None:
    p = tmp_path / "low.txt"
    lines = []
    for i in range(5):
        lines += [f"interviewer: question {i}, why is that?", f"interviewee: answer number {i}."]
    p.write_text("\n".join(lines), encoding="utf-8")
    res = ingest_paths([p])
    assert len(_participant(res)) == 5
    assert not res.problems


def test_think_aloud_session_without_labels(tmp_path: Path) -> None:
    p = tmp_path / "P4_session.txt"
    p.write_text(
        "1 Read the home tab information.\n"
        "\t(The participant reads the home tab text)\n"
        "    1.a Was the information enough for you?\n"
        "    \tOkay, I read this and I think the text is clear.\n"
        "2 Login with the credentials provided.\n"
        "\tNow I am going to log in. (The participant types) Okay, I am in.\n"
        "    MODERATOR: Take your time, please.\n"
        "3 Submit a query.\n"
        "    3.a Please explain aloud the choices you make.\n"
        "    \tI am going to select Dublin because it has data.\n"
        "The participant reads the task again\n",
        encoding="utf-8",
    )
    res = ingest_paths([p])
    part = _participant(res)
    texts = set(part[S.TEXT])
    assert "Okay, I read this and I think the text is clear." in texts
    assert "Okay, I am in." in texts
    assert not part[S.TEXT].str.contains(r"participant reads|participant types|^\d|Please").any()
    assert not part[S.TEXT].str.contains("Take your time").any()
    inter = _interviewer(res)
    assert inter[S.TEXT].str.contains("Please explain aloud").any()
    assert inter[S.TEXT].str.contains("Take your time").any()
    assert set(part[S.RESPONDENT_ID]) == {"P4"}  # the participant code from the file name
    assert res.files.iloc[0]["skipped_observer_note"] == 3
    assert any("think-aloud" in g for g in res.guesses)
    _check_accounting(res)


def test_interviewer_found_across_the_batch(tmp_path: Path) -> None:
    # In each file alone "Sam" and the participant ask equally often; across the batch
    # Sam is in every file and asks the questions.
    for i, who in enumerate(["Ana", "Ben", "Cy"]):
        (tmp_path / f"int_{i}.txt").write_text(
            f"Sam: What do you do? Is it hard?\n{who}: I run a shop. Why do you ask?\n"
            f"Sam: Where do you buy stock?\n{who}: From a wholesaler.\n"
            f"Sam: How often?\n{who}: Weekly, on Mondays.\n",
            encoding="utf-8",
        )
    res = ingest_paths([tmp_path])
    assert not res.problems
    part = _participant(res)
    assert set(part[S.SPEAKER]) == {"Ana", "Ben", "Cy"}
    assert set(_interviewer(res)[S.SPEAKER]) == {"Sam"}
    assert any('"sam"' in g.lower() for g in res.guesses)


def test_file_without_participant_speech_is_an_error_naming_it(tmp_path: Path) -> None:
    p = tmp_path / "only_q.txt"
    p.write_text("Interviewer: Hello?\nModerator: Are you there?\nInterviewer: Hello?\n")
    (tmp_path / "fine.txt").write_text("Interviewer: Why?\nKim: Because it is cheap.\n")
    res = ingest_paths([tmp_path])
    assert any("only_q.txt" in p and "no participant speech" in p for p in res.problems)
    assert set(res.files[S.SOURCE]) == {"fine.txt"}


def test_odt_transcript(tmp_path: Path) -> None:
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    doc = OpenDocumentText()
    for line in [
        "Interviewer: What is slow?",
        "Ria: The search. It takes ages.",
        "Interviewer: OK?",
    ]:
        doc.text.addElement(P(text=line))
    doc.save(str(tmp_path / "ria.odt"))
    res = ingest_paths([tmp_path / "ria.odt"])
    assert set(_participant(res)[S.TEXT]) == {"The search.", "It takes ages."}
    assert res.files.iloc[0]["format"] == "odt"


def test_no_unit_keeps_a_label_line_number_or_timestamp(tmp_path: Path) -> None:
    p = tmp_path / "mixed.txt"
    p.write_text(
        "10 [00:01] Interviewer: So, what happened?\n"
        "11 [00:05] Dee: The app froze. I lost my basket.\n"
        "12 [00:09] Interviewer: Then?\n"
        "13 [00:12] Dee: I went to the shop instead.\n",
        encoding="utf-8",
    )
    res = ingest_paths([p])
    assert not res.units[S.TEXT].str.match(LABEL_OR_NUMBER).any()


# --- surveys --------------------------------------------------------------------------

COMFORT = [
    "Extremely comfortable",
    "Somewhat comfortable",
    "Neither comfortable nor uncomfortable",
    "Somewhat uncomfortable",
    "Extremely uncomfortable",
]
CONCERN = [
    "Not at all concerned",
    "Slightly concerned",
    "Somewhat concerned",
    "Moderately concerned",
    "Extremely concerned",
]


def _two_header_export(tmp_path: Path, n: int = 24) -> Path:
    codes = ["ResponseId", "Q1", "Q2", "Q3", "Q4", "Q5", "Q6"]
    questions = [
        "Response ID",
        "I consent to take part in this study",
        "How comfortable are you sharing your location with [QID19-ChoiceGroup-SelectedChoices]?",
        "How concerned are you about data brokers?",
        "Which channels do you use? - Selected Choice",
        "Why do you feel that way?",
        "Are you 18 years of age or older?",
    ]
    rows = [codes, questions]
    channels = ["Email,Phone", "Email", "Phone,In person", "In person", "Email,In person"]
    for i in range(n):
        rows.append(
            [
                f"R_{i:03d}",
                "I consent",
                COMFORT[i % 5],
                CONCERN[(i * 3) % 5],
                channels[i % 5],
                f"Because the app {['tracks', 'sells', 'keeps', 'shares'][i % 4]} data I never agreed to share, number {i}.",
                "Yes" if i else "No",
            ]
        )
    p = tmp_path / "export.csv"
    pd.DataFrame(rows).to_csv(p, index=False, header=False)
    return p


def test_two_header_rows_choice_text_export(tmp_path: Path) -> None:
    p = _two_header_export(tmp_path)
    res = ingest_paths([p])
    assert not res.problems
    f = res.files.iloc[0]
    assert f["rows_read"] == 24  # the question row is no respondent
    roles = res.columns.set_index(S.COL_NAME)[S.COL_ROLE]
    assert roles["Q2"] == S.ROLE_LIKERT and roles["Q3"] == S.ROLE_LIKERT
    assert roles["Q1"] == S.ROLE_METADATA and roles["Q6"] == S.ROLE_METADATA  # consent/eligibility
    assert roles["Q5"] == S.ROLE_TEXT
    # question wording is never evidence
    assert not res.units[S.TEXT].str.contains("How comfortable|How concerned").any()
    # piped text is a placeholder in the question shown
    q2 = res.columns.set_index(S.COL_NAME)[S.COL_QUESTION]["Q2"]
    assert "[piped text]" in q2 and "QID19" not in q2
    # multi-select -> one 0/1 column per choice
    assert {"Q4: Email", "Q4: Phone", "Q4: In person"} <= set(res.respondents.columns)
    first = res.respondents.set_index(S.RESPONDENT_ID).loc["R_000"]
    assert first["Q4: Email"] == 1.0 and first["Q4: Phone"] == 1.0 and first["Q4: In person"] == 0.0
    assert any("2 header rows" in g for g in res.guesses)


def test_schema_format_is_honoured(tmp_path: Path) -> None:
    p = _two_header_export(tmp_path)
    schema = tmp_path / "s.yaml"
    schema.write_text(
        json.dumps(
            {"insight_schema": 1, "files": {"export.csv": {"format": "plain", "columns": {}}}}
        )
    )
    res = ingest_paths([p], schema=schema)
    assert res.files.iloc[0]["rows_read"] == 25  # forced plain: the question row is data
    assert res.files.iloc[0]["format"] == "plain"


@pytest.mark.parametrize(
    ("labels", "lowest", "highest", "mid"),
    [
        (COMFORT, "Extremely uncomfortable", "Extremely comfortable", True),
        (CONCERN, "Not at all concerned", "Extremely concerned", False),
        (
            ["Very unlikely", "Unlikely", "Neutral", "Likely", "Very likely"],
            "Very unlikely",
            "Very likely",
            True,
        ),
        (["Never", "Rarely", "Sometimes", "Often", "Always"], "Never", "Always", False),
        (["Poor", "Fair", "Good", "Very good", "Excellent"], "Poor", "Excellent", False),
        (
            ["Not at all important", "Slightly important", "Very important", "Extremely important"],
            "Not at all important",
            "Extremely important",
            False,
        ),
        (
            ["Very dissatisfied", "Dissatisfied", "Satisfied", "Very satisfied"],
            "Very dissatisfied",
            "Very satisfied",
            True,
        ),
        (
            ["Slightly familiar", "Moderately familiar", "Very familiar", "Not at all familiar"],
            "Not at all familiar",
            "Very familiar",
            False,
        ),
        (
            ["Somewhat helpful", "Very unhelpful", "Very helpful", "Neither helpful nor unhelpful"],
            "Very unhelpful",
            "Very helpful",
            True,
        ),
    ],
)
def test_ordinal_scales_of_any_wording(
    labels: list[str], lowest: str, highest: str, mid: bool
) -> None:
    sc = detect_scale(labels * 4)
    assert sc is not None, labels
    assert sc.value(lowest) == min(sc.value(x) for x in labels)
    assert sc.value(highest) == max(sc.value(x) for x in labels)
    assert (sc.midpoint is not None) == mid


def test_zero_to_ten_scale_has_a_midpoint() -> None:
    sc = detect_scale([str(i) for i in range(11)] * 3)
    assert sc is not None and sc.min == 0 and sc.max == 10 and sc.midpoint == 5


def test_nominal_answers_are_no_scale() -> None:
    assert detect_scale(["Dublin", "Cork", "Galway"] * 5) is None
    assert detect_scale(["Yes", "No"] * 5) is None


def test_qualtrics_legacy_v_codes(tmp_path: Path) -> None:
    p = tmp_path / "legacy.csv"
    p.write_text(
        "V1,V2,V3,Q1,Q2\nResponseID,ResponseSet,StartDate,Pick one,Tell us why\n"
        "R_1,Default,2017-07-18 08:28:09,2,Because the form is too long for me.\n"
        "R_2,Default,2017-07-19 08:28:09,1,I could not find the save button anywhere.\n",
        encoding="utf-8",
    )
    res = ingest_paths([p])
    roles = res.columns.set_index(S.COL_NAME)[S.COL_ROLE]
    assert roles["ResponseID"] == S.ROLE_ID and roles["Q2"] == S.ROLE_TEXT
    assert res.files.iloc[0]["rows_read"] == 2
    assert set(res.respondents[S.RESPONDENT_ID]) == {"R_1", "R_2"}


def test_three_header_rows_non_english_questions(tmp_path: Path) -> None:
    p = tmp_path / "de.csv"
    p.write_text(
        "StartDate,ResponseId,Q1,Q2_TEXT\n"
        "Anfangsdatum,Antwort-ID,Wie zufrieden sind Sie?,Warum?\n"
        '"{""ImportId"":""startDate""}","{""ImportId"":""_recordId""}","{""ImportId"":""QID1""}","{""ImportId"":""QID2_TEXT""}"\n'
        "2017-07-18 08:28:09,R_1,2,Hello World!\n",
        encoding="utf-8",
    )
    res = ingest_paths([p])
    assert res.files.iloc[0]["rows_read"] == 1
    assert set(_participant(res)[S.TEXT]) == {"Hello World!"}


def test_sentence_column_with_few_distinct_values_is_text(tmp_path: Path) -> None:
    sentences = [
        f"The delivery was late again and the driver was rude, week {i}." for i in range(10)
    ]
    p = tmp_path / "few.csv"
    pd.DataFrame(
        {"id": range(120), "plan": ["basic", "pro"] * 60, "comment": sentences * 12}
    ).to_csv(p, index=False)
    res = read_file(p)
    assert res.schema.columns["comment"].role == S.ROLE_TEXT
    # a plan / tier is what a customer pays for: a behaviour category (issue 16.1)
    assert res.schema.columns["plan"].role == S.ROLE_BEHAVIOUR
    assert res.schema.columns["plan"].kind == "category"


def test_same_short_answer_from_different_people_is_data(tmp_path: Path) -> None:
    p = tmp_path / "fft.csv"
    sentences = [f"The nurse on ward {i} was kind and explained everything." for i in range(8)]
    answers = ["Very good", "Very good", "Nothing", "Did not answer", "N/A", "-", *sentences]
    pd.DataFrame(
        {
            "Respondent ID": [f"A{i}" for i in range(14)] + ["A0"],
            "score": [1, 1, 2, 1, 1, 2] + [1] * 8 + [1],
            "comment": [*answers, "Very good"],
        }
    ).to_csv(p, index=False)
    res = ingest_paths([p], kind=S.SOURCE_SURVEY)
    f = res.files.iloc[0]
    assert f["skipped_duplicate"] == 1  # only A0's repeated row
    assert f["skipped_non_answer"] == 4
    assert f["rows_with_units"] == 10
    assert not _participant(res)[S.TEXT].isin(["Did not answer", "N/A", "-", "Nothing"]).any()
    _check_accounting(res)


# --- bad spots cost a line (issue 15.3) --------------------------------------------------


def test_nul_bytes_are_stripped_with_a_warning(tmp_path: Path) -> None:
    p = tmp_path / "nul.csv"
    data = "id,comment\n" + "".join(
        f"{i},The app is fine but slow number {i}.\n" for i in range(30)
    )
    raw = data.encode().replace(b"fine", b"fi\x00ne", 3)
    p.write_bytes(raw)
    res = ingest_paths([p])
    assert not res.problems
    assert res.files.iloc[0]["rows_with_units"] == 30
    assert any("NUL" in w for w in res.warnings)
    assert not res.units[S.TEXT].str.contains("\x00").any()


def test_corrupt_jsonl_line_costs_one_line(tmp_path: Path) -> None:
    p = tmp_path / "r.jsonl"
    lines = [json.dumps({"id": i, "text": f"Review {i}: the blender is loud."}) for i in range(30)]
    lines.insert(10, '{"id": 99, "text": "broken')
    p.write_text("\n".join(lines), encoding="utf-8")
    res = ingest_paths([p], kind=S.SOURCE_REVIEW)
    f = res.files.iloc[0]
    assert f["rows_with_units"] == 30 and f["skipped_unparseable"] == 1
    assert any("r.jsonl" in w and "11" in w for w in res.warnings)
    _check_accounting(res)


def test_csv_unbalanced_quote_costs_one_line(tmp_path: Path) -> None:
    p = tmp_path / "q.csv"
    rows = ["id,comment"] + [f"{i},Plain comment number {i} about the price" for i in range(80)]
    rows[5] = '4,"this quote never closes, and would swallow the rest'
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    res = ingest_paths([p])
    f = res.files.iloc[0]
    assert f["skipped_unparseable"] == 1
    assert f["rows_with_units"] == 79
    _check_accounting(res)


@pytest.mark.slow
def test_multi_megabyte_cell_is_read(tmp_path: Path) -> None:
    # a 2.5 MB cell (over csv's default 128 KB field limit) holding one long answer
    big = (
        "Interviewer: Tell me more?\nUser: It is a long story.\nInterviewer: Go on?\nUser: "
        + "blah " * 500_000
    )
    p = tmp_path / "long.csv"
    pd.DataFrame(
        {"transcript_id": ["t1", "t2"], "text": [big, big.replace("long", "short")]}
    ).to_csv(p, index=False)
    assert p.stat().st_size > 5_000_000
    res = ingest_paths([p])
    assert not res.problems
    part = _participant(res)
    assert set(part[S.RESPONDENT_ID]) == {"t1:User", "t2:User"}
    assert part[S.TEXT].str.len().max() > 2_000_000


def test_excel_title_row_and_merged_cells(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Customer feedback Q3 2026 - confidential"])
    ws.merge_cells("A1:C1")
    ws.append([])
    ws.append(["id", "score", "comment"])
    for i in range(12):
        ws.append([f"c{i}", i % 5 + 1, f"The checkout page failed on step {i} and I gave up."])
    wb.save(tmp_path / "fb.xlsx")
    res = ingest_paths([tmp_path / "fb.xlsx"])
    assert not res.problems
    assert res.files.iloc[0]["rows_read"] == 12
    assert not res.units[S.TEXT].str.contains("confidential|^comment$|^id$").any()
    assert any("title" in g for g in res.guesses)


def test_docx_with_too_many_paragraphs_fails_alone(tmp_path: Path, monkeypatch) -> None:
    import docx

    from insight.ingest import io

    d = docx.Document()
    for i in range(60):
        d.add_paragraph(f"Interviewer: question {i}?" if i % 2 == 0 else f"Kim: answer {i}.")
    d.save(str(tmp_path / "many.docx"))
    (tmp_path / "ok.txt").write_text("Interviewer: Why?\nKim: Because.\n")
    monkeypatch.setattr(io, "MAX_PARAGRAPHS", 50)
    res = ingest_paths([tmp_path])
    assert any("many.docx" in p and "paragraphs" in p for p in res.problems)
    assert set(res.files[S.SOURCE]) == {"ok.txt"}


def test_zip_bomb_part_is_refused(tmp_path: Path, monkeypatch) -> None:
    from insight.ingest import io

    p = tmp_path / "bomb.odt"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", "<x>" + " " * 3_000_000 + "</x>")
    monkeypatch.setattr(io, "MAX_UNZIPPED_BYTES", 1_000_000)
    with pytest.raises(InputError, match="unpacks to"):
        read_file(p)


# --- language ---------------------------------------------------------------------------


def test_other_language_units_are_marked_and_reported(tmp_path: Path) -> None:
    p = tmp_path / "mixed.csv"
    en = [f"The delivery was late and the box was damaged, order {i}." for i in range(8)]
    de = ["Die Lieferung war leider viel zu spät und der Karton war kaputt."] * 2
    pd.DataFrame({"id": range(10), "comment": en + de}).to_csv(p, index=False)
    res = ingest_paths([p])
    assert res.language == "en"
    assert set(res.units.loc[res.units[S.TEXT].str.startswith("Die"), S.LANG]) == {"de"}
    assert any("mixed.csv" in w and "de" in w and "language" in w for w in res.warnings)
    assert res.files.iloc[0]["language"] == "en"


def test_schema_file_round_trip_keeps_roles_scales_and_choices(tmp_path: Path) -> None:
    from insight.ingest.roles import write_schema

    p = _two_header_export(tmp_path)
    first = ingest_paths([p])
    out = tmp_path / "schema.yaml"
    write_schema([r.schema for r in first.results], out)
    again = ingest_paths([p], schema=out)
    cols = ["column", "role", "scale_min", "scale_max", "labels"]
    pd.testing.assert_frame_equal(first.columns[cols], again.columns[cols])
    q2 = again.results[0].schema.columns["Q2"].scale
    assert q2 is not None and q2.midpoint == 3.0
    assert again.files.iloc[0]["rows_read"] == 24


def test_second_interviewer_by_person_name(tmp_path: Path) -> None:
    p = tmp_path / "two.txt"
    p.write_text(
        "Interviewer: Thanks for joining. How do you book travel?\n"
        "Mia: Mostly on my phone, late at night, after the kids are asleep.\n"
        "Tom: Which app do you use?\n"
        "Mia: The airline's own app, because the comparison sites hide the fees.\n"
        "Tom: Do you ever call them?\n"
        "Mia: Only when a refund goes wrong, and then I wait for an hour.\n",
        encoding="utf-8",
    )
    res = ingest_paths([p])
    assert set(_participant(res)[S.SPEAKER]) == {"Mia"}
    assert set(_interviewer(res)[S.SPEAKER]) == {"Interviewer", "Tom"}
    assert any('"Tom" is a second interviewer' in g for g in res.guesses)


def test_line_numbers_only_before_labels(tmp_path: Path) -> None:
    p = tmp_path / "kim2.txt"
    p.write_text(
        "Interview transcript\n\n"
        "33   Interviewer: How do you plan a trip?\n"
        "So I think I start with the map.\n"
        "34   Kim: So I think I start with the map.\n"
        "and then I check the prices twice.\n"
        "35   Interviewer: Why twice?\n"
        "36   Kim: Because they change overnight.\n",
        encoding="utf-8",
    )
    res = ingest_paths([p])
    part = _participant(res)
    assert set(part[S.SPEAKER]) == {"Kim"}
    assert not res.units[S.TEXT].str.match(LABEL_OR_NUMBER).any()


def test_one_row_per_question_table_is_turned_round(tmp_path: Path) -> None:
    from insight.ingest.roles import write_schema

    p = tmp_path / "scores.csv"
    p.write_text(
        "Questions,P1,P2,P3,P4\nQ1,2,4,3,1\nQ2,2,4,3,1\nQ3,1,3,2,5\nQ4,1,6,2,1\n", encoding="utf-8"
    )
    res = ingest_paths([p])
    assert set(res.respondents[S.RESPONDENT_ID]) == {"P1", "P2", "P3", "P4"}
    roles = res.columns.set_index(S.COL_NAME)[S.COL_ROLE]
    assert (roles[["Q1", "Q2", "Q3", "Q4"]] == S.ROLE_LIKERT).all()
    assert any("one row per question" in g for g in res.guesses)
    out = tmp_path / "s.yaml"
    write_schema([r.schema for r in res.results], out)
    again = ingest_paths([p], schema=out)
    assert not again.problems
    assert set(again.respondents[S.RESPONDENT_ID]) == {"P1", "P2", "P3", "P4"}


def test_prefer_not_to_say_beside_a_scale_is_missing(tmp_path: Path) -> None:
    answers = [*COMFORT * 4, "Prefer not to say", "Don't know", "Prefer not to say"]
    p = tmp_path / "pnts.csv"
    pd.DataFrame({"id": range(len(answers)), "Q1": answers}).to_csv(p, index=False)
    res = ingest_paths([p])
    assert res.columns.set_index(S.COL_NAME)[S.COL_ROLE]["Q1"] == S.ROLE_LIKERT
    assert res.files.iloc[0]["unmapped_ratings"] == 0
    assert res.respondents["Q1"].isna().sum() == 3


@pytest.mark.parametrize(
    "text",
    [
        "Jo Smith: (00:13)\nSo how did the onboarding go?\n\nAlex Brown: (00:20)\n"
        "Honestly it was confusing.\n\nJo Smith: (01:02)\nWhat would help?\n\n"
        "Alex Brown: (01:09)\nA checklist on day one.\n",
        "[Jo Smith] 10:02:13\nSo how did the onboarding go?\n[Alex Brown] 10:02:20\n"
        "Honestly it was confusing.\n[Jo Smith] 10:03:02\nWhat would help?\n"
        "[Alex Brown] 10:03:09\nA checklist on day one.\n",
    ],
    ids=["rev", "zoom-bracketed"],
)
def test_more_header_label_styles(tmp_path: Path, text: str) -> None:
    p = tmp_path / "t.txt"
    p.write_text(text, encoding="utf-8")
    res = ingest_paths([p])
    part = _participant(res)
    assert set(part[S.SPEAKER]) == {"Alex Brown"}
    assert set(part[S.TEXT]) == {"Honestly it was confusing.", "A checklist on day one."}
    assert not res.units[S.TEXT].str.contains(r"\d\d:\d\d").any()


def test_numeric_battery_items_share_one_scale(tmp_path: Path) -> None:
    p = tmp_path / "battery.csv"
    pd.DataFrame(
        {
            "id": range(8),
            "Q1": [1, 2, 3, 4, 1, 2, 3, 4],
            "Q2": [2, 3, 4, 5, 6, 2, 3, 4],
            "Q3": [1, 2, 3, 1, 2, 3, 1, 2],
            "NPS": [0, 3, 5, 7, 9, 10, 8, 6],
        }
    ).to_csv(p, index=False)
    res = read_file(p)
    scales = {c: res.schema.columns[c].scale for c in ("Q1", "Q2", "Q3", "NPS")}
    assert {(s.min, s.max) for c, s in scales.items() if c != "NPS"} == {(1.0, 6.0)}
    assert (scales["NPS"].min, scales["NPS"].max) == (0.0, 10.0)
