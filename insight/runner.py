"""The stage runner shared by ``insight run`` and ``insight add``.

A :class:`Stage` is a name, a one-line description and a function of a
:class:`StageContext`; :func:`run_stages` runs each stage not yet marked done in
one store transaction together with its done-marker (see
:mod:`insight.transactions`), so a killed command resumes after the last
finished stage.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from insight import schema as S
from insight.config import RunConfig
from insight.runrecord import Echo, Timer


@dataclass
class StageContext:
    """What every stage sees: the (build) store, the settings, and lazily shared data.

    ``vectors()`` are the customer units' embeddings as a DataFrame indexed by
    unit_id (read from the store's embedding cache after the embed stage), so a
    resumed command gets exactly what an uninterrupted one had in memory.
    """

    store: Any
    out: Path
    config: RunConfig
    echo: Echo
    mode: str  # "run" | "add"
    batch: Any = None  # the IngestResult being added
    notes: dict[str, Any] = field(default_factory=dict)
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

    def vectors(self, progress: bool = False) -> Any:
        """Customer-unit embeddings, a DataFrame indexed by unit_id (cached by text hash)."""
        if self._vectors is None:
            import numpy as np
            import pandas as pd

            from insight import embed
            from insight.engine.cache import TextCache
            from insight.engine.spark import engine_for

            customer = self.customer()
            vec = embed.embed_texts(
                customer[S.TEXT].tolist(),
                store=self.store,
                embedder=self.embedder(),
                progress=progress,
                cache=TextCache.for_study(self.out),
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
    name: str
    what: Callable[[StageContext], str]
    run: Callable[[StageContext, dict[str, Any]], None]


def run_stages(ctx: StageContext, stages: Sequence[Stage], timer: Timer) -> dict[str, Any]:
    """Run each stage not yet marked done, each in one store transaction with its marker.

    Returns the completion records of every stage (name -> summary, seconds).
    """
    from insight.transactions import stage_transaction, stages_done

    done = stages_done(ctx.store)
    for stage in stages:
        if stage.name in done:
            ctx.echo(f"[{stage.name}] already done (resuming after it)")
            continue
        with timer.stage(stage.name, stage.what(ctx)):
            t0 = time.perf_counter()
            with stage_transaction(ctx.store, stage.name) as summary:
                stage.run(ctx, summary)
                summary["seconds"] = round(time.perf_counter() - t0, 2)
    return stages_done(ctx.store)
