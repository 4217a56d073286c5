"""What a run records and prints: stage timer, progress over files, row accounting,
package versions and model-file hashes (the provenance in ``run.json``)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from insight.study import accounting_table

if TYPE_CHECKING:
    from insight.config import RunConfig

Echo = Callable[[str], None]


def noop(_msg: str) -> None:
    return None


class Timer:
    def __init__(self, echo: Echo) -> None:
        self.echo = echo
        self.timings: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str, what: str) -> Any:
        self.echo(f"[{name}] {what}")
        t0 = time.perf_counter()
        yield
        self.timings[name] = round(time.perf_counter() - t0, 2)
        self.echo(f"[{name}] done in {self.timings[name]:.1f}s")


@contextmanager
def file_progress(inputs: Sequence[str]) -> Any:
    """A progress bar over the files being read (on stderr)."""
    from tqdm import tqdm

    from insight.ingest import expand_paths

    files, _ = expand_paths(inputs)
    with tqdm(
        total=len(files), desc="reading files", unit="file", leave=False, disable=None
    ) as bar:

        def on_file(path: Path) -> None:
            bar.set_postfix_str(path.name[-40:])
            bar.update(1)

        yield on_file


def print_accounting(
    files: Any, problems: Sequence[str], warnings: Sequence[str], echo: Echo
) -> None:
    import pandas as pd

    if len(files):
        with pd.option_context("display.width", 200, "display.max_columns", 20):
            echo(
                "\nRow accounting (read = with_units + empty + non_answer + duplicate + unparseable"
                " + observer_note):"
            )
            echo(accounting_table(files).to_string(index=False))
    if warnings:
        echo(f"\n{len(warnings)} warning(s):")
        for w in warnings[:25]:
            echo(f"  warning: {w}")
        if len(warnings) > 25:
            echo(f"  ... and {len(warnings) - 25} more (all in run.json)")
    for p in problems:
        echo(f"  error: {p}")


def package_versions() -> dict[str, str]:
    from importlib import metadata

    out = {}
    for name in (
        "pandas",
        "numpy",
        "scikit-learn",
        "duckdb",
        "spacy",
        "sentence-transformers",
        "bertopic",
        "umap-learn",
        "hdbscan",
        "onnxruntime",
        "torch",
        "stepmix",
    ):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def model_files() -> dict[str, str]:
    """sha1 of every shipped model file (for run.json provenance)."""
    from insight.resources import models_dir

    root = models_dir()
    out = {}
    for f in sorted(root.rglob("*")):
        if f.is_file() and f.suffix in {".onnx", ".json", ".npz", ".joblib", ".gz", ".txt", ".tsv"}:
            out[str(f.relative_to(root))] = hashlib.sha1(f.read_bytes()).hexdigest()[:16]
    return out


def run_record(
    command: str,
    config: RunConfig,
    store: Path,
    *,
    embedding: str,
    counts: dict[str, int],
    segmentation: dict[str, Any],
    timings: dict[str, float],
) -> dict[str, Any]:
    """The provenance part of ``run.json``: version, time, settings, models, packages."""
    import platform

    from insight import __version__

    return {
        "insight_version": __version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "command": command,
        "seed": config.seed,
        "config": config.to_dict(),
        "store": str(store),
        "models": {"embedding": embedding, "files": model_files()},
        "packages": package_versions(),
        "python": platform.python_version(),
        "counts": counts,
        "segmentation": segmentation,
        "timings_s": timings,
        "store_hint": str(store.parent),  # the study folder
    }
