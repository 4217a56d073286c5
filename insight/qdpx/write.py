"""REFI-QDA export: :func:`write_qdpx` (see :mod:`insight.qdpx`)."""

from __future__ import annotations

import uuid
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

from insight import __version__
from insight import schema as S
from insight.errors import StoreError

if TYPE_CHECKING:
    import pandas as pd

    from insight.store import Store

NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
_Q = f"{{{NS}}}"
_NAMESPACE = uuid.UUID("6f1c1e52-3c52-4d0b-9a57-2b1f7d0c9e11")


def _guid(*parts: object) -> str:
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join(str(p) for p in parts)))


def _el(parent: ET.Element, tag: str, **attrs: Any) -> ET.Element:
    return ET.SubElement(parent, _Q + tag, {k: str(v) for k, v in attrs.items() if v is not None})


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    e = _el(parent, tag)
    e.text = text
    return e


@dataclass
class QdpxResult:
    path: Path
    sources: int
    codes: int
    selections: int
    cases: int
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Doc:
    guid: str
    name: str
    parts: list[str] = field(default_factory=list)
    length: int = 0
    record_start: dict[str, int] = field(default_factory=dict)
    respondents: set[str] = field(default_factory=set)

    def add(self, record_id: str | None, header: str, text: str) -> None:
        if self.parts:
            self._append("\n\n")
        if header:
            self._append(header + "\n")
        if record_id is not None:
            self.record_start[record_id] = self.length
        self._append(text)

    def _append(self, s: str) -> None:
        self.parts.append(s)
        self.length += len(s)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _nn(v: Any) -> Any:
    """None for missing values (NaN, pd.NA, None)."""
    try:
        import pandas as pd

        return None if v is None or bool(pd.isna(v)) else v
    except (TypeError, ValueError):
        return v


def _documents(records: pd.DataFrame) -> tuple[list[_Doc], dict[str, _Doc]]:
    """Source documents built from records: one per transcript file, one per survey/review
    respondent. Returns the documents and record_id -> document."""
    docs: dict[tuple[str, str], _Doc] = {}
    by_record: dict[str, _Doc] = {}
    recs = records.copy()
    recs["ord_"] = range(len(recs))
    recs["row_"] = recs[S.ROW].map(lambda v: -1 if _nn(v) is None else int(v))
    recs["turn_"] = recs[S.TURN].map(lambda v: -1 if _nn(v) is None else int(v))
    recs = recs.sort_values([S.SOURCE, "row_", "turn_", "ord_"], kind="stable")
    for r in recs.itertuples(index=False):
        source = str(r.source)
        rid = str(_nn(r.respondent_id) or "")
        if r.source_type == S.SOURCE_TRANSCRIPT:
            # one transcript per file, or per row of a CSV holding one transcript a row
            key, name = (source, ""), source
            if r.row_ >= 0:
                interview = rid.split(":")[0] if ":" in rid else f"row {r.row_}"
                key, name = (source, f"row{r.row_}"), f"{source} - {interview}"
            speaker = _nn(r.speaker) or (
                "Interviewer" if r.speaker_role == S.ROLE_INTERVIEWER else "Participant"
            )
            header = ""
            text = f"{speaker}: {r.text}"
            prefix = len(speaker) + 2
        else:
            key, name = (source, rid), f"{source} - {rid}"
            q = _nn(r.question) or _nn(r.field) or ""
            header = f"[{_nn(r.field) or ''}] {q}".strip() if q else ""
            text = str(r.text)
            prefix = 0
        doc = docs.get(key)
        if doc is None:
            doc = docs[key] = _Doc(guid=_guid("source", *key), name=name)
        doc.add(None, header, "")
        doc.record_start[str(r.record_id)] = doc.length + prefix
        doc._append(text)
        if r.speaker_role == S.ROLE_CUSTOMER and rid:
            doc.respondents.add(rid)
        by_record[str(r.record_id)] = doc
    return list(docs.values()), by_record


