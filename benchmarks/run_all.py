"""Run every benchmark (benchmarks/bench_*.py) in turn; each writes benchmarks/results/<name>.json.

Usage: python benchmarks/run_all.py [NAME ...]   (e.g. `topics accuracy`; default: all)

`scale` (bench_scale.py) runs 5k, 20k and 50k units by default (about an hour on an
idle 2-core machine); INSIGHT_SCALE_SIZES=5000 makes it the quick one.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in argv]
    failed = []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, str(script)], cwd=HERE.parent)
        print(f"== {script.name}: exit {rc} in {time.perf_counter() - t0:.0f}s", flush=True)
        if rc:
            failed.append(script.name)
    if failed:
        print("failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
