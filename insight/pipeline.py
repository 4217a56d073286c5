"""Runs the stages in order against the study store, with timings and run.json.

ingest -> extract (annotations) -> embed -> segment -> topics -> vocabulary
-> personas -> report. Every stage reads and writes tables keyed by unit_id or
respondent_id in the store.
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from insight import __version__
from insight import schema as S
from insight.errors import InputError
from insight.study import STORE_NAME, accounting_table, add_batch, known_hashes, store_path

Echo = Callable[[str], None]


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
                "\nRow accounting (read = with_units + empty + non_answer + duplicate + unparseable):"
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


def _segment_items(columns: Any, respondents: Any, items: Sequence[str] | None) -> list[str]:
    if items:
        missing = [i for i in items if i not in respondents.columns]
        if missing:
            raise InputError(
                f"attitude item(s) not found: {', '.join(missing)}",
                fix="use column names shown by `insight inspect`",
            )
        return list(items)
    if columns is None or not len(columns):
        return []
    likert = columns[columns[S.COL_ROLE] == S.ROLE_LIKERT]
    likert = likert[likert[S.COL_NAME].isin(respondents.columns)].drop_duplicates(S.COL_NAME)
    # The attitude battery: agreement items when there are at least three of them
    # (satisfaction and likelihood-to-recommend are outcomes, not attitudes);
    # otherwise every Likert item that shares the most common scale range.
    kinds = likert["labels"].fillna("").astype(str)
    agree = likert[
        likert[S.COL_NAME]
        .map(dict(zip(likert[S.COL_NAME], kinds, strict=False)))
        .str.contains("agree", case=False)
    ]
    if len(agree) >= 3:
        return agree[S.COL_NAME].tolist()
    if likert.empty:
        return []
    ranges = likert["scale_min"].astype(str) + "-" + likert["scale_max"].astype(str)
    common = ranges.value_counts().index[0]
    return likert[ranges == common][S.COL_NAME].tolist()


def run_study(
    inputs: Iterable[str | Path],
    out: str | Path,
    *,
    schema: str | Path | None = None,
    interviewer_names: Sequence[str] | None = None,
    items: Sequence[str] | None = None,
    method: str = "auto",
    k: str | int = "auto",
    seed: int = 0,
    n_bootstrap: int = 30,
    glossary: str | Path | None = None,
    exact_embeddings: bool = False,
    echo: Echo = _noop,
) -> dict[str, Any]:
    """Run every stage on INPUTS into the folder OUT; returns the run record (run.json).

    ``exact_embeddings`` embeds with the fp32 sentence-transformers MiniLM instead
    of the shipped int8 ONNX copy (see :func:`insight.embed.default_embedder`);
    batches added later use the same model.
    """
    from insight.ingest import DEFAULT_INTERVIEWER_NAMES, check_input, ingest_paths
    from insight.store import Store

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    db = out / STORE_NAME
    if db.exists():
        db.unlink()
    timer = Timer(echo)
    input_names = [str(p) for p in inputs]
    with timer.stage("ingest", f"reading {', '.join(input_names)}"):
        with _file_progress(input_names) as on_file:
            result = ingest_paths(
                input_names,
                schema=schema,
                interviewer_names=interviewer_names or DEFAULT_INTERVIEWER_NAMES,
                on_file=on_file,
            )
        _print_accounting(result.files, result.problems, result.warnings, echo)
        check_input(result)
    config = {
        "inputs": input_names,
        "schema": str(schema) if schema else None,
        "interviewer_names": list(interviewer_names or DEFAULT_INTERVIEWER_NAMES),
        "items": list(items) if items else None,
        "method": method,
        "k": k,
        "seed": seed,
        "n_bootstrap": n_bootstrap,
        "glossary": str(glossary) if glossary else None,
        "exact_embeddings": exact_embeddings,
    }
    with Store(db) as store:
        add_batch(store, result)
        run = analyse_study(store, out, config=config, timer=timer, echo=echo)
        run["inputs"] = result.files.to_dict(orient="records")
        run["problems"] = result.problems
        run["warnings"] = result.warnings
        (out / "run.json").write_text(json.dumps(run, indent=2, default=str), encoding="utf-8")
        store.put_meta("run", run)
    echo(f"\nreport: {(out / 'report.html').resolve()}")
    return run


def analyse_study(
    store: Any, out: Path, *, config: dict[str, Any], timer: Timer, echo: Echo
) -> dict[str, Any]:
    """Every analysis stage over what is in the store (a fresh fit)."""
    import numpy as np

    from insight import embed, extract
    from insight.personas import StudyTables, build_personas, save_personas
    from insight.report import write_outputs
    from insight.segment import segment_respondents, segment_text
    from insight.topics import fit_topics
    from insight.vocabulary import extract_vocabulary

    seed = int(config.get("seed", 0))
    units = store.read_table("units")
    customer = units[units[S.SPEAKER_ROLE] == S.ROLE_CUSTOMER].reset_index(drop=True)
    respondents = store.read_table("respondents")
    columns = store.read_or_empty("columns")
    if customer.empty:
        echo("warning: no customer text at all: topics, vocabulary and quotes will be empty")

    with timer.stage(
        "extract", f"sentiment, emotions, pain points and goals for {len(customer)} units"
    ):
        annotations = extract.annotate_units(customer, progress=True)
        store.write_table("annotations", annotations)
        resp_emotions = extract.respondent_emotions(customer, annotations)
        store.write_table("respondent_emotions", resp_emotions)

    with timer.stage("embed", f"embedding {len(customer)} units (cached by text hash)"):
        # one model for embeddings and vocabulary variants
        embedder = embed.default_embedder(exact=bool(config.get("exact_embeddings")))
        vectors = embed.embed_texts(
            customer[S.TEXT].tolist(), store=store, embedder=embedder, progress=True
        )

    with timer.stage("segment", "attitudinal segmentation"):
        items = _segment_items(columns, respondents, config.get("items"))
        reverse = []
        if len(columns) and "reverse" in columns:
            reverse = [
                c for c in columns[columns["reverse"].astype(bool)][S.COL_NAME] if c in items
            ]
        if items:
            with_items = respondents[respondents[items].notna().any(axis=1)]
            seg = segment_respondents(
                with_items,
                items,
                method=config.get("method", "auto"),
                k=config.get("k", "auto"),
                random_state=seed,
                reverse=reverse,
                n_bootstrap=int(config.get("n_bootstrap", 30)),
                duration=_duration_column(respondents),
            )
            mode = "attitudes"
        else:
            features = _text_features(customer, vectors, resp_emotions)
            seg = segment_text(
                features,
                k=config.get("k", "auto"),
                random_state=seed,
                n_bootstrap=int(config.get("n_bootstrap", 30)),
            )
            mode = "text"
        assignments = seg.assignments.copy()
        assignments["segment_source"] = mode
        assignments = _assign_text_only_respondents(assignments, customer, vectors, respondents)
        store.write_table("segments", assignments)
        store.write_table("segment_profiles", seg.profiles)
        store.write_table("segment_fit", seg.fit_table)
        store.put_meta("segmentation", _segmentation_meta(seg, mode, items))
        store.write_table("segment_stability", seg.stability.jaccard)
        import pickle

        store.put_blob("segmenter", pickle.dumps(seg.model))
        echo(f"  {mode} segmentation: {seg.chosen}")

    groups = _unit_groups(customer, assignments)
    with timer.stage("topics", "topic model"):
        topic_result = fit_topics(
            customer,
            vectors,
            annotations=annotations,
            groups=groups,
            dates=customer[S.DATE],
            random_state=seed,
        )
        store.write_table("topic_assignments", topic_result.assignments)
        store.write_table("topics", topic_result.topics)
        if getattr(topic_result, "differences", None) is not None:
            store.write_table("topic_differences", topic_result.differences)
        import pickle

        if getattr(topic_result, "model", None) is not None:
            store.put_blob("topic_model", pickle.dumps(topic_result.model))

    with timer.stage("vocabulary", "customer vocabulary per segment"):
        vocab = extract_vocabulary(
            customer, groups=groups, glossary=_read_glossary(config), embedder=embedder
        )
        store.write_table("vocabulary", vocab)

    with timer.stage("personas", "building personas"):
        tables = StudyTables.from_store(store)
        tables.embeddings = dict(zip(customer[S.UNIT_ID], np.asarray(vectors), strict=False))
        personas = build_personas(tables)
        save_personas(store, personas)

    run: dict[str, Any] = {
        "insight_version": __version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "seed": seed,
        "config": config,
        "store": str(store.path),
        "models": {
            "embedding": embedder.model_name,
            "files": _model_files(),
        },
        "packages": _package_versions(),
        "python": platform.python_version(),
        "counts": {
            "units": len(units),
            "customer_units": len(customer),
            "respondents": len(respondents),
            "segments": int(assignments[S.SEGMENT].nunique()),
            "personas": len(personas),
        },
        "segmentation": _segmentation_meta(seg, mode, items),
        "timings_s": timer.timings,
        "store_hint": str(out),
    }
    with timer.stage("report", f"writing report to {out}"):
        run["timings_s"] = timer.timings
        files = write_outputs(personas, tables, out, run_info=run)
        run["outputs"] = {k: str(v) for k, v in files.items()}
    run["timings_s"] = timer.timings
    return run


def _duration_column(respondents: Any) -> str | None:
    """The survey platform's completion-time column, for flagging speeders."""
    import re

    for c in respondents.columns:
        if re.match(r"^duration", str(c), re.I) and respondents[c].dtype.kind in "fi":
            return str(c)
    return None


