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

import json
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from insight import schema as S
from insight.batches import (
    batch_record,
    changes_since,
    drop_known_records,
    persona_sizes,
)
from insight.config import RunConfig
from insight.errors import InputError
from insight.runner import (
    PreviousStudy,
    Stage,
    StageContext,
    digest,
    file_digest,
    run_stages,
    stage_fingerprint,
)
from insight.runrecord import Echo, Timer, file_progress, noop, print_accounting, run_record
from insight.stages import (
    _read_glossary,
    _stage_behaviour,
    _stage_codes,
    _stage_embed,
    _stage_extract,
    _stage_ingest,
    _stage_personas,
    _stage_segment_assign,
    _stage_segment_fit,
    _stage_topics_assign,
    _stage_topics_fit,
    _stage_vocabulary,
)
from insight.study import STORE_NAME, add_batch, known_hashes, store_path

#: output files of a study besides the store (old ones the new study lacks are removed)
RUN_RECORD = "run.json"


# --- stage lists (the stage bodies: insight.stages) -------------------------------

#: settings each stage's output depends on (besides every stage before it): its
#: fingerprint (insight.runner) hashes them, so a changed --seed re-fits segmentation
#: and what follows while the annotations and embeddings are reused
SEGMENT_SETTINGS = ("items", "method", "k", "seed", "n_bootstrap")
RUN_STAGES = [
    Stage(
        "ingest",
        lambda c: f"storing {len(c.batch.units)} units",
        _stage_ingest,
        depends=("schema", "interviewer_names"),
    ),
    Stage(
        "extract",
        lambda c: f"sentiment, emotions, pain points and goals for {len(c.customer())} units",
        _stage_extract,
    ),
    Stage(
        "embed",
        lambda c: f"embedding {len(c.customer())} units (cached by text hash)",
        _stage_embed,
        depends=("exact_embeddings",),
    ),
    Stage("segment", lambda c: "attitudinal segmentation", _stage_segment_fit, SEGMENT_SETTINGS),
    Stage("topics", lambda c: "topic model", _stage_topics_fit, depends=("seed", "redact")),
    Stage(
        "vocabulary",
        lambda c: "customer vocabulary per segment",
        _stage_vocabulary,
        depends=("glossary",),
    ),
    Stage("behaviour", lambda c: "behavioural segments (RFM, lifecycle)", _stage_behaviour),
    Stage(
        "codes",
        lambda c: "your codes (.qdpx/.qdc inputs) vs themes",
        _stage_codes,
        depends=("inputs", "seed_codes"),
    ),
    Stage("personas", lambda c: "building personas", _stage_personas, depends=("redact",)),
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
    Stage("behaviour", lambda c: "behavioural segments (RFM, lifecycle)", _stage_behaviour),
    Stage("personas", lambda c: "rebuilding personas over every batch", _stage_personas),
]


# --- run and add --------------------------------------------------------------------


def _ingest(
    files: Sequence[str],
    config: RunConfig,
    echo: Echo,
    skip_hashes: set[str] | None = None,
) -> Any:
    from insight.engine.spark import engine_for
    from insight.ingest import DEFAULT_INTERVIEWER_NAMES, ingest_paths

    engine = engine_for(config.engine, config.spark_master)
    with file_progress(list(files)) as on_file:
        return ingest_paths(
            list(files),
            schema=config.schema,
            interviewer_names=config.interviewer_names or DEFAULT_INTERVIEWER_NAMES,
            skip_hashes=skip_hashes,
            on_file=on_file,
            # --engine spark: survey/review rows become records and units on the workers
            mapper=engine.table_mapper() if engine is not None else None,
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
    echo: Echo = noop,
    force: bool = False,
    **settings: Any,
) -> dict[str, Any]:
    """Run every stage on INPUTS into the folder OUT; returns the run record (run.json).

    Settings come as a :class:`~insight.config.RunConfig` or as its fields by keyword
    (``seed=0, k="auto", n_bootstrap=30, exact_embeddings=False`` ...). Every input is
    read and checked before OUT is touched; the new study is built in
    ``OUT/.insight-build`` and replaces the old one only when every stage succeeded;
    a killed run started again with the same inputs and settings resumes.

    A stage whose fingerprint (inputs, its settings, the code: :mod:`insight.runner`)
    equals the one the study already in OUT recorded is copied from it, not
    recomputed; with unchanged inputs even reading them is skipped. ``force``
    recomputes everything (and ignores the model outputs cached by text hash).
    """
    from insight.transactions import BuildDir, StudyLock, fingerprint, finish_interrupted_swap

    input_names = [str(p) for p in inputs]
    cfg = (config or RunConfig()).replace(inputs=tuple(input_names), **settings)
    _check_settings(cfg)
    out = Path(out)
    timer = Timer(echo)
    upstream = _inputs_fingerprint(input_names, cfg)
    ingest_fp = stage_fingerprint(RUN_STAGES[0], cfg, upstream, "run")
    previous = None if force else PreviousStudy.load(out / STORE_NAME)
    result = _read_inputs(input_names, cfg, timer, echo, previous, ingest_fp)
    with StudyLock(out, command="insight run"):
        if finish_interrupted_swap(out):
            echo(f"finished replacing {out} with the study an interrupted command had built")
            previous = None if force else PreviousStudy.load(out / STORE_NAME)
            if result.units is None and not (previous and previous.reusable("ingest", ingest_fp)):
                result = _read_inputs(input_names, cfg, timer, echo, None, ingest_fp)
        key = fingerprint(
            {
                "command": "run",
                "config": cfg.to_dict(),
                "files": sorted(result.files["source_hash"]),
            }
        )
        build = BuildDir(out, key)
        path = build.prepare()
        if build.resumed:
            echo(f"resuming the unfinished run in {path}")
        return _build_and_swap(
            build,
            out,
            cfg,
            result,
            RUN_STAGES,
            timer,
            echo,
            mode="run",
            previous=None,
            reuse=Reuse(previous, upstream, force),
        )


