"""Runs the stages in order against the study store: orchestration only.

ingest -> extract (annotations) -> embed -> segment -> topics -> vocabulary
-> personas -> report. ``insight run`` fits every stage; ``insight add`` runs the
same stage runner with assign-only segment and topic stages (no refit). Every
stage reads and writes tables keyed by unit_id or respondent_id in the store,
inside one transaction that also marks the stage done (:mod:`insight.transactions`),
so a killed command resumes; the new study is built beside the old one and
swapped in only when every stage succeeded. Settings travel in one frozen
:class:`~insight.config.RunConfig`, saved in ``run.json``.
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from insight import __version__
from insight import schema as S
from insight.config import RunConfig
from insight.errors import InputError
from insight.study import STORE_NAME, accounting_table, add_batch, known_hashes, store_path

Echo = Callable[[str], None]

#: output files of a study besides the store (old ones the new study lacks are removed)
RUN_RECORD = "run.json"


def _noop(_msg: str) -> None:
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
def _file_progress(inputs: Sequence[str]) -> Any:
    """A progress bar over the files being read (on stderr)."""
    from tqdm import tqdm

    from insight.ingest import expand_paths

    files, _ = expand_paths(inputs)
    with tqdm(total=len(files), desc="reading files", unit="file", leave=False) as bar:

        def on_file(path: Path) -> None:
            bar.set_postfix_str(path.name[-40:])
            bar.update(1)

        yield on_file


def _print_accounting(
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


def _package_versions() -> dict[str, str]:
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


def _model_files() -> dict[str, str]:
    """sha1 of every shipped model file (for run.json provenance)."""
    from insight.resources import models_dir

    root = models_dir()
    out = {}
    for f in sorted(root.rglob("*")):
        if f.is_file() and f.suffix in {".onnx", ".json", ".npz", ".joblib", ".gz", ".txt", ".tsv"}:
            out[str(f.relative_to(root))] = hashlib.sha1(f.read_bytes()).hexdigest()[:16]
    return out


# --- the stage runner ---------------------------------------------------------------


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


# --- stages -------------------------------------------------------------------------


def _stage_ingest(ctx: StageContext, summary: dict[str, Any]) -> None:
    counts = add_batch(ctx.store, ctx.batch)
    summary.update(counts)
    ctx._customer = None


def _stage_extract(ctx: StageContext, summary: dict[str, Any]) -> None:
    """Annotate every customer unit that has no annotation yet; respondent profiles."""
    from insight import extract

    customer = ctx.customer()
    if customer.empty:
        ctx.echo("warning: no customer text at all: topics, vocabulary and quotes will be empty")
    known = ctx.store.keys("annotations", S.UNIT_ID)
    todo = customer[~customer[S.UNIT_ID].isin(known)].reset_index(drop=True)
    from insight.engine.cache import TextCache

    # outputs per text hash kept in OUT/cache.duckdb: a re-run skips the models
    from insight.engine.spark import engine_for

    annotations = extract.annotate_units(
        todo,
        progress=True,
        cache=TextCache.for_study(ctx.out),
        engine=engine_for(ctx.config.engine, ctx.config.spark_master),
    )
    if ctx.store.has_table("annotations"):
        ctx.store.upsert("annotations", annotations, S.UNIT_ID)
    else:
        ctx.store.write_table("annotations", annotations)
    every = ctx.store.read_table("annotations")
    every = every[every[S.UNIT_ID].isin(set(customer[S.UNIT_ID]))]
    ctx.store.write_table("respondent_emotions", extract.respondent_emotions(customer, every))
    summary["annotated"] = len(todo)


def _stage_embed(ctx: StageContext, summary: dict[str, Any]) -> None:
    ctx._vectors = None
    vec = ctx.vectors(progress=True)
    summary["units"] = len(vec)


def _stage_segment_fit(ctx: StageContext, summary: dict[str, Any]) -> None:
    from insight.segment import save_segmenter
    from insight.segment.policy import coverage_line, segment_study

    cfg, store = ctx.config, ctx.store
    customer = ctx.customer()
    plan = segment_study(
        customer,
        store.read_table("respondents"),
        store.read_or_empty("columns"),
        ctx.vectors_of(customer),
        store.read_or_empty("annotations"),
        items=list(cfg.items) if cfg.items else None,
        method=cfg.method,
        k=cfg.k,
        random_state=cfg.seed,
        n_bootstrap=cfg.n_bootstrap,
        progress=True,  # bootstrap rounds on stderr
    )
    assignments = plan.assignments
    store.write_table("segments", assignments)
    store.write_table("segment_profiles", plan.profiles)
    store.write_table("segment_fit", plan.fit_table)
    store.write_table("segment_stability", plan.stability)
    store.put_meta("segmentation", plan.meta())
    # segment -> Jaccard, read back by personas rebuilt from the store (StudyTables.from_store)
    jac = plan.stability
    stability = (
        {str(s): float(j) for s, j in zip(jac[S.SEGMENT], jac["jaccard"], strict=False)}
        if jac is not None and len(jac) and "jaccard" in jac
        else {}
    )
    store.put_meta("segment_stability", stability)
    if plan.model is not None:
        save_segmenter(plan.model, store)
    summary["segments"] = int(assignments[S.SEGMENT].nunique())
    summary["coverage"] = plan.coverage
    ctx.echo(f"  {plan.mode} segmentation: {plan.chosen}")
    ctx.echo(f"  {coverage_line(plan.coverage)}")
    for note in plan.notes:
        ctx.echo(f"  note: {note}")


def _stage_segment_assign(ctx: StageContext, summary: dict[str, Any]) -> None:
    """A new batch: survey respondents predicted by the fitted model, interviewees
    placed by text similarity (no refit)."""
    from insight.segment.api import MODEL_KEY, load_segmenter

    store = ctx.store
    segs = store.read_or_empty("segments")
    if segs.empty:
        summary["assigned"] = 0
        return
    before = set(segs[S.RESPONDENT_ID])
    new_resp = ctx.batch.respondents if ctx.batch is not None else None
    model = load_segmenter(store) if store.get_blob(MODEL_KEY) is not None else None
    if model is not None and new_resp is not None and len(new_resp):
        segs = _predict_new_respondents(store, model, new_resp, segs, ctx.echo)
    customer = ctx.customer()
    segs = _assign_text_only_respondents(
        segs, customer, ctx.vectors_of(customer), store.read_table("respondents")
    )
    store.write_table("segments", segs)
    summary["assigned"] = len(set(segs[S.RESPONDENT_ID]) - before)


def _stage_topics_fit(ctx: StageContext, summary: dict[str, Any]) -> None:
    from insight.topics import TopicModel, fit_topics

    store = ctx.store
    customer = ctx.customer()
    if customer[S.TEXT].astype(str).str.contains(r"[^\W\d_]{2}").sum() < 2:
        ctx.echo("topics: none - the study has fewer than 2 open-text answers or turns")
        summary["topics"] = 0
        summary["why_empty"] = "fewer than 2 open-text answers or turns"
        return
    annotations = _customer_annotations(ctx)
    groups = _unit_groups(customer, store.read_table("segments"))
    respondents = store.read_table("respondents")
    items = [
        i
        for i in (store.get_meta("segmentation", {}) or {}).get("items", [])
        if i in respondents.columns
    ]
    topic_result = fit_topics(
        customer,
        ctx.vectors_of(customer),
        annotations=annotations,
        groups=groups,
        dates=customer[S.DATE],
        model=TopicModel(embedder=ctx.embedder(), random_state=ctx.config.seed),
        likert=respondents.set_index(S.RESPONDENT_ID)[items] if items else None,
    )
    store.write_table("topic_assignments", topic_result.assignments)
    store.write_table("topics", topic_result.topics)
    store.write_table("topic_hierarchy", topic_result.hierarchy)
    store.write_table("topics_by_question", topic_result.by_question)
    if getattr(topic_result, "differences", None) is not None:
        store.write_table("topic_differences", topic_result.differences)
    if getattr(topic_result, "model", None) is not None:
        _save_model(store, "topic_model", topic_result.model)
    summary["topics"] = len(topic_result.topics)


def _stage_topics_assign(ctx: StageContext, summary: dict[str, Any]) -> None:
    """New units join the fitted topics (no refit); ones that fit none are flagged."""
    store = ctx.store
    model = _load_model(store, "topic_model")
    customer = ctx.customer()
    known = store.keys("topic_assignments", S.UNIT_ID)
    new = customer[~customer[S.UNIT_ID].isin(known)].reset_index(drop=True)
    summary["assigned"] = 0
    if model is None or new.empty:
        return
    from insight.topics import assign_batch

    batch = assign_batch(model, new, ctx.vectors_of(new))
    store.upsert("topic_assignments", batch.assignments, S.UNIT_ID)
    summary["assigned"] = len(new)
    if len(batch.emerging):
        store.append("emerging_topics", batch.emerging.assign(batch_id=new[S.BATCH_ID].iloc[-1]))
        summary["emerging"] = [str(e.label) for e in batch.emerging.itertuples()]
        for e in batch.emerging.itertuples():
            ctx.echo(
                f"  possible emerging topic: {e.label!r} ({e.size} units, fits no existing topic)"
            )


def _stage_vocabulary(ctx: StageContext, summary: dict[str, Any]) -> None:
    from insight.vocabulary import extract_vocabulary

    customer = ctx.customer()
    groups = _unit_groups(customer, ctx.store.read_or_empty("segments"))
    vocab = extract_vocabulary(
        customer,
        groups=groups,
        glossary=_read_glossary(ctx.config),
        embedder=ctx.embedder(),
        progress=True,
    )
    ctx.store.write_table("vocabulary", vocab)
    summary["terms"] = len(vocab)


def _stage_personas(ctx: StageContext, summary: dict[str, Any]) -> None:
    from insight.personas import StudyTables, build_personas, save_personas

    tables = StudyTables.from_store(ctx.store, embeddings=ctx.vectors())
    personas = build_personas(tables)
    save_personas(ctx.store, personas)
    ctx.notes["personas"] = (personas, tables)
    summary["personas"] = len(personas)


def _customer_annotations(ctx: StageContext) -> Any:
    """Annotations of the customer units, in the customer units' order."""
    ann = ctx.store.read_table("annotations").set_index(S.UNIT_ID)
    ids = ctx.customer()[S.UNIT_ID]
    return ann.reindex(ids.to_numpy()).reset_index()


