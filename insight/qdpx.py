"""REFI-QDA project export (.qdpx), the exchange standard of NVivo, ATLAS.ti, MAXQDA and
QualCoder, and a reader for the projects it writes (and other tools' .qdpx / .qdc codes).

A ``.qdpx`` is a zip holding ``project.qde`` (XML in the ``urn:QDA-XML:project:1.0``
namespace, REFI-QDA Project.xsd of 18 March 2019) and ``Sources/<guid>.txt``, the plain
text of each source. :func:`write_qdpx` writes:

* **sources**: one text document per transcript file (every turn, interviewer turns
  included as context, each line led by its speaker label) and one per survey or review
  respondent (each answer led by its question); the study's records in their order;
* **code system**: ``Themes`` (one code per topic, outliers left out), ``Pain points``
  (one code per pain type of the units flagged as pain points) and, when the study has a
  ``pain_themes`` table, ``Pain themes``;
* **coded selections**: every customer evidence unit as a ``PlainTextSelection`` with its
  character offsets in the source text (Unicode code points, end exclusive, the unit's
  ``unit_id`` as its name) coded with its theme, pain type and pain theme;
* **cases**: one per persona, with its summary, references to the sources of its members
  and to the selections of their units.

GUIDs are derived from the study content (uuid5), so the same study gives the same file.
"""

from __future__ import annotations

import uuid
import zipfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

from insight import __version__
from insight import schema as S
from insight.errors import InputError, StoreError

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


# -- reading --------------------------------------------------------------------------


@dataclass
class QdaProject:
    """What a .qdpx / .qdc holds, flattened: codes (guid -> name, parent), source texts
    (guid -> name, text) and coded selections (one row per selection and code)."""

    name: str
    codes: dict[str, dict[str, Any]]
    sources: dict[str, dict[str, Any]]
    selections: list[dict[str, Any]]
    cases: dict[str, dict[str, Any]]

    def code_path(self, guid: str) -> str:
        names = []
        g: str | None = guid
        while g:
            names.append(self.codes[g]["name"])
            g = self.codes[g]["parent"]
        return " / ".join(reversed(names))


def _walk_codes(
    parent_el: ET.Element, ns: str, parent: str | None, out: dict[str, dict[str, Any]]
) -> None:
    for c in parent_el.findall(f"{{{ns}}}Code"):
        desc = c.find(f"{{{ns}}}Description")
        out[c.get("guid", "")] = {
            "name": c.get("name", ""),
            "parent": parent,
            "codable": c.get("isCodable", "true") == "true",
            "description": desc.text if desc is not None else "",
        }
        _walk_codes(c, ns, c.get("guid"), out)


#: columns of a highlights export (Taguette, QualCoder, a spreadsheet of coded segments)
_CODE_COLS = ("tag", "code", "codes", "tags", "code name")
_TEXT_COLS = ("content", "text", "highlight", "segment", "coded text", "quote")
_DOC_COLS = ("document", "source", "file", "document name", "doc")


