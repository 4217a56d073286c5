"""`insight vocabulary`: the customers' own words, distinctive terms and quotes."""

from __future__ import annotations

import click

from insight.cli._common import echo_table, no_header_option, run_library
from insight.safe_io import write_readable_csv


@click.command(
    "vocabulary",
    epilog=(
        "Example:  insight vocabulary reviews.csv --text-column review "
        "--group-column plan --glossary glossary.txt --top 30 --out vocab.csv"
    ),
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--text-column", required=True, help="Column holding the customers' text.")
@click.option(
    "--group-column", default=None, help="Column to compare groups by (segment, plan ...)."
)
@click.option(
    "--glossary",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Company glossary: one term per line, or CSV term,definition.",
)
@click.option("--top", "top_n", default=50, show_default=True, help="Terms overall and per group.")
@click.option("--min-count", default=2, show_default=True, help="Minimum occurrences of a term.")
@click.option(
    "--no-embeddings",
    is_flag=True,
    help="Group variants by lemma only (no MiniLM); faster, fewer merges.",
)
@no_header_option
@click.option("--out", type=click.Path(dir_okay=False), required=True, help="CSV to write.")
def vocabulary_cmd(
    file: str,
    text_column: str,
    group_column: str | None,
    glossary: str | None,
    top_n: int,
    min_count: int,
    no_embeddings: bool,
    no_header: bool,
    out: str,
) -> None:
    """Extract the customers' own vocabulary from FILE (one text per row).

    Terms are grouped by lemma and meaning, ranked by how distinctive they are
    against general English (and per group with --group-column), each with
    variants, counts, respondents and verbatim quotes.
    """
    from pathlib import Path

    from insight.vocabulary import vocabulary_csv_frame, vocabulary_from_file

    vocab, gmap = run_library(
        vocabulary_from_file,
        file,
        text_column,
        group_column=group_column,
        glossary_path=glossary,
        top_n=top_n,
        min_count=min_count,
        embedder=False if no_embeddings else None,
        header=not no_header,
        progress=True,
    )
    table = vocabulary_csv_frame(vocab)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    write_readable_csv(table, out)
    overall = table[table["group"] == "all"]
    click.echo(f"{len(overall)} terms overall, {len(table) - len(overall)} group rows -> {out}")
    echo_table(overall[["term", "count", "respondents", "z", "variants"]].head(15))
    if gmap is not None:
        gpath = Path(out).with_name(Path(out).stem + "_glossary.csv")
        flat = gmap.drop(columns=["examples"]).copy()
        for col in ("customer_terms", "similarities", "counts", "unit_ids"):
            flat[col] = [";".join(map(str, v)) for v in flat[col]]
        write_readable_csv(flat, gpath)
        click.echo(f"glossary map -> {gpath}")
        for line in gmap["summary"]:
            click.echo("  " + line)


COMMANDS = [vocabulary_cmd]