RUN_STAGES = [
    Stage("ingest", lambda c: f"storing {len(c.batch.units)} units", _stage_ingest),
    Stage(
        "extract",
        lambda c: f"sentiment, emotions, pain points and goals for {len(c.customer())} units",
        _stage_extract,
    ),
    Stage(
        "embed",
        lambda c: f"embedding {len(c.customer())} units (cached by text hash)",
        _stage_embed,
    ),
    Stage("segment", lambda c: "attitudinal segmentation", _stage_segment_fit),
    Stage("topics", lambda c: "topic model", _stage_topics_fit),
    Stage("vocabulary", lambda c: "customer vocabulary per segment", _stage_vocabulary),
    Stage("personas", lambda c: "building personas", _stage_personas),
]

ADD_STAGES = [
    Stage("ingest", lambda c: f"adding {len(c.batch.units)} new units", _stage_ingest),
    Stage("extract", lambda c: "annotating the new customer units", _stage_extract),
    Stage("embed", lambda c: "embedding the new units (cached by text hash)", _stage_embed),
    Stage(
        "segment",
        lambda c: "assigning new respondents to the fitted segments",
        _stage_segment_assign,
    ),
    Stage("topics", lambda c: "assigning new units to the fitted topics", _stage_topics_assign),
    Stage(
        "vocabulary", lambda c: "customer vocabulary per segment (all batches)", _stage_vocabulary
    ),
    Stage("personas", lambda c: "rebuilding personas over every batch", _stage_personas),
]