def _segmentation_meta(seg: Any, mode: str, items: Sequence[str]) -> dict[str, Any]:
    st = seg.stability
    return {
        "mode": mode,
        "items": list(items),
        "chosen": seg.chosen,
        "stability": {
            "ari_mean": float(st.ari_mean),
            "ari_sd": float(st.ari_sd),
            "n_bootstrap": int(st.n_bootstrap),
            "warnings": list(st.warnings),
        },
    }


def _read_glossary(config: dict[str, Any]) -> list[tuple[str, str]] | None:
    g = config.get("glossary")
    if not g:
        return None
    from insight.vocabulary import read_glossary

    return read_glossary(g)


def _text_features(customer: Any, vectors: Any, resp_emotions: Any) -> Any:
    """Per respondent: mean unit embedding + emotion / pain-point profile."""
    import numpy as np
    import pandas as pd

    emb = pd.DataFrame(np.asarray(vectors), index=customer[S.RESPONDENT_ID].values)
    mean = emb.groupby(level=0).mean()
    mean.columns = [f"emb_{i}" for i in mean.columns]
    if resp_emotions is not None and len(resp_emotions):
        prof = resp_emotions.set_index(S.RESPONDENT_ID).drop(columns=["n_units"], errors="ignore")
        prof = prof.select_dtypes("number").fillna(0.0)
        mean = mean.join(prof, how="left").fillna(0.0)
    mean.index.name = S.RESPONDENT_ID
    return mean


