"""Before/after comparison of `insight run` on samples/: a canonical projection of its outputs.

The projection keeps what a refactor must not change: every persona (id, segment, name,
size n of N, share) with every claim (kind, label, n of N, quote unit ids), the themes
(count and sizes), the top vocabulary terms and the unit counts. It is compared with the
committed snapshot ``tests/data/golden/samples.json`` (floats with a tolerance, ordering
canonical); a difference prints one readable line per changed value.

Regenerate the snapshot after an intended change of the outputs (one command)::

    make golden                      # = python tests/golden.py --update
    python tests/golden.py --update --from out/samples   # from an existing run folder
    python tests/golden.py --check out/samples           # compare a run folder, no update
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SNAPSHOT = REPO / "tests" / "data" / "golden" / "samples.json"
#: the `insight run` the snapshot is taken from (as `make demo`, fewer bootstrap rounds)
INPUTS = ("samples/survey", "samples/interviews", "samples/reviews")
OPTIONS = ("--seed", "0", "--bootstrap", "10")
TOP_TERMS = 25
REL_TOL, ABS_TOL = 1e-6, 1e-9
#: differences listed before "... and N more"
MAX_LINES = 60


def run_samples(out: Path) -> None:
    """`insight run` on samples/ into ``out`` (in this process, offline)."""
    import os

    from click.testing import CliRunner

    from insight.cli import main

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    args = ["run", *(str(REPO / i) for i in INPUTS), "--out", str(out), *OPTIONS]
    res = CliRunner().invoke(main, args)
    if res.exit_code != 0:
        raise RuntimeError(f"insight {' '.join(args)} failed:\n{res.output}") from res.exception


def projection(out: Path) -> dict[str, Any]:
    """The canonical projection of a run folder (read from its study.duckdb)."""
    from insight import schema as S
    from insight.store import Store

    with Store(out / "study.duckdb", read_only=True) as st:
        personas = st.read_table("personas")
        claims = st.read_table("persona_claims")
        units = st.read_table("units", [S.UNIT_ID, S.SPEAKER_ROLE, S.RESPONDENT_ID])
        topics = st.read_or_empty("topics")
        vocab = st.read_or_empty("vocabulary")
        segments = st.read_or_empty("segments")
    customer = units[units[S.SPEAKER_ROLE] == S.ROLE_CUSTOMER]
    out_personas: dict[str, Any] = {}
    for p in personas.itertuples(index=False):
        share = float(p.share)
        mine = claims[claims["persona_id"] == p.persona_id]
        out_personas[str(p.persona_id)] = {
            "segment": str(p.segment),
            "name": str(p.name),
            "size": int(p.size),
            "of": round(int(p.size) / share) if share else None,
            "share": share,
            "claims": {
                str(c.claim_id): {
                    "kind": str(c.kind),
                    "label": str(c.label),
                    "n": int(c.n),
                    "of": int(c.n_total),
                    "quotes": [str(u) for u in c.quote_ids],
                }
                for c in mine.itertuples(index=False)
            },
        }
    sizes = sorted(
        ([int(t.size), int(t.respondents)] for t in topics.itertuples(index=False)),
        reverse=True,
    )
    terms = []
    if len(vocab):
        ranked = vocab[vocab["group"].fillna("all") == "all"] if "group" in vocab else vocab
        terms = [[str(t), int(n)] for t, n in zip(ranked["term"], ranked["count"], strict=True)]
    return {
        "units": {
            "all": len(units),
            "customer": len(customer),
            "respondents": int(customer[S.RESPONDENT_ID].nunique()),
            "segmented": len(segments),
        },
        "personas": out_personas,
        "themes": {"count": len(sizes), "sizes_and_respondents": sizes},
        "vocabulary": {"top_terms": terms[:TOP_TERMS]},
    }


def diff(expected: Any, actual: Any, path: str = "") -> list[str]:
    """One line per value that differs (floats within REL_TOL/ABS_TOL are equal)."""
    where = path or "(root)"
    if isinstance(expected, dict) and isinstance(actual, dict):
        lines = []
        for key in sorted(set(expected) | set(actual), key=str):
            sub = f"{path}/{key}" if path else str(key)
            if key not in actual:
                lines.append(f"{sub}: missing now (was {_short(expected[key])})")
            elif key not in expected:
                lines.append(f"{sub}: new ({_short(actual[key])})")
            else:
                lines += diff(expected[key], actual[key], sub)
        return lines
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) == len(actual):
            lines = [
                line
                for i, (a, b) in enumerate(zip(expected, actual, strict=True))
                for line in diff(a, b, f"{where}[{i}]")
            ]
            if len(lines) <= 3:  # a few changed items; else one line for the whole list
                return lines
        gone = [v for v in expected if v not in actual]
        new = [v for v in actual if v not in expected]
        return [
            f"{where}: {len(expected)} -> {len(actual)} items"
            + (f"; gone {_short(gone)}" if gone else "")
            + (f"; new {_short(new)}" if new else "")
            + ("" if gone or new else "; same items, other order")
        ]
    if _numbers(expected, actual) and (isinstance(expected, float) or isinstance(actual, float)):
        if math.isclose(expected, actual, rel_tol=REL_TOL, abs_tol=ABS_TOL):
            return []
    elif type(expected) is type(actual) and expected == actual:
        return []
    return [f"{where}: {_short(expected)} -> {_short(actual)}"]


def _numbers(*values: Any) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def _short(v: Any, n: int = 160) -> str:
    text = json.dumps(v, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= n else text[: n - 3] + "..."


def report(lines: list[str]) -> str:
    """The differences as a message, with the command that accepts them."""
    shown = lines[:MAX_LINES]
    more = f"\n... and {len(lines) - MAX_LINES} more" if len(lines) > MAX_LINES else ""
    return (
        f"{len(lines)} difference(s) from {SNAPSHOT.relative_to(REPO)} (expected -> now):\n"
        + "\n".join(f"  {line}" for line in shown)
        + more
        + "\nIf the change is intended, regenerate the snapshot: make golden"
    )


def load_snapshot() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    return data


def write_snapshot(data: dict[str, Any]) -> None:
    SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1)
    SNAPSHOT.write_text(text + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--update", action="store_true", help="write the snapshot")
    ap.add_argument("--from", dest="source", type=Path, help="an existing run folder")
    ap.add_argument("--check", type=Path, help="compare this run folder with the snapshot")
    args = ap.parse_args(argv)
    if args.check:
        lines = diff(load_snapshot(), projection(args.check))
        print(report(lines) if lines else f"{args.check}: same as {SNAPSHOT}")
        return 1 if lines else 0
    if not args.update:
        ap.error("pass --update (or --check RUN_FOLDER)")
    with tempfile.TemporaryDirectory(prefix="insight-golden-") as tmp:
        out = args.source or Path(tmp) / "out"
        if args.source is None:
            print(f"insight run {' '.join(INPUTS)} {' '.join(OPTIONS)} ...", file=sys.stderr)
            run_samples(out)
        data = projection(out)
    old = load_snapshot() if SNAPSHOT.exists() else {}
    write_snapshot(data)
    print(f"wrote {SNAPSHOT.relative_to(REPO)}: {len(diff(old, data))} value(s) changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