def _save_model(store: Any, key: str, model: Any) -> None:
    """The topic model persisted in a study (pickle in ``blobs``); the Segmenter has
    :func:`insight.segment.save_segmenter` / ``load_segmenter``."""
    import pickle

    store.put_blob(key, pickle.dumps(model))


def _load_model(store: Any, key: str) -> Any:
    import pickle

    blob = store.get_blob(key)
    return pickle.loads(blob) if blob is not None else None


# --- run and add --------------------------------------------------------------------


def _ingest(
    files: Sequence[str],
    config: RunConfig,
    echo: Echo,
    skip_hashes: set[str] | None = None,
) -> Any:
    from insight.ingest import DEFAULT_INTERVIEWER_NAMES, ingest_paths

    with _file_progress(list(files)) as on_file:
        return ingest_paths(
            list(files),
            schema=config.schema,
            interviewer_names=config.interviewer_names or DEFAULT_INTERVIEWER_NAMES,
            skip_hashes=skip_hashes,
            on_file=on_file,
        )


def _check_settings(config: RunConfig) -> None:
    """Everything the user passed that can be checked before any work starts."""
    if config.glossary and not Path(config.glossary).is_file():
        raise InputError("glossary file not found", file=config.glossary, fix="check --glossary")
    if config.schema and not Path(config.schema).is_file():
        raise InputError("schema file not found", file=config.schema, fix="check --schema")
    if config.glossary:
        _read_glossary(config)  # a malformed glossary fails now, not after the models ran


