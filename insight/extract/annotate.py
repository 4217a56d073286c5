"""Annotate texts / evidence units: sentiment, emotions, pain points and goals.

`annotate_texts` is the one place that runs every extractor over a batch of
texts; `annotate_units` does it for the customer units of a study and
`respondent_emotions` aggregates the result per respondent (the emotional
variables of a persona). Models are injected through `Annotator`; the defaults
load from ``models/`` and never reach the network.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from insight import schema
from insight.errors import ModelError, SchemaError
from insight.extract.emotions import EKMAN_GROUPS
from insight.extract.goals import goal_flags
from insight.extract.heads import HeadInputs

log = logging.getLogger(__name__)


CHUNK_BATCHES = 8  # emotion-model batches per annotated chunk
ANNOTATION_CACHE = "annotation_cache"  # table of a TextCache: text_hash, model + columns
#: the extractor modules whose code decides the annotations (part of the cache key)
ANNOTATION_MODULES = ("annotate", "emotions", "sentiment", "pain_points", "goals")


def annotation_columns(emotion_labels: Sequence[str]) -> list[str]:
    """The annotation columns, in order, for an emotion model's labels."""
    return [
        schema.SENTIMENT,
        schema.SENTIMENT_LABEL,
        *[schema.EMOTION_PREFIX + lab for lab in emotion_labels],
        schema.EMOTIONS,
        schema.EKMAN,
        schema.INTENSITY,
        schema.PAIN_POINT,
        schema.PAIN_POINT_SCORE,
        schema.PAIN_POINT_TYPE,
        schema.GOAL,
    ]


