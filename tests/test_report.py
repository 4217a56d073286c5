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


def _page_without_plotly(html: str) -> str:
    """The page with the embedded plotly.min.js (whose code mentions URLs) cut out."""
    blocks = re.findall(r"<script>(.*?)</script>", html, re.S)
    lib = [b for b in blocks if b.lstrip().startswith("/**\n* plotly.js v")]
    assert len(lib) == 1, "plotly.js must be embedded exactly once"
    return html.replace(lib[0], "")


def test_report_is_self_contained(outputs):
    raw = outputs[2]["report"].read_text(encoding="utf-8")
    html = _page_without_plotly(raw)
    assert len(raw) < 10_000_000
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
    # exactly three scripts: the JSON block, plotly.js and the page's own script
    assert html.count("<script") == 3
    # chart labels and hover text reach Plotly HTML-escaped (Plotly renders some HTML);
    # the quote pool is verbatim text that the page inserts with textContent
    charts = json.dumps(data["charts"], ensure_ascii=False)
    assert "<script>alert" not in charts and "&lt;script&gt;alert(1)" in charts
    assert any(q["text"] == XSS for q in data["pool"])


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
    # the export row is the persona's claim (the pain theme that holds the price complaints)
    claim = next(c for c in personas[0].pain_points if c.stats["pain_point_type"] == "price/value")
    assert (row["n"], row["N"], row["unit_ids"]) == (claim.n, claim.N, ";".join(claim.unit_ids))
    assert {"u01", "u02", "u04", "u06"} <= set(row["unit_ids"].split(";"))
    segs = pd.read_csv(paths["segments"])
    assert len(segs) == 8 and segs["persona"].notna().all()
    vocab = pd.read_csv(paths["vocabulary"])
    assert vocab.loc[vocab["term"] == "price", "unit_ids"].iloc[0] == "u02;u04;u07;u18"
    md = paths["personas_md"].read_text(encoding="utf-8")
    assert "\\<script\\>alert(1)\\</script\\>" in md and "<script>" not in md
    assert md.count("\n## ") == 2


# --- charts ---------------------------------------------------------------------------------
def _page_data(html: str) -> dict:
    block = re.search(
        r'<script type="application/json" id="insight-data">(.*?)</script>', html, re.S
    ).group(1)
    return json.loads(block)


def test_every_chart_has_a_takeaway_evidence_and_quotes(outputs):
    _, personas, paths = outputs
    html = paths["report"].read_text(encoding="utf-8")
    data = _page_data(html)
    ids = [c["id"] for c in data["charts"]]
    for want in ("sizes", "attitudes", "themes", "pains", "emotions", "vocabulary"):
        assert f"chart-{want}" in ids
    page_ids = set(re.findall(r'\bid="([^"]+)"', html))
    for c in data["charts"]:
        card = html.split(f'id="{c["id"]}-card"')[1].split("</figure>")[0]
        takeaway = re.search(r'<p class="takeaway">(.*?)</p>', card, re.S).group(1).strip()
        assert len(takeaway) > 20, c["id"]
        href = re.search(r'Evidence: <a href="#([^"]+)"', card).group(1)
        assert href in page_ids, (c["id"], href)
        # every clickable mark names its evidence and points into the one quote pool
        assert c["marks"], c["id"]
        for m in c["marks"].values():
            assert " of " in m["n"] and m["href"].startswith("#")
            assert all(0 <= i < len(data["pool"]) for i in m["q"])
        keys = set()
        for trace in c["data"]:
            cd = trace.get("customdata") or []
            keys.update(x for row in cd for x in (row if isinstance(row, list) else [row]))
        assert keys and keys <= set(c["marks"]) | {None}, c["id"]
    sizes = next(c for c in data["charts"] if c["id"] == "chart-sizes")
    big = max(personas, key=lambda p: p.size)
    card = html.split('id="chart-sizes-card"')[1]
    assert f"{big.id} " in card and f"({big.size} of {sum(p.size for p in personas)}" in card
    assert sorted(sizes["data"][0]["x"]) == sorted(p.size for p in personas)


