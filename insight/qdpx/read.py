"""Reading REFI-QDA projects (.qdpx), codebooks (.qdc) and coded segments in a CSV."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from insight.errors import InputError
from insight.qdpx.write import NS


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
