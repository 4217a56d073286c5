"""The stage runner shared by ``insight run`` and ``insight add``.

A :class:`Stage` is a name, a one-line description, a function of a
:class:`StageContext` and the settings it depends on; :func:`run_stages` runs
each stage not yet marked done in one store transaction together with its
done-marker (see :mod:`insight.transactions`), so a killed command resumes after
the last finished stage.

Every stage gets a fingerprint: a hash of the fingerprint of the stage before it
(the first one: the input files' content), the settings it reads and the code
(insight's source, model files and package versions). The marker records it
with the tables, meta keys and blobs the stage wrote; when the study already in
OUT has a stage with the same fingerprint, ``insight run`` copies those outputs
from it instead of recomputing (``[topics] unchanged (fingerprint ...): reused``).
A changed seed therefore recomputes segmentation and everything after it, an
edited input file everything; ``--force`` recomputes all.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from insight import schema as S
from insight.config import RunConfig
from insight.runrecord import Echo, Timer

#: store writes a stage's record lists (what is copied when the stage is reused)
WRITE_KINDS = ("tables", "meta", "blobs")


@dataclass
class StageContext:
    """What every stage sees: the (build) store, the settings, and lazily shared data.

    ``vectors()`` are the customer units' embeddings as a DataFrame indexed by
    unit_id (read from the store's embedding cache after the embed stage), so a
    resumed command gets exactly what an uninterrupted one had in memory.
    ``force``: recompute every stage and model output (no reuse, no text cache).
    """

    store: Any
    out: Path
    config: RunConfig
    echo: Echo
    mode: str  # "run" | "add"
    batch: Any = None  # the IngestResult being added
    notes: dict[str, Any] = field(default_factory=dict)
    force: bool = False
    _customer: Any = None
    _vectors: Any = None
    _embedder: Any = None

    def customer(self) -> Any:
        if self._customer is None:
            units = self.store.read_table("units")
            self._customer = units[units[S.SPEAKER_ROLE] == S.ROLE_CUSTOMER].reset_index(drop=True)
        return self._customer

    def embedder(self) -> Any:
        if self._embedder is None:
            from insight import embed

            # one model for embeddings and vocabulary variants; `add` uses the model
            # the study was fitted with (its vectors are what the topics know)
            self._embedder = embed.default_embedder(exact=self.config.exact_embeddings)
        return self._embedder

    def text_cache(self) -> Any:
        """``OUT/cache.duckdb`` (model outputs by text hash), or None with ``force``."""
        if self.force:
            return None
        from insight.engine.cache import TextCache

        return TextCache.for_study(self.out)

    def vectors(self, progress: bool = False) -> Any:
        """Customer-unit embeddings, a DataFrame indexed by unit_id (cached by text hash)."""
        if self._vectors is None:
            import numpy as np
            import pandas as pd

            from insight import embed
            from insight.engine.spark import engine_for

            customer = self.customer()
            vec = embed.embed_texts(
                customer[S.TEXT].tolist(),
                store=self.store,
                embedder=self.embedder(),
                progress=progress,
                cache=self.text_cache(),
                engine=engine_for(self.config.engine, self.config.spark_master),
            )
            vec = np.asarray(vec, dtype=np.float32)
            # no customer text (a Likert-only survey): an empty (0, d) matrix, no crash
            vec = vec.reshape(len(customer), -1) if len(customer) else vec.reshape(0, 0)
            self._vectors = pd.DataFrame(vec, index=pd.Index(customer[S.UNIT_ID], name=S.UNIT_ID))
        return self._vectors

    def vectors_of(self, units: Any) -> Any:
        """Embedding rows aligned with ``units`` (by unit_id)."""
        return self.vectors().loc[units[S.UNIT_ID].to_numpy()].to_numpy()


@dataclass(frozen=True)
class Stage:
    """One step of a run: ``depends`` names the RunConfig fields its output depends on
    (besides everything before it), part of its fingerprint."""

    name: str
    what: Callable[[StageContext], str]
    run: Callable[[StageContext, dict[str, Any]], None]
    depends: tuple[str, ...] = ()


# --- fingerprints -------------------------------------------------------------------


def digest(data: Any) -> str:
    """A short stable hash of JSON-able ``data``."""
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def file_digest(path: str | Path) -> str:
    """sha1 of a file's bytes (read in 1 MiB blocks)."""
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of what makes this insight compute what it computes: its version and
    Python source, the shipped model files and the versions of the packages used."""
    import insight
    from insight.runrecord import model_files, package_versions

    h = hashlib.sha1(insight.__version__.encode())
    root = Path(insight.__file__).resolve().parent
    for f in sorted(root.rglob("*")):
        if f.is_file() and f.suffix in {".py", ".yaml", ".json", ".txt", ".tsv", ".html", ".j2"}:
            h.update(str(f.relative_to(root)).encode())
            h.update(f.read_bytes())
    h.update(json.dumps([model_files(), package_versions()], sort_keys=True).encode())
    return h.hexdigest()[:16]


def stage_fingerprint(stage: Stage, config: RunConfig, upstream: str, mode: str) -> str:
    """The fingerprint of ``stage``: the one before it, its settings, the code."""
    settings = config.to_dict()
    for name in ("schema", "glossary"):  # a settings file counts by its content
        if settings.get(name) and name in stage.depends and Path(settings[name]).is_file():
            settings[name] = [settings[name], file_digest(settings[name])]
    return digest(
        {
            "stage": stage.name,
            "mode": mode,
            "upstream": upstream,
            "settings": {k: settings.get(k) for k in stage.depends},
            "code": code_fingerprint(),
        }
    )


# --- the previous study in OUT --------------------------------------------------------


@dataclass
class PreviousStudy:
    """The study already in OUT: its store file, stage records and run record."""

    path: Path
    stages: dict[str, Any]
    run: dict[str, Any]

    @classmethod
    def load(cls, store_file: Path) -> PreviousStudy | None:
        """None when there is no (readable) study there."""
        if not store_file.is_file():
            return None
        from insight.errors import StoreError
        from insight.store import Store
        from insight.transactions import stages_done

        try:
            with Store(store_file, read_only=True) as store:
                return cls(store_file, stages_done(store), dict(store.get_meta("run", {}) or {}))
        except (StoreError, OSError, ValueError):
            return None

    def reusable(self, name: str, fingerprint: str) -> bool:
        rec = self.stages.get(name) or {}
        return rec.get("fingerprint") == fingerprint and isinstance(rec.get("writes"), dict)


@contextlib.contextmanager
def recording_writes(store: Any) -> Iterator[dict[str, list[str]]]:
    """Record the tables, meta keys and blobs written to ``store`` inside the block."""
    seen: dict[str, set[str]] = {k: set() for k in WRITE_KINDS}
    methods = {"write_table": "tables", "insert": "tables", "put_meta": "meta", "put_blob": "blobs"}
    originals = {m: getattr(store, m) for m in methods}

    def wrap(method: str, kind: str) -> Callable[..., Any]:
        def recorded(name: str, *args: Any, **kwargs: Any) -> Any:
            seen[kind].add(name)
            return originals[method](name, *args, **kwargs)

        return recorded

    writes: dict[str, list[str]] = {}
    for m, kind in methods.items():
        setattr(store, m, wrap(m, kind))
    try:
        yield writes
    finally:
        for m in methods:
            delattr(store, m)  # the class's methods again
        writes.update({k: sorted(v) for k, v in seen.items()})


def copy_writes(store: Any, writes: Mapping[str, Sequence[str]]) -> None:
    """Copy the tables, meta keys and blobs ``writes`` names from the previous study
    (:func:`attached`) into ``store`` (inside the caller's transaction)."""
    from insight.store import _quote

    con = store.con
    src = "insight_previous"
    for name in writes.get("tables", ()):
        con.execute(f"CREATE OR REPLACE TABLE {_quote(name)} AS SELECT * FROM {src}.{_quote(name)}")
    for kind, table in (("meta", "meta"), ("blobs", "blobs")):
        for key in writes.get(kind, ()):
            # raw rows, byte for byte (the table is created as put_meta/put_blob create it)
            if kind == "meta":
                store.put_meta(key, None)
            else:
                store.put_blob(key, b"")
            con.execute(f"DELETE FROM {table} WHERE key = ?", [key])
            con.execute(f"INSERT INTO {table} SELECT * FROM {src}.{table} WHERE key = ?", [key])


@contextlib.contextmanager
def attached(store: Any, source: Path) -> Iterator[None]:
    """``source`` attached read-only to ``store``'s connection as ``insight_previous``."""
    path = str(source).replace("'", "''")
    store.con.execute(f"ATTACH '{path}' AS insight_previous (READ_ONLY)")
    try:
        yield
    finally:
        store.con.execute("DETACH insight_previous")


# --- the runner -----------------------------------------------------------------------


def run_stages(
    ctx: StageContext,
    stages: Sequence[Stage],
    timer: Timer,
    *,
    upstream: str = "",
    previous: PreviousStudy | None = None,
) -> dict[str, Any]:
    """Run each stage not yet marked done, each in one store transaction with its marker.

    ``upstream``: the fingerprint of the inputs (the first stage's upstream).
    ``previous``: the study already in OUT; a stage whose fingerprint matches its
    record there is copied from it instead of run (never with ``ctx.force``).
    Returns the completion records of every stage (name -> summary, seconds).
    """
    from insight.transactions import stage_transaction, stages_done

    done = stages_done(ctx.store)
    for stage in stages:
        fp = stage_fingerprint(stage, ctx.config, upstream, ctx.mode)
        upstream = fp
        if stage.name in done:
            ctx.echo(f"[{stage.name}] already done (resuming after it)")
            continue
        if previous is not None and not ctx.force and previous.reusable(stage.name, fp):
            rec = previous.stages[stage.name]
            t0 = time.perf_counter()
            with stage_transaction(ctx.store, stage.name) as summary:
                # attached only while copying: the store's table lookups see one database
                with attached(ctx.store, previous.path):
                    copy_writes(ctx.store, rec["writes"])
                keep = {k: v for k, v in rec.items() if k not in ("at", "seconds")}
                summary.update(keep, reused=True)
                summary["seconds"] = round(time.perf_counter() - t0, 2)
            ctx._customer = ctx._vectors = None  # read again from the copied tables
            timer.timings[stage.name] = summary["seconds"]
            ctx.echo(f"[{stage.name}] unchanged (fingerprint {fp}): reused")
            continue
        with timer.stage(stage.name, stage.what(ctx)):
            t0 = time.perf_counter()
            with stage_transaction(ctx.store, stage.name) as summary:
                with recording_writes(ctx.store) as writes:
                    stage.run(ctx, summary)
                summary["fingerprint"] = fp
                summary["writes"] = writes
                summary["seconds"] = round(time.perf_counter() - t0, 2)
        release_memory(stage.name)
    return stages_done(ctx.store)


#: models a stage loads (cached per process) that no later stage uses: stage -> (module,
#: cached loader). The annotator holds its ONNX buffers, ~0.2-0.3 GB after a large study.
STAGE_MODELS = {"extract": ("insight.extract.annotate", "default_annotator")}


def release_memory(finished: str = "") -> None:
    """Hand a finished stage's memory back to the system: drop the models only it uses
    (:data:`STAGE_MODELS`), collect cycles, then ``malloc_trim`` (glibc keeps freed heap
    pages otherwise, and the next stage's peak stacks on them). Peak RSS is measured by
    benchmarks/bench_scale.py; a later stage that needs a dropped model loads it again."""
    import ctypes
    import gc
    import sys

    module, loader = STAGE_MODELS.get(finished, ("", ""))
    cached = getattr(sys.modules.get(module), loader, None)
    if cached is not None and hasattr(cached, "cache_clear"):
        cached.cache_clear()
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
