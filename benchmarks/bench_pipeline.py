"""End-to-end speed: `insight run` on the sample study, per-stage timings.

Writes benchmarks/results/pipeline.json. Run: python benchmarks/bench_pipeline.py
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "benchmarks" / "results" / "pipeline.json"
INPUTS = [REPO / "samples" / d for d in ("survey", "interviews", "reviews")]


def main() -> None:
    from insight.pipeline import run_study

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        run = run_study(INPUTS, Path(tmp) / "study", seed=0, n_bootstrap=30)
        wall = time.perf_counter() - t0
    counts = run["counts"]
    result = {
        "benchmark": "insight run on samples/ (survey + 12 interviews + 400 reviews)",
        "command": "python benchmarks/bench_pipeline.py",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": os.getloadavg()[0],
        },
        "wall_seconds": round(wall, 1),
        "stage_seconds": run["timings_s"],
        "counts": counts,
        "customer_units_per_second_end_to_end": round(counts["customer_units"] / wall, 1),
        "segmentation": run.get("segmentation", {}).get("chosen"),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
