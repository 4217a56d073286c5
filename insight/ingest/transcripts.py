"""Interview transcripts: .txt/.md/.docx/.odt with speaker labels, WebVTT, SRT, CSV cells.

A transcript becomes turns; interviewer/moderator turns are kept as context (the
question the next customer turn answers) but are never customer evidence.

What real transcripts look like and how each is read:

- ``Name: text`` labels, also ``**Name**:``, ``Interviewer1 :``, lowercase
  ``interviewee:``, with a timestamp before or after the name
  (``[00:01:02] P3: ...``, ``Kim (00:13): ...``);
- leading line numbers from PDF conversions (``33 Kim: So I think ...``) and
  page headers/footers (``Page 3 of 12``) are removed before anything else;
- Otter/Zoom/Teams style: ``Jo Smith  00:13`` on its own line, the text below;
- think-aloud sessions without labels: numbered task prompts (``3.a Please
  explain ...``) are the moderator's, bracketed lines (``(The participant reads
  the task again)``) are observer notes, everything else is the participant;
  ``MODERATOR:`` lines inside such a session are the moderator's.

Roles: names such as interviewer/moderator/facilitator/Q/I/AI (with or without a
number) are interviewers, interviewee/participant/respondent/user/P3/R are
participants; otherwise the speaker asking the most questions is taken to be the
interviewer. :func:`batch_interviewers` finds a named interviewer across a batch
(a name in most files who asks most questions).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from insight import schema as S
from insight.errors import InputError
from insight.patterns import numbered_label
from insight.units import trim_span

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

#: Role words that mark the interviewer whatever their case and number ("Interviewer2", "MOD 1").
_INTERVIEWER_ROLE = numbered_label(
    r"interviewer|moderator|facilitator|researcher|ux researcher|host|int|intv|mod|q|question|"
    r"i|ai|assistant|bot|observer|note ?taker",
)
#: Role words that mark a participant ("interviewee", "P3", "Respondent 2", "User").
_CUSTOMER_NAMES = numbered_label(
    r"a|answer|user|participant|respondent|customer|interviewee|client|subject|candidate|"
    r"resp|p|r",
)
_GENERIC_SPEAKER = numbered_label(r"speaker|spk|voice|unknown speaker|person")

_TS = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_TS_PREFIX = re.compile(r"^[ \t]*[\[(]?(?P<ts>" + _TS + r")[\])]?[ \t]*[-–—|]?[ \t]*")
_TS_ONLY = re.compile(r"^[ \t]*[\[(]?" + _TS + r"(?:[ \t]*-->[ \t]*" + _TS + r")?[\])]?[ \t]*$")
_LINE_NO = re.compile(r"^[ \t]*(?P<n>\d{1,5})(?:[ \t]+|$)")
_PAGE_LINE = re.compile(
    r"^\s*(?:page\s+\d+(?:\s*(?:of|/)\s*\d+)?|\d+\s*(?:of|/)\s*\d+|[-–—]\s*\d+\s*[-–—])\s*$", re.I
)
_NAME = r"[A-Za-z][\w.'’\-]*(?:[ ][\w.'’\-]+){0,3}?"
_LABEL = re.compile(
    r"^[ \t]*(?:\d{1,5}[ \t]+)?(?:\*\*|__)?(?P<name>" + _NAME + r")(?:\*\*|__)?[ \t]*"
    r"(?:[\[(](?P<ts2>" + _TS + r")[\])][ \t]*)?"
    r":(?!//|\d)(?:\*\*|__)?[ \t]*"
)
#: ``Jo Smith  00:13`` (Otter, Zoom, Teams exports): a name and a time alone on a line.
_HEADER_LABEL = re.compile(
    r"^[ \t]*[\[(]?(?P<name>" + _NAME + r")[\])]?[ \t]+[\[(]?(?P<ts>" + _TS + r")[\])]?[ \t]*$"
)
#: A label line whose only text is a time (``Jo Smith: (00:13)``, Rev style): text below.
_TS_BODY = re.compile(r"[ \t]*[\[(]?(?P<ts>" + _TS + r")[\])]?[ \t]*$")
#: Think-aloud task prompts: ``1 Read ...``, ``3.a Please explain ...``, ``c.ii Data Lineage``.
_PROMPT = re.compile(
    r"^[ \t]*(?:\d{1,2}(?:\.[a-z0-9]{1,3}){0,2}\.?|[a-z]\.[ivx]{1,4}\.?|[a-z][.)])[ \t]+"
    r"(?=[A-Z‘'\"“(])"
)
_NOTE_LINE = re.compile(r"^[ \t]*(?:\([^()]{3,}\)|\[[^\[\]]{3,}\])[ \t.]*$")
_NOTE_START = re.compile(
    r"^[ \t]*\(?(?:the )?(?:participant|user|moderator|facilitator) (?:\w+s)\b", re.I
)
_INLINE_NOTE = re.compile(r"\((?:the )?(?:participant|user|moderator|facilitator)\b[^()]*\)", re.I)
#: Header lines such as ``Timestamp: 11/19/2021`` or ``Participant: P2`` at the top of a file.
_META_KEYS = re.compile(
    r"^(timestamp|date|time|participant|participant id|interviewee|respondent|session|location|"
    r"duration|interviewer|moderator|facilitator|project|study|recorded|transcriber|"
    r"transcribed by|file|title|language)$",
    re.I,
)


#: Label-like words at a line start that are not speakers ("Note: ...", "Update: ...").
_NOT_SPEAKERS = frozenset(
    [
        "note",
        "notes",
        "example",
        "e.g",
        "eg",
        "update",
        "edit",
        "summary",
        "comment",
        "comments",
        "ps",
        "nb",
        "warning",
        "tip",
        "source",
        "date",
        "time",
        "subject",
        "re",
        "fyi",
        "important",
        "reminder",
        "task",
        "question",
        "answer",
        "topic",
    ]
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
    kind: str = "speech"  # speech | prompt | note


@dataclass
class Transcript:
    turns: list[Turn]
    labelled: bool
    warnings: list[str] = field(default_factory=list)
    mode: str = "labelled"  # labelled | think_aloud | unlabelled | cues
    guesses: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    cleaned: list[str] = field(default_factory=list)  # what was removed before parsing


def _norm_name(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().strip("*_").strip()).lower()


def role_of_name(name: str) -> str | None:
    """``interviewer`` / ``customer`` for role words, None for a person's name."""
    key = _norm_name(name)
    if _INTERVIEWER_ROLE.match(key):
        return S.ROLE_INTERVIEWER
    if _CUSTOMER_NAMES.match(key):
        return S.ROLE_CUSTOMER
    return None


