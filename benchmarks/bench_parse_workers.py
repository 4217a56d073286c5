"""spaCy work alone vs shared with helper processes (insight.nlp_pool): CPU, wall, same output.

    python benchmarks/bench_parse_workers.py STUDY_DIR [--ner] [--copies K]

Reads the customer texts of a finished study (``STUDY_DIR/study.duckdb``), then in a fresh
process each: the vocabulary parse of its distinct texts (``--ner``: the name NER of
redaction over all of them) with ``INSIGHT_PARSE_WORKERS=0`` and ``=1``. ``--copies K``
adds K-1 altered copies of each text (" Again k." appended) to simulate a bigger study.
Prints one JSON line per setting (wall s, CPU s of this process and of its helpers) and
whether the outputs are identical. Nothing is tuned on these texts.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path


def _texts(study: Path, ner: bool, copies: int) -> list[str]:
    from insight import schema as S
    from insight.store import Store
    from insight.vocabulary.candidates import _prepare

    with Store(study / "study.duckdb", read_only=True) as st:
        units = st.read_table("units")
    units = units[units[S.SPEAKER_ROLE] == S.ROLE_CUSTOMER].reset_index(drop=True)
    base = units[S.TEXT].astype(str).tolist() if ner else _prepare(units)[0][S.TEXT].tolist()
    out = [t + ("" if k == 0 else f" Again {k}.") for k in range(copies) for t in base]
    return list(dict.fromkeys(out))


def _one(study: Path, ner: bool, copies: int) -> dict[str, object]:
    texts = _texts(study, ner, copies)
    if ner:
        from insight import pii

        pii._ner()
        pii._english_words()

        def run() -> object:
            return pii.redact_many(texts)
    else:
        from insight.nlp import load_spacy
        from insight.vocabulary.extractor import parse_texts

        nlp = load_spacy(disable=("ner",))

        def run() -> object:
            parsed = parse_texts(texts, nlp)
            return [(n, [tuple(vars(o).values()) for o in occs]) for n, occs in parsed]

    c0, w0 = time.process_time(), time.perf_counter()
    result = run()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "task": "name NER" if ner else "vocabulary parse",
        "texts": len(texts),
        "workers": os.environ.get("INSIGHT_PARSE_WORKERS"),
        "wall_s": round(time.perf_counter() - w0, 2),
        "cpu_s_here": round(time.process_time() - c0, 2),
        "cpu_s_helpers": round(children.ru_utime + children.ru_stime, 2),
        "load_average": round(os.getloadavg()[0], 1),
        "output_sha1": hashlib.sha1(json.dumps(result).encode()).hexdigest(),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("study", type=Path)
    ap.add_argument("--ner", action="store_true", help="the name NER instead of the parse")
    ap.add_argument("--copies", type=int, default=1)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(_one(args.study, args.ner, args.copies)))
        return
    rows = []
    for workers in ("0", "1"):
        cmd = [sys.executable, __file__, str(args.study), "--child", "--copies", str(args.copies)]
        env = {**os.environ, "INSIGHT_PARSE_WORKERS": workers}
        out = subprocess.run(
            cmd + (["--ner"] if args.ner else []), env=env, capture_output=True, text=True
        )
        if out.returncode:
            raise SystemExit(out.stderr)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), flush=True)
    print("identical outputs:", rows[0]["output_sha1"] == rows[1]["output_sha1"])


if __name__ == "__main__":
    main()