def test_attitude_bars_diverge_and_add_up(outputs):
    _, personas, paths = outputs
    data = _page_data(paths["report"].read_text(encoding="utf-8"))
    att = next(c for c in data["charts"] if c["id"] == "chart-attitudes")
    bars = [t for t in att["data"] if t["type"] == "bar"]
    rows = len(bars[0]["x"])
    assert rows == 2 * len(personas)  # Q1 and Q2 for each persona
    for r in range(rows):
        total = sum(abs(t["x"][r]) for t in bars)
        assert abs(total - 1.0) < 1e-3
    # disagree answers sit left of zero, agree answers right of it
    left = [t for t in bars if "disagree" in t["name"]]
    right = [t for t in bars if t["name"].endswith(" agree")]
    assert left and right and len(bars) == 6  # five levels, the middle one split in two
    assert all(x <= 0 for t in left for x in t["x"]) and all(x >= 0 for t in right for x in t["x"])
    # corrected significance is marked at the end of the rows that differ, with d
    stars = next(t for t in att["data"] if t["type"] == "scatter")
    assert stars["text"] and all(t.startswith("★ d ") for t in stars["text"])


def _dated_tables(dates: bool = True, batches: bool = False, undated: int = 0):
    """60 statements in two months (or batches); topic 1 jumps from 5 to 20 of 30 in March."""
    from types import SimpleNamespace

    rows, topics = [], []
    for i in range(60):
        feb = i >= 30
        t = (1 if i - 30 < 20 else 0) if feb else (1 if i < 5 else 0)
        rows.append(
            {
                S.UNIT_ID: f"u{i}",
                S.RESPONDENT_ID: f"r{i}",
                S.SPEAKER_ROLE: S.ROLE_CUSTOMER,
                S.TEXT: f"statement {i}",
                S.DATE: (f"2026-03-{1 + i % 27:02d}" if feb else f"2026-01-{1 + i % 27:02d}")
                if dates
                else None,
                S.BATCH_ID: ("b2" if feb else "b1") if batches else "b1",
            }
        )
        topics.append({S.UNIT_ID: f"u{i}", S.TOPIC: t})
    for i in range(undated):  # e.g. survey answers without a date in a study with reviews
        rows.append(
            {
                S.UNIT_ID: f"s{i}",
                S.RESPONDENT_ID: f"s{i}",
                S.SPEAKER_ROLE: S.ROLE_CUSTOMER,
                S.TEXT: "survey answer",
                S.DATE: None,
                S.BATCH_ID: "b1",
            }
        )
        topics.append({S.UNIT_ID: f"s{i}", S.TOPIC: 0})
    return SimpleNamespace(
        units=pd.DataFrame(rows),
        topic_assignments=pd.DataFrame(topics),
        topics=pd.DataFrame({S.TOPIC: [0, 1], "label": ["opening hours", "card <b>fees</b>"]}),
        annotations=pd.DataFrame(),
    )


def test_change_over_time_flags_an_emerging_theme():
    from insight.report.charts import QuotePool, change_chart

    by_month = change_chart(_dated_tables(), QuotePool())
    assert by_month is not None and by_month.title.endswith("month")
    assert by_month.takeaway.startswith("Emerging in 2026-03: “card <b>fees</b>”")
    heat = by_month.data[0]
    # the label reaches Plotly escaped; the emerging theme is flagged in its row label
    assert heat["y"][0] == "▲ emerging: card &lt;b&gt;fees&lt;/b&gt;"
    assert not heat["y"][1].startswith("▲")
    assert heat["x"] == ["2026-01", "2026-03"]
    assert heat["z"][0] == [round(5 / 30, 4), round(20 / 30, 4)]
    assert heat["z"][1] == [round(25 / 30, 4), round(10 / 30, 4)]
    by_batch = change_chart(_dated_tables(dates=False, batches=True), QuotePool())
    assert by_batch is not None and by_batch.title.endswith("batch")
    assert "Emerging in b2" in by_batch.takeaway
    # dates on a minority of statements (reviews among survey answers) still count
    mixed = change_chart(_dated_tables(undated=200), QuotePool())
    assert mixed is not None and mixed.data[0]["z"] == by_month.data[0]["z"]
    assert "60 of 260 themed statements carry a month" in mixed.note
    # one batch and no dates: no chart
    assert change_chart(_dated_tables(dates=False), QuotePool()) is None