class Annotator:
    """Runs the sentiment, emotion, pain-point and goal extractors over texts.

    Args:
        emotion_model: an `insight.extract.emotions.EmotionModel`-like object
            (``labels``, ``predict_proba``, ``ekman``, ``intensity`` and
            ``predict_multi_hot`` or ``thresholds``; ``predict_with_embeddings``
            too when the pain head uses sentence vectors); default: the shipped one.
        sentiment_model: a `SentimentModel`; default: the shipped head.
        pain_model: a `PainPointModel`; default: the shipped head.
        cache_key: the key of injected models' outputs in a text cache (default:
            derived from the shipped model files; nothing is cached for injected
            models without one).
        sentence_vectors: also compute stock MiniLM's sentence vectors in the emotion
            pass (the shipped ``joint.onnx``; `annotate`'s ``on_vectors``), so the
            embed stage need not run the encoder again on these texts.
    """

    def __init__(
        self,
        emotion_model: Any = None,
        sentiment_model: Any = None,
        pain_model: Any = None,
        cache_key: str | None = None,
        sentence_vectors: bool = False,
    ) -> None:
        injected_emotion = emotion_model is not None
        injected_sentiment = sentiment_model is not None
        injected_pain = pain_model is not None
        if emotion_model is None:
            from insight.extract.emotions import EmotionModel

            emotion_model = EmotionModel.load(joint=sentence_vectors)
        if sentence_vectors and not getattr(emotion_model, "has_sentence_vectors", False):
            raise ModelError(
                "this emotion model does not give sentence vectors",
                fix="use the shipped joint model (EmotionModel.load(joint=True))",
            )
        self.sentence_vectors = sentence_vectors
        if sentiment_model is None:
            from insight.extract.sentiment import SentimentModel

            sentiment_model = SentimentModel.load()
        if pain_model is None:
            from insight.extract.pain_points import PainPointModel

            pain_model = PainPointModel.load()
        self._default_models = not (injected_emotion or injected_sentiment or injected_pain)
        self._cache_key: str | None = cache_key
        self.emotion_model = emotion_model
        self.sentiment_model = sentiment_model
        self.pain_model = pain_model
        self.labels = list(emotion_model.labels)
        self.columns = annotation_columns(self.labels)

    def _emotion_sets(self, probas: np.ndarray) -> list[str]:
        em = self.emotion_model
        if hasattr(em, "predict_multi_hot"):
            hot = np.asarray(em.predict_multi_hot(probas), dtype=bool)
        else:
            thr = getattr(em, "thresholds", 0.5)
            if isinstance(thr, dict):
                thr = np.array([thr[lab] for lab in self.labels])
            hot = probas >= np.asarray(thr)
        return [
            ";".join(lab for lab, on in zip(self.labels, row, strict=True) if on) for row in hot
        ]

    def annotate_batch(self, texts: Sequence[Any], batch_size: int = 64) -> pd.DataFrame:
        """Annotations for one chunk; empty or missing text gives empty annotations.

        ``batch_size`` is the emotion model's inference batch (it sorts the chunk
        by length, so larger chunks waste less work on padding).
        """
        return self._annotate_batch(texts, batch_size)[0]

    def _annotate_batch(
        self, texts: Sequence[Any], batch_size: int = 64
    ) -> tuple[pd.DataFrame, np.ndarray | None]:
        """`annotate_batch` plus, with ``sentence_vectors``, MiniLM vectors (NaN rows: none)."""
        texts = [t if isinstance(t, str) else "" for t in texts]
        n = len(texts)
        ok = np.array([bool(t.strip()) for t in texts], dtype=bool)
        idx = np.flatnonzero(ok)
        sub = [texts[i] for i in idx]
        k = len(self.labels)

        probas = np.full((n, k), np.nan)
        emotions = [""] * n
        ekman: list[str] = [""] * n
        intensity = np.full(n, np.nan)
        # Heads trained on the emotion encoder's sentence vectors (pain points,
        # sentiment) get them from the same forward pass as the probabilities.
        vectors = sentence = None
        needs_vectors = getattr(self.pain_model, "uses_embeddings", False) or getattr(
            self.sentiment_model, "uses_emotion_outputs", False
        )
        if len(sub):
            if self.sentence_vectors:
                p, e, v = self.emotion_model.predict_with_sentence_vectors(
                    sub, batch_size=batch_size
                )
                vectors = np.zeros((n, e.shape[1]), dtype=np.float32)
                vectors[idx] = e
                sentence = np.full((n, v.shape[1]), np.nan, dtype=np.float32)
                sentence[idx] = v
            elif needs_vectors:
                p, e = self.emotion_model.predict_with_embeddings(sub, batch_size=batch_size)
                vectors = np.zeros((n, e.shape[1]), dtype=np.float32)
                vectors[idx] = e
            else:
                p = self.emotion_model.predict_proba(sub, batch_size=batch_size)
            p = np.asarray(p, dtype=np.float64)
            probas[idx] = p
            for j, s in zip(idx, self._emotion_sets(p), strict=True):
                emotions[j] = s
            for j, g in zip(idx, self.emotion_model.ekman(p), strict=True):
                ekman[j] = str(g)
            intensity[idx] = np.asarray(self.emotion_model.intensity(p), dtype=np.float64)

        from insight.extract.sentiment import rule_feature_matrix

        rules = rule_feature_matrix(texts)  # shared by the sentiment and pain heads
        # the emotion outputs as head features, zero rows for empty texts
        emotion_rows = np.zeros((n, k), dtype=np.float32)
        emotion_rows[idx] = probas[idx]

        # encoder outputs as head inputs, zero rows for empty texts (they are not scored)
        inputs = HeadInputs(
            rules=rules,
            emotion_probas=emotion_rows,
            embeddings=vectors if vectors is not None else np.zeros((n, 0), dtype=np.float32),
        )
        valence, slabels = self.sentiment_model.predict(texts, inputs)
        flags, scores, types = self.pain_model.predict(texts, inputs)
        goals = goal_flags(texts)

        data: dict[str, Any] = {
            schema.SENTIMENT: valence,
            schema.SENTIMENT_LABEL: [s or "" for s in slabels],
        }
        for c, lab in enumerate(self.labels):
            data[schema.EMOTION_PREFIX + lab] = probas[:, c]
        data[schema.EMOTIONS] = emotions
        data[schema.EKMAN] = ekman
        data[schema.INTENSITY] = intensity
        data[schema.PAIN_POINT] = pd.array(
            [None if f < 0 else int(f) for f in flags], dtype="Int64"
        )
        data[schema.PAIN_POINT_SCORE] = scores
        data[schema.PAIN_POINT_TYPE] = [t or "" for t in types]
        data[schema.GOAL] = pd.array(
            [int(g) if o else None for g, o in zip(goals, ok, strict=True)], dtype="Int64"
        )
        return pd.DataFrame(data, columns=self.columns), sentence

    @property
    def cache_key(self) -> str | None:
        """Key of this annotator's outputs in a text cache: the shipped model files and
        the extractor source (so a retrained head or a changed rule invalidates it);
        ``None`` for injected models (nothing is cached for them) unless the
        ``cache_key`` argument names them."""
        if self._cache_key is None and self._default_models:
            from pathlib import Path

            from insight import __version__
            from insight.engine.cache import files_key
            from insight.resources import models_dir

            here = Path(__file__).resolve().parent
            root = models_dir()
            files = [here / f"{m}.py" for m in ANNOTATION_MODULES if (here / f"{m}.py").is_file()]
            for sub in ("emotions", "sentiment", "pain_points"):
                if (root / sub).is_dir():
                    files += [f for f in (root / sub).iterdir() if f.is_file()]
            self._cache_key = files_key(files, salt=__version__)
        return self._cache_key

    def annotate(
        self,
        texts: Sequence[Any],
        batch_size: int = 64,
        progress: bool = True,
        cache: Any = None,
        engine: Any = None,
        on_vectors: Callable[[list[str], np.ndarray], Any] | None = None,
    ) -> pd.DataFrame:
        """Annotations for every text, one row per text in input order.

        Exact-duplicate texts go through the models once. With ``cache`` (a
        :class:`insight.engine.cache.TextCache`) texts annotated by the same models
        before are read from it instead, and new ones are added to it. With
        ``engine`` (an :class:`insight.engine.spark.SparkEngine`) the texts left go
        through the models on its workers. ``on_vectors(texts, vectors)`` receives
        the MiniLM vectors of the texts run here when the annotator computes them
        (``sentence_vectors``; NaN rows: none), e.g. `insight.embed.remember_vectors`.
        """
        texts = [t if isinstance(t, str) else "" for t in texts]
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        # exact duplicates ("Very good", "Yeah.") are annotated once
        first: dict[str, int] = {}
        inverse = np.fromiter(
            (first.setdefault(t, len(first)) for t in texts), dtype=np.int64, count=len(texts)
        )
        distinct = list(first)
        key = self.cache_key if cache is not None else None
        cached = pd.DataFrame()
        hashes: list[str] = []
        if key is not None and distinct:
            from insight.embed import text_hash

            hashes = [text_hash(t) for t in distinct]
            keys = pd.DataFrame({"text_hash": hashes, "model": key})
            cached = cache.read_matching(ANNOTATION_CACHE, keys)
        done: dict[str, int] = {}
        if len(cached):
            cached = cached.drop_duplicates("text_hash").reset_index(drop=True)
            done = {h: i for i, h in enumerate(cached["text_hash"])}
        todo = (
            [i for i, h in enumerate(hashes) if h not in done]
            if hashes
            else list(range(len(distinct)))
        )
        todo_texts = [distinct[i] for i in todo]
        log.info(
            "annotating %d texts: %d distinct, %d cached, %d to run",
            len(texts),
            len(distinct),
            len(distinct) - len(todo),
            len(todo),
        )
        # Chunks of several batches: progress per chunk, length-sorted batches inside.
        chunk = batch_size * CHUNK_BATCHES
        starts = range(0, len(todo_texts), chunk)
        if progress and engine is None:
            from tqdm.auto import tqdm

            starts = tqdm(starts, total=len(starts), desc="annotate", unit="chunk", disable=None)
        if engine is not None and todo_texts and self._default_models:
            # the workers load the shipped models themselves (injected ones stay local)
            fresh = engine.annotate(todo_texts, self)
        else:
            frames = []
            for s in starts:
                part = todo_texts[s : s + chunk]
                frame, sentence = self._annotate_batch(part, batch_size)
                frames.append(frame)
                if on_vectors is not None and sentence is not None:
                    on_vectors(part, sentence)
            fresh = (
                pd.concat(frames, ignore_index=True)
                if frames
                else self.annotate_batch([]).iloc[0:0]
            )
        if key is not None and len(fresh):
            rows = fresh.copy()
            rows.insert(0, "model", key)
            rows.insert(0, "text_hash", [hashes[i] for i in todo])
            cache.insert(ANNOTATION_CACHE, rows)
        # one row per distinct text, then one per input text
        if done:
            pos = np.empty(len(distinct), dtype=np.int64)
            pos[todo] = np.arange(len(todo))
            hits = [i for i in range(len(distinct)) if hashes[i] in done]
            pos[hits] = len(todo) + np.arange(len(hits))
            from_cache = cached.iloc[[done[hashes[i]] for i in hits]][self.columns].copy()
            for col in (schema.PAIN_POINT, schema.GOAL):
                from_cache[col] = pd.array(from_cache[col], dtype="Int64")
            for col in (
                schema.SENTIMENT_LABEL,
                schema.EMOTIONS,
                schema.EKMAN,
                schema.PAIN_POINT_TYPE,
            ):
                from_cache[col] = from_cache[col].fillna("").astype(str)
            parts = [fresh, from_cache] if len(fresh) else [from_cache]
            table = pd.concat(parts, ignore_index=True).iloc[pos]
        else:
            table = fresh
        out = table.iloc[inverse].reset_index(drop=True)
        if len(out):
            log.info(
                "annotated %d texts: %d pain points, %d goals",
                len(out),
                int(out[schema.PAIN_POINT].sum()),
                int(out[schema.GOAL].sum()),
            )
        return out