def _plausible_name(name: str) -> bool:
    words = name.split()
    if not words or len(words) > 4:
        return False
    if role_of_name(name) is not None or _GENERIC_SPEAKER.match(_norm_name(name)):
        return True
    if re.search(r"\d", name):
        return False
    return name[0].isupper() or len(words) == 1


# --- cleaning: line numbers, page headers, timestamps ---------------------------------


@dataclass
class _Line:
    text: str  # the line with line number / timestamp removed
    ts: str | None = None
    header_name: str | None = None  # an Otter-style "Name  00:13" line


def _clean_lines(text: str) -> tuple[list[_Line], list[str]]:
    """The lines of ``text`` without line numbers, page headers and timestamps."""
    text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    raw = text.split("\n")
    removed: list[str] = []
    nonempty = [ln for ln in raw if ln.strip()]
    # PDF conversions number every line: most lines start with an increasing integer.
    numbered = [int(m.group("n")) for ln in nonempty if (m := _LINE_NO.match(ln))]
    strip_numbers = False
    if len(nonempty) >= 4 and len(numbered) >= 0.6 * len(nonempty):
        rising = sum(b > a for a, b in itertools.pairwise(numbered))
        strip_numbers = rising >= 0.9 * (len(numbered) - 1)
    if strip_numbers:
        removed.append("line numbers")
    short_counts = Counter(ln.strip() for ln in nonempty if len(ln.strip()) <= 80)
    out: list[_Line] = []
    pages = 0
    for ln in raw:
        if strip_numbers:
            m = _LINE_NO.match(ln)
            if m:
                ln = ln[m.end() :]
        s = ln.strip()
        if not s:
            out.append(_Line(""))
            continue
        if _PAGE_LINE.match(s) or (
            short_counts[s] >= 3
            and re.search(r"transcript|confidential|interview|page|copyright|©", s, re.I)
            and not re.search(r"[.?!]$", s)
        ):
            pages += 1
            continue
        if _TS_ONLY.match(ln):
            out.append(_Line("", ts=s.strip("[]()")))
            continue
        hm = _HEADER_LABEL.match(ln)
        if hm and _plausible_name(hm.group("name")) and not re.search(r"[.?!,]$", hm.group("name")):
            out.append(_Line("", ts=hm.group("ts"), header_name=hm.group("name").strip()))
            continue
        ts = None
        tm = _TS_PREFIX.match(ln)
        if tm and tm.end() < len(ln):
            ts = tm.group("ts")
            ln = ln[tm.end() :]
        out.append(_Line(ln.rstrip(), ts=ts))
    if pages:
        removed.append(f"{pages} page header/footer line(s)")
    if any(x.ts for x in out):
        removed.append("timestamps")
    return out, removed


