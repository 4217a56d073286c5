"""`insight segment`: attitudinal segments from Likert items, with fit and stability tables."""

from __future__ import annotations

import click

from insight.cli._common import auto_int_option, echo_table, run_library, seed_option
from insight.safe_io import write_csv_safe

METHOD_CHOICES = ["auto", "lca", "lca-categorical", "lca-ordinal", "gmm", "kmeans"]


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _behaviour(
    file: str,
    id_column: str | None,
    options: dict[str, str | None],
    as_of: str | None,
    lapsed_days: float,
    active_days: float,
    out: str,
) -> None:
    """RFM cells and lifecycle stage; a study folder also gets a behaviour_segments table."""
    from pathlib import Path

    from insight.report.safe import write_csv_safe
    from insight.segment.behaviour import behaviour_from_file, study_behaviour

    overrides = {k: v for k, v in options.items() if k in ("recency", "frequency", "monetary")}
    role_of = {"recency": "recency_date", "frequency": "frequency", "monetary": "monetary"}
    path = Path(file)
    store = None
    roles = None
    if path.is_dir() or path.suffix == ".duckdb":
        from insight.store import Store
        from insight.study import store_path

        store = run_library(Store, store_path(path))
        df = store.read_table("respondents")
        roles = store.read_or_empty("columns")
    else:
        from insight.ingest import read_table

        df = run_library(read_table, file)
    try:
        cols_given = {}
        for k, v in overrides.items():
            if not v:
                continue
            role = role_of[k]
            if k == "recency" and v in df.columns:
                from insight.segment.behaviour import is_date_column

                role = (
                    "recency_date" if is_date_column(df[v].replace({"": None})) else "recency_days"
                )
            cols_given[role] = v
        settings = {"as_of": as_of, "lapsed_days": lapsed_days, "active_days": active_days}
        if store is not None:
            # the columns typed behaviour at ingest (question texts name a coded Q9)
            res = run_library(
                study_behaviour, df, roles, overrides=cols_given or None, strict=True, **settings
            )
            assert res is not None  # strict: what is missing raises instead
            store.write_table("behaviour_segments", res.table)
        else:
            res = run_library(
                behaviour_from_file,
                df,
                id_column=id_column,
                date_column=options.get("date"),
                amount_column=options.get("amount"),
                overrides=cols_given or None,
                **settings,
            )
    finally:
        if store is not None:
            store.close()
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    write_csv_safe(res.table, out)
    t = res.table
    click.echo("behaviour columns: " + "; ".join(f"{k} = {v}" for k, v in res.columns.items()))
    if res.as_of:
        click.echo(f"recency counted to {res.as_of} (--as-of to change)")
    scored = int(t["rfm_cell"].notna().sum())
    click.echo(f"{len(t)} customers, {scored} with an RFM cell (quintile scores 1-5, 5 = best)")
    counts = res.cell_counts()
    if len(counts):
        click.echo("\nRFM cells:")
        echo_table(counts)
    life = t["lifecycle"].value_counts()
    if len(life):
        click.echo("\nlifecycle: " + ", ".join(f"{k} {v} of {len(t)}" for k, v in life.items()))
    for w in res.warnings:
        click.echo(f"warning: {w}", err=True)
    where = " and to the study (table behaviour_segments)" if store is not None else ""
    click.echo(f"\nwrote {len(t)} rows to {out}{where}")


def _predict_wave(file: str, model_path: str, id_column: str | None, out: str) -> None:
    from pathlib import Path

    from insight.segment.api import load_segmenter, predict_file

    model = run_library(load_segmenter, model_path)
    items = list(model.feature_names_in_)
    assigned, used = run_library(predict_file, file, model, id_column=id_column)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    write_csv_safe(assigned, out)
    click.echo(
        f"assigned {len(assigned)} respondents (id column: {used}) to the {model.k_} fitted "
        f"segments on {len(items)} items (predict, no refit)"
    )
    counts = assigned["segment"].value_counts().sort_index()
    click.echo("  " + ", ".join(f"segment {k}: {v}" for k, v in counts.items()))
    click.echo(f"wrote {len(assigned)} rows to {out}")