def _assign_text_only_respondents(
    assignments: Any, customer: Any, vectors: Any, respondents: Any
) -> Any:
    """Interviewees (no attitude answers) join the segment whose members' text they are
    most similar to (cosine to segment centroids). Reviewers are not assigned: an
    anonymous review is evidence for topics and vocabulary, not a segment member."""
    import numpy as np
    import pandas as pd

    if customer.empty or assignments.empty:
        return assignments
    vec = np.asarray(vectors, dtype=np.float32)
    by_resp = customer[S.RESPONDENT_ID].to_numpy()
    seg_of = dict(zip(assignments[S.RESPONDENT_ID], assignments[S.SEGMENT], strict=False))
    segs = sorted(set(seg_of.values()))
    centroids = []
    for s in segs:
        mask = np.array([seg_of.get(r) == s for r in by_resp])
        centroids.append(vec[mask].mean(axis=0) if mask.any() else np.zeros(vec.shape[1]))
    cent = np.vstack(centroids)
    norms = np.linalg.norm(cent, axis=1, keepdims=True)
    cent = cent / np.where(norms == 0, 1, norms)
    interviewees = set(
        respondents.loc[respondents[S.SOURCE_TYPE] == S.SOURCE_TRANSCRIPT, S.RESPONDENT_ID]
    )
    rows = []
    for rid in dict.fromkeys(by_resp):
        if rid in seg_of or rid not in interviewees:
            continue
        v = vec[by_resp == rid].mean(axis=0)
        v = v / (np.linalg.norm(v) or 1.0)
        sims = cent @ v
        p = np.exp(sims * 20)
        p = p / p.sum()
        j = int(np.argmax(sims))
        rows.append(
            {
                S.RESPONDENT_ID: rid,
                S.SEGMENT: segs[j],
                S.PROBABILITY: float(p[j]),
                "segment_source": "text-similarity",
            }
        )
    if not rows:
        return assignments
    return pd.concat([assignments, pd.DataFrame(rows)], ignore_index=True)