def read_codes_csv(path: str | Path) -> QdaProject:
    """Coded segments (one row per highlight: document, tag, content, as Taguette exports
    them) or a codebook (tag, description) from a CSV, as a :class:`QdaProject` whose
    selections carry their text and document name (matched to units by text)."""
    import pandas as pd

    p = Path(path)
    try:
        df = pd.read_csv(p, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot be read as CSV ({exc})", file=str(p)) from None
    lower = {str(c).strip().lower(): c for c in df.columns}
    code = next((lower[c] for c in _CODE_COLS if c in lower), None)
    text = next((lower[c] for c in _TEXT_COLS if c in lower), None)
    doc = next((lower[c] for c in _DOC_COLS if c in lower), None)
    if code is None:
        raise InputError(
            "no code column (tag or code)",
            file=str(p),
            fix="coded segments need columns document, tag, content (a codebook: tag, "
            "description); found " + ", ".join(map(str, df.columns)),
        )
    desc = lower.get("description")
    codes: dict[str, dict[str, Any]] = {}
    for name in dict.fromkeys(df[code].str.strip()):
        if name:
            codes[name] = {"name": name, "parent": None, "codable": True, "description": ""}
    if desc is not None:
        for name, d in zip(df[code].str.strip(), df[desc], strict=False):
            if name in codes and d and not codes[name]["description"]:
                codes[name]["description"] = d
    sources: dict[str, dict[str, Any]] = {}
    selections: list[dict[str, Any]] = []
    if text is not None:
        docs = df[doc] if doc is not None else pd.Series([p.stem] * len(df))
        for i, (name, t, d) in enumerate(zip(df[code].str.strip(), df[text], docs, strict=False)):
            if not name or not str(t).strip():
                continue
            sources.setdefault(str(d), {"name": str(d), "text": ""})
            selections.append(
                {
                    "selection": f"row{i + 2}",
                    "name": "",
                    "source": str(d),
                    "start": 0,
                    "end": len(str(t)),
                    "text": str(t),
                    "code": name,
                }
            )
    return QdaProject(p.stem, codes, sources, selections, {})


def read_qdpx(path: str | Path) -> QdaProject:
    """Read a REFI-QDA project (.qdpx) or codebook (.qdc), or coded segments / a codebook
    in a CSV (:func:`read_codes_csv`). Selections carry their text."""
    p = Path(path)
    if p.suffix.lower() == ".csv":
        return read_codes_csv(p)
    try:
        if p.suffix.lower() == ".qdc":
            xml = p.read_bytes()
            files: dict[str, bytes] = {}
        else:
            with zipfile.ZipFile(p) as z:
                names = z.namelist()
                qde = next((n for n in names if n.lower().endswith(".qde")), None)
                if qde is None:
                    raise InputError("no project.qde inside", file=str(p), fix="export it again")
                xml = z.read(qde)
                files = {n: z.read(n) for n in names if n.lower().startswith("sources/")}
        root = ET.fromstring(xml)
    except (zipfile.BadZipFile, ET.ParseError, OSError) as exc:
        raise InputError(
            f"not a REFI-QDA file ({exc})", file=str(p), fix="export a .qdpx or .qdc again"
        ) from None
    ns = root.tag[1 : root.tag.index("}")] if root.tag.startswith("{") else ""
    q = f"{{{ns}}}" if ns else ""
    codes: dict[str, dict[str, Any]] = {}
    codes_el = root.find(f"{q}CodeBook/{q}Codes") if ns == NS else root.find(f"{q}Codes")
    if codes_el is not None:
        _walk_codes(codes_el, ns, None, codes)
    sources: dict[str, dict[str, Any]] = {}
    selections: list[dict[str, Any]] = []
    for src in root.iterfind(f"{q}Sources/{q}TextSource"):
        g = src.get("guid", "")
        content = src.find(f"{q}PlainTextContent")
        text = content.text or "" if content is not None else ""
        ptp = src.get("plainTextPath", "")
        if ptp.startswith("internal://"):
            key = "Sources/" + ptp[len("internal://") :]
            text = files.get(key, b"").decode("utf-8-sig")
        sources[g] = {"name": src.get("name", ""), "text": text}
        for sel in src.iterfind(f"{q}PlainTextSelection"):
            a, b = int(sel.get("startPosition", 0)), int(sel.get("endPosition", 0))
            for coding in sel.iterfind(f"{q}Coding"):
                ref = coding.find(f"{q}CodeRef")
                selections.append(
                    {
                        "selection": sel.get("guid"),
                        "name": sel.get("name", ""),
                        "source": g,
                        "start": a,
                        "end": b,
                        "text": text[a:b],
                        "code": ref.get("targetGUID") if ref is not None else None,
                    }
                )
    cases = {
        c.get("guid", ""): {
            "name": c.get("name", ""),
            "sources": [r.get("targetGUID") for r in c.iterfind(f"{q}SourceRef")],
            "selections": [r.get("targetGUID") for r in c.iterfind(f"{q}SelectionRef")],
        }
        for c in root.iterfind(f"{q}Cases/{q}Case")
    }
    return QdaProject(root.get("name", p.stem), codes, sources, selections, cases)


def validate_qde(xml: bytes, xsd_path: str | Path) -> list[str]:
    """Schema errors of a project.qde against a REFI-QDA Project.xsd (empty = valid).

    Needs lxml (installed with python-docx, a dependency)."""
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(xsd_path)))
    doc = etree.fromstring(xml)
    if schema.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


# -- comparing researchers' codes with the study's themes ------------------------------


def _norm(text: str) -> str:
    return " ".join(str(text).lower().split())