def run_study(
    inputs: Iterable[str | Path],
    out: str | Path,
    *,
    config: RunConfig | None = None,
    echo: Echo = _noop,
    **settings: Any,
) -> dict[str, Any]:
    """Run every stage on INPUTS into the folder OUT; returns the run record (run.json).

    Settings come as a :class:`~insight.config.RunConfig` or as its fields by keyword
    (``seed=0, k="auto", n_bootstrap=30, exact_embeddings=False`` ...). Every input is
    read and checked before OUT is touched; the new study is built in
    ``OUT/.insight-build`` and replaces the old one only when every stage succeeded;
    a killed run started again with the same inputs and settings resumes.
    """
    from insight.ingest import check_input
    from insight.transactions import BuildDir, StudyLock, fingerprint, finish_interrupted_swap

    input_names = [str(p) for p in inputs]
    cfg = (config or RunConfig()).replace(inputs=tuple(input_names), **settings)
    _check_settings(cfg)
    out = Path(out)
    timer = Timer(echo)
    with timer.stage("read", f"reading {', '.join(input_names)}"):
        result = _ingest(input_names, cfg, echo)
        _print_accounting(result.files, result.problems, result.warnings, echo)
        check_input(result)
    key = fingerprint(
        {"command": "run", "config": cfg.to_dict(), "files": sorted(result.files["source_hash"])}
    )
    with StudyLock(out, command="insight run"):
        if finish_interrupted_swap(out):
            echo(f"finished replacing {out} with the study an interrupted command had built")
        build = BuildDir(out, key)
        path = build.prepare()
        if build.resumed:
            echo(f"resuming the unfinished run in {path}")
        return _build_and_swap(
            build, out, cfg, result, RUN_STAGES, timer, echo, mode="run", previous=None
        )