# --- labelled transcripts --------------------------------------------------------------


@dataclass
class _Cand:
    index: int  # line index
    name: str
    body_offset: int  # where the text starts within the line
    ts: str | None


def _label_candidates(lines: list[_Line]) -> list[_Cand]:
    cands = []
    for i, ln in enumerate(lines):
        if ln.header_name:
            cands.append(_Cand(i, ln.header_name, 0, ln.ts))
            continue
        if not ln.text.strip():
            continue
        m = _LABEL.match(ln.text)
        if m and _plausible_name(m.group("name").strip()):
            tb = _TS_BODY.match(ln.text, m.end())
            if tb:  # "Jo Smith: (00:13)" - the time is no text of the turn
                cands.append(_Cand(i, m.group("name").strip(), len(ln.text), tb.group("ts")))
                continue
            cands.append(_Cand(i, m.group("name").strip(), m.end(), ln.ts or m.group("ts2")))
    return cands


def _accept(
    cands: list[_Cand], lines: list[_Line], meta_lines: set[int] | None = None
) -> tuple[list[_Cand], dict[str, str]]:
    """Labels that really are speakers, and header metadata lines (``Participant: P2``)."""
    counts = Counter(_norm_name(c.name) for c in cands)
    meta: dict[str, str] = {}
    meta_lines = meta_lines if meta_lines is not None else set()
    first_speech = next((i for i, ln in enumerate(lines) if ln.text.strip()), 0)
    accepted: list[_Cand] = []
    single: list[_Cand] = []
    for c in cands:
        key = _norm_name(c.name)
        value = lines[c.index].text[c.body_offset :].strip()
        near_top = c.index - first_speech < 12 and not accepted
        if (
            near_top
            and _META_KEYS.match(key)
            and counts[key] == 1
            and value
            and len(value.split()) <= 4
            and not re.search(r"[.?!]$", value)
        ):
            meta[key] = value
            meta_lines.add(c.index)
            continue
        if lines[c.index].header_name:
            accepted.append(c)
            continue
        lower_ok = c.name[0].isupper() or role_of_name(c.name) is not None or counts[key] >= 3
        if not lower_ok:
            continue
        if counts[key] >= 2 or role_of_name(c.name) is not None or _GENERIC_SPEAKER.match(key):
            accepted.append(c)
        else:
            single.append(c)
    # A name labelled once ("Kim: Because it is cheap.") is a speaker when the file
    # has other speaker labels and it looks like a person's name.
    if accepted and single:
        extra = [
            c
            for c in single
            if c.name[0].isupper()
            and len(c.name.split()) <= 3
            and _norm_name(c.name) not in _NOT_SPEAKERS
        ]
        accepted = sorted(accepted + extra, key=lambda c: c.index)
    return accepted, meta