@lru_cache(maxsize=2)
def default_annotator(sentence_vectors: bool = False) -> Annotator:
    """The shipped models, loaded once per process (``sentence_vectors``: the joint
    emotion + MiniLM pass, see `Annotator`)."""
    return Annotator(sentence_vectors=sentence_vectors)


def annotate_texts(
    texts: Sequence[Any],
    batch_size: int = 64,
    progress: bool = True,
    annotator: Annotator | None = None,
    cache: Any = None,
    engine: Any = None,
    on_vectors: Callable[[list[str], np.ndarray], Any] | None = None,
) -> pd.DataFrame:
    """Sentiment, emotions, pain point and goal columns for each text (input order).

    Columns: sentiment, sentiment_label, emotion_<label> for the 28 GoEmotions
    labels, emotions (predicted labels joined by ";"), ekman, intensity,
    pain_point (0/1), pain_point_score, pain_point_type, goal (0/1). Empty or
    missing text gives NaN / empty annotations. Duplicate texts are run once;
    ``cache`` (a :class:`insight.engine.cache.TextCache`) keeps outputs across runs;
    ``engine`` (a :class:`insight.engine.spark.SparkEngine`) runs the models on Spark.
    With ``on_vectors`` (and no ``annotator``) the joint pass also gives stock MiniLM's
    sentence vectors of the texts it runs, handed to ``on_vectors(texts, vectors)``.
    """
    if annotator is not None:
        ann = annotator
    else:
        ann = default_annotator(True) if on_vectors is not None else default_annotator()
    return ann.annotate(
        texts,
        batch_size=batch_size,
        progress=progress,
        cache=cache,
        engine=engine,
        on_vectors=on_vectors,
    )


