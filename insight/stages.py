"""The stage bodies ``insight run`` and ``insight add`` run, in order, against the
study store (:mod:`insight.pipeline` holds the stage lists and the orchestration).

Each stage reads and writes tables keyed by unit_id or respondent_id in the store
through a :class:`~insight.runner.StageContext` and records what it did in ``summary``.
"""

from __future__ import annotations

from typing import Any

from insight import schema as S
from insight.config import RunConfig
from insight.runner import StageContext
from insight.runrecord import Echo
from insight.study import add_batch


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
    from insight import embed
    from insight.engine.spark import engine_for

    engine = engine_for(ctx.config.engine, ctx.config.spark_master)
    cache = ctx.text_cache()
    on_vectors = None
    if engine is None and embed.is_shipped_int8(ctx.embedder()) and _joint_model_shipped():
        # one pass for both transformers: the emotion model's graph also runs stock
        # MiniLM's layers 2-5 (layers 0-1 are the same weights), and the vectors go to
        # the embedding caches, where the embed stage finds them
        def on_vectors(texts: list[str], vectors: Any) -> None:
            embed.remember_vectors(texts, vectors, store=ctx.store, cache=cache)

    # outputs per text hash kept in OUT/cache.duckdb: a re-run skips the models
    annotations = extract.annotate_units(
        todo, progress=True, cache=cache, engine=engine, on_vectors=on_vectors
    )
    if ctx.store.has_table("annotations"):
        ctx.store.upsert("annotations", annotations, S.UNIT_ID)
    else:
        ctx.store.write_table("annotations", annotations)
    every = ctx.store.read_table("annotations")
    every = every[every[S.UNIT_ID].isin(set(customer[S.UNIT_ID]))]
    ctx.store.write_table("respondent_emotions", extract.respondent_emotions(customer, every))
    summary["annotated"] = len(todo)


def _joint_model_shipped() -> bool:
    from insight.extract.emotions import JOINT_FILE, default_model_dir

    return (default_model_dir() / JOINT_FILE).is_file()


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
    ctx.echo(f"  {coverage_line(plan.coverage, plan.items)}")
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
        topic_result.model.save(store)
    summary["topics"] = len(topic_result.topics)


def _stage_topics_assign(ctx: StageContext, summary: dict[str, Any]) -> None:
    """New units join the fitted topics (no refit); ones that fit none are flagged."""
    store = ctx.store
    from insight.topics import TopicModel, assign_batch
    from insight.topics.model import MODEL_KEY

    customer = ctx.customer()
    known = store.keys("topic_assignments", S.UNIT_ID)
    new = customer[~customer[S.UNIT_ID].isin(known)].reset_index(drop=True)
    summary["assigned"] = 0
    if store.get_blob(MODEL_KEY) is None or new.empty:
        return  # a study fitted without themes has none to assign to
    # one line with the fix (re-run `insight run`) when the saved model is too old
    model = TopicModel.load(store)

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
        cache=ctx.text_cache(),  # parsed texts by hash: a re-run parses only new ones
    )
    ctx.store.write_table("vocabulary", vocab)
    summary["terms"] = len(vocab)


def _stage_behaviour(ctx: StageContext, summary: dict[str, Any]) -> None:
    """Behaviour columns typed at ingest -> RFM cell and lifecycle stage per respondent."""
    from insight.segment.behaviour import behaviour_stage

    behaviour_stage(ctx.store, summary, ctx.echo)


def _stage_codes(ctx: StageContext, summary: dict[str, Any]) -> None:
    """The researchers' codes of .qdpx / .qdc inputs compared with the themes."""
    from insight.qdpx import codes_stage

    codes_stage(ctx.store, ctx.config.inputs, summary, ctx.echo, ctx.config.seed_codes)


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

    from insight.segment.api import predict_respondents

    meta = store.get_meta("segmentation", {}) or {}
    items = [i for i in meta.get("items", []) if i in respondents.columns]
    if meta.get("mode") != "attitudes" or not items:
        return segments
    new = predict_respondents(model, respondents, items).assign(segment_source="predicted")
    if new.empty:
        return segments
    echo(f"  assigned {len(new)} new respondents to the fitted segments (predict, no refit)")
    keep = segments[~segments[S.RESPONDENT_ID].isin(set(new[S.RESPONDENT_ID]))]
    return pd.concat([keep, new], ignore_index=True)


# --- segmentation policy (moving to insight/segment/policy.py) -------------------------


def _assign_text_only_respondents(
    assignments: Any, customer: Any, vectors: Any, respondents: Any
) -> Any:
    from insight.segment.policy import assign_text_only_respondents

    return assign_text_only_respondents(assignments, customer, vectors, respondents)


def _unit_groups(customer: Any, assignments: Any) -> Any:
    from insight.segment.policy import unit_groups

    return unit_groups(customer, assignments)