def _build(lines: list[_Line]) -> tuple[str, list[int]]:
    """Join cleaned lines into the container text; offsets of each line's start."""
    starts = []
    pos = 0
    for ln in lines:
        starts.append(pos)
        pos += len(ln.text) + 1
    return "\n".join(ln.text for ln in lines), starts


def parse_labelled_text(text: str) -> list[tuple[str, int, int, str | None]]:
    """(speaker, start, end, timestamp) spans of labelled turns in ``text`` (no cleaning).

    Kept for callers that need spans in the original text; :func:`from_text`
    cleans line numbers and timestamps first.
    """
    lines = [_Line(x) for x in text.split("\n")]
    cands = _label_candidates(lines)
    accepted, _meta = _accept(cands, lines)
    if not _enough_speakers(accepted):
        return []
    container, starts = _build(lines)
    return _spans(container, starts, lines, accepted)


def _enough_speakers(accepted: list[_Cand]) -> bool:
    names = {_norm_name(c.name) for c in accepted}
    if len(names) >= 2:
        return True
    return bool(accepted) and role_of_name(accepted[0].name) == S.ROLE_INTERVIEWER


def _spans(
    container: str, starts: list[int], lines: list[_Line], accepted: list[_Cand]
) -> list[tuple[str, int, int, str | None]]:
    spans: list[tuple[str, int, int, str | None]] = []
    first = starts[accepted[0].index] if accepted else len(container)
    if container[:first].strip():
        a, b = trim_span(container, 0, first)
        spans.append(("", a, b, None))
    for i, c in enumerate(accepted):
        end = starts[accepted[i + 1].index] if i + 1 < len(accepted) else len(container)
        a = starts[c.index] + c.body_offset
        if lines[c.index].header_name:
            a = starts[c.index] + len(lines[c.index].text)
        a, b = trim_span(container, a, end)
        spans.append((re.sub(r"\s+", " ", c.name.strip("*_ ")), a, b, c.ts))
    return spans


# --- roles -----------------------------------------------------------------------------


def _question_ratio(turns: Iterable[Turn]) -> float:
    own = list(turns)
    if not own:
        return 0.0
    return sum(t.text.rstrip().endswith("?") or "?" in t.text for t in own) / len(own)


def assign_roles(
    turns: list[Turn],
    interviewer_names: Sequence[str] = DEFAULT_INTERVIEWER_NAMES,
    batch_names: Iterable[str] = (),
) -> list[str]:
    """Mark interviewer turns; returns what was guessed (one line each).

    Order: names given with ``--interviewer`` (or ``re:PATTERN``) and the batch's
    interviewer; role words ("Interviewer2", "MODERATOR", "Q", "AI"); participant
    words ("interviewee", "P3"); then, if no interviewer is known yet, the speaker
    who asks the most questions.
    """
    names = {_norm_name(n) for n in interviewer_names if not n.startswith("re:")}
    names |= {_norm_name(n) for n in batch_names}
    patterns = [re.compile(n[3:], re.I) for n in interviewer_names if n.startswith("re:")]
    guesses: list[str] = []
    speakers = list(dict.fromkeys(t.speaker for t in turns if t.speaker))
    role: dict[str, str | None] = {}
    for s in speakers:
        key = _norm_name(s)
        if key in names or any(p.search(s) for p in patterns):
            role[s] = S.ROLE_INTERVIEWER
        else:
            role[s] = role_of_name(s)
    if not any(r == S.ROLE_INTERVIEWER for r in role.values()) and len(speakers) >= 2:
        ratio = {s: _question_ratio(t for t in turns if t.speaker == s) for s in speakers}
        open_ = [s for s in speakers if role[s] is None or _GENERIC_SPEAKER.match(_norm_name(s))]
        pool = open_ or []
        if pool:
            ranked = sorted(pool, key=lambda s: -ratio[s])
            top = ranked[0]
            others = [ratio[s] for s in speakers if s != top]
            if ratio[top] >= 0.3 and ratio[top] > max(others, default=0.0):
                role[top] = S.ROLE_INTERVIEWER
                guesses.append(
                    f'guessed "{top}" is the interviewer (asks questions in {ratio[top]:.0%} '
                    "of turns); override with --interviewer NAME"
                )
    # Several named speakers left as participants beside a known interviewer: the one
    # who says most is the participant; another who mostly asks is a second interviewer.
    unknown = [s for s in speakers if role[s] is None and not _GENERIC_SPEAKER.match(_norm_name(s))]
    if len(unknown) >= 2 and any(r == S.ROLE_INTERVIEWER for r in role.values()):
        words = {s: sum(len(t.text.split()) for t in turns if t.speaker == s) for s in unknown}
        main = max(unknown, key=lambda s: words[s])
        main_ratio = _question_ratio(t for t in turns if t.speaker == main)
        for s in unknown:
            r_s = _question_ratio(t for t in turns if t.speaker == s)
            if s != main and r_s >= 0.4 and r_s >= main_ratio + 0.25:
                role[s] = S.ROLE_INTERVIEWER
                guesses.append(
                    f'guessed "{s}" is a second interviewer (asks questions in {r_s:.0%} of '
                    f'turns; "{main}" answers); override with --interviewer NAME'
                )
    for t in turns:
        if t.kind != "speech":
            continue
        r = role.get(t.speaker)
        t.role = r if r is not None else S.ROLE_CUSTOMER
    return guesses