@dataclass
class Reuse:
    """What ``insight run`` may copy from the study already in OUT (insight.runner)."""

    study: PreviousStudy | None = None
    upstream: str = ""
    force: bool = False


def _inputs_fingerprint(input_names: Sequence[str], cfg: RunConfig) -> str:
    """Hash of every input file's path and bytes (the first stage's upstream)."""
    from insight.ingest import expand_paths

    files, _ = expand_paths(input_names)
    return digest({"files": [[str(f), file_digest(f)] for f in files]})


def _read_inputs(
    input_names: Sequence[str],
    cfg: RunConfig,
    timer: Timer,
    echo: Echo,
    previous: PreviousStudy | None,
    ingest_fp: str,
) -> Any:
    """Read and check every input, or, when the study in OUT read exactly these
    files the same way (same ingest fingerprint), take its accounting instead
    (``units`` is then None: the ingest stage is copied from that study)."""
    if previous is not None and previous.reusable("ingest", ingest_fp):
        return _previous_read(previous, echo, ingest_fp)
    from insight.ingest import check_input

    with timer.stage("read", f"reading {', '.join(input_names)}"):
        result = _ingest(input_names, cfg, echo)
        print_accounting(result.files, result.problems, result.warnings, echo)
        check_input(result)
    return result


def _previous_read(previous: PreviousStudy, echo: Echo, ingest_fp: str) -> Any:
    import pandas as pd

    from insight.ingest import IngestResult
    from insight.store import Store

    with Store(previous.path, read_only=True) as store:
        files = store.read_table("files")
    run = previous.run
    echo(f"[read] unchanged inputs (fingerprint {ingest_fp}): reusing what the last run read")
    print_accounting(files, run.get("problems", []), run.get("warnings", []), echo)
    empty = pd.DataFrame()
    return IngestResult(
        records=empty,
        units=None,  # type: ignore[arg-type]
        respondents=empty,
        columns=empty,
        files=files,
        problems=list(run.get("problems", [])),
        warnings=list(run.get("warnings", [])),
    )


