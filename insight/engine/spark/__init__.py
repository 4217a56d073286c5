"""Apache Spark engine: the stages whose cost grows with the data, on a cluster.

``insight run --engine spark [--spark-master URL]`` reads and unitises the
survey/review tables of a run in one Spark job (:mod:`insight.engine.spark.tables`:
large CSVs read as byte ranges on the workers) and sends the distinct,
not-yet-cached texts of the annotation and embedding stages through Spark as
``mapInPandas`` over Arrow batches. Each Python worker loads the models once
(module-level cache, reused across tasks: ``spark.python.worker.reuse``) and
returns the same columns the local engine computes; the driver gathers them
into the same ``annotations`` and ``embeddings`` tables. Topics, segmentation,
vocabulary and personas then fit on the driver as with the local engine.

Needs ``pip install -e '.[spark]'`` and Java 17+ on the driver; on a cluster
the executors need the ``insight`` package and its models installed too (see the
README, "Running on a Spark cluster").
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

from insight.errors import ModelError

log = logging.getLogger(__name__)

DEFAULT_MASTER = "local[2]"
#: texts per Arrow batch handed to a worker (one model call each; bounded memory)
ARROW_BATCH = 2048


def _require_pyspark() -> Any:
    try:
        import pyspark
    except ImportError as exc:
        raise ModelError(
            "the Spark engine needs pyspark",
            fix="pip install -e '.[spark]' (and Java 17+: apt-get install default-jre-headless), "
            "or run with --engine local",
        ) from exc
    return pyspark


@lru_cache(maxsize=1)
def _worker_annotator() -> Any:
    """The shipped annotation models, loaded once per Spark Python worker (one thread:
    Spark already runs one task per core)."""
    from insight.extract.annotate import Annotator
    from insight.extract.emotions import EmotionModel

    return Annotator(emotion_model=EmotionModel.load(threads=1))


def _annotate_partition(batches: Iterator[Any]) -> Iterator[Any]:
    """mapInPandas: (idx, text) batches -> idx + annotation columns."""
    ann = _worker_annotator()
    for pdf in batches:
        if pdf.empty:
            continue
        out = ann.annotate_batch(pdf["text"].tolist())
        out.insert(0, "idx", pdf["idx"].to_numpy())
        yield out


class SparkEngine:
    """Runs the annotation and embedding model passes on a Spark cluster.

    Args:
        master: the Spark master URL (``local[2]``, ``spark://host:7077``, ``yarn``);
            ``None`` keeps what ``spark-submit`` / the environment configured
            (Databricks), else ``local[2]``.
        partitions: how many partitions to split the texts into (default: the
            cluster's default parallelism).
        conf: extra Spark settings.
    """

    def __init__(
        self,
        master: str | None = None,
        partitions: int | None = None,
        conf: dict[str, str] | None = None,
    ) -> None:
        self.master = master
        self.partitions = partitions
        self.conf = dict(conf or {})
        self._spark: Any = None
        self._tokens: dict[int, str] = {}

    @property
    def spark(self) -> Any:
        """The SparkSession (created on first use, or the active one)."""
        if self._spark is None:
            _require_pyspark()
            from pyspark.sql import SparkSession

            active = SparkSession.getActiveSession()
            if active is not None and self.master is None:
                self._spark = active
                return active
            # local workers run this interpreter (so they import this insight)
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
            import warnings

            # pyspark 4.x warns on every Arrow conversion under pandas 3; the
            # conversions used here (strings, numbers, float arrays) are tested
            warnings.filterwarnings(
                "ignore",
                message="PySpark does not yet fully support pandas",
                category=FutureWarning,
            )
            builder = SparkSession.builder.appName("insight")
            if self.master or not launched_by_spark_submit():
                builder = builder.master(self.master or DEFAULT_MASTER)
            settings = {
                "spark.sql.execution.arrow.pyspark.enabled": "true",
                "spark.sql.execution.arrow.maxRecordsPerBatch": str(ARROW_BATCH),
                "spark.python.worker.reuse": "true",
                "spark.ui.enabled": "false",
                "spark.ui.showConsoleProgress": "true",
                "spark.driver.memory": "2g",
                **self.conf,
            }
            models = os.environ.get("INSIGHT_MODELS_DIR")
            if models:  # executors read the same models folder (a shared path)
                settings.setdefault("spark.executorEnv.INSIGHT_MODELS_DIR", models)
            for k, v in settings.items():
                builder = builder.config(k, v)
            try:
                self._spark = builder.getOrCreate()
            except Exception as exc:  # no Java, bad master URL ...
                raise ModelError(
                    f"could not start Spark ({self.master or DEFAULT_MASTER}): {exc}",
                    fix="install Java 17+ (apt-get install default-jre-headless) and check "
                    "--spark-master, or run with --engine local",
                ) from exc
            self._spark.sparkContext.setLogLevel("ERROR")
        return self._spark

    def stop(self) -> None:
        if self._spark is not None:
            self._spark.stop()
            self._spark = None

    def _frame(self, texts: Sequence[str]) -> Any:
        import pandas as pd

        pdf = pd.DataFrame({"idx": range(len(texts)), "text": list(texts)})
        df = self.spark.createDataFrame(pdf, schema="idx long, text string")
        n = self.partitions or self.spark.sparkContext.defaultParallelism
        return df.repartition(max(1, min(n, len(texts))))

    def annotate(self, texts: Sequence[str], annotator: Any) -> Any:
        """The annotation columns for ``texts`` (input order), computed on the workers.

        ``annotator`` gives the column names and types; the workers load the
        shipped models themselves (an injected model is not shipped).
        """
        import pandas as pd

        template = annotator.annotate_batch(["x"])
        schema = "idx long, " + ", ".join(
            f"`{c}` {_spark_type(template[c])}" for c in template.columns
        )
        rows = self._frame(texts).mapInPandas(_annotate_partition, schema=schema).toPandas()
        rows = rows.sort_values("idx").drop(columns="idx").reset_index(drop=True)
        if len(rows) != len(texts):
            raise ModelError(
                f"Spark returned {len(rows)} annotations for {len(texts)} texts",
                fix="re-run; if it persists, run with --engine local",
            )
        out = pd.DataFrame(index=rows.index)
        for c in template.columns:
            col = rows[c]
            if str(template[c].dtype) == "Int64":
                col = pd.array(col, dtype="Int64")
            elif template[c].dtype.kind not in "fiub":
                col = col.fillna("").astype(str)
            out[c] = col
        return out

    def table_mapper(self) -> Any:
        """A mapper for :func:`~insight.ingest.ingest_paths` that collects the run's
        survey/review tables and unitises all their rows in one Spark job (large CSVs
        read on the workers): :class:`~insight.engine.spark.tables.SparkTables`."""
        from insight.engine.spark.tables import SparkTables

        return SparkTables(self)

    def encode(self, embedder: Any, texts: Sequence[str]) -> Any:
        """Unit-length float32 vectors for ``texts`` from ``embedder`` run on the workers
        (it is pickled without its loaded model and loads it once per worker)."""
        import uuid

        import numpy as np

        # the embedder travels with the task (pickled without its loaded model); the
        # workers keep it, model loaded, for every later call with the same embedder
        token = self._tokens.setdefault(id(embedder), uuid.uuid4().hex)

        def encode_partition(batches: Iterator[Any]) -> Iterator[Any]:
            import pandas as pd

            emb = _worker_embedder(token, embedder)
            for pdf in batches:
                if pdf.empty:
                    continue
                vec = emb.encode(pdf["text"].tolist())
                yield pd.DataFrame({"idx": pdf["idx"].to_numpy(), "vector": list(vec)})

        rows = (
            self._frame(texts)
            .mapInPandas(encode_partition, schema="idx long, vector array<float>")
            .toPandas()
            .sort_values("idx")
        )
        if len(rows) != len(texts):
            raise ModelError(
                f"Spark returned {len(rows)} vectors for {len(texts)} texts",
                fix="re-run; if it persists, run with --engine local",
            )
        if not len(rows):
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([np.asarray(v, dtype=np.float32) for v in rows["vector"]])


_WORKER_EMBEDDERS: dict[str, Any] = {}


def _worker_embedder(token: str, embedder: Any) -> Any:
    """The run's embedder, kept (with its loaded model) once per worker process."""
    if token not in _WORKER_EMBEDDERS:
        if hasattr(embedder, "threads") and embedder.threads is None:
            embedder.threads = 1  # Spark already runs one task per core
        _WORKER_EMBEDDERS.clear()
        _WORKER_EMBEDDERS[token] = embedder
    return _WORKER_EMBEDDERS[token]


def launched_by_spark_submit() -> bool:
    """True under ``spark-submit`` (its master, archives and settings then apply)."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def _spark_type(series: Any) -> str:
    kind = series.dtype.kind
    if str(series.dtype) == "Int64" or kind in "iu":
        return "long"
    if kind == "f":
        return "double"
    if kind == "b":
        return "boolean"
    return "string"


def engine_for(name: str | None, master: str | None = None) -> SparkEngine | None:
    """The engine a run asked for: ``None`` for the local one, a :class:`SparkEngine` for
    ``"spark"``."""
    if name in (None, "", "local"):
        return None
    if name == "spark":
        return _engine(master)
    raise ValueError(f'unknown engine "{name}" (use local or spark)')


@lru_cache(maxsize=4)
def _engine(master: str | None) -> SparkEngine:
    return SparkEngine(master=master)
