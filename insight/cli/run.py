"""`insight run`: the whole pipeline from files to the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from insight.cli._common import (
    auto_int_option,
    choice_option,
    exact_embeddings_option,
    interviewer_option_to,
    run_library,
    schema_option,
    seed_option,
)
from insight.config import METHODS


def _item_list(_ctx: click.Context, _param: click.Parameter, value: str | None) -> list[str] | None:
    """``--items "Q1, Q2"`` as ``["Q1", "Q2"]`` (None: every Likert item)."""
    return [i.strip() for i in value.split(",") if i.strip()] if value else None


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path),
    required=True,
    help="Output folder: report.html, personas.*, CSV/Parquet exports, study.duckdb.",
)
@schema_option
@click.option(
    "--items",
    default=None,
    callback=_item_list,
    help="Comma-separated attitude items to segment on (default: every Likert item).",
)
@choice_option("--method", METHODS, "Segmentation method.")
@auto_int_option("--k", "Number of segments, or auto.")
@seed_option("segments, topics and personas")
@click.option(
    "--bootstrap",
    "n_bootstrap",
    default=30,
    show_default=True,
    type=int,
    help="Bootstrap resamples for segment stability.",
)
@interviewer_option_to("interviewer_names")
@click.option(
    "--glossary",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="Company glossary (one term per line) to map to customer phrases.",
)
@exact_embeddings_option
@click.option(
    "--no-redact",
    "redact",
    is_flag=True,
    flag_value=False,
    default=True,
    help="Show personal data verbatim in the report, personas and CSVs (by default e-mails, "
    "phones, card/NHS numbers, addresses, postcodes and names are masked; the store and "
    "units.parquet always keep the verbatim text).",
)
@choice_option(
    "--engine",
    ["local", "spark"],
    "Where unitising survey/review tables and the annotation and embedding passes run: "
    "here, or on Apache Spark (pip install -e '.[spark]'; same tables).",
)
@click.option(
    "--spark-master",
    default=None,
    metavar="URL",
    help="Spark master for --engine spark (default local[2]; spark://host:7077, yarn).",
)
@click.option(
    "--seed-codes",
    is_flag=True,
    help="Name each theme after the code of your .qdpx/.qdc input that covers at least half "
    "of its statements (the model's label is kept as model_label).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Recompute every stage and model output (a re-run otherwise reuses each stage "
    "whose inputs, settings and code did not change).",
)
def run(inputs: tuple[Path, ...], out: Path, force: bool, **settings: Any) -> None:
    """Run the whole pipeline on INPUTS (files and folders) into OUT.

    Reads surveys (CSV/TSV/XLSX/Parquet, Qualtrics and SurveyMonkey exports),
    transcripts (TXT/MD/VTT/SRT/DOCX, or a CSV with one transcript per row) and
    reviews (CSV/JSON/JSONL); annotates every customer sentence; finds topics,
    attitudinal segments and vocabulary; and writes evidence-backed personas.

    \b
    Example:
      insight run samples/survey samples/interviews samples/reviews --out out/demo
      insight evidence out/demo --persona 1
    """
    from insight.config import RunConfig
    from insight.pipeline import run_study

    # every other option arrives named as its RunConfig field (defaults and checks live there)
    config = run_library(RunConfig, **settings)
    run_library(run_study, inputs, out, config=config, echo=click.echo, force=force)


COMMANDS = [run]