def add_files(
    store_or_dir: str | Path,
    files: Sequence[str | Path],
    *,
    schema: str | Path | None = None,
    interviewer_names: Sequence[str] | None = None,
    analyse: bool = True,
    echo: Echo = _noop,
) -> dict[str, Any]:
    """Add a batch to an existing study and refresh every output.

    New units are annotated, embedded and assigned to the fitted topics and segments
    (no refit); vocabulary, personas, the report, the CSVs and run.json are rebuilt
    over every batch, and what changed since the last batch is reported. Rows of a
    re-export already in the study (same respondent, field, turn and text) are not
    added twice. The study is copied to ``OUT/.insight-build``, changed there and
    swapped back only on success; a killed add started again resumes.
    """
    from insight.store import Store
    from insight.transactions import BuildDir, StudyLock, fingerprint, finish_interrupted_swap

    path = store_path(store_or_dir)
    if not path.exists():
        from insight.errors import StoreError

        raise StoreError(
            "study store not found",
            file=str(path),
            fix="run `insight run INPUT --out DIR` first, or pass the path to study.duckdb",
        )
    out = path.parent
    timer = Timer(echo)
    with StudyLock(out, command="insight add"):
        if finish_interrupted_swap(out):
            echo(f"finished replacing {out} with the study an interrupted command had built")
        with Store(path, read_only=True) as store:
            previous = store.get_meta("run", {}) or {}
            if "persona_sizes" not in previous:  # a study written before run.json kept them
                previous["persona_sizes"] = _persona_sizes(store)
            hashes = known_hashes(store)
            has_analysis = store.has_table("annotations")
            base = RunConfig.from_dict(previous.get("config"))
            settings: dict[str, Any] = {}
            if schema:
                settings["schema"] = str(schema)
            if interviewer_names:
                settings["interviewer_names"] = tuple(interviewer_names)
            cfg = base.replace(**settings)
            with timer.stage("read", f"reading {', '.join(map(str, files))}"):
                result = _ingest([str(f) for f in files], cfg, echo, skip_hashes=hashes)
                already = _drop_known_records(store, result)
                _print_accounting(result.files, result.problems, result.warnings, echo)
        counts = {
            "files": len(result.files),
            "units": len(result.units),
            "respondents": len(result.respondents),
            "already_present": already,
        }
        if already:
            echo(
                f"{already} row(s) of these files were already in the study "
                "(same respondent, field and text: a cumulative re-export) - not added again"
            )
        if not len(result.files) or (not len(result.units) and not len(result.respondents)):
            echo(f"nothing new to add to {path}")
            return {"processed": 0, "problems": result.problems, **counts}
        if not analyse or not has_analysis:
            # only store the batch (one transaction), no analysis
            with Store(path) as store:
                from insight.transactions import stage_transaction

                with stage_transaction(store, f"ingest:{result.files['batch_id'].iloc[0]}"):
                    add_batch(store, result)
            echo(f"added {counts['files']} file(s), {counts['units']} units to {path}")
            why = "--no-analyse" if not analyse else "the study has no analysis yet"
            echo(
                f"NOT refreshed ({why}): report.html, personas.*, the CSVs and run.json still "
                "show the study before this batch - run `insight add` with analysis "
                "(the default) or `insight run` to refresh them"
            )
            return {"processed": counts["files"], "problems": result.problems, **counts}
        key = fingerprint(
            {
                "command": "add",
                "study": previous.get("created"),
                "files": sorted(result.files["source_hash"]),
            }
        )
        build = BuildDir(out, key)
        bpath = build.prepare(seed_store=path)
        if build.resumed:
            echo(f"resuming the unfinished add in {bpath}")
        else:
            # the copy carries the previous run's stage markers: start the add's own
            with Store(bpath / STORE_NAME) as st:
                st.put_meta("stages_done", {})
        run = _build_and_swap(
            build, out, cfg, result, ADD_STAGES, timer, echo, mode="add", previous=previous
        )
    echo(
        f"added {counts['files']} file(s), {counts['units']} units, "
        f"{counts['respondents']} respondents to {path}"
    )
    return {"processed": counts["files"], "problems": result.problems, "run": run, **counts}