#: The language the shipped sentiment, emotion and pain-point models read.
ENGLISH = "en"


def annotate_units(units_df: pd.DataFrame, **options: Any) -> pd.DataFrame:
    """`annotate_texts` over the customer units; returns unit_id + annotation columns.

    ``options`` are :func:`annotate_texts`' keywords (batch_size, progress, annotator,
    cache, engine, on_vectors). Interviewer units are not evidence and are skipped. A table without
    a speaker_role column (a plain survey export) is treated as all customer. Units whose
    ``lang`` (set by ingest) is another language than English get empty annotations.
    """
    for col in (schema.UNIT_ID, schema.TEXT):
        if col not in units_df.columns:
            raise SchemaError(
                f'the units table has no "{col}" column',
                column=col,
                fix="pass the units table written by `insight ingest`",
            )
    units = units_df
    if schema.SPEAKER_ROLE in units.columns:
        units = units[
            units[schema.SPEAKER_ROLE].fillna(schema.ROLE_CUSTOMER) == schema.ROLE_CUSTOMER
        ]
    texts = units[schema.TEXT].tolist()
    if schema.LANG in units.columns:
        # the shipped models are English-only: a unit ingest judged to be in another
        # language gets empty annotations instead of unreliable scores (ingest warns per file)
        texts = [
            None if isinstance(lang, str) and lang and lang != ENGLISH else text
            for text, lang in zip(texts, units[schema.LANG], strict=True)
        ]
    ann = annotate_texts(texts, **options)
    ann.insert(0, schema.UNIT_ID, units[schema.UNIT_ID].to_numpy())
    return ann