def add_files(
    store_or_dir: str | Path,
    files: Sequence[str | Path],
    *,
    schema: str | Path | None = None,
    interviewer_names: Sequence[str] | None = None,
    analyse: bool = True,
    echo: Echo = noop,
    force: bool = False,
) -> dict[str, Any]:
    """Add a batch to an existing study and refresh every output.

    New units are annotated, embedded and assigned to the fitted topics and segments
    (no refit); vocabulary, personas, the report, the CSVs and run.json are rebuilt
    over every batch, and what changed since the last batch is reported. Rows of a
    re-export already in the study (same respondent, field, turn and text) are not
    added twice. The study is copied to ``OUT/.insight-build``, changed there and
    swapped back only on success; a killed add started again resumes. ``force``
    recomputes the model outputs instead of taking them from the text-hash cache.
    """
    from insight.store import Store
    from insight.transactions import BuildDir, StudyLock, fingerprint, finish_interrupted_swap

    path = store_path(store_or_dir)
    if not path.exists():
        StudyLock(path.parent).check()  # a first `insight run` still building it
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
                previous["persona_sizes"] = persona_sizes(store)
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
                already = drop_known_records(store, result)
                print_accounting(result.files, result.problems, result.warnings, echo)
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
            build,
            out,
            cfg,
            result,
            ADD_STAGES,
            timer,
            echo,
            mode="add",
            previous=previous,
            reuse=Reuse(force=force),
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
    reuse: Reuse | None = None,
) -> dict[str, Any]:
    """Run the stages in the build folder, write every output there, then swap in."""
    from insight.pii import redaction
    from insight.store import Store

    reuse = reuse or Reuse()
    if not build.complete:
        with Store(build.path / STORE_NAME) as store:
            ctx = StageContext(
                store=store,
                out=out,
                config=cfg,
                echo=echo,
                mode=mode,
                batch=result,
                force=reuse.force,
            )
            with redaction(cfg.redact):
                done = run_stages(ctx, stages, timer, upstream=reuse.upstream, previous=reuse.study)
                run = _write_outputs(ctx, done, timer, previous, reuse.study)
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
    previous: dict[str, Any] | None,
    study: PreviousStudy | None = None,
) -> dict[str, Any]:
    """The report, personas, CSVs and run.json (of the batch ``ctx.batch``), in the build folder.

    When every stage was unchanged (the personas stage has the fingerprint the
    study in OUT wrote its report from) the output files are copied from OUT.
    """
    from insight.personas import StudyTables, build_personas
    from insight.report import write_outputs

    store, out, result = ctx.store, ctx.out, ctx.batch
    build_dir = Path(store.path).parent
    units = store.read_table("units")
    respondents = store.read_or_empty("respondents")
    segments = store.read_or_empty("segments")
    report_fp = digest({"report": (done.get("personas") or {}).get("fingerprint")})
    reused = _reusable_outputs(study, report_fp, out) if ctx.mode == "run" else None
    if reused is not None:
        personas: Any = None
    elif "personas" in ctx.notes:
        personas, tables = ctx.notes["personas"]
    else:  # resumed after the personas stage: the same build from the same tables
        tables = StudyTables.from_store(store, embeddings=ctx.vectors())
        personas = build_personas(tables)
    timings = {
        name: float(rec.get("seconds", 0.0)) for name, rec in done.items() if ":" not in name
    }
    timings["read"] = timer.timings.get("read", 0.0)
    run = run_record(
        ctx.mode,
        ctx.config,
        out / STORE_NAME,
        embedding=ctx.embedder().model_name,
        counts={
            "units": len(units),
            "customer_units": len(ctx.customer()),
            "respondents": len(respondents),
            "segments": int(segments[S.SEGMENT].nunique()) if len(segments) else 0,
            "personas": len(store.read_or_empty("personas")) if personas is None else len(personas),
        },
        segmentation=store.get_meta("segmentation", {}),
        timings=timings,
    )
    files = store.read_or_empty("files")
    run["inputs"] = (
        files.to_dict(orient="records")
        if ctx.mode == "add"
        else (result.files.to_dict(orient="records"))
    )
    run["problems"] = list((previous or {}).get("problems", [])) + list(result.problems)
    run["warnings"] = list((previous or {}).get("warnings", [])) + list(result.warnings)
    run["persona_sizes"] = persona_sizes(store)
    codes = store.get_meta("codes_vs_themes")  # researchers' codes of .qdpx/.qdc inputs
    if codes:
        run["codes_vs_themes"] = codes
    if ctx.mode == "add":
        run["batches"] = [*(previous or {}).get("batches", []), batch_record(done, result)]
        run["changes"] = changes_since(previous or {}, run, store, done)
    run["reused"] = sorted(n for n, rec in done.items() if rec.get("reused"))
    run["report_fingerprint"] = report_fp
    if reused is not None:
        with timer.stage("report", f"unchanged (fingerprint {report_fp}): copying the outputs"):
            paths = _copy_outputs(reused, build_dir)
        run["reused"].append("report")
    else:
        with timer.stage("report", f"writing report to {out}"):
            paths = write_outputs(personas, tables, build_dir, run_info=run)
    run["timings_s"]["report"] = timer.timings["report"]
    run["outputs"] = {k: str(out / Path(v).name) for k, v in paths.items()}
    (build_dir / RUN_RECORD).write_text(json.dumps(run, indent=2, default=str), encoding="utf-8")
    return run


def _reusable_outputs(
    study: PreviousStudy | None, report_fp: str, out: Path
) -> dict[str, Path] | None:
    """The output files of the study in OUT when they were written from the same
    personas (same report fingerprint) and are all still there; else None."""
    if study is None or study.run.get("report_fingerprint") != report_fp:
        return None
    outputs = {k: out / Path(v).name for k, v in (study.run.get("outputs") or {}).items()}
    if not outputs or not all(p.exists() for p in outputs.values()):
        return None
    return outputs


def _copy_outputs(outputs: dict[str, Path], build_dir: Path) -> dict[str, Path]:
    """Copy the unchanged output files (or folders) into the build folder."""
    paths = {}
    for key, src in outputs.items():
        dst = build_dir / src.name
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dst)
        paths[key] = dst
    return paths