def match_selections(
    project: QdaProject, units: pd.DataFrame, spans: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per (coded selection, study unit) it covers: selection, code, unit_id.

    A selection named by a unit id (a project this module wrote) maps to that unit. When
    the study read the project itself (``spans``: unit_id, source guid, start, end from
    :func:`insight.ingest.documents.qdpx_unit_spans`), a selection covers the units of its
    source that lie at least half inside it. Otherwise a unit matches when its text (3+
    words) lies inside the selection's text or the selection's text (15+ characters)
    inside it, case and spacing ignored, preferring units of a source with the same file
    stem when there is one.
    """
    import pandas as pd

    ids = set(units[S.UNIT_ID].astype(str))
    at: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    if spans is not None:
        for u, g, a, b in spans[[S.UNIT_ID, "source", "start", "end"]].itertuples(index=False):
            if str(u) in ids:
                at[str(g)].append((int(a), int(b), str(u)))
    texts = [
        (_norm(t), str(u), Path(str(src)).stem.lower())
        for t, u, src in zip(units[S.TEXT], units[S.UNIT_ID], units[S.SOURCE], strict=False)
    ]
    rows = []
    for sel in project.selections:
        if sel["code"] is None:
            continue
        if sel["name"] in ids:
            rows.append(
                {"selection": sel["selection"], "code": sel["code"], S.UNIT_ID: sel["name"]}
            )
            continue
        if sel["source"] in at:
            a, b = sel["start"], sel["end"]
            for ua, ub, u in at[sel["source"]]:
                if 2 * (min(b, ub) - max(a, ua)) >= ub - ua > 0:
                    rows.append({"selection": sel["selection"], "code": sel["code"], S.UNIT_ID: u})
            continue
        st = _norm(sel["text"])
        if len(st) < 3:
            continue
        src_stem = Path(project.sources.get(sel["source"], {}).get("name", "")).stem.lower()
        # a short statement ("okay.", "yes") lies inside many highlights: only statements
        # of 3+ words count as covered by one
        hits = [
            (u, stem)
            for t, u, stem in texts
            if t and ((t in st and t.count(" ") >= 2) or (len(st) >= 15 and st in t))
        ]
        same = [u for u, stem in hits if src_stem and (stem in src_stem or src_stem in stem)]
        for u in same or [u for u, _ in hits]:
            rows.append({"selection": sel["selection"], "code": sel["code"], S.UNIT_ID: u})
    return pd.DataFrame(rows, columns=["selection", "code", S.UNIT_ID])


def compare_codes(
    store: Store, path: str | Path, matched: list[pd.DataFrame] | None = None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Researchers' codes (a .qdpx) against the study's themes and pain points.

    Per code: selections, study units matched, the theme holding most of them and its
    share (purity), and the share of matched units flagged as pain points. Summary:
    units matched, and the adjusted mutual information between code and theme over
    units that carry exactly one code (1 = the same partition, 0 = unrelated). A .qdc
    codebook has no coded text: its codes are listed with no matches. ``matched``, when
    given, gets the (selection, code name, unit_id) matches appended.
    """
    import pandas as pd

    project = read_qdpx(path)
    units = store.read_table("units")
    customer = units[units[S.SPEAKER_ROLE] == S.ROLE_CUSTOMER]
    spans = None
    if Path(path).suffix.lower() == ".qdpx" and S.RECORD_ID in customer:
        from insight.ingest.documents import qdpx_unit_spans

        spans = qdpx_unit_spans(Path(path), customer)  # a study read from this project
    matches = match_selections(
        project, customer, spans if spans is not None and len(spans) else None
    )
    if matched is not None:
        names = {g: str(c.get("name") or g) for g, c in project.codes.items()}
        matched.append(matches.assign(code=matches["code"].map(lambda g: names.get(g, g))))
    topics = store.read_or_empty("topic_assignments")
    tlabels = store.read_or_empty("topics")
    label_of = {}
    if len(tlabels):
        lab = "label" if "label" in tlabels.columns else S.TOPIC_LABEL
        label_of = dict(zip(tlabels[S.TOPIC].astype(int), tlabels[lab].astype(str), strict=False))
    topic_of = (
        dict(zip(topics[S.UNIT_ID].astype(str), topics[S.TOPIC].astype(int), strict=False))
        if len(topics)
        else {}
    )
    ann = store.read_or_empty("annotations")
    pain_of = (
        dict(zip(ann[S.UNIT_ID].astype(str), ann[S.PAIN_POINT].fillna(0).astype(int), strict=False))
        if len(ann) and S.PAIN_POINT in ann.columns
        else {}
    )
    rows = []
    n_sel: dict[str, int] = defaultdict(int)
    for sel in project.selections:
        if sel["code"]:
            n_sel[sel["code"]] += 1
    for guid, info in project.codes.items():
        if not info["codable"] and not n_sel.get(guid):
            continue  # a folder of codes (e.g. "Themes"), never applied itself
        m = matches[matches["code"] == guid]
        uids = list(dict.fromkeys(m[S.UNIT_ID]))
        tops = pd.Series([topic_of[u] for u in uids if u in topic_of], dtype=int)
        tops = tops[tops != S.UNASSIGNED_TOPIC]
        best, share = None, None
        if len(tops):
            vc = tops.value_counts()
            best, share = int(vc.index[0]), float(vc.iloc[0] / len(tops))
        pains = [pain_of[u] for u in uids if u in pain_of]
        rows.append(
            {
                "code": project.code_path(guid),
                "selections": n_sel.get(guid, 0),
                "units_matched": len(uids),
                "top_theme": f"T{best} {label_of.get(best, '')}".strip()
                if best is not None
                else None,
                "theme_share": round(share, 3) if share is not None else None,
                "pain_point_share": round(sum(pains) / len(pains), 3) if pains else None,
            }
        )
    table = pd.DataFrame(rows)
    summary: dict[str, Any] = {
        "codes": len(project.codes),
        "coded_selections": sum(n_sel.values()),
        "units_matched": int(matches[S.UNIT_ID].nunique()) if len(matches) else 0,
        "customer_units": len(customer),
    }
    if len(matches) and topic_of:
        from sklearn.metrics import adjusted_mutual_info_score

        per_unit = matches.groupby(S.UNIT_ID)["code"].agg(lambda c: sorted(set(c)))
        single = per_unit[per_unit.map(len) == 1]
        pairs = [(c[0], topic_of[u]) for u, c in single.items() if u in topic_of]
        pairs = [(c, t) for c, t in pairs if t != S.UNASSIGNED_TOPIC]
        if len(pairs) >= 2:
            codes_, topics_ = zip(*pairs, strict=True)
            summary["ami_code_vs_theme"] = round(
                float(adjusted_mutual_info_score(codes_, topics_)), 3
            )
            summary["units_with_one_code"] = len(pairs)
    return table, summary


# -- --seed-codes: themes named after the researchers' codes -----------------------------

#: a theme takes a code's name when the code covers at least this share of its statements
SEED_MIN_SHARE = 0.5
SEED_MIN_UNITS = 3


def seed_theme_labels(store: Store, matches: pd.DataFrame) -> list[dict[str, Any]]:
    """Name each theme after the researchers' code covering most of its statements (at
    least :data:`SEED_MIN_SHARE` of them and :data:`SEED_MIN_UNITS`); the model's label is
    kept as ``model_label`` and ``label_source`` says which code and how many statements.
    Rewrites the labels of ``topics``, ``topic_assignments`` and the top level of
    ``topic_hierarchy``. Returns one row per renamed theme."""
    topics = store.read_or_empty("topics")
    assigned = store.read_or_empty("topic_assignments")
    if topics.empty or assigned.empty or matches.empty or "label" not in topics:
        return []
    topic_of = dict(zip(assigned[S.UNIT_ID].astype(str), assigned[S.TOPIC], strict=False))
    size = assigned[S.TOPIC].value_counts()
    m = matches.drop_duplicates([S.UNIT_ID, "code"])
    m = m.assign(topic=m[S.UNIT_ID].astype(str).map(topic_of)).dropna(subset=["topic"])
    renamed: dict[int, tuple[str, int, int]] = {}
    for t, grp in m.groupby("topic"):
        t = int(t)
        if t == S.UNASSIGNED_TOPIC:
            continue
        counts = grp["code"].value_counts()
        code, k = str(counts.index[0]), int(counts.iloc[0])
        n = int(size.get(t, 0))
        if k >= SEED_MIN_UNITS and n and k / n >= SEED_MIN_SHARE:
            renamed[t] = (code, k, n)
    if not renamed:
        return []
    topics = topics.copy()
    if "model_label" not in topics:
        topics["model_label"] = topics["label"]
    topics["label_source"] = None
    for t, (code, k, n) in renamed.items():
        row = topics[S.TOPIC] == t
        topics.loc[row, "label"] = code
        topics.loc[row, "label_source"] = f"your code {code!r}: {k} of {n} statements"
    store.write_table("topics", topics)
    if S.TOPIC_LABEL in assigned:
        assigned = assigned.copy()
        new = assigned[S.TOPIC].map(lambda t: renamed.get(int(t), (None,))[0])
        assigned[S.TOPIC_LABEL] = new.where(new.notna(), assigned[S.TOPIC_LABEL])
        store.write_table("topic_assignments", assigned)
    hier = store.read_or_empty("topic_hierarchy")
    if len(hier) and {"level", S.TOPIC, "label"} <= set(hier.columns):
        top = hier["level"] == hier["level"].min()
        for t, (code, _k, _n) in renamed.items():
            hier.loc[top & (hier[S.TOPIC] == t), "label"] = code
        store.write_table("topic_hierarchy", hier)
    return [
        {S.TOPIC: t, "label": code, "statements": k, "of": n}
        for t, (code, k, n) in sorted(renamed.items())
    ]


# -- `insight run` with a .qdpx / .qdc among its inputs ---------------------------------

#: run.json / store meta key of the researchers' codes compared with the themes
CODES_META = "codes_vs_themes"


def qda_inputs(inputs: Sequence[str | Path]) -> list[Path]:
    """The REFI-QDA projects (.qdpx) and codebooks (.qdc) among a run's inputs."""
    from insight.ingest import expand_paths

    files, _notes = expand_paths(inputs)
    return [f for f in files if f.suffix.lower() in (".qdpx", ".qdc")]


def codes_stage(
    store: Store,
    inputs: Sequence[str | Path],
    summary: dict[str, Any],
    echo: Any,
    seed_codes: bool = False,
) -> None:
    """Compare the researchers' codes of every .qdpx / .qdc input with the study's themes.

    Writes the per-code table (``codes_vs_themes``, one row per code and project) and the
    store meta of the same name (per project: codes, coded selections, statements
    matched, code vs theme agreement; plus the table's rows), which ``run.json`` and the
    report show. Nothing is written for a run without such inputs. With ``seed_codes``
    the themes are named after the researchers' codes (:func:`seed_theme_labels`).
    """
    import pandas as pd

    projects = qda_inputs(inputs)
    if not projects:
        summary["projects"] = 0
        return
    tables, summaries = [], []
    matched: list[pd.DataFrame] = []
    for path in projects:
        table, info = compare_codes(store, path, matched)
        tables.append(table.assign(project=path.name))
        summaries.append({"project": path.name, **info})
        echo(
            f"  {path.name}: {info['codes']} codes, {info['coded_selections']} coded "
            f"selections; {info['units_matched']} of {info['customer_units']} statements "
            "matched"
            + (
                f"; code vs theme agreement (AMI) {info['ami_code_vs_theme']:.3f}"
                if "ami_code_vs_theme" in info
                else ""
            )
        )
    table = pd.concat(tables, ignore_index=True)
    store.write_table(CODES_META, table)
    rows = [
        {k: (None if _nn(v) is None else v) for k, v in r.items()}
        for r in table.to_dict(orient="records")
    ]
    seeded = seed_theme_labels(store, pd.concat(matched, ignore_index=True)) if seed_codes else []
    for r in seeded:
        echo(
            f"  theme {r[S.TOPIC]} named after your code {r['label']!r} ({r['statements']} of {r['of']} statements)"
        )
    store.put_meta(CODES_META, {"projects": summaries, "codes": rows, "seeded_labels": seeded})
    summary["projects"] = len(projects)
    summary["codes"] = len(table)


__all__ = [
    "CODES_META",
    "NS",
    "QdaProject",
    "QdpxResult",
    "codes_stage",
    "compare_codes",
    "match_selections",
    "qda_inputs",
    "read_codes_csv",
    "read_qdpx",
    "seed_theme_labels",
    "validate_qde",
    "write_qdpx",
]
