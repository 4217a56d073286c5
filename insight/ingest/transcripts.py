"""Interview transcripts: .txt/.md with speaker labels, WebVTT, SRT, DOCX, and CSV cells.

A transcript becomes turns; interviewer/moderator turns are kept as context (the
question the next customer turn answers) but are never customer evidence.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from insight import schema as S
from insight.errors import InputError

DEFAULT_INTERVIEWER_NAMES = (
    "interviewer",
    "moderator",
    "facilitator",
    "researcher",
    "host",
    "q",
    "question",
    "ai",
    "assistant",
    "int",
    "mod",
    "bot",
    "interviewer 1",
    "interviewer 2",
)
_CUSTOMER_NAMES = re.compile(
    r"^(a|answer|user|participant( ?\d+)?|respondent( ?\d+)?|customer( ?\d+)?|interviewee|"
    r"p ?\d+|r ?\d+|speaker ?\d+|client)$",
    re.I,
)

_LABEL = re.compile(
    r"""^[ \t]*
    (?:[\[(]?(?P<ts>\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)[\])]?[ \t]*[-–—]?[ \t]*)?
    (?:\*\*|__)?
    (?P<name>[A-Za-z][\w .'’\-]{0,40}?)
    (?:\*\*|__)?
    [ \t]*(?:[\[(]\d{1,2}:\d{2}(?::\d{2})?[\])])?[ \t]*
    :(?!//)
    (?:\*\*|__)?[ \t]*""",
    re.X,
)


@dataclass
class Turn:
    """One speaker turn: ``text`` is exactly ``source_text[start:end]`` of its container."""

    speaker: str
    text: str
    start: int = 0
    end: int = 0
    timestamp: str | None = None
    role: str = S.ROLE_CUSTOMER


@dataclass
class Transcript:
    turns: list[Turn]
    labelled: bool
    warnings: list[str] = field(default_factory=list)


def _norm_name(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().strip("*_").strip()).lower()


def _plausible_name(name: str) -> bool:
    words = name.split()
    if not words or len(words) > 4:
        return False
    if re.search(r"\d", name) and not re.match(
        r"^(p|r|speaker|participant|respondent|customer|interviewer) ?\d+$", name, re.I
    ):
        return False
    return name[0].isupper() or _norm_name(name) in DEFAULT_INTERVIEWER_NAMES


def parse_labelled_text(text: str) -> list[tuple[str, int, int, str | None]]:
    """(speaker, start, end, timestamp) spans of labelled turns in plain text.

    A label counts when it names a known role or occurs at least twice. Lines
    without a label continue the previous turn. Text before the first label is
    returned with speaker "".
    """
    candidates: list[tuple[int, int, str, str | None]] = []  # line_start, text_start, name, ts
    for m in re.finditer(r"[^\n]*", text):
        line = m.group()
        if not line.strip():
            continue
        lm = _LABEL.match(line)
        if lm and _plausible_name(lm.group("name").strip()):
            candidates.append(
                (m.start(), m.start() + lm.end(), lm.group("name").strip(), lm.group("ts"))
            )
    counts = Counter(_norm_name(c[2]) for c in candidates)
    known = set(DEFAULT_INTERVIEWER_NAMES)
    accepted = [
        c
        for c in candidates
        if counts[_norm_name(c[2])] >= 2
        or _norm_name(c[2]) in known
        or _CUSTOMER_NAMES.match(_norm_name(c[2]))
    ]
    if len({_norm_name(c[2]) for c in accepted}) < 2 and not (
        accepted and _norm_name(accepted[0][2]) in known
    ):
        return []
    spans: list[tuple[str, int, int, str | None]] = []
    if accepted and text[: accepted[0][0]].strip():
        a, b = _trim(text, 0, accepted[0][0])
        spans.append(("", a, b, None))
    for i, (_line_start, t_start, name, ts) in enumerate(accepted):
        end = accepted[i + 1][0] if i + 1 < len(accepted) else len(text)
        a, b = _trim(text, t_start, end)
        spans.append((re.sub(r"\s+", " ", name.strip("*_ ")), a, b, ts))
    return spans


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def assign_roles(
    turns: list[Turn], interviewer_names: Sequence[str] = DEFAULT_INTERVIEWER_NAMES
) -> list[str]:
    """Mark interviewer turns; returns warnings. Falls back to 'who asks the questions'."""
    names = {_norm_name(n) for n in interviewer_names}
    patterns = [re.compile(n[3:], re.I) for n in interviewer_names if n.startswith("re:")]
    warnings: list[str] = []
    speakers = {t.speaker for t in turns if t.speaker}
    found = False
    for t in turns:
        key = _norm_name(t.speaker)
        if key in names or any(p.search(t.speaker) for p in patterns):
            t.role = S.ROLE_INTERVIEWER
            found = True
    if not found and len(speakers) >= 2:
        ratio = {}
        for s in speakers:
            own = [t for t in turns if t.speaker == s]
            ratio[s] = sum("?" in t.text for t in own) / len(own)
        top = max(sorted(ratio), key=lambda s: ratio[s])
        generic = re.match(r"^speaker ?\d+$", _norm_name(top))
        if ratio[top] >= 0.4 and (generic or not _CUSTOMER_NAMES.match(_norm_name(top))):
            for t in turns:
                if t.speaker == top:
                    t.role = S.ROLE_INTERVIEWER
            warnings.append(
                f'assumed "{top}" is the interviewer (asks questions in {ratio[top]:.0%} of turns);'
                " name interviewers with --interviewer if wrong"
            )
    return warnings


def from_text(
    text: str, interviewer_names: Sequence[str] = DEFAULT_INTERVIEWER_NAMES
) -> Transcript:
    """Turns of a labelled plain-text (or Markdown) transcript."""
    spans = parse_labelled_text(text)
    if not spans:
        turns = []
        for m in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", text):
            a, b = _trim(text, m.start(), m.end())
            if a < b:
                turns.append(Turn("", text[a:b], a, b))
        return Transcript(turns, labelled=False)
    turns = [Turn(name, text[a:b], a, b, ts) for name, a, b, ts in spans]
    warnings = assign_roles(turns, interviewer_names)
    for t in turns:
        if not t.speaker:
            t.role = S.ROLE_INTERVIEWER  # preamble before the first label: context only
    return Transcript(turns, labelled=True, warnings=warnings)


def read_vtt(path: Path, text: str, interviewer_names: Sequence[str]) -> Transcript:
    import webvtt

    try:
        vtt = webvtt.from_string(text)
    except Exception as exc:
        raise InputError(
            f"is not valid WebVTT ({exc})",
            file=str(path),
            fix="check the WEBVTT header and cue timings",
        ) from None
    turns: list[Turn] = []
    for cap in vtt.captions:
        body = cap.text
        speaker = cap.voice or ""
        lm = _LABEL.match(body)
        if not speaker and lm and _plausible_name(lm.group("name").strip()):
            speaker = lm.group("name").strip()
            body = body[lm.end() :]
        a, b = _trim(body, 0, len(body))
        if a < b:
            turns.append(Turn(speaker, body[a:b], 0, b - a, cap.start))
    return _finish_cues(path, turns, interviewer_names)


def read_srt(path: Path, text: str, interviewer_names: Sequence[str]) -> Transcript:
    import srt

    try:
        subs = list(srt.parse(text))
    except Exception as exc:
        raise InputError(
            f"is not valid SRT ({exc})", file=str(path), fix="check cue numbers and timings"
        ) from None
    turns: list[Turn] = []
    for sub in subs:
        body = sub.content
        speaker = ""
        lm = _LABEL.match(body)
        if lm and _plausible_name(lm.group("name").strip()):
            speaker = lm.group("name").strip()
            body = body[lm.end() :]
        a, b = _trim(body, 0, len(body))
        if a < b:
            turns.append(Turn(speaker, body[a:b], 0, b - a, str(sub.start)))
    return _finish_cues(path, turns, interviewer_names)


def _finish_cues(path: Path, turns: list[Turn], interviewer_names: Sequence[str]) -> Transcript:
    if not turns:
        raise InputError("has no cues with text", file=str(path), fix="check the file")
    labelled = any(t.speaker for t in turns)
    if labelled:  # a cue without a label continues the previous speaker's utterance
        for prev, t in itertools.pairwise(turns):
            if not t.speaker:
                t.speaker = prev.speaker
    warnings = assign_roles(turns, interviewer_names) if labelled else []
    return Transcript(turns, labelled=labelled, warnings=warnings)


def read_docx(path: Path, interviewer_names: Sequence[str]) -> Transcript:
    try:
        import docx
    except ImportError:  # pragma: no cover - declared dependency
        raise InputError(
            "python-docx is not installed", file=str(path), fix="pip install python-docx"
        ) from None
    try:
        document = docx.Document(str(path))
    except Exception as exc:
        raise InputError(
            f"cannot be read as DOCX ({type(exc).__name__})",
            file=str(path),
            fix="open it in Word and save as .docx again, or export .txt",
        ) from None
    paragraphs = [p.text for p in document.paragraphs]
    text = "\n".join(paragraphs)
    if not text.strip():
        raise InputError("the document has no text", file=str(path))
    return from_text(text, interviewer_names)


def looks_like_transcript_cell(value: str) -> bool:
    """True when a table cell holds a whole labelled conversation."""
    if value.count("\n") < 2:
        return False
    return len(parse_labelled_text(value)) >= 3
