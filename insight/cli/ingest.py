"""`insight inspect` and `insight add`: reading files into a study."""

from __future__ import annotations

from pathlib import Path

import click

from insight.cli._common import echo_table, interviewer_option, run_library, schema_option


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--schema-out",
    type=click.Path(path_type=Path),
    default=None,
    help=(
        "Where to write the editable schema file (default: <first file's name>.schema.yaml "
        "in the current folder; never beside your data)."
    ),
)
@click.option(
    "--schema",
    "schema",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="Apply an edited schema file first (to check your changes).",
)
def inspect(files: tuple[Path, ...], schema_out: Path | None, schema: Path | None) -> None:
    """Show how each column of FILES is understood, and write an editable schema file.

    Roles: respondent_id, likert (with its scale), open_text, demographic,
    behaviour, date, metadata, rating, product, ignore. Edit the schema file and
    pass it back with --schema to `insight run` or `insight add`.

    \b
    Example:
      insight inspect samples/survey/brewline_customer_survey_2026.csv
      insight run samples/ --schema brewline_customer_survey_2026.schema.yaml --out out/study
    """
    from insight.ingest import ingest_paths
    from insight.ingest.roles import write_schema

    result = run_library(ingest_paths, files, schema=schema)
    for p in result.problems:
        click.echo(f"error: {p}", err=True)
    for g in getattr(result, "guesses", []):
        click.echo(f"guessed: {g}")
    schemas = [r.schema for r in result.results if r.schema is not None]
    for r in result.results:
        click.echo(f"\n{r.source}  ({r.source_type}, {r.format} format)")
        if r.schema is None:
            n_speakers = len({x["speaker"] for x in r.records})
            click.echo(
                f"  transcript: {len(r.records)} turns, {n_speakers} speakers, "
                f"{r.accounting.respondents} respondents"
            )
            continue
        import pandas as pd

        rows = []
        for c in r.schema.columns.values():
            scale = ""
            if c.scale is not None:
                scale = f"{c.scale.min:g}-{c.scale.max:g} {c.scale.kind}"
            rows.append(
                {
                    "column": c.name,
                    "role": c.role,
                    "scale": scale,
                    "question": (c.question or "")[:60],
                    "why": c.reason,
                }
            )
        echo_table(pd.DataFrame(rows), max_rows=500)
    if schemas:
        # in the current folder, not beside the data (a data folder may be read-only,
        # shared, or under version control)
        out = schema_out or Path(Path(files[0]).with_suffix(".schema.yaml").name)
        if out.is_dir():
            out = out / "schema.yaml"
        write_schema(schemas, out)
        click.echo(f"\nschema written to {out} (edit roles, then pass it with --schema)")
    if not result.ok:
        raise SystemExit(1)


@click.command()
@click.argument("store", type=click.Path(path_type=Path))
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@schema_option
@interviewer_option
@click.option(
    "--analyse/--no-analyse",
    default=True,
    show_default=True,
    help="Annotate, embed, assign to existing topics and segments after adding.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Recompute the model outputs of the new units instead of reusing those cached "
    "by text hash.",
)
def add(
    store: Path,
    files: tuple[Path, ...],
    schema: Path | None,
    interviewer: tuple[str, ...],
    analyse: bool,
    force: bool,
) -> None:
    """Add a new batch of FILES to the study STORE (a study folder or its study.duckdb).

    Files already in the study (same content) add nothing; a new interview adds
    only its own units; rows of a cumulative re-export that are already in the
    study are not added again. New units are annotated and assigned to the
    existing topics and segments without refitting; then the report, personas,
    CSVs and run.json are refreshed over every batch and what changed since the
    last batch is printed. The study is replaced only when every step succeeded;
    a killed add, run again, resumes.

    \b
    Example:
      insight add out/study interviews/batch2/
    """
    from insight.pipeline import add_files

    summary = run_library(
        add_files,
        store,
        files,
        schema=schema,
        interviewer_names=interviewer or None,
        analyse=analyse,
        force=force,
        echo=click.echo,
    )
    if not summary["processed"] and summary["problems"]:
        raise SystemExit(1)


COMMANDS = [inspect, add]