def _unit_groups(customer: Any, assignments: Any) -> Any:
    import pandas as pd

    # Segment ids as labels ("0", "1", ...): units of unsegmented respondents (reviews)
    # are None, which must not turn the ids into floats ("0.0") downstream.
    seg_of = {
        r: str(int(s))
        for r, s in zip(assignments[S.RESPONDENT_ID], assignments[S.SEGMENT], strict=False)
    }
    return pd.Series(
        [seg_of.get(r) for r in customer[S.RESPONDENT_ID]],
        index=customer[S.UNIT_ID].values,
        name=S.SEGMENT,
        dtype=object,
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
    """Add a batch to an existing study; new units are annotated, embedded, and
    assigned to the fitted topics and segments (no refit)."""
    from insight.ingest import DEFAULT_INTERVIEWER_NAMES, ingest_paths
    from insight.store import Store

    path = store_path(store_or_dir)
    with Store(path) as store:
        with _file_progress([str(f) for f in files]) as on_file:
            result = ingest_paths(
                files,
                schema=schema,
                interviewer_names=interviewer_names or DEFAULT_INTERVIEWER_NAMES,
                skip_hashes=known_hashes(store),
                on_file=on_file,
            )
        _print_accounting(result.files, result.problems, result.warnings, echo)
        counts = add_batch(store, result)
        echo(
            f"added {counts['files']} file(s), {counts['units']} units, "
            f"{counts['respondents']} respondents to {path}"
        )
        if analyse and len(result.respondents) and store.get_blob("segmenter") is not None:
            _predict_new_respondents(store, result.respondents, echo)
        if analyse and counts["units"] and store.has_table("annotations"):
            _analyse_new_units(store, result.units, echo)
    return {"processed": counts["files"], "problems": result.problems, **counts}


def _predict_new_respondents(store: Any, respondents: Any, echo: Echo) -> None:
    """A new survey wave: assign respondents to the fitted segments (no refit)."""
    import pickle

    import pandas as pd

    meta = store.get_meta("segmentation", {}) or {}
    items = [i for i in meta.get("items", []) if i in respondents.columns]
    if meta.get("mode") != "attitudes" or not items:
        return
    wave = respondents[respondents[items].notna().any(axis=1)]
    if wave.empty:
        return
    model = pickle.loads(store.get_blob("segmenter"))
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
    store.upsert("segments", new, S.RESPONDENT_ID)
    echo(f"  assigned {len(new)} new respondents to the fitted segments (predict, no refit)")


def _analyse_new_units(store: Any, new_units: Any, echo: Echo) -> None:
    import pickle

    import pandas as pd

    from insight import embed, extract

    customer = new_units[new_units[S.SPEAKER_ROLE] == S.ROLE_CUSTOMER].reset_index(drop=True)
    if customer.empty:
        return
    ann = extract.annotate_units(customer, progress=True)
    store.upsert("annotations", ann, S.UNIT_ID)
    # the model the study was fitted with (its vectors are what the topics know)
    config = (store.get_meta("run", {}) or {}).get("config", {})
    embedder = embed.default_embedder(exact=bool(config.get("exact_embeddings")))
    vectors = embed.embed_texts(
        customer[S.TEXT].tolist(), store=store, embedder=embedder, progress=True
    )
    blob = store.get_blob("topic_model")
    if blob is not None:
        from insight.topics import assign_batch

        batch = assign_batch(pickle.loads(blob), customer, vectors)
        store.upsert("topic_assignments", batch.assignments, S.UNIT_ID)
        if len(batch.emerging):
            store.append(
                "emerging_topics", batch.emerging.assign(batch_id=customer[S.BATCH_ID].iloc[0])
            )
            for e in batch.emerging.itertuples():
                echo(
                    f"  possible emerging topic: {e.label!r} ({e.size} units, fits no existing topic)"
                )
    segs = store.read_or_empty("segments")
    if len(segs):
        all_units = store.read_table("units")
        all_customer = all_units[all_units[S.SPEAKER_ROLE] == S.ROLE_CUSTOMER]
        old = all_customer[~all_customer[S.UNIT_ID].isin(customer[S.UNIT_ID])]
        old_vec = embed.embed_texts(
            old[S.TEXT].tolist(), store=store, embedder=embedder, progress=False
        )
        import numpy as np

        both = pd.concat([old, customer], ignore_index=True)
        vecs = np.vstack([np.asarray(old_vec).reshape(len(old), -1), np.asarray(vectors)])
        respondents = store.read_table("respondents")
        new_assign = _assign_text_only_respondents(segs, both, vecs, respondents)
        store.write_table("segments", new_assign)
    echo(f"  annotated and assigned {len(customer)} new customer units")
