"""write_outputs on the tiny study: self-contained, escaped report and exact exports."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from test_personas import XSS, tiny_study

from insight import schema as S
from insight.personas import build_personas
from insight.report import write_outputs
from insight.report.html import safe_json

RUN = {
    "insight_version": "0.1.0",
    "created": "2026-03-11T10:00:00",
    "seed": 7,
    "timings_s": {"ingest": 1.5, "personas": 0.2},
    "counts": {"units": 19},
    "inputs": [
        {
            "source": "survey.csv",
            "source_type": "survey",
            "rows_read": 8,
            "rows_with_units": 6,
            "skipped_empty": 2,
            "units": 13,
        },
        {
            "source": "interview_r1.txt",
            "source_type": "transcript",
            "rows_read": 4,
            "rows_with_units": 4,
            "skipped_empty": 0,
            "units": 4,
        },
    ],
}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    study = tiny_study()
    personas = build_personas(study)
    out = tmp_path_factory.mktemp("report")
    paths = write_outputs(personas, study, out, run_info=RUN)
    return study, personas, paths


def test_all_files_written(outputs):
    _, _, paths = outputs
    assert set(paths) == {
        "report",
        "personas_md",
        "personas_json",
        "units",
        "pain_points",
        "vocabulary",
        "topics",
        "segments",
    }
    names = {p.name for p in paths.values()}
    assert names == {
        "report.html",
        "personas.md",
        "personas.json",
        "units.parquet",
        "pain_points.csv",
        "vocabulary.csv",
        "topics.csv",
        "segments.csv",
    }
    assert all(p.stat().st_size > 0 for p in paths.values())


def test_report_is_self_contained(outputs):
    html = outputs[2]["report"].read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.IGNORECASE)
    assert "http://" not in html and "https://" not in html
    assert not re.search(r"<script[^>]*\bsrc=", html) and '<link rel="stylesheet"' not in html
    assert "@import" not in html and "url(" not in html


def test_report_escapes_user_text(outputs):
    html = outputs[2]["report"].read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # the embedded JSON never contains "</" or "<!--" and parses back to the quote
    block = re.search(
        r'<script type="application/json" id="insight-data">(.*?)</script>', html, re.S
    ).group(1)
    assert "</" not in block and "<!--" not in block
    data = json.loads(block)
    assert any(q["text"] == XSS for q in data["quotes"])
    # exactly two executable scripts: the JSON block and the page's own script
    assert html.count("<script") == 2


def test_safe_json_breaks_out_of_nothing():
    text = safe_json({"t": "</script><!-- & -->"})
    assert "</" not in text and "<!--" not in text and "&" not in text
    assert json.loads(text) == {"t": "</script><!-- & -->"}


def test_report_has_cards_claims_and_sections(outputs):
    _, personas, paths = outputs
    html = paths["report"].read_text(encoding="utf-8")
    assert len(re.findall(r'<article class="persona-card"', html)) == len(personas) == 2
    for p in personas:
        for c in p.claims():
            assert f'id="{c.id}"' in html, c.id
    for section in ("overview", "profiles", "pains", "topics", "method"):
        assert f'id="{section}"' in html
    method = html.split('id="method"')[1]
    assert (
        "<th>file</th>" in method
        and "interview_r1.txt" in method
        and '<th class="num">read</th>' in method
    )
    assert "absolute nightmare" not in html  # interviewer turn
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_personas_json_quotes_are_verbatim(outputs):
    study, _, paths = outputs
    doc = json.loads(paths["personas_json"].read_text(encoding="utf-8"))
    assert doc["schema"] == "insight.personas/1" and doc["seed"] == 7
    text = dict(zip(study.units[S.UNIT_ID], study.units[S.TEXT], strict=True))
    role = dict(zip(study.units[S.UNIT_ID], study.units[S.SPEAKER_ROLE], strict=True))
    n_quotes = 0

    def walk(obj):
        nonlocal n_quotes
        if isinstance(obj, dict):
            if "unit_id" in obj and "text" in obj:
                n_quotes += 1
                assert obj["text"] == text[obj["unit_id"]]
                assert role[obj["unit_id"]] == "customer"
            for v in obj.values():
                walk(v)
        elif isinstance(obj, list):
            for v in obj:
                walk(v)

    walk(doc["personas"])
    assert n_quotes > 30
    claims = [
        c
        for p in doc["personas"]
        for k in ("attitudes", "pain_points", "vocabulary", "topics")
        for c in p[k]
    ]
    assert claims and all(c["unit_ids"] and c["n"] <= c["N"] for c in claims)


def test_exports(outputs):
    study, personas, paths = outputs
    units = pd.read_parquet(paths["units"])
    assert len(units) == len(study.units)
    assert {"persona_id", S.SEGMENT, S.PAIN_POINT, S.TOPIC, S.SPEAKER_ROLE}.issubset(units.columns)
    r1 = units[units[S.RESPONDENT_ID] == "r1"]
    assert set(r1["persona_id"]) == {next(p.id for p in personas if p.segment == 0)}
    pains = pd.read_csv(paths["pain_points"])
    assert len(pains) == sum(len(p.pain_points) for p in personas)
    row = pains[(pains["pain_point_type"] == "price/value") & (pains["persona_id"] == "P1")].iloc[0]
    assert (row["n"], row["N"], row["unit_ids"]) == (3, 4, "u01;u02;u04;u06")
    segs = pd.read_csv(paths["segments"])
    assert len(segs) == 8 and segs["persona"].notna().all()
    vocab = pd.read_csv(paths["vocabulary"])
    assert vocab.loc[vocab["term"] == "price", "unit_ids"].iloc[0] == "u02;u04;u07;u18"
    md = paths["personas_md"].read_text(encoding="utf-8")
    assert "\\<script\\>alert(1)\\</script\\>" in md and "<script>" not in md
    assert md.count("\n## ") == 2