def _build_and_swap(
    build: Any,
    out: Path,
    cfg: RunConfig,
    result: Any,
    stages: Sequence[Stage],
    timer: Timer,
    echo: Echo,
    *,
    mode: str,
    previous: dict[str, Any] | None,
) -> dict[str, Any]:
    """Run the stages in the build folder, write every output there, then swap in."""
    from insight.pii import redaction
    from insight.store import Store

    if not build.complete:
        with Store(build.path / STORE_NAME) as store:
            ctx = StageContext(store=store, out=out, config=cfg, echo=echo, mode=mode, batch=result)
            with redaction(cfg.redact):
                done = run_stages(ctx, stages, timer)
                run = _write_outputs(ctx, done, timer, result, previous)
            store.put_meta("run", run)
        names = [STORE_NAME, RUN_RECORD, *sorted(Path(p).name for p in run["outputs"].values())]
        build.mark_complete(list(dict.fromkeys(names)))
    else:
        record = build.path / RUN_RECORD
        run = json.loads((record if record.exists() else out / RUN_RECORD).read_text("utf-8"))
    stale = [Path(p).name for p in ((previous or {}).get("outputs") or {}).values()]
    build.swap_into(stale=stale)
    if run.get("changes"):
        for line in run["changes"]["summary"]:
            echo(f"  {line}")
    echo(f"\nreport: {(out / 'report.html').resolve()}")
    t, c = run.get("timings_s") or {}, run.get("counts") or {}
    echo(
        f"done in {sum(t.values()):.0f}s ("
        + ", ".join(f"{k} {v:.1f}s" for k, v in t.items())
        + f"): {c.get('customer_units', 0)} customer units, {c.get('respondents', 0)} "
        f"respondents, {c.get('personas', 0)} personas"
    )
    return run


def _write_outputs(
    ctx: StageContext,
    done: dict[str, Any],
    timer: Timer,
    result: Any,
    previous: dict[str, Any] | None,
) -> dict[str, Any]:
    """The report, personas, CSVs and run.json, in the build folder."""
    from insight.personas import StudyTables, build_personas
    from insight.report import write_outputs

    store, out, cfg = ctx.store, ctx.out, ctx.config
    build_dir = Path(store.path).parent
    units = store.read_table("units")
    respondents = store.read_or_empty("respondents")
    segments = store.read_or_empty("segments")
    if "personas" in ctx.notes:
        personas, tables = ctx.notes["personas"]
    else:  # resumed after the personas stage: the same build from the same tables
        tables = StudyTables.from_store(store, embeddings=ctx.vectors())
        personas = build_personas(tables)
    timings = {
        name: float(rec.get("seconds", 0.0)) for name, rec in done.items() if ":" not in name
    }
    timings["read"] = timer.timings.get("read", 0.0)
    run: dict[str, Any] = {
        "insight_version": __version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "command": ctx.mode,
        "seed": cfg.seed,
        "config": cfg.to_dict(),
        "store": str(out / STORE_NAME),
        "models": {"embedding": ctx.embedder().model_name, "files": _model_files()},
        "packages": _package_versions(),
        "python": platform.python_version(),
        "counts": {
            "units": len(units),
            "customer_units": len(ctx.customer()),
            "respondents": len(respondents),
            "segments": int(segments[S.SEGMENT].nunique()) if len(segments) else 0,
            "personas": len(personas),
        },
        "segmentation": store.get_meta("segmentation", {}),
        "timings_s": timings,
        "store_hint": str(out),
    }
    files = store.read_or_empty("files")
    run["inputs"] = (
        files.to_dict(orient="records")
        if ctx.mode == "add"
        else (result.files.to_dict(orient="records"))
    )
    run["problems"] = list((previous or {}).get("problems", [])) + list(result.problems)
    run["warnings"] = list((previous or {}).get("warnings", [])) + list(result.warnings)
    run["persona_sizes"] = _persona_sizes(store)
    if ctx.mode == "add":
        run["batches"] = [*(previous or {}).get("batches", []), _batch_record(done, result)]
        run["changes"] = _changes_since(previous or {}, run, store, done)
    with timer.stage("report", f"writing report to {out}"):
        paths = write_outputs(personas, tables, build_dir, run_info=run)
        run["timings_s"]["report"] = timer.timings.get("report", 0.0)
    run["timings_s"]["report"] = timer.timings["report"]
    run["outputs"] = {k: str(out / Path(v).name) for k, v in paths.items()}
    (build_dir / RUN_RECORD).write_text(json.dumps(run, indent=2, default=str), encoding="utf-8")
    return run