def write_qdpx(store: Store, path: str | Path, *, project_name: str | None = None) -> QdpxResult:
    """Write the study in ``store`` as a REFI-QDA project (``.qdpx``) at ``path``."""
    import pandas as pd

    for t in ("records", "units"):
        if not store.has_table(t):
            raise StoreError(
                f'the study has no "{t}" table', file=str(store.path), fix="run `insight run`"
            )
    warnings: list[str] = []
    records = store.read_table("records")
    units = store.read_table("units")
    customer = units[units[S.SPEAKER_ROLE] == S.ROLE_CUSTOMER]
    ann = store.read_or_empty("annotations")
    topics = store.read_or_empty("topics")
    tassign = store.read_or_empty("topic_assignments")
    personas = store.read_or_empty("personas")
    segments = store.read_or_empty("segments")
    pain_themes = store.read_or_empty("pain_themes")
    created = datetime.now(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    user = _guid("user", "insight")
    name = project_name or Path(str(store.path)).parent.name or "insight study"

    docs, by_record = _documents(records)

    # -- code system --------------------------------------------------------------------
    codes_of_unit: dict[str, list[str]] = defaultdict(list)
    code_tree: list[tuple[str, str, str, list[tuple[str, str, str]]]] = []
    if len(topics) and S.TOPIC in topics.columns:
        label_col = "label" if "label" in topics.columns else S.TOPIC_LABEL
        children = []
        topic_guid = {}
        for t in topics.itertuples(index=False):
            tid = int(getattr(t, S.TOPIC))
            if tid == S.UNASSIGNED_TOPIC:
                continue
            label = str(_nn(getattr(t, label_col, None)) or f"topic {tid}")
            g = _guid("code", "theme", tid)
            topic_guid[tid] = g
            size = _nn(getattr(t, "size", None))
            desc = f"Theme {tid} found by insight's topic model" + (
                f" ({int(size)} statements)" if size is not None else ""
            )
            children.append((g, f"T{tid} {label}", desc))
        if len(tassign):
            for uid, tid in zip(tassign[S.UNIT_ID], tassign[S.TOPIC], strict=False):
                tg = topic_guid.get(int(tid)) if _nn(tid) is not None else None
                if tg:
                    codes_of_unit[str(uid)].append(tg)
        code_tree.append(
            (_guid("code", "themes"), "Themes", "Topics found across the study", children)
        )
    if len(ann) and S.PAIN_POINT in ann.columns:
        flagged = ann[ann[S.PAIN_POINT].fillna(0).astype(int) == 1]
        types = flagged.get(S.PAIN_POINT_TYPE, pd.Series(dtype=object)).map(_nn).fillna("other")
        children = []
        for ptype in sorted(set(types)):
            g = _guid("code", "pain", ptype)
            children.append((g, str(ptype), f"Statements flagged as a {ptype} pain point"))
        gmap = {c[1]: c[0] for c in children}
        for uid, ptype in zip(flagged[S.UNIT_ID], types, strict=False):
            codes_of_unit[str(uid)].append(gmap[str(ptype)])
        if children:
            code_tree.append(
                (
                    _guid("code", "pain points"),
                    "Pain points",
                    "Customer statements detected as pain points, by type",
                    children,
                )
            )
    if len(pain_themes) and "unit_ids" in pain_themes.columns:
        lab = next((c for c in ("label", "name", "theme") if c in pain_themes.columns), None)
        children = []
        for i, row in enumerate(pain_themes.itertuples(index=False)):
            label = str(getattr(row, lab)) if lab else f"pain theme {i}"
            g = _guid("code", "pain theme", i, label)
            children.append((g, label, "Pain theme (grouped pain points)"))
            for uid in list(row.unit_ids or []):
                codes_of_unit[str(uid)].append(g)
        if children:
            code_tree.append(
                (_guid("code", "pain themes"), "Pain themes", "Grouped pain points", children)
            )

    # -- selections ---------------------------------------------------------------------
    selections: dict[str, list[tuple[str, int, int, str, list[str]]]] = defaultdict(list)
    sel_of_unit: dict[str, str] = {}
    mismatched = 0
    no_record = 0
    for u in customer.itertuples(index=False):
        rec = str(_nn(getattr(u, S.RECORD_ID, None)) or "")
        doc = by_record.get(rec)
        if doc is None:
            no_record += 1
            continue
        start = doc.record_start[rec] + int(u.char_start)
        end = doc.record_start[rec] + int(u.char_end)
        if doc.text[start:end] != str(u.text):
            mismatched += 1
            continue
        g = _guid("selection", u.unit_id)
        selections[doc.guid].append(
            (g, start, end, str(u.unit_id), codes_of_unit.get(str(u.unit_id), []))
        )
        sel_of_unit[str(u.unit_id)] = g
    if no_record:
        warnings.append(f"{no_record} unit(s) point to no record - not exported")
    if mismatched:
        warnings.append(
            f"{mismatched} unit(s) whose text does not match their record offsets - not exported"
        )

    # -- cases (personas) ---------------------------------------------------------------
    cases = []
    if len(personas) and len(segments):
        seg_members: dict[str, set[str]] = defaultdict(set)
        for rid, seg in zip(segments[S.RESPONDENT_ID], segments[S.SEGMENT], strict=False):
            if _nn(seg) is not None:
                seg_members[str(int(float(seg)))].add(str(rid))
        units_of: dict[str, list[str]] = defaultdict(list)
        for uid, rid in zip(customer[S.UNIT_ID], customer[S.RESPONDENT_ID], strict=False):
            units_of[str(rid)].append(str(uid))
        for p in personas.itertuples(index=False):
            seg = _nn(getattr(p, "segment", None))
            members = seg_members.get(str(int(float(seg))), set()) if seg is not None else set()
            src = [d.guid for d in docs if d.respondents & members]
            sel = [sel_of_unit[u] for r in sorted(members) for u in units_of[r] if u in sel_of_unit]
            summary = str(_nn(getattr(p, "summary", None)) or "")
            size = _nn(getattr(p, "size", None))
            desc = f"{summary} ({int(size)} respondents)" if size is not None else summary
            cases.append((_guid("case", p.persona_id), f"{p.persona_id} {p.name}", desc, src, sel))

    # -- XML ------------------------------------------------------------------------------
    ET.register_namespace("", NS)
    root = ET.Element(
        _Q + "Project",
        {
            "name": name,
            "origin": f"insight {__version__}",
            "creatingUserGUID": user,
            "creationDateTime": created,
        },
    )
    users = _el(root, "Users")
    _el(users, "User", guid=user, name="insight", id="insight")
    if code_tree:
        codes_el = _el(_el(root, "CodeBook"), "Codes")
        for g, label, desc, children in code_tree:
            parent = _el(codes_el, "Code", guid=g, name=label, isCodable="false")
            _text(parent, "Description", desc)
            for cg, clabel, cdesc in children:
                child = _el(parent, "Code", guid=cg, name=clabel, isCodable="true")
                _text(child, "Description", cdesc)
    if cases:
        cases_el = _el(root, "Cases")
        for g, label, desc, src, sel in cases:
            c = _el(cases_el, "Case", guid=g, name=label)
            if desc:
                _text(c, "Description", desc)
            for s in src:
                _el(c, "SourceRef", targetGUID=s)
            for s in sel:
                _el(c, "SelectionRef", targetGUID=s)
    if docs:
        sources_el = _el(root, "Sources")
        for d in docs:
            src_el = _el(
                sources_el,
                "TextSource",
                guid=d.guid,
                name=d.name,
                plainTextPath=f"internal://{d.guid}.txt",
                creatingUser=user,
                creationDateTime=created,
            )
            for g, start, end, uid, code_guids in selections.get(d.guid, []):
                s_el = _el(
                    src_el,
                    "PlainTextSelection",
                    guid=g,
                    name=uid,
                    startPosition=start,
                    endPosition=end,
                    creatingUser=user,
                    creationDateTime=created,
                )
                for cg in dict.fromkeys(code_guids):
                    coding = _el(
                        s_el,
                        "Coding",
                        guid=_guid("coding", g, cg),
                        creatingUser=user,
                        creationDateTime=created,
                    )
                    _el(coding, "CodeRef", targetGUID=cg)
    ET.indent(root)
    xml = ET.tostring(root, encoding="utf-8", xml_declaration=True)

    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", xml)
        for d in docs:
            z.writestr(f"Sources/{d.guid}.txt", d.text.encode("utf-8"))
    n_codes = sum(1 + len(c[3]) for c in code_tree)
    return QdpxResult(
        path=out,
        sources=len(docs),
        codes=n_codes,
        selections=sum(len(v) for v in selections.values()),
        cases=len(cases),
        warnings=warnings,
    )
