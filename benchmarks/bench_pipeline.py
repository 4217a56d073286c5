"""End-to-end speed and memory: `insight run` on a study, per-stage timings and peak RSS.

The process's resident memory is sampled every 0.2 s and attributed to the stage the
run was in (from its ``[stage]`` progress lines), so the stage that sets the peak, and
how much each stage leaves behind, can be read off.

Run: python benchmarks/bench_pipeline.py                      # samples/, pipeline.json
     python benchmarks/bench_pipeline.py DIR ... --out FILE   # any inputs (e.g. the
         studies ``bench_scale.py --keep DIR`` leaves), FILE written instead
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "benchmarks" / "results" / "pipeline.json"
INPUTS = [REPO / "samples" / d for d in ("survey", "interviews", "reviews")]


def _rss_gib() -> float:
    """This process's resident set size (GiB; 0 where /proc is absent)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS"):
                    return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return 0.0


class StageMemory:
    """Peak RSS per stage: ``echo`` follows the run's ``[stage]`` lines, a thread samples."""

    def __init__(self, every: float = 0.2) -> None:
        self.stage = "start"
        self.peaks: dict[str, float] = {}
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def echo(self, line: str) -> None:
        text = line.strip()
        if text.startswith("[") and "]" in text:
            name = text[1 : text.index("]")]
            self.stage = f"after {name}" if "done in" in text else name
        print(line, flush=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peaks[self.stage] = max(self.peaks.get(self.stage, 0.0), _rss_gib())
            self._stop.wait(self._every)

    def __enter__(self) -> StageMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def main(argv: list[str] | None = None) -> None:
    from insight.pipeline import run_study

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("inputs", nargs="*", type=Path, help="input files/folders (default: samples/)")
    ap.add_argument("--out", type=Path, default=OUT, help="result JSON")
    args = ap.parse_args(argv)
    inputs = args.inputs or INPUTS
    load0 = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp, StageMemory() as memory:
        t0 = time.perf_counter()
        run = run_study(inputs, Path(tmp) / "study", seed=0, n_bootstrap=30, echo=memory.echo)
        wall = time.perf_counter() - t0
    counts = run["counts"]
    peaks = {k: round(v, 3) for k, v in memory.peaks.items()}
    result = {
        "benchmark": "insight run on "
        + ("samples/ (survey + 12 interviews + 400 reviews)" if not args.inputs else "inputs")
        + ", per-stage timings and peak RSS",
        "command": "python benchmarks/bench_pipeline.py"
        + "".join(f" {p}" for p in args.inputs)
        + (f" --out {args.out}" if args.out != OUT else ""),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": load0,
            "load_average_at_end": os.getloadavg()[0],
        },
        "wall_seconds": round(wall, 1),
        "stage_seconds": run["timings_s"],
        "peak_rss_gib_by_stage": peaks,
        "peak_rss_gb": round(max(peaks.values(), default=0.0) * 1.073741824, 3),
        "counts": counts,
        "customer_units_per_second_end_to_end": round(counts["customer_units"] / wall, 1),
        "segmentation": run.get("segmentation", {}).get("chosen"),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
