"""The Spark engine's local-mode overhead: one study, ``--engine local`` vs ``--engine spark``.

Runs ``insight run`` twice on the same inputs (default: the whole ``samples/`` study:
a survey, a review export and 12 interview transcripts), each into a fresh folder (no
model-output cache), the Spark run with ``--spark-master local[2]``; reads the wall
time of every stage from each ``run.json`` and checks the two studies agree (same units,
annotations within 1e-5, same personas). It also records what the model passes were
given: participant units only (interviewer turns are neither annotated nor embedded),
and what the Spark run said it read where (``[spark]`` lines: table files in one job,
pieces of large CSVs read on the workers). ``--chunk-mb`` sets ``INSIGHT_CSV_CHUNK_MB``
for both runs, so a CSV over it is read in pieces by both engines (on the workers with
Spark). Each ``--name`` is kept under ``runs`` in the results file.

    nice -n 10 .venv/bin/python benchmarks/bench_spark.py  # -> results/spark.json
    nice -n 10 .venv/bin/python benchmarks/bench_spark.py --name nhs_fft --chunk-mb 0.1 \
        ../shared/datasets/nhs_fft/nhs_fft_dev.csv
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def run(inputs: list[Path], out: Path, engine: str, chunk_mb: float | None) -> dict[str, Any]:
    if out.exists():
        shutil.rmtree(out)
    cmd = [
        str(Path(sys.executable).parent / "insight"),
        "run",
        *map(str, inputs),
        "--out",
        str(out),
        "--engine",
        engine,
        "--bootstrap",
        "5",
    ]
    if engine == "spark":
        cmd += ["--spark-master", "local[2]"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    if chunk_mb is not None:
        env["INSIGHT_CSV_CHUNK_MB"] = str(chunk_mb)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    said = [ln for ln in proc.stderr.splitlines() if ln.startswith("[spark]")]
    return {"wall_s": round(wall, 1), "stages_s": record["timings_s"], "said": said}


def compare(local: Path, spark: Path) -> dict[str, Any]:
    import numpy as np

    from insight import schema as S
    from insight.store import Store

    def tables(study: Path) -> dict[str, Any]:
        with Store(study / "study.duckdb", read_only=True) as store:
            return {t: store.read_table(t) for t in ("units", "annotations", "embeddings")}

    a, b = tables(local), tables(spark)
    cols = [S.UNIT_ID, S.RESPONDENT_ID, S.SPEAKER_ROLE, S.CHAR_START, S.CHAR_END, S.TEXT]
    ua, ub = (t["units"][cols].sort_values(S.UNIT_ID).reset_index(drop=True) for t in (a, b))
    aa, ab = (t["annotations"].sort_values(S.UNIT_ID).reset_index(drop=True) for t in (a, b))
    floats = [c for c in aa.columns if aa[c].dtype.kind == "f"]
    others = [c for c in aa.columns if c not in floats]
    ann_diff = (
        float(np.nanmax(np.abs(aa[floats].to_numpy(float) - ab[floats].to_numpy(float))))
        if floats and len(aa)
        else 0.0
    )
    pa, pb = (json.loads((s / "personas.json").read_text(encoding="utf-8")) for s in (local, spark))
    for doc in (pa, pb):
        doc.pop("created", None)
    roles = a["units"][S.SPEAKER_ROLE].value_counts().to_dict()
    customer = set(a["units"].loc[a["units"][S.SPEAKER_ROLE] == S.ROLE_CUSTOMER, S.UNIT_ID])
    annotated = set(aa[S.UNIT_ID])
    return {
        "units_identical": bool(ua.equals(ub)),
        "annotations_max_abs_diff": ann_diff,
        "annotation_labels_identical": bool(aa[others].astype(str).equals(ab[others].astype(str))),
        "personas_identical": pa == pb,
        "units_by_role": {str(k): int(v) for k, v in roles.items()},
        "annotated_units": len(annotated),
        "annotated_interviewer_units": len(annotated - customer),
        "embedded_texts": len(a["embeddings"]),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("inputs", nargs="*", type=Path)
    ap.add_argument("--work", type=Path, default=Path("/tmp/bench_spark"))
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "spark.json")
    ap.add_argument("--name", default="samples", help="key of this run in the results file")
    ap.add_argument("--chunk-mb", type=float, help="INSIGHT_CSV_CHUNK_MB for both runs")
    args = ap.parse_args()
    inputs = args.inputs or [SAMPLES / "survey", SAMPLES / "reviews", SAMPLES / "interviews"]
    work = args.work / args.name
    runs = {e: run(inputs, work / e, e, args.chunk_mb) for e in ("local", "spark")}
    stages = sorted(set(runs["local"]["stages_s"]) | set(runs["spark"]["stages_s"]))
    per_stage = {
        s: {
            "local_s": runs["local"]["stages_s"].get(s),
            "spark_s": runs["spark"]["stages_s"].get(s),
        }
        for s in stages
    }
    result = {
        "command": "nice -n 10 .venv/bin/python benchmarks/bench_spark.py "
        + f"--name {args.name} "
        + (f"--chunk-mb {args.chunk_mb} " if args.chunk_mb is not None else "")
        + " ".join(map(str, args.inputs)),
        "csv_chunk_mb": args.chunk_mb,
        "inputs": [str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p) for p in inputs],
        "machine": f"{platform.machine()}, {os.cpu_count()} cores shared with other work "
        "(loads differ between the two runs); Spark local[2], JVM start included",
        "tuned_on": "nothing",
        "wall_s": {e: r["wall_s"] for e, r in runs.items()},
        "overhead_x": round(runs["spark"]["wall_s"] / runs["local"]["wall_s"], 2),
        "stages_s": per_stage,
        "spark_said": runs["spark"]["said"],
        "agreement": compare(work / "local", work / "spark"),
    }
    doc = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
    doc = doc if "runs" in doc else {"runs": {}}
    doc["runs"][args.name] = result
    args.out.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
