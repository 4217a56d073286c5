"""Peak memory reading a large CSV whole vs in pieces (issue 14.3, chunked reading).

Generates a survey-style CSV of about ``--size-mb`` MB (default 300) in a
temporary folder (never in the repository): a response id, a date, a 1-5 rating,
a plan and a free-text comment of 10-30 sentences drawn from a fixed word list
with a fixed seed (synthetic text: nothing is tuned on it). Then, each in its own
process, the table reader ``read_table_file`` (``--level read``: parsing and rows
into records and respondents, what reading in pieces changes) or the whole
``ingest_paths`` (``--level ingest``: adds language detection and the unit tables,
the same work either way), its peak RSS taken when reading ends:

1. whole: ``INSIGHT_CSV_CHUNK_MB=0`` (the file read and parsed at once);
2. chunked: the default setting (pieces of 50 MB, the progress bar off: no TTY).

Both must give the same records/units, respondents and row accounting (compared
by hashes). Writes benchmarks/results/ingest_memory.json.

Run:  python benchmarks/bench_ingest_memory.py              # ~300 MB
      python benchmarks/bench_ingest_memory.py --size-mb 20 --keep /tmp/x
The load average is recorded; on a shared machine wall times are upper bounds
(peak RSS does not depend on the load).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "ingest_memory.json"

WORDS = [
    "the",
    "my",
    "is",
    "was",
    "it",
    "but",
    "and",
    "very",
    "not",
    "we",
    "coffee",
    "machine",
    "milk",
    "frother",
    "grinder",
    "beans",
    "delivery",
    "support",
    "app",
    "price",
    "subscription",
    "cleaning",
    "descaler",
    "gasket",
    "boiler",
    "pressure",
    "espresso",
    "taste",
    "bitter",
    "smooth",
    "loud",
    "quiet",
    "late",
    "crushed",
    "refund",
    "warranty",
    "engineer",
    "visit",
    "booking",
    "login",
    "password",
    "update",
    "screen",
    "water",
    "tank",
]

CHILD = """
import hashlib, json, resource, sys, time
from pathlib import Path
t0 = time.perf_counter()
if sys.argv[2] == "read":
    from insight.ingest.tables import read_table_file
    res = read_table_file(Path(sys.argv[1]))
    tables = {"records": res.records, "respondents": res.respondents}
    files = [vars(res.accounting)]
else:
    from insight.ingest import ingest_paths
    res = ingest_paths([sys.argv[1]])
    tables = {k: getattr(res, k).to_dict("records") for k in ("units", "respondents")}
    files = res.files.drop(columns=["batch_id"], errors="ignore").to_dict("records")
wall = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # before the hashing below
out = {"wall_s": round(wall, 1), "peak_rss_mb": round(peak / 1024, 1)}
for name, rows in tables.items():
    h = hashlib.sha1()
    for r in rows:
        h.update(json.dumps(r, sort_keys=True, default=str).encode())
    out[name] = len(rows)
    out[name + "_hash"] = h.hexdigest()
out["accounting"] = json.dumps(files, sort_keys=True, default=str)
print(json.dumps(out))
"""


def make_csv(path: Path, size_mb: float, seed: int = 0) -> int:
    """Write the CSV; returns its number of data rows."""
    rnd = random.Random(seed)
    target = int(size_mb * 1024 * 1024)
    rows = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("Response ID,Date,How satisfied are you? (1-5),Plan,What could be better?\n")
        written = 0
        while written < target:
            sentences = []
            for _ in range(rnd.randint(10, 30)):  # long answers: ~1.4 kB a row
                words = rnd.choices(WORDS, k=rnd.randint(6, 16))
                sentences.append(" ".join(words).capitalize() + ".")
            comment = " ".join(sentences)
            line = (
                f"R{rows:08d},2026-{1 + rows % 12:02d}-{1 + rows % 28:02d},"
                f'{1 + rnd.randrange(5)},{rnd.choice(["basic", "pro", "team"])},"{comment}"\n'
            )
            f.write(line)
            written += len(line)
            rows += 1
    return rows


def measure(path: Path, chunk_mb: float | None, level: str) -> dict:
    env = dict(os.environ)
    if chunk_mb is not None:
        env["INSIGHT_CSV_CHUNK_MB"] = str(chunk_mb)
    else:
        env.pop("INSIGHT_CSV_CHUNK_MB", None)
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), level],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    t0 = time.perf_counter()
    out = proc.stdout.read() if proc.stdout else ""
    _pid, status, _usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"the child failed (status {status}): {out[-2000:]}")
    got = json.loads(out.strip().splitlines()[-1])
    got["process_wall_s"] = round(time.perf_counter() - t0, 1)
    return dict(got)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size-mb", type=float, default=300)
    ap.add_argument("--keep", type=Path, default=None, help="folder for the CSV (kept)")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument(
        "--level",
        choices=["read", "ingest"],
        default="read",
        help="read: the table reader (parsing, rows into records and respondents: what "
        "chunking changes); ingest: all of ingest_paths (adds language detection per unit "
        "and the unit tables, the same in both modes, and much slower)",
    )
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="insight_ingest_memory_"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "large_survey.csv"
    rows = make_csv(path, args.size_mb)
    load_start = os.getloadavg()[0]
    whole = measure(path, 0, args.level)
    chunked = measure(path, None, args.level)
    keys = [k for k in whole if k not in ("wall_s", "peak_rss_mb", "process_wall_s")]
    same = all(whole[k] == chunked[k] for k in keys)
    for r in (whole, chunked):
        r.pop("accounting")
    result = {
        "benchmark": "peak RSS reading one large CSV, whole vs chunked",
        "command": "python benchmarks/bench_ingest_memory.py "
        f"--size-mb {args.size_mb:g} --level {args.level}",
        "level": args.level,
        "data": "generated survey CSV (synthetic comments from a fixed word list, seed 0)",
        "file_mb": round(path.stat().st_size / 2**20, 1),
        "data_rows": rows,
        "chunk_mb": float(os.environ.get("INSIGHT_CSV_CHUNK_MB", "50")),
        "whole": whole,
        "chunked": chunked,
        "identical_output": same,
        "peak_rss_ratio_chunked_over_whole": round(
            chunked["peak_rss_mb"] / whole["peak_rss_mb"], 2
        ),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": round(load_start, 1),
            "load_average_at_end": round(os.getloadavg()[0], 1),
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    if not args.keep:
        path.unlink()
    if not same:
        raise SystemExit("chunked reading gave different units: see the JSON above")


if __name__ == "__main__":
    main()
