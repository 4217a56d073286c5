"""Fuzzing the readers (hypothesis): surveys, transcripts and reviews.

Properties, for any bytes a researcher might hand over (broken quoting, NUL bytes, stray
delimiters, truncated lines, corrupt JSON lines, binary junk with a document extension):

* the reader either returns a result or raises :class:`insight.errors.InsightError` (a
  message naming the file and the fix) - never any other exception;
* rows (or turns) read = rows kept + rows skipped, by reason;
* the CLI (``insight inspect``) never shows a traceback: exit code 0 or 1, no
  ``Traceback`` in its output.

Examples are few per test (``max_examples``) so the file runs in seconds; hypothesis keeps
failing examples in its database and replays them first.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insight.cli import main
from insight.errors import InsightError
from insight.ingest.readers import read_file

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=False,
)

# --- building blocks ------------------------------------------------------------------

_nasty_chars = st.sampled_from(
    ["\x00", "\r", "\n", '"', "'", ",", ";", "\t", "|", "=", "+", "-", "@", "\ufeff", "é", "😀"]
)
_words = st.sampled_from(
    [
        "the",
        "machine",
        "slow",
        "price",
        "Strongly agree",
        "Somewhat disagree",
        "Neither agree nor disagree",
        "Very satisfied",
        "N/A",
        "-",
        "nothing",
        "7",
        "10",
        "3.5",
        "2025-01-01",
        '=HYPERLINK("x")',
        "[name]",
        "(laughs)",
        "uh",
    ]
)
_text = st.one_of(
    st.lists(_words, max_size=12).map(" ".join),
    st.text(max_size=40),
    st.lists(st.one_of(_words, _nasty_chars), max_size=10).map("".join),
)
_cell = st.one_of(
    _text,
    st.integers(-5, 12).map(str),
    st.just(""),
    st.sampled_from(["Strongly agree", "Agree", "Disagree", "Strongly disagree", "Neutral"]),
)


def _csv_line(cells: list[str], delim: str) -> str:
    out = []
    for c in cells:
        if any(ch in c for ch in (delim, '"', "\n", "\r")) and len(c) % 3:
            out.append('"' + c.replace('"', '""') + '"')  # mostly quoted properly
        else:
            out.append(c)  # sometimes not: broken quoting is part of the fuzz
    return delim.join(out)


@st.composite
def survey_bytes(draw: st.DrawFn) -> bytes:
    n_cols = draw(st.integers(1, 7))
    header = draw(
        st.lists(
            st.one_of(
                st.sampled_from(["id", "Q1", "Q2_1", "comment", "age", "ResponseId", "why"]),
                _text,
            ),
            min_size=n_cols,
            max_size=n_cols,
        )
    )
    delim = draw(st.sampled_from([",", ",", ";", "\t"]))
    rows = draw(st.lists(st.lists(_cell, min_size=0, max_size=n_cols + 2), min_size=0, max_size=25))
    lines = [_csv_line(header, delim)] + [_csv_line(r, delim) for r in rows]
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), draw(_text))  # a stray line
    text = "\n".join(lines)
    if draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]  # truncated file
    enc = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]))
    return text.encode(enc, errors="replace")


_label = st.sampled_from(
    [
        "Interviewer:",
        "Interviewer1 :",
        "interviewee:",
        "P1:",
        "Participant:",
        "12   Kim:",
        "[00:01:02] P3:",
        "Q:",
        "A:",
        "Jo Smith  00:13",
        "Moderator:",
        "3.a Please explain what you see",
        "(The participant reads the page)",
        "",
    ]
)


@st.composite
def transcript_bytes(draw: st.DrawFn) -> tuple[str, bytes]:
    ext = draw(st.sampled_from([".txt", ".md", ".vtt", ".srt", ".docx", ".odt"]))
    if ext in (".docx", ".odt"):
        # binary junk, or a zip header with nothing valid behind it
        junk = draw(st.binary(max_size=300))
        return ext, draw(st.sampled_from([b"", b"PK\x03\x04"])) + junk
    lines = []
    for i in range(draw(st.integers(0, 25))):
        if ext == ".vtt" and i == 0:
            lines.append(draw(st.sampled_from(["WEBVTT", "WEBVTT - x", "", "junk"])))
        if ext in (".vtt", ".srt") and draw(st.booleans()):
            if ext == ".srt":
                lines.append(str(draw(st.integers(0, 99))))
            a, b = draw(st.integers(0, 5999)), draw(st.integers(0, 5999))
            sep = "," if ext == ".srt" else "."
            lines.append(
                f"00:{a // 100 % 60:02d}:{a % 60:02d}{sep}000 --> 00:{b // 100 % 60:02d}:"
                f"{b % 60:02d}{sep}{draw(st.sampled_from(['000', '5', 'xx']))}"
            )
        lab = draw(_label)
        lines.append((lab + " " + draw(_text)).strip())
        if draw(st.booleans()):
            lines.append("")
    text = "\n".join(lines)
    enc = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    return ext, text.encode(enc, errors="replace")


_review_obj = st.fixed_dictionaries(
    {},
    optional={
        "review_id": st.one_of(st.text(max_size=8), st.integers(), st.none()),
        "text": st.one_of(_text, st.none(), st.integers(), st.lists(st.text(max_size=5))),
        "review": _text,
        "rating": st.one_of(
            st.integers(-3, 12), st.floats(allow_nan=True), st.text(max_size=6), st.none()
        ),
        "date": st.one_of(st.text(max_size=12), st.just("2025-01-01"), st.none()),
        "title": _text,
        "product": st.one_of(_text, st.dictionaries(st.text(max_size=3), st.integers())),
    },
)


@st.composite
def review_bytes(draw: st.DrawFn) -> tuple[str, bytes]:
    ext = draw(st.sampled_from([".jsonl", ".json", ".csv"]))
    objs = draw(st.lists(_review_obj, max_size=20))
    if ext == ".jsonl":
        lines = [json.dumps(o) for o in objs]
        for _ in range(draw(st.integers(0, 3))):  # corrupt lines anywhere
            bad = draw(st.sampled_from(['{"text": "unterminated', "not json", "[1, 2", "\x00\x00"]))
            lines.insert(draw(st.integers(0, len(lines))), bad)
        return ext, "\n".join(lines).encode("utf-8")
    if ext == ".json":
        doc = draw(st.sampled_from(["list", "wrapped", "broken"]))
        if doc == "list":
            body = json.dumps(objs)
        elif doc == "wrapped":
            body = json.dumps({"reviews": objs})
        else:
            body = json.dumps(objs)[: draw(st.integers(0, 50))]
        return ext, body.encode("utf-8")
    keys = ["review_id", "rating", "date", "title", "text"]
    rows = [
        [str(o.get(k, "")) if not isinstance(o.get(k), dict) else "{}" for k in keys] for o in objs
    ]
    text = "\n".join(_csv_line(r, ",") for r in [keys, *rows])
    return ext, text.encode("utf-8")


# --- the properties -------------------------------------------------------------------


def _check_file(path: Path) -> None:
    """read_file returns or raises InsightError; its accounting adds up; the CLI shows no
    traceback."""
    try:
        res = read_file(path)
    except InsightError as exc:
        msg = exc.format()
        assert msg and "Traceback" not in msg
    else:
        acc = res.accounting
        assert acc.read == acc.with_units + sum(acc.skipped.values()), acc
        assert acc.read >= 0 and acc.with_units >= 0
        assert all(v >= 0 for v in acc.skipped.values())
    out = CliRunner().invoke(main, ["inspect", str(path)])
    assert out.exit_code in (0, 1), (out.exit_code, out.output, out.exception)
    assert "Traceback" not in out.output
    assert out.exception is None or isinstance(out.exception, SystemExit), repr(out.exception)


def _check_bytes(name: str, data: bytes) -> None:
    """:func:`_check_file` on ``data`` written to a fresh folder as ``name``."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        _check_file(path)


@pytest.mark.slow
@FUZZ
@given(data=survey_bytes(), ext=st.sampled_from([".csv", ".tsv"]))
def test_fuzz_survey_reader(data: bytes, ext: str) -> None:
    _check_bytes(f"survey{ext}", data)


@pytest.mark.slow
@FUZZ
@given(item=transcript_bytes())
def test_fuzz_transcript_reader(item: tuple[str, bytes]) -> None:
    ext, data = item
    _check_bytes(f"interview_01{ext}", data)


@pytest.mark.slow
@FUZZ
@given(item=review_bytes())
def test_fuzz_review_reader(item: tuple[str, bytes]) -> None:
    ext, data = item
    _check_bytes(f"reviews{ext}", data)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("empty.csv", b""),
        ("nul.csv", b"id,comment\n1,fine\n2,bro\x00ken\x00\n3,ok\n"),
        ("bad_line.jsonl", b'{"text": "good one"}\n{"text": "unterm\n{"text": "good two"}\n'),
        ("junk.docx", b"PK\x03\x04not really a zip"),
        ("junk.xlsx", b"\x00\x01\x02"),
        ("only_header.csv", b"id,comment\n"),
    ],
)
def test_known_hostile_files(name: str, data: bytes, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    _check_file(path)