def _read_glossary(config: RunConfig) -> list[tuple[str, str]] | None:
    if not config.glossary:
        return None
    from insight.vocabulary import read_glossary

    return read_glossary(config.glossary)


def _predict_new_respondents(
    store: Any, model: Any, respondents: Any, segments: Any, echo: Echo
) -> Any:
    """A new survey wave: respondents assigned to the fitted segments (no refit)."""
    import pandas as pd

    meta = store.get_meta("segmentation", {}) or {}
    items = [i for i in meta.get("items", []) if i in respondents.columns]
    if meta.get("mode") != "attitudes" or not items:
        return segments
    wave = respondents[respondents[items].notna().any(axis=1)]
    if wave.empty:
        return segments
    proba = model.predict_proba(wave.set_index(S.RESPONDENT_ID)[items])
    labels = proba.argmax(axis=1)
    new = pd.DataFrame(
        {
            S.RESPONDENT_ID: wave[S.RESPONDENT_ID].to_numpy(),
            S.SEGMENT: labels.astype(int),
            S.PROBABILITY: proba[range(len(labels)), labels],
            "segment_source": "predicted",
        }
    )
    echo(f"  assigned {len(new)} new respondents to the fitted segments (predict, no refit)")
    keep = segments[~segments[S.RESPONDENT_ID].isin(set(new[S.RESPONDENT_ID]))]
    return pd.concat([keep, new], ignore_index=True)


# --- re-exports: rows already in the study -------------------------------------------


def _record_keys(records: Any) -> Any:
    """(source type, respondent, field, turn, text hash) per record: the identity of a
    row across exports of the same data (row numbers and file hashes change when an
    export grows; the respondent's answer to a question does not)."""
    import pandas as pd

    if records is None or not len(records):
        return pd.Series([], dtype=object)
    turn = records[S.TURN].astype(object).where(records[S.TURN].notna(), None)
    parts = zip(
        records[S.SOURCE_TYPE],
        records[S.RESPONDENT_ID],
        records[S.FIELD],
        turn,
        records[S.TEXT],
        strict=False,
    )
    return pd.Series(
        [hashlib.sha1("\x1f".join(map(str, p)).encode("utf-8")).hexdigest()[:20] for p in parts],
        index=records.index,
    )


def _drop_known_records(store: Any, result: Any) -> int:
    """Remove from an ingested batch the records (and their units) already in the study;
    returns how many rows that was and notes it in the file accounting
    (``already_present``)."""
    if not len(result.records) or not store.has_table("records"):
        return 0
    known = set(_record_keys(store.read_table("records")))
    keys = _record_keys(result.records)
    dup = keys.isin(known)
    if not dup.any():
        if len(result.files):
            result.files["already_present"] = 0
        return 0
    gone = result.records[dup]
    rows_per_source = gone.groupby(S.SOURCE)[S.ROW].nunique(dropna=False)
    turns_per_source = gone.groupby(S.SOURCE).size()
    result.records = result.records[~dup].reset_index(drop=True)
    keep_ids = set(result.records[S.RECORD_ID])
    result.units = result.units[result.units[S.RECORD_ID].isin(keep_ids)].reset_index(drop=True)
    if len(result.respondents):
        # respondents whose every record was already there bring nothing new
        fresh = set(result.records[S.RESPONDENT_ID])
        old = store.keys("respondents", S.RESPONDENT_ID)
        r = result.respondents
        result.respondents = r[~r[S.RESPONDENT_ID].isin(old - fresh)].reset_index(drop=True)
    files = result.files
    per = {
        src: int(rows_per_source.get(src, 0)) if rows_per_source.get(src, 0) else int(n)
        for src, n in turns_per_source.items()
    }
    files["already_present"] = [per.get(s, 0) for s in files[S.SOURCE]]
    units_per = result.units.groupby(S.SOURCE).size()
    if "units" in files:
        files["units"] = [int(units_per.get(s, 0)) for s in files[S.SOURCE]]
    result.files = files
    return int(sum(per.values()))


