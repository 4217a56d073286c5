"""Transcript files (text, WebVTT, SRT, DOCX, ODT, transcript tables) into records."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from insight import schema as S
from insight.errors import InputError
from insight.ingest import transcripts as T
from insight.ingest.headers import Header
from insight.ingest.io import check_zip, count_elements, decoding_warning, read_text
from insight.ingest.results import (
    SKIP_EMPTY,
    SKIP_NON_ANSWER,
    SKIP_NOTE,
    SKIP_UNPARSEABLE,
    Accounting,
    FileResult,
    file_hash,
    make_record,
)
from insight.ingest.roles import ColumnInfo, FileSchema
from insight.nlp import is_non_answer
from insight.units import trim_span

# -- transcripts ----------------------------------------------------------------------------


def _transcript_records(
    res: FileResult,
    tr: T.Transcript,
    *,
    row: int | None,
    prefix: str,
    date: str | None = None,
) -> int:
    """Records of one transcript; returns how many participant records it gave."""
    acc = res.accounting
    last_question = ""
    respondents: dict[str, dict[str, Any]] = {}
    n_customer = 0
    code = tr.meta.get("participant") or tr.meta.get("participant id") or ""
    for i, turn in enumerate(tr.turns):
        acc.read += 1
        if not turn.text.strip():
            acc.skip(SKIP_EMPTY)
            continue
        if turn.kind == "note":
            acc.skip(SKIP_NOTE)
            continue
        if turn.role == S.ROLE_CUSTOMER and is_non_answer(turn.text):
            acc.skip(SKIP_NON_ANSWER)
            acc.non_answer_cells += 1
            continue
        speaker = turn.speaker or "participant"
        if turn.role == S.ROLE_INTERVIEWER:
            respondent = f"{prefix}:interviewer"
        else:
            respondent = f"{prefix}:{speaker}"
            if tr.mode in ("think_aloud", "unlabelled"):
                respondent = _participant_code(code, prefix) or respondent
            respondents.setdefault(
                respondent,
                {
                    S.RESPONDENT_ID: respondent,
                    S.SOURCE: res.source,
                    S.SOURCE_TYPE: S.SOURCE_TRANSCRIPT,
                    "speaker": speaker,
                },
            )
            n_customer += 1
        res.records.append(
            make_record(
                res,
                row=row,
                turn=i,
                field_="turn",
                respondent=respondent,
                speaker=turn.speaker,
                role=turn.role,
                question=last_question if turn.role == S.ROLE_CUSTOMER else "",
                text=turn.text,
                date=date,
            )
        )
        acc.with_units += 1
        if turn.role == S.ROLE_INTERVIEWER:
            last_question = turn.text
    res.respondents.extend(respondents.values())
    acc.respondents += len(respondents)
    return n_customer


def _participant_code(meta_code: str, prefix: str) -> str:
    """A participant code such as ``P2`` from a ``Participant: P2`` line or a file name
    such as ``P2_GMT20211119`` (so a session and its questionnaire share a respondent)."""
    for cand in (meta_code.strip(), prefix):
        m = re.match(
            r"^((?:p|participant|r|respondent|s|subject|u|user)[-_ ]?\d{1,4})(?:$|[-_ .])",
            cand,
            re.I,
        )
        if m:
            return m.group(1).upper().replace(" ", "").replace("-", "").replace("_", "")
    return ""


def build_transcript_records(res: FileResult) -> None:
    """(Re)build the records of a transcript file from its parsed transcripts.

    Raises InputError naming the file (and row) when a transcript has no
    participant speech left: nothing is dropped silently.
    """
    res.records.clear()
    res.respondents.clear()
    res.accounting = Accounting(unit_of_count="turns")
    total = 0
    fix = (
        "label the participant's turns (e.g. 'P1:'), or name only the real "
        "interviewers with --interviewer NAME"
    )
    for row, prefix, date, tr in res.transcripts:
        n = _transcript_records(res, tr, row=row, prefix=prefix, date=date)
        total += n
        said = [t for t in tr.turns if t.role == S.ROLE_CUSTOMER and t.kind == "speech"]
        if n == 0 and said:  # the participant spoke, but only non-answers: counted, not an error
            total += 1
            where = f", row {row}" if row is not None else ""
            res.warnings.append(
                f"{res.source}{where}: all {len(said)} participant answers are non-answers"
                " (e.g. 'nan', 'N/A') - counted, no evidence"
            )
            continue
        if n == 0 and any(t.text.strip() for t in tr.turns):
            speakers = sorted({t.speaker for t in tr.turns if t.speaker})
            who = f" (speakers: {', '.join(speakers[:6])})" if speakers else ""
            if row is None:
                raise InputError(
                    f"no participant speech found: every turn was taken as the interviewer's{who}",
                    file=res.source,
                    fix=fix,
                )
            res.warnings.append(f"{res.source}, row {row}: no participant speech found{who}; {fix}")
    if res.transcripts and total == 0:
        raise InputError("no participant speech found in any transcript", file=res.source, fix=fix)


def _guess_lines(res: FileResult) -> None:
    """One line per file: what was guessed about its transcripts."""
    seen: dict[str, None] = {}
    removed: dict[str, None] = {}
    for _row, _prefix, _date, tr in res.transcripts:
        for g in tr.guesses:
            seen.setdefault(g, None)
        for r in tr.cleaned:
            removed.setdefault(re.sub(r"^\d+ ", "", r), None)
    parts = list(seen)
    if removed:
        parts.append("removed " + ", ".join(removed) + " before reading turns")
    res.guesses = [f"{res.source}: {p}" for p in parts]


@dataclass(frozen=True)
class _DocumentKind:
    """How to open one kind of word-processor document and take its paragraphs."""

    name: str  # DOCX, ODT
    app: str  # the program that saves it again
    package: str  # the pip package that reads it
    parts: tuple[str, ...]  # zip members it must have
    xml: str  # the member holding its paragraphs
    tags: tuple[bytes, ...]  # paragraph tags, counted against MAX_PARAGRAPHS
    load: Callable[[str], Any]
    paragraphs: Callable[[Any], list[str]]


def _load_docx(path: str) -> Any:
    import docx

    return docx.Document(path)


def _load_odt(path: str) -> Any:
    from odf.opendocument import load

    return load(path)


def _odt_paragraphs(doc: Any) -> list[str]:
    from odf import teletype
    from odf.namespaces import TEXTNS

    wanted = {(TEXTNS, "p"), (TEXTNS, "h")}
    out: list[str] = []

    def walk(node: Any) -> None:
        for child in node.childNodes:
            if getattr(child, "qname", None) in wanted:
                out.append(teletype.extractText(child))
            elif getattr(child, "childNodes", None):
                walk(child)

    walk(doc.text)
    return out


_DOCUMENTS = {
    ".docx": _DocumentKind(
        "DOCX",
        "Word",
        "python-docx",
        ("word/",),
        "word/document.xml",
        (b"<w:p>", b"<w:p "),
        _load_docx,
        lambda doc: [p.text for p in doc.paragraphs],
    ),
    ".odt": _DocumentKind(
        "ODT",
        "LibreOffice",
        "odfpy",
        ("content.xml", "styles.xml"),
        "content.xml",
        (b"<text:p",),
        _load_odt,
        _odt_paragraphs,
    ),
}


def document_text(path: Path) -> str:
    """The text of a .docx or .odt file, one paragraph a line (zip and size limits checked)."""
    from insight.ingest.io import MAX_PARAGRAPHS  # read at call time: tests lower it

    kind = _DOCUMENTS[path.suffix.lower()]
    check_zip(path, kind.parts, kind=f"{kind.name} document")
    for tag in kind.tags:
        count_elements(path, kind.xml, tag, MAX_PARAGRAPHS, "paragraphs")
    try:
        doc = kind.load(str(path))
    except ImportError:  # pragma: no cover - declared dependency
        raise InputError(
            f"{kind.package} is not installed", file=path.name, fix=f"pip install {kind.package}"
        ) from None
    except Exception as exc:
        raise InputError(
            f"cannot be read as {kind.name} ({type(exc).__name__})",
            file=path.name,
            fix=f"open it in {kind.app} and save as {path.suffix.lower()} again, or export .txt",
        ) from None
    return "\n".join(kind.paragraphs(doc))


def read_transcript_file(
    path: Path,
    interviewer_names: Sequence[str] = T.DEFAULT_INTERVIEWER_NAMES,
    batch_names: Sequence[str] = (),
) -> FileResult:
    ext = path.suffix.lower()
    src_hash = file_hash(path)
    warnings: list[str] = []
    if ext in (".docx", ".odt"):
        text = document_text(path)
        if not text.strip():
            raise InputError("the document has no text", file=path.name, fix="check the file")
        tr, fmt = T.from_text(text, interviewer_names, batch_names), ext[1:]
    else:
        text, enc = read_text(path)
        w = decoding_warning(path, enc)
        if w:
            warnings.append(w)
        if ext == ".vtt":
            tr, fmt = T.read_vtt(path, text, interviewer_names), "webvtt"
        elif ext == ".srt":
            tr, fmt = T.read_srt(path, text, interviewer_names), "srt"
        else:
            tr, fmt = T.from_text(text, interviewer_names, batch_names), "text"
    res = FileResult(path, path.name, src_hash, S.SOURCE_TRANSCRIPT, fmt)
    res.accounting.unit_of_count = "turns"
    res.warnings.extend(warnings)
    res.warnings.extend(f"{path.name}: {w}" for w in tr.warnings)
    if tr.mode == "unlabelled":
        res.warnings.append(
            f"{path.name}: no speaker labels found - treated as one respondent's text;"
            ' label turns like "Interviewer:" / "Name:" to separate speakers'
        )
    res.transcripts.append((None, path.stem, None, tr))
    build_transcript_records(res)
    _guess_lines(res)
    return res


def read_transcript_table(
    path: Path,
    src_hash: str,
    header: Header,
    body: list[list[str]],
    numbers: list[int],
    bad: dict[int, str],
    interviewer_names: Sequence[str],
    batch_names: Sequence[str] = (),
) -> FileResult:
    res = FileResult(path, path.name, src_hash, S.SOURCE_TRANSCRIPT, "transcript_table")
    res.accounting.unit_of_count = "turns"
    cols = header.names
    text_j = max(
        range(len(cols)),
        key=lambda j: sum(T.looks_like_transcript_cell(r[j]) for r in body[:20] if r[j]),
    )
    id_j = next(
        (j for j, c in enumerate(cols) if j != text_j and re.search(r"id$|^id|name", c, re.I)),
        None,
    )
    pre_skips: list[tuple[int, str]] = []
    for row, num in zip(body, numbers, strict=False):
        if num in bad:
            pre_skips.append((num, SKIP_UNPARSEABLE))
            res.warnings.append(f"{path.name}, row {num}: {bad[num]} - skipped")
            continue
        cell = row[text_j]
        if not cell.strip():
            pre_skips.append((num, SKIP_EMPTY))
            continue
        tr = T.from_text(cell, interviewer_names, batch_names)
        ident = row[id_j].strip() if id_j is not None and row[id_j].strip() else f"row{num}"
        res.warnings.extend(f"{path.name}, row {num}: {w}" for w in tr.warnings)
        if tr.mode == "unlabelled":
            res.warnings.append(
                f"{path.name}, row {num}: no speaker labels - treated as one respondent"
            )
        res.transcripts.append((num, ident, None, tr))
    res.pre_skips = pre_skips
    build_transcript_records(res)
    _apply_pre_skips(res)
    _guess_lines(res)
    res.schema = FileSchema(source=path.name, format="transcript_table")
    res.schema.columns[cols[text_j]] = ColumnInfo(cols[text_j], S.ROLE_TEXT, reason="transcripts")
    if id_j is not None:
        res.schema.columns[cols[id_j]] = ColumnInfo(cols[id_j], S.ROLE_ID, reason="transcript id")
    return res


def _apply_pre_skips(res: FileResult) -> None:
    for _num, reason in res.pre_skips:
        res.accounting.read += 1
        res.accounting.skip(reason)


def rebuild_with_batch_interviewers(
    results: Sequence[FileResult], interviewer_names: Sequence[str]
) -> tuple[list[str], dict[str, InputError]]:
    """Find interviewers named the same across the batch and re-read roles everywhere.

    Returns one line per interviewer found, and the files that were then left
    without participant speech (source -> the error naming it and the fix).
    """
    transcripts = [tr for r in results for _a, _b, _c, tr in r.transcripts]
    found = T.batch_interviewers(transcripts)
    failed: dict[str, InputError] = {}
    if not found:
        return [], failed
    for r in results:
        touched = False
        for _row, _prefix, _date, tr in r.transcripts:
            if tr.mode not in ("labelled", "cues"):
                continue
            if not any(T._norm_name(t.speaker) in found for t in tr.turns):
                continue
            guesses = T.assign_roles(tr.turns, interviewer_names, found)
            tr.guesses = [g for g in tr.guesses if not g.startswith("guessed")] + guesses
            touched = True
        if not touched:
            continue
        try:
            build_transcript_records(r)
        except InputError as exc:
            failed[r.source] = exc
            continue
        _apply_pre_skips(r)
        _guess_lines(r)
    names = ", ".join(sorted(found))
    notes = [
        f'"{names}" speaks in most transcripts of this batch and asks most questions: taken as '
        "the interviewer in every file; override with --interviewer NAME"
    ]
    return notes, failed


# -- REFI-QDA projects (.qdpx) and codebooks (.qdc) -------------------------------------------

#: an answer block of a survey/review respondent's source as `insight export --to qdpx`
#: writes it: "[FIELD] question" on its own line, the answer below
_ANSWER_HEAD = re.compile(r"^\[([^\]\n]*)\][ \t]?([^\n]*)\n")


def _answer_blocks(text: str) -> list[tuple[str, str, int, int]] | None:
    """(field, question, start, end) of each answer of a respondent source, or None when
    ``text`` is not one (every block must start with a "[FIELD] question" line)."""
    heads = [m for m in re.finditer(r"(?:^|\n\n)(\[[^\]\n]*\][^\n]*\n)", text)]
    if not heads or heads[0].start(1) != 0:
        return None
    out = []
    for i, m in enumerate(heads):
        head = _ANSWER_HEAD.match(m.group(1))
        if head is None:
            return None
        start = m.end(1)
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        out.append((head.group(1), head.group(2), start, end))
    return out


def _qdpx_part(parent: FileResult, guid: str, name: str, source_type: str) -> FileResult:
    """One source of a project read as if it were its own file (its name as the file)."""
    import hashlib

    h = hashlib.sha1(f"{parent.source_hash}:{guid}".encode()).hexdigest()
    part = FileResult(parent.path, name, h, source_type, "qdpx")
    part.accounting.unit_of_count = "turns"
    return part


def _respondent_part(
    parent: FileResult, guid: str, name: str, text: str, blocks: list
) -> FileResult:
    """A survey/review respondent's source (``FILE - ID``): one record per answer."""
    src, _, rid = name.rpartition(" - ")
    part = _qdpx_part(parent, guid, src or name, S.SOURCE_SURVEY)
    rid = rid or Path(name).stem
    acc = part.accounting
    for k, (field_, question, a, b) in enumerate(blocks):
        acc.read += 1
        a, b = trim_span(text, a, b)
        answer = text[a:b]
        if not answer:
            acc.skip(SKIP_EMPTY)
            continue
        part.records.append(
            make_record(
                part,
                row=k,
                turn=None,
                field_=field_ or "answer",
                respondent=rid,
                speaker="",
                role=S.ROLE_CUSTOMER,
                question=question,
                text=answer,
                date=None,
            )
        )
        acc.with_units += 1
    if part.records:
        part.respondents.append(
            {S.RESPONDENT_ID: rid, S.SOURCE: part.source, S.SOURCE_TYPE: S.SOURCE_SURVEY}
        )
        acc.respondents += 1
    return part