# --- think-aloud sessions ----------------------------------------------------------------


def _think_aloud(lines: list[_Line]) -> bool:
    """Numbered task prompts (at least 3, in order) and no speaker labels for most lines."""
    prompts = [ln.text for ln in lines if ln.text.strip() and _PROMPT.match(ln.text)]
    if len(prompts) < 3:
        return False
    tops = [int(m.group(1)) for p in prompts if (m := re.match(r"^\s*(\d{1,2})\b", p))]
    return len(tops) >= 3 and sum(b >= a for a, b in itertools.pairwise(tops)) >= 0.8 * (
        len(tops) - 1
    )


_SCORE_PREFIX = re.compile(r"[ \t]*\d{1,2}(?:\.\d)?[ \t]*(?:--|[-–—:])[ \t]*")


def _think_aloud_turns(
    container: str,
    starts: list[int],
    lines: list[_Line],
    interviewer_names: Sequence[str],
    skip: set[int],
) -> list[Turn]:
    names = {_norm_name(n) for n in interviewer_names if not n.startswith("re:")}
    turns: list[Turn] = []
    for i, ln in enumerate(lines):
        if not ln.text.strip() or i in skip:
            continue
        base = starts[i]
        a, b = trim_span(container, base, base + len(ln.text))
        pm = _PROMPT.match(ln.text)
        if pm:  # the task number is no part of what the moderator asked
            a = trim_span(container, base + pm.end(), b)[0]
            turns.append(
                Turn("moderator", container[a:b], a, b, ln.ts, S.ROLE_INTERVIEWER, "prompt")
            )
            continue
        if _NOTE_LINE.match(ln.text) or _NOTE_START.match(ln.text):
            turns.append(Turn("observer", container[a:b], a, b, ln.ts, S.ROLE_INTERVIEWER, "note"))
            continue
        m = _LABEL.match(ln.text)
        if m and _plausible_name(m.group("name").strip()):
            name = m.group("name").strip()
            key = _norm_name(name)
            r = S.ROLE_INTERVIEWER if key in names else role_of_name(name)
            if r is not None:
                a2, b2 = trim_span(container, base + m.end(), b)
                if a2 < b2:
                    turns.append(Turn(name, container[a2:b2], a2, b2, ln.ts, r))
                continue
        # participant speech ("2 -- comment" answers lose the score), inline notes cut out
        sm = _SCORE_PREFIX.match(container, a, b)
        pos = sm.end() if sm else a
        for nm in _INLINE_NOTE.finditer(container, a, b):
            pa, pb = trim_span(container, pos, nm.start())
            if pa < pb and re.search(r"\w", container[pa:pb]):
                turns.append(Turn("participant", container[pa:pb], pa, pb, ln.ts))
            turns.append(
                Turn(
                    "observer", nm.group(), nm.start(), nm.end(), ln.ts, S.ROLE_INTERVIEWER, "note"
                )
            )
            pos = nm.end()
        pa, pb = trim_span(container, pos, b)
        if pa < pb and re.search(r"\w", container[pa:pb]):
            turns.append(Turn("participant", container[pa:pb], pa, pb, ln.ts))
    return turns


