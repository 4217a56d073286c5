"""Researchers' codes from another tool against the study's themes (`insight codes`).

Builds the REFI-QDA project a QDA tool would export from a coded-segments table (one row
per highlight: document, tag, content; e.g. the usability study's `coded_segments.csv`),
checks it against the REFI-QDA schema, and runs :func:`insight.qdpx.compare_codes` on a
study made by `insight run` from the same transcripts. Reports how many highlights were
matched to the study's customer statements by text, code-vs-theme agreement (adjusted
mutual information) and, per code, its top theme and pain-point share.

    python benchmarks/bench_qdpx_codes.py /tmp/h8/serdif \\
        ../shared/datasets/real_studies/usability_serdif/coded_segments.csv \\
        --out benchmarks/results/qdpx_codes.json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import uuid
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from insight.qdpx import NS, compare_codes, validate_qde  # noqa: E402
from insight.store import Store  # noqa: E402
from insight.study import store_path  # noqa: E402

_SPACE = uuid.UUID("0b9f0a4e-5a57-4c2e-8d1e-3f7c2f7b9a10")


def project_from_segments(segments_csv: Path) -> bytes:
    """project.qde with one text source per document and one coded selection per row."""
    import pandas as pd

    df = pd.read_csv(segments_csv)
    q = f"{{{NS}}}"
    ET.register_namespace("", NS)
    root = ET.Element(q + "Project", {"name": segments_csv.stem, "origin": "coded segments"})
    codes = ET.SubElement(ET.SubElement(root, q + "CodeBook"), q + "Codes")
    code_guid = {}
    for tag in sorted(df["tag"].dropna().astype(str).unique()):
        code_guid[tag] = str(uuid.uuid5(_SPACE, "code" + tag))
        ET.SubElement(codes, q + "Code", {"guid": code_guid[tag], "name": tag, "isCodable": "true"})
    sources = ET.SubElement(root, q + "Sources")
    for doc, rows in df.groupby("document", sort=True):
        src = ET.SubElement(
            sources, q + "TextSource", {"guid": str(uuid.uuid5(_SPACE, str(doc))), "name": str(doc)}
        )
        parts, spans, pos = [], [], 0
        for r in rows.itertuples(index=False):
            text = str(r.content)
            spans.append((pos, pos + len(text), str(r.tag), int(r.id)))
            parts.append(text)
            pos += len(text) + 2
        ET.SubElement(src, q + "PlainTextContent").text = "\n\n".join(parts)
        for a, b, tag, rid in spans:
            sel = ET.SubElement(
                src,
                q + "PlainTextSelection",
                {
                    "guid": str(uuid.uuid5(_SPACE, f"sel{rid}")),
                    "startPosition": str(a),
                    "endPosition": str(b),
                },
            )
            coding = ET.SubElement(sel, q + "Coding", {"guid": str(uuid.uuid5(_SPACE, f"c{rid}"))})
            ET.SubElement(coding, q + "CodeRef", {"targetGUID": code_guid[tag]})
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("study")
    ap.add_argument("segments_csv", type=Path)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    xml = project_from_segments(args.segments_csv)
    errors = validate_qde(xml, REPO / "tests" / "data" / "refi-qda" / "Project.xsd")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "coded.qdpx"
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("project.qde", xml)
        with Store(store_path(args.study), read_only=True) as store:
            table, summary = compare_codes(store, path)
    summary["schema_errors"] = errors
    import pandas as pd

    with pd.option_context("display.width", 200, "display.max_rows", 100):
        print(json.dumps(summary, indent=1))
        print(table.sort_values("selections", ascending=False).to_string(index=False))
    if args.out:
        doc = {
            "command": "python benchmarks/bench_qdpx_codes.py " + " ".join(argv or sys.argv[1:]),
            "summary": summary,
            "codes": table.to_dict(orient="records"),
        }
        args.out.write_text(json.dumps(doc, indent=1, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