def test_theme_hierarchy_sunburst_when_topics_have_parents():
    from types import SimpleNamespace

    from insight.report.charts import QuotePool, hierarchy_chart

    flat = SimpleNamespace(topics=pd.DataFrame({S.TOPIC: [0, 1], "label": ["a", "b"]}))
    assert hierarchy_chart(flat, QuotePool()) is None
    tree = SimpleNamespace(
        topics=pd.DataFrame(
            {
                "theme_id": ["t1", "t1.1", "t1.2", "t2"],
                "parent_id": [None, "t1", "t1", None],
                "level": [0, 1, 1, 0],
                "label": ["Money", "Price", "Fees", "Service"],
                "description": ["", "", "", ""],
                "n_units": [30, 20, 10, 12],
                "n_participants": [12, 9, 5, 6],
            }
        ),
        units=pd.DataFrame(),
    )
    chart = hierarchy_chart(tree, QuotePool())
    assert chart is not None
    sb = chart.data[0]
    assert sb["type"] == "sunburst" and sb["parents"] == ["", "t1", "t1", ""]
    assert sb["branchvalues"] == "total"
    assert "2 themes split into 2 sub-themes" in chart.takeaway and "Money" in chart.takeaway


def test_tables_do_not_scroll_sideways(outputs):
    # no table sits in a sideways scroller (the browser test measures the page at 1280 px)
    html = outputs[2]["report"].read_text(encoding="utf-8")
    assert "overflow-x:auto" not in html.replace(" ", "") and "@media print" in html


def test_change_names_the_biggest_swing_when_nothing_emerges():
    from types import SimpleNamespace

    from insight.report.charts import QuotePool, change_chart

    rows, topics = [], []
    for m, spike in (("2026-01", 3), ("2026-04", 24), ("2026-07", 3)):
        for i in range(30):
            uid = f"{m}-{i}"
            rows.append(
                {
                    S.UNIT_ID: uid,
                    S.RESPONDENT_ID: uid,
                    S.SPEAKER_ROLE: S.ROLE_CUSTOMER,
                    S.TEXT: "x",
                    S.DATE: f"{m}-{1 + i % 27:02d}",
                    S.BATCH_ID: "b1",
                }
            )
            topics.append({S.UNIT_ID: uid, S.TOPIC: 1 if i < spike else 0})
    tables = SimpleNamespace(
        units=pd.DataFrame(rows),
        topic_assignments=pd.DataFrame(topics),
        topics=pd.DataFrame({S.TOPIC: [0, 1], "label": ["hours", "firmware update"]}),
    )
    chart = change_chart(tables, QuotePool())
    assert chart is not None and chart.takeaway.startswith("No theme rose significantly")
    assert "“firmware update” peaked at 80% of statements in 2026-04 vs 10% in other months" in (
        chart.takeaway
    )


