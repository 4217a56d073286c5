"""Every setting of a study run in one frozen dataclass, saved in ``run.json``.

Defaults live here and nowhere else: the CLI passes what the user typed,
:func:`insight.pipeline.run_study` builds a :class:`RunConfig`, every stage reads
its attributes, and ``insight add`` re-reads the one a study was built with
(``RunConfig.from_dict(run["config"])``) so a new batch is processed the same way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from insight.errors import InputError

METHODS = ("auto", "lca", "gmm", "kmeans")


def parse_auto_int(value: str | int | None, *, name: str = "k", minimum: int = 1) -> str | int:
    """``"auto"`` (or None) stays ``"auto"``; a whole number becomes an int.

    The one parser for every "auto or an integer" option (``--k``, ``--topics`` ...).

    Raises:
        InputError: anything else, naming the option and the fix.
    """
    if value is None:
        return "auto"
    if isinstance(value, bool):
        raise InputError(f"--{name} must be 'auto' or a whole number, got {value!r}")
    if isinstance(value, int):
        n = value
    else:
        text = str(value).strip().lower()
        if text in ("", "auto"):
            return "auto"
        try:
            n = int(text)
        except ValueError:
            raise InputError(
                f"--{name} must be 'auto' or a whole number, got {value!r}",
                fix=f"pass --{name} auto or e.g. --{name} 4",
            ) from None
    if n < minimum:
        raise InputError(f"--{name} must be at least {minimum}, got {n}", fix=f"pass --{name} auto")
    return n


def _tuple(v: Sequence[str] | None) -> tuple[str, ...] | None:
    return tuple(str(x) for x in v) if v else None


@dataclass(frozen=True)
class RunConfig:
    """The settings of one study (``insight run``); frozen, with its defaults here.

    Attributes:
        inputs: the files and folders read.
        schema: an edited schema file from ``insight inspect`` (column roles).
        interviewer_names: speaker names marking interviewer turns (None: the
            reader's ``insight.ingest.DEFAULT_INTERVIEWER_NAMES``).
        items: attitude items to segment on (None: the Likert battery found).
        method: segmentation method: auto, lca, gmm or kmeans.
        k: number of segments or "auto".
        seed: the random seed every fitted stage gets (``random_state``).
        n_bootstrap: resamples for segment stability.
        glossary: a company glossary file for the vocabulary stage.
        exact_embeddings: fp32 sentence-transformers MiniLM instead of the int8 ONNX copy.
        redact: mask personal data in every shown output (``--no-redact`` turns it off).
        engine: where the annotation and embedding model passes run: ``local`` or
            ``spark`` (:mod:`insight.engine.spark`; same tables either way).
        spark_master: the Spark master URL for ``engine="spark"`` (None: local[2], or
            the session spark-submit / Databricks configured).
        seed_codes: name the themes after the researchers' codes of a .qdpx / .qdc input
            (``--seed-codes``; :func:`insight.qdpx.seed_theme_labels`).
        extra: settings this version does not know (kept from an older/newer run.json).
    """

    inputs: tuple[str, ...] = ()
    schema: str | None = None
    interviewer_names: tuple[str, ...] | None = None
    items: tuple[str, ...] | None = None
    method: str = "auto"
    k: str | int = "auto"
    seed: int = 0
    n_bootstrap: int = 30
    glossary: str | None = None
    exact_embeddings: bool = False
    redact: bool = True
    engine: str = "local"
    spark_master: str | None = None
    seed_codes: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # normalise once so every reader sees the same types
        set_ = object.__setattr__
        set_(self, "inputs", tuple(str(p) for p in self.inputs))
        set_(self, "schema", str(self.schema) if self.schema else None)
        set_(self, "glossary", str(self.glossary) if self.glossary else None)
        set_(self, "interviewer_names", _tuple(self.interviewer_names))
        set_(self, "items", _tuple(self.items))
        set_(self, "k", parse_auto_int(self.k, name="k", minimum=1))
        set_(self, "seed", int(self.seed))
        set_(self, "n_bootstrap", int(self.n_bootstrap))
        set_(self, "exact_embeddings", bool(self.exact_embeddings))
        set_(self, "redact", bool(self.redact))
        set_(self, "seed_codes", bool(self.seed_codes))
        set_(self, "extra", dict(self.extra))
        if self.method not in METHODS:
            raise InputError(
                f"unknown segmentation method {self.method!r}",
                fix="use one of " + ", ".join(METHODS),
            )
        if self.n_bootstrap < 0:
            raise InputError("--bootstrap must be 0 or more", fix="pass --bootstrap 30")
        if self.engine not in ("local", "spark"):
            raise InputError(f"unknown engine {self.engine!r}", fix="use --engine local or spark")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (lists, not tuples) for run.json and the store's meta."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            out[f.name] = list(v) if isinstance(v, tuple) else v
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> RunConfig:
        """Rebuild from ``to_dict`` output (unknown keys go to ``extra``; missing keys
        take the defaults, so a study written by an older version still loads)."""
        data = dict(data or {})
        names = {f.name for f in dataclasses.fields(cls)}
        known = {k: v for k, v in data.items() if k in names and v is not None}
        extra = dict(known.pop("extra", {}) or {})
        extra.update({k: v for k, v in data.items() if k not in names})
        return cls(**known, extra=extra)

    def replace(self, **changes: Any) -> RunConfig:
        return dataclasses.replace(self, **changes)

    def glossary_path(self) -> Path | None:
        return Path(self.glossary) if self.glossary else None