def respondent_emotions(units_df: pd.DataFrame, annotations_df: pd.DataFrame) -> pd.DataFrame:
    """Emotional variables per respondent from unit annotations.

    Returns one row per respondent with annotated units: respondent_id,
    mean_valence, ekman_<group> (share of the respondent's annotated units whose
    dominant Ekman group is <group>), mean_intensity, pain_point_rate, n_units
    (units with non-empty text).
    """
    for df, name, cols in (
        (units_df, "units", (schema.UNIT_ID, schema.RESPONDENT_ID)),
        (annotations_df, "annotations", (schema.UNIT_ID, schema.EKMAN, schema.SENTIMENT)),
    ):
        for col in cols:
            if col not in df.columns:
                raise SchemaError(
                    f'the {name} table has no "{col}" column',
                    column=col,
                    fix=f"pass the {name} table written by the pipeline",
                )
    out_cols = [
        schema.RESPONDENT_ID,
        "mean_valence",
        *[f"ekman_{g}" for g in EKMAN_GROUPS],
        "mean_intensity",
        "pain_point_rate",
        "n_units",
    ]
    merged = annotations_df.merge(
        units_df[[schema.UNIT_ID, schema.RESPONDENT_ID]], on=schema.UNIT_ID, how="inner"
    )
    merged = merged[merged[schema.EKMAN].fillna("").astype(str) != ""]
    if merged.empty:
        return pd.DataFrame(columns=out_cols)
    for g in EKMAN_GROUPS:
        merged[f"ekman_{g}"] = (merged[schema.EKMAN] == g).astype(float)
    merged["_pain"] = pd.to_numeric(merged[schema.PAIN_POINT], errors="coerce").astype(float)
    grouped = merged.groupby(schema.RESPONDENT_ID, sort=True)
    out = pd.DataFrame(
        {
            "mean_valence": grouped[schema.SENTIMENT].mean(),
            **{f"ekman_{g}": grouped[f"ekman_{g}"].mean() for g in EKMAN_GROUPS},
            "mean_intensity": grouped[schema.INTENSITY].mean(),
            "pain_point_rate": grouped["_pain"].mean(),
            "n_units": grouped.size(),
        }
    ).reset_index()
    out["n_units"] = out["n_units"].astype(int)
    return out[out_cols]


def annotate_file(
    path: str | Any,
    text_column: str,
    out: str | Any | None = None,
    batch_size: int = 64,
    progress: bool = True,
    annotator: Annotator | None = None,
    header: bool = True,
) -> pd.DataFrame:
    """Read a file, annotate ``text_column`` and (optionally) write CSV to ``out``.

    The file is read by :mod:`insight.files` (the reader of every single-file command:
    CSV/TSV/XLSX/Parquet/JSON(L) tables, TXT/MD as one text per line). All original
    columns and the row order are kept; the annotation columns are appended (an
    existing column of the same name is replaced).
    """
    from pathlib import Path

    from insight.files import texts_of

    df, texts = texts_of(path, text_column, header=header)
    ann = annotate_texts(texts, batch_size=batch_size, progress=progress, annotator=annotator)
    result = df.drop(columns=[c for c in ann.columns if c in df.columns])
    result = pd.concat([result.reset_index(drop=True), ann.reset_index(drop=True)], axis=1)
    if out is not None:
        o = Path(out)
        o.parent.mkdir(parents=True, exist_ok=True)
        from insight.safe_io import write_csv_safe  # formula cells neutralised

        write_csv_safe(result, o)
    return result