@click.command(
    "segment",
    epilog=(
        "Examples:  insight segment survey.csv --out segments.csv  (Likert items found "
        "by role inference)\n\n"
        "insight segment survey.csv --items Q1,Q2,Q3,Q4,Q5,Q6 --reverse Q4 "
        "--method auto --k auto --seed 0 --model-out model.pkl --out segments.csv\n\n"
        "insight segment wave2.csv --model model.pkl --out wave2_segments.csv  (no refit)\n\n"
        "insight segment orders.csv --basis behaviour --as-of 2026-03-31 --out rfm.csv  "
        "(transactions: customer id, date, amount)\n\n"
        "insight segment out/study --basis behaviour --out rfm.csv  (a study's behaviour "
        "columns; adds RFM cells to `insight export`)"
    ),
)
@click.argument("file", type=click.Path(exists=True))
@click.option(
    "--basis",
    type=click.Choice(["attitudes", "behaviour", "behavior"]),
    default="attitudes",
    show_default=True,
    help="attitudes = Likert items; behaviour = RFM quintile cells (champions, loyal, at "
    "risk, hibernating ...) and lifecycle stage from behaviour columns or a transactions file.",
)
@click.option("--as-of", default=None, help="Behaviour: date recency is counted to (YYYY-MM-DD).")
@click.option("--date-column", default=None, help="Behaviour, transactions: the order date.")
@click.option("--amount-column", default=None, help="Behaviour, transactions: the order amount.")
@click.option("--recency", default=None, help="Behaviour: last-purchase date or days-since column.")
@click.option("--frequency", default=None, help="Behaviour: number-of-orders (or visits) column.")
@click.option("--monetary", default=None, help="Behaviour: spend / value column.")
@click.option(
    "--lapsed-days",
    default=365.0,
    show_default=True,
    help="Behaviour: no purchase for longer = lapsed.",
)
@click.option(
    "--active-days",
    default=90.0,
    show_default=True,
    help="Behaviour: a prospect seen within this many days is active.",
)
@click.option(
    "--items",
    default="",
    help="Likert item columns, comma-separated (default: the columns read as Likert).",
)
@click.option(
    "--method",
    type=click.Choice(METHOD_CHOICES),
    default="auto",
    show_default=True,
    help="lca = latent class analysis (categorical or ordinal, by BIC); gmm = Gaussian mixture.",
)
@auto_int_option("--k", 'Number of segments or "auto".')
@click.option("--k-min", default=2, show_default=True, help="Smallest k tried with --k auto.")
@click.option("--k-max", default=8, show_default=True, help="Largest k tried with --k auto.")
@seed_option("segments")
@click.option("--reverse", default="", help="Reverse-keyed items, comma-separated.")
@click.option("--scale", default=None, help='Answer scale of every item as "MIN,MAX" (e.g. 1,5).')
@click.option("--id-column", default=None, help="Respondent id column (default: first id-like).")
@click.option("--duration", default=None, help="Completion-time column; speeders are dropped.")
@click.option("--extra", default="", help="Behaviour/demographic columns to segment on too.")
@click.option("--keep-straightliners", is_flag=True, help="Do not drop straight-liners.")
@click.option("--factors", "use_factors", is_flag=True, help="Cluster on factor scores.")
@click.option("--bootstrap", default=50, show_default=True, help="Resamples for stability.")
@click.option("--profiles", "profiles_out", default=None, help="Also write the profiles CSV here.")
@click.option("--model-out", default=None, help="Pickle the fitted Segmenter here (for predict).")
@click.option(
    "--model",
    "model_in",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Assign FILE's respondents (a new wave) to the segments of a model saved with "
    "--model-out, without refitting.",
)
@click.option("--out", type=click.Path(dir_okay=False), required=True, help="CSV to write.")
def segment_cmd(
    file: str,
    basis: str,
    as_of: str | None,
    date_column: str | None,
    amount_column: str | None,
    recency: str | None,
    frequency: str | None,
    monetary: str | None,
    lapsed_days: float,
    active_days: float,
    items: str,
    method: str,
    k: int | str,
    k_min: int,
    k_max: int,
    seed: int,
    reverse: str,
    scale: str | None,
    id_column: str | None,
    duration: str | None,
    extra: str,
    keep_straightliners: bool,
    use_factors: bool,
    bootstrap: int,
    profiles_out: str | None,
    model_out: str | None,
    model_in: str | None,
    out: str,
) -> None:
    """Segment the respondents in FILE on their Likert answers (default), or on their
    behaviour with --basis behaviour (RFM cells and lifecycle stage; FILE may then be a
    transactions file or a study folder).

    Writes respondent_id, segment (0 = largest) and probability to --out and prints the
    fit table (BIC, ICL, entropy, silhouette per method and k), the rule behind the
    choice, bootstrap stability (ARI, per-segment Jaccard), warnings and the most
    distinctive items of each segment.
    """
    from pathlib import Path

    from insight.segment import segment_file

    if basis in ("behaviour", "behavior"):
        _behaviour(
            file,
            id_column,
            {
                "recency": recency,
                "frequency": frequency,
                "monetary": monetary,
                "date": date_column,
                "amount": amount_column,
            },
            as_of,
            lapsed_days,
            active_days,
            out,
        )
        return
    if Path(file).is_dir():
        raise click.BadParameter(
            "attitude segmentation reads a survey file; a study folder needs --basis behaviour",
            param_hint="FILE",
        )
    if model_in:
        _predict_wave(file, model_in, id_column, out)
        return
    item_list, extra_list = _split(items), _split(extra)
    if not item_list and not extra_list:
        from insight.ingest import read_table
        from insight.segment.api import detect_likert_items

        # found here too (the library would) to print them and apply --scale to them
        item_list = run_library(
            lambda: detect_likert_items(
                read_table(file), exclude=[d for d in [duration] if d], source=file
            )
        )
        click.echo(f"items (read as Likert; --items to choose): {', '.join(item_list)}")
    scale_map = None
    if scale:
        parts = _split(scale)
        try:
            lo, hi = float(parts[0]), float(parts[1])
        except (IndexError, ValueError):
            raise click.BadParameter(f'expected "MIN,MAX", got "{scale}"') from None
        scale_map = {c: (lo, hi) for c in item_list}
    result, used = run_library(
        segment_file,
        file,
        item_list,
        id_column=id_column,
        method=method,
        k=k,
        k_range=(k_min, k_max),
        random_state=seed,
        reverse=_split(reverse),
        scale=scale_map,
        n_bootstrap=bootstrap,
        exclude_straightliners=not keep_straightliners,
        duration=duration,
        extra_columns=extra_list,
        use_factors=use_factors,
        progress=True,
    )
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    write_csv_safe(result.assignments, out)
    if profiles_out:
        write_csv_safe(result.profiles, profiles_out)
    if model_out:
        from insight.segment.api import save_segmenter

        save_segmenter(result.model, model_out)
    c = result.counts
    click.echo(
        f"respondents: {c['rows']} read (id column: {used}), {c['kept']} segmented, "
        f"{c['excluded']} excluded ({c['incomplete']} incomplete, "
        f"{c['straight-liner']} straight-liners, {c['speeder']} speeders)"
    )
    worst = result.missing.sort_values(ascending=False).head(5)
    if worst.max() > 0:
        click.echo("missing answers: " + ", ".join(f"{i} {v:.1%}" for i, v in worst.items() if v))
    click.echo("\nfit table:")
    echo_table(result.fit_table.round(3))
    click.echo(f"\nchosen: {result.chosen['method']}, k={result.chosen['k']}")
    click.echo(f"rule: {result.chosen['rule']}")
    st = result.stability
    click.echo(
        f"\nstability over {st.n_bootstrap} resamples: ARI {st.ari_mean:.3f} (sd {st.ari_sd:.3f})"
    )
    echo_table(st.jaccard.round(3))
    if result.factors is not None:
        f = result.factors
        click.echo(f"\nfactors (parallel analysis): {f.n_factors}, {f.rotation} rotation")
    top = result.top_items(3)
    if len(top):
        click.echo("\nmost distinctive items:")
        echo_table(top.round(3))
    for w in result.warnings:
        click.echo(f"warning: {w}", err=True)
    click.echo(f"\nwrote {len(result.assignments)} rows to {out}")


COMMANDS = [segment_cmd]
