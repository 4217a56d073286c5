"""`insight annotate`: sentiment, emotions, pain points and goals for a column of texts."""

from __future__ import annotations

from pathlib import Path

import click

from insight.cli._common import no_header_option, run_library


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--text-column", "-c", required=True, help="Column holding the texts to annotate.")
@click.option(
    "--out",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output CSV: every original column, in the original row order, plus the annotations.",
)
@click.option("--batch-size", default=64, show_default=True, type=click.IntRange(min=1))
@click.option("--progress/--no-progress", default=True, show_default=True)
@no_header_option
def annotate(
    file: Path, text_column: str, out: Path, batch_size: int, progress: bool, no_header: bool
) -> None:
    """Annotate the texts in one column of FILE.

    FILE: CSV, TSV, XLSX, Parquet, JSON/JSONL; TXT/MD: one text per line (column "text").

    Adds sentiment (valence -1..1), sentiment_label, one emotion_<label>
    probability per GoEmotions label, emotions (predicted labels joined by ";"),
    ekman, intensity, pain_point (0/1), pain_point_score, pain_point_type and
    goal (0/1). Empty texts get empty annotations.

    \b
    Example:
      insight annotate reviews.csv --text-column review_text --out reviews_annotated.csv
    """
    from insight.extract.annotate import annotate_file

    df = run_library(
        annotate_file,
        file,
        text_column,
        out=out,
        batch_size=batch_size,
        progress=progress,
        header=not no_header,
    )
    n_text = int(df["pain_point"].notna().sum())
    click.echo(
        f"annotated {n_text} of {len(df)} rows ({int(df['pain_point'].sum())} pain points, "
        f"{int(df['goal'].sum())} goals) -> {out}"
    )


COMMANDS = [annotate]
