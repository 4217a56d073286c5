"""`insight score`: new respondents or contacts assigned to a study's personas (look-alikes)."""

from __future__ import annotations

from pathlib import Path

import click

from insight.cli._common import (
    echo_table,
    out_option,
    run_library,
    schema_option,
    study_argument,
    study_command,
)


@study_command(
    "score",
    "insight score out/study wave2.csv --out wave2_personas.csv",
    "insight score out/study prospects.csv --like P2 --top 100 --out lookalikes.csv",
)
@study_argument
@click.argument("new_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--like",
    default=None,
    help="Persona id (e.g. P2, the best customers): rank everyone by their probability of "
    "belonging to it and flag the most similar.",
)
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=None,
    help="With --like: flag this many (default: everyone with probability >= --threshold).",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="With --like and no --top: the probability that counts as a look-alike.",
)
@schema_option
@out_option(
    "CSV to write: respondent_id, persona_id, persona, segment, probability, p_<persona>.",
    required=True,
    dir_okay=False,
)
def score_cmd(
    study: Path,
    new_file: Path,
    like: str | None,
    top: int | None,
    threshold: float,
    schema: Path | None,
    out: Path,
) -> None:
    """Assign the respondents in NEW_FILE to the personas of STUDY, with a probability.

    NEW_FILE is read as `insight run` reads a survey (same header handling and answer
    coding) and scored with the segment model saved in STUDY (no refit), so a new wave or
    a list of prospects who answered the same questions lands in the same personas.
    """
    from insight.audiences.lookalike import score_file
    from insight.report.safe import write_csv_safe
    from insight.store import Store
    from insight.study import store_path

    if top is not None and not like:
        raise click.UsageError("--top needs --like PERSONA")
    with run_library(Store, store_path(study), read_only=True) as store:
        res = run_library(
            score_file, store, new_file, like=like, top=top, threshold=threshold, schema=schema
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    write_csv_safe(res.table, out)
    click.echo(
        f"scored {res.scored} of {res.read} respondents on the {len(res.items)} attitude items "
        f"the segments were fitted on (saved model, no refit)"
        + (f"; {res.without_answers} answered none of them" if res.without_answers else "")
    )
    t = res.table
    counts = t.groupby(["persona_id", "persona"]).agg(
        n=("probability", "size"), mean_probability=("probability", "mean")
    )
    echo_table(counts.reset_index().round(3))
    if res.like:
        who = f"top {top}" if top is not None else f"probability >= {threshold:g}"
        click.echo(
            f"\nlook-alikes of {res.like} ({res.personas.get(res.like, '')}): {res.flagged} "
            f"flagged ({who}), ranked by p_{res.like}"
        )
        show = t[[c for c in t.columns if c in ("respondent_id", f"p_{res.like}", "persona_id")]]
        echo_table(show.head(10))
    for w in res.warnings:
        click.echo(f"warning: {w}", err=True)
    click.echo(f"\nwrote {len(t)} rows to {out}")


COMMANDS = [score_cmd]