# --- what changed since the last batch (insight add) ---------------------------------


def _batch_record(done: dict[str, Any], result: Any) -> dict[str, Any]:
    ingest = done.get("ingest", {})
    return {
        "batch_id": str(result.files["batch_id"].iloc[0]) if len(result.files) else None,
        "files": [str(s) for s in result.files[S.SOURCE]],
        "units": int(ingest.get("units", len(result.units))),
        "respondents": int(ingest.get("respondents", 0)),
        "added": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }


def _changes_since(
    previous: dict[str, Any], run: dict[str, Any], store: Any, done: dict[str, Any]
) -> dict[str, Any]:
    """New participants, new (emerging) themes and persona shifts since the last batch."""
    before = previous.get("counts", {}) or {}
    after = run["counts"]
    old_personas = {p["id"]: p for p in previous.get("persona_sizes", [])}
    new_sizes = _persona_sizes(store)
    run["persona_sizes"] = new_sizes
    shifts = []
    for p in new_sizes:
        o = old_personas.get(p["id"])
        if o is None:
            shifts.append({"id": p["id"], "name": p["name"], "before": None, "after": p["size"]})
        elif o["size"] != p["size"] or o["name"] != p["name"]:
            shifts.append(
                {
                    "id": p["id"],
                    "name": p["name"],
                    "name_before": o["name"],
                    "before": o["size"],
                    "after": p["size"],
                    "share_before": o.get("share"),
                    "share_after": p.get("share"),
                }
            )
    emerging = list(done.get("topics", {}).get("emerging", []))
    new_resp = int(after["respondents"]) - int(before.get("respondents", 0))
    new_units = int(after["units"]) - int(before.get("units", 0))
    lines = [
        f"since the last batch: {new_resp:+d} participants ({after['respondents']} in all), "
        f"{new_units:+d} units ({after['units']} in all)"
    ]
    assigned = done.get("segment", {}).get("assigned", 0)
    if assigned:
        lines.append(f"{assigned} new participant(s) placed in the existing segments (no refit)")
    lines.append(
        "new themes (fit no existing topic): " + "; ".join(repr(e) for e in emerging)
        if emerging
        else "new themes: none (every new unit fits an existing topic or none is large enough)"
    )
    for s in shifts:
        if s["before"] is None:
            lines.append(f"persona {s['id']} {s['name']!r}: new ({s['after']} participants)")
        else:
            renamed = f" (was {s['name_before']!r})" if s["name_before"] != s["name"] else ""
            lines.append(
                f"persona {s['id']} {s['name']!r}{renamed}: {s['before']} -> {s['after']} participants"
            )
    if not shifts:
        lines.append("personas: no change in size or name")
    lines.append("report.html, personas.*, the CSVs and run.json now cover every batch")
    return {
        "new_participants": new_resp,
        "new_units": new_units,
        "emerging_themes": emerging,
        "persona_shifts": shifts,
        "summary": lines,
    }


def _persona_sizes(store: Any) -> list[dict[str, Any]]:
    p = store.read_or_empty("personas")
    if p.empty:
        return []
    return [
        {"id": r.persona_id, "name": r.name, "size": int(r.size), "share": float(r.share)}
        for r in p.itertuples()
    ]


# --- segmentation policy (moving to insight/segment/policy.py) -------------------------


def _assign_text_only_respondents(
    assignments: Any, customer: Any, vectors: Any, respondents: Any
) -> Any:
    from insight.segment.policy import assign_text_only_respondents

    return assign_text_only_respondents(assignments, customer, vectors, respondents)


def _unit_groups(customer: Any, assignments: Any) -> Any:
    from insight.segment.policy import unit_groups

    return unit_groups(customer, assignments)