def test_theme_wheel_keeps_the_largest_themes_and_one_slice_for_the_rest():
    from types import SimpleNamespace

    from insight.report.charts import MAX_WHEEL_THEMES, QuotePool, hierarchy_chart

    n = MAX_WHEEL_THEMES + 3
    ids = [f"T{i}" for i in range(n)] + [f"T{i}.1" for i in range(n)]
    tree = SimpleNamespace(
        topic_hierarchy=pd.DataFrame(
            {
                "theme_id": ids,
                "parent_id": [None] * n + [f"T{i}" for i in range(n)],
                "level": [0] * n + [1] * n,
                "label": [f"theme {i}" for i in range(n)] + [f"sub {i}" for i in range(n)],
                "n_units": [100 - i for i in range(n)] + [10] * n,
            }
        ),
        topics=pd.DataFrame(),
    )
    chart = hierarchy_chart(tree, QuotePool())
    sb = chart.data[0]
    assert sb["ids"][-1] == "other-themes" and sb["labels"][-1] == "3 smaller themes"
    assert sb["values"][-1] == sum(100 - i for i in range(MAX_WHEEL_THEMES, n))
    assert len(sb["ids"]) == 2 * MAX_WHEEL_THEMES + 1
    assert chart.takeaway.startswith(f"{n} themes split into {n} sub-themes")
    assert "“theme 0”" in chart.takeaway


def test_profile_block_in_card_markdown_and_json(outputs):
    _, personas, paths = outputs
    html = paths["report"].read_text(encoding="utf-8")
    fields = ["role", "age_band", "location", "channels", "scenario", "goals", "challenges"]
    for p in personas:
        card = html.split(f'<article class="persona-card" id="{p.id}"')[1].split("</article>")[0]
        assert "<h3>Profile</h3>" in card
        assert re.findall(r'data-field="(\w+)"', card) == fields
        role = next(c for c in p.profile if c.stats["field"] == "role")
        row = card.split(f'id="{role.id}"')[1].split("</tr>")[0]
        # the tiny study's "Role" column: the members' most common answer with n of N
        assert f"<td>{role.label}" in row and f"{role.n} of {role.N}" in row
        assert "column &#34;Role&#34; (Your role)" in row and f"--claim {role.id}" in row
        # no age column: a greyed row that says so, and nothing else
        assert re.search(
            r'<tr class="no-evidence" data-field="age_band"><th scope="row">Age band</th>'
            r'<td colspan="3">No evidence in this study: no age, age-band or year-of-birth column',
            card,
        )
        glance = html.split('id="overview"')[1].split("</section>")[0]
        assert f"role / job: {role.label} ({role.n} of {role.N})" in glance
        assert "age band:" not in glance  # no evidence: not in the at-a-glance cards
        # challenges link to the persona's own pain claims
        for c in p.pain_points[:3]:
            assert f'<a href="#{c.id}">' in card.split('data-field="challenges"')[1]
    md = paths["personas_md"].read_text(encoding="utf-8")
    p0 = personas[0]
    role = next(c for c in p0.profile if c.stats["field"] == "role")
    assert "### Profile" in md and "| Field | Value | n of N | Evidence |" in md
    assert f"| Role / job | {role.label} " in md and f"| {role.n} of {role.N} |" in md
    assert "| Age band | *No evidence in this study* (no age, age-band" in md
    doc = json.loads(paths["personas_json"].read_text(encoding="utf-8"))
    prof = doc["personas"][0]["profile"]
    assert [c["stats"]["field"] for c in prof] == fields
    assert (prof[0]["label"], prof[0]["n"], prof[0]["N"]) == (role.label, role.n, role.N)
    assert prof[1]["stats"]["no_evidence"] and prof[1]["unit_ids"] == []


def test_personas_and_report_share_one_evidence_table(tmp_path):
    """The report's quotes read the evidence the personas were built from (built once);
    a replaced table builds it again."""
    from insight.personas.evidence import evidence_quotes

    study = tiny_study()
    personas = build_personas(study)
    ev = study._evidence
    assert ev is not None
    write_outputs(personas, study, tmp_path, run_info=RUN)
    assert study._evidence is ev
    study.segments = study.segments.copy()
    evidence_quotes(study, [])
    assert study._evidence is not ev