def _one_participant_code(part: FileResult, stem: str) -> None:
    """A session of one participant named like ``P2_GMT20211119`` keeps the code ``P2`` as
    its respondent (as the original file did), so it joins that participant's answers."""
    code = _participant_code("", stem)
    if not code or len(part.respondents) != 1:
        return
    old = part.respondents[0][S.RESPONDENT_ID]
    part.respondents[0][S.RESPONDENT_ID] = code
    for rec in part.records:
        if rec[S.RESPONDENT_ID] == old:
            rec[S.RESPONDENT_ID] = code


def read_qdpx_file(
    path: Path,
    interviewer_names: Sequence[str] = T.DEFAULT_INTERVIEWER_NAMES,
    offsets: dict[str, tuple[str, int]] | None = None,
) -> FileResult:
    """A REFI-QDA project's text sources as documents (NVivo, ATLAS.ti, MAXQDA, QualCoder).

    Each text source is read like a transcript file named after the source (speaker
    labels, think-aloud and unlabelled text as for .txt files); a respondent's source
    written by ``insight export --to qdpx`` ("[Q10] question" above each answer) gives one
    survey answer per block. Records carry the source's name as their file. The
    project's coded selections are the researchers' codes: ``insight run`` compares them
    with the themes (:func:`insight.qdpx.codes_stage`). A ``.qdc`` codebook has no text:
    it gives no records, only codes. ``offsets``, when given, is filled with record_id ->
    (source guid, start of the record's text in the source's text).
    """
    from insight.qdpx import read_qdpx

    project = read_qdpx(path)  # InputError naming the file and the fix
    res = FileResult(path, path.name, file_hash(path), S.SOURCE_TRANSCRIPT, "qdpx")
    res.accounting.unit_of_count = "turns"
    if path.suffix.lower() == ".qdc":
        res.format = "qdc"
        res.guesses.append(
            f"{path.name}: REFI-QDA codebook, {len(project.codes)} codes (no text to read)"
        )
        return res
    texts = [(g, s) for g, s in project.sources.items() if str(s.get("text", "")).strip()]
    if not texts:
        raise InputError(
            "the project has no text sources",
            file=path.name,
            fix="export the project with its documents (File > Export > REFI-QDA project), "
            "or pass the codebook as a .qdc",
        )
    acc = res.accounting
    for guid, src in texts:
        name, text = str(src.get("name") or guid), str(src["text"])
        blocks = _answer_blocks(text)
        if blocks:
            part = _respondent_part(res, guid, name, text, blocks)
        else:
            part = _qdpx_part(res, guid, name, S.SOURCE_TRANSCRIPT)
            part.transcripts.append(
                (None, Path(name).stem, None, T.from_text(text, interviewer_names))
            )
            try:
                build_transcript_records(part)
            except InputError as exc:
                res.warnings.append(f"{path.name}: source {exc.format()} - not read")
                acc.read += 1
                acc.skip(SKIP_EMPTY)
                continue
            _one_participant_code(part, Path(name).stem)
        if offsets is not None:
            cursor = 0
            for rec in part.records:  # in the order of the text
                at = text.find(rec[S.TEXT], cursor)
                if at >= 0:
                    offsets[rec[S.RECORD_ID]] = (guid, at)
                    cursor = at + len(rec[S.TEXT])
        res.records.extend(part.records)
        res.respondents.extend(part.respondents)
        res.warnings.extend(part.warnings)
        for k in ("read", "with_units", "respondents", "non_answer_cells"):
            setattr(acc, k, getattr(acc, k) + getattr(part.accounting, k))
        acc.skipped.update(part.accounting.skipped)
    acc.respondents = len({r[S.RESPONDENT_ID] for r in res.respondents})
    res.guesses.append(
        f"{path.name}: REFI-QDA project, {len(texts)} text sources read as documents, "
        f"{len(project.selections)} coded selections of {len(project.codes)} codes kept "
        "to compare with the themes"
    )
    return res


def qdpx_unit_spans(path: Path, units: Any) -> Any:
    """Where each of ``units`` (read from the project at ``path``) lies in its source:
    unit_id, source (guid), start, end (code points, end exclusive), for matching the
    project's coded selections by position. Units of other files are left out."""
    import pandas as pd

    offsets: dict[str, tuple[str, int]] = {}
    read_qdpx_file(path, offsets=offsets)
    rows = [
        (u, *offsets[r][:1], offsets[r][1] + int(a), offsets[r][1] + int(b))
        for u, r, a, b in zip(
            units[S.UNIT_ID],
            units[S.RECORD_ID],
            units[S.CHAR_START],
            units[S.CHAR_END],
            strict=False,
        )
        if r in offsets
    ]
    return pd.DataFrame(rows, columns=[S.UNIT_ID, "source", "start", "end"])