# --- entry points ----------------------------------------------------------------------------


def from_text(
    text: str,
    interviewer_names: Sequence[str] = DEFAULT_INTERVIEWER_NAMES,
    batch_names: Iterable[str] = (),
) -> Transcript:
    """Turns of a plain-text (or Markdown, DOCX, ODT) transcript, any labelling style."""
    lines, removed = _clean_lines(text)
    container, starts = _build(lines)
    cands = _label_candidates(lines)
    meta_lines: set[int] = set()
    accepted, meta = _accept(cands, lines, meta_lines)
    spoken = sum(1 for ln in lines if ln.text.strip() or ln.header_name)
    labelled_share = len(accepted) / max(1, spoken)
    if _think_aloud(lines) and (not _enough_speakers(accepted) or labelled_share < 0.3):
        turns = _think_aloud_turns(container, starts, lines, interviewer_names, meta_lines)
        tr = Transcript(turns, labelled=False, mode="think_aloud", meta=meta, cleaned=removed)
        tr.guesses.append(
            "think-aloud session without speaker labels: numbered task prompts = moderator, "
            "bracketed lines = observer notes, the rest = participant; "
            'label turns ("Moderator:", "P1:") to override'
        )
        return tr
    if not _enough_speakers(accepted):
        turns = []
        for m in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", container):
            a, b = trim_span(container, m.start(), m.end())
            if a < b:
                turns.append(Turn("", container[a:b], a, b))
        tr = Transcript(turns, labelled=False, mode="unlabelled", meta=meta, cleaned=removed)
        return tr
    turns = [
        Turn(name, container[a:b], a, b, ts)
        for name, a, b, ts in _spans(container, starts, lines, accepted)
    ]
    guesses = assign_roles(turns, interviewer_names, batch_names)
    for t in turns:
        if not t.speaker:
            t.role = S.ROLE_INTERVIEWER  # preamble before the first label: context only
            t.kind = "note"
    tr = Transcript(turns, labelled=True, mode="labelled", meta=meta, cleaned=removed)
    tr.guesses.extend(guesses)
    return tr


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
        a, b = trim_span(body, 0, len(body))
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
        a, b = trim_span(body, 0, len(body))
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
    guesses = assign_roles(turns, interviewer_names) if labelled else []
    tr = Transcript(turns, labelled=labelled, mode="cues")
    tr.guesses.extend(guesses)
    return tr


def looks_like_transcript_cell(value: str) -> bool:
    """True when a table cell holds a whole labelled conversation."""
    if value.count("\n") < 2:
        return False
    return len(parse_labelled_text(value)) >= 3


def batch_interviewers(transcripts: Sequence[Transcript], min_files: int = 2) -> set[str]:
    """Person names that are the interviewer across a batch.

    A speaker name (not a role word) that appears in at least half of the
    labelled transcripts (and ``min_files``) and asks a larger share of
    questions than the other speakers of those files is the interviewer in
    every file.
    """
    labelled = [t for t in transcripts if t.mode in ("labelled", "cues")]
    if len(labelled) < min_files:
        return set()
    files_with: Counter[str] = Counter()
    asks: dict[str, list[Turn]] = {}
    for tr in labelled:
        for name in {_norm_name(t.speaker) for t in tr.turns if t.speaker}:
            files_with[name] += 1
        for t in tr.turns:
            if t.speaker:
                asks.setdefault(_norm_name(t.speaker), []).append(t)
    out: set[str] = set()
    for name, n in files_with.items():
        if n < max(min_files, (len(labelled) + 1) // 2) or role_of_name(name) is not None:
            continue
        mine = _question_ratio(asks[name])
        rest = [t for other, ts in asks.items() if other != name for t in ts]
        if mine >= 0.3 and mine > 1.5 * _question_ratio(rest):
            out.add(name)
    return out
