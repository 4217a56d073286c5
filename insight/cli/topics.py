"""`insight topics`: themes in one file of texts, with every member row."""

from __future__ import annotations

import click

from insight.cli._common import (
    auto_int_option,
    choice_option,
    exact_embeddings_option,
    no_header_option,
    run_library,
    seed_option,
)


@click.command(
    "topics",
    epilog=("Example:  insight topics answers.csv --text-column comment --seed 0 --out out/topics"),
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--text-column", required=True, help="Column holding the texts (one unit per row).")
@seed_option("topics")
@choice_option(
    "--reducer",
    ["pca", "svd", "umap", "none"],
    '"umap" runs BERTopic\'s UMAP + HDBSCAN (slower: numba compiles on first use).',
)
@auto_int_option("--n-topics", 'Number of themes, or "auto" (sqrt of the rows, at most 60).')
@click.option("--group-column", default=None, help="Compare topic prevalence across this column.")
@click.option("--date-column", default=None, help="Compare topic prevalence over time.")
@click.option(
    "--cache",
    type=click.Path(dir_okay=False),
    default=None,
    help="DuckDB file caching embeddings, so re-runs embed only new texts.",
)
@exact_embeddings_option
@no_header_option
@click.option("--out", type=click.Path(file_okay=False), required=True, help="Folder to write.")
def topics_cmd(
    file: str,
    text_column: str,
    seed: int,
    reducer: str,
    n_topics: int | str,
    group_column: str | None,
    date_column: str | None,
    cache: str | None,
    exact_embeddings: bool,
    no_header: bool,
    out: str,
) -> None:
    """Find topics in FILE (CSV, TSV, XLSX, Parquet, JSON/JSONL; TXT/MD: one text per line).

    Themes at codebook grain (tens for a few thousand rows), each split into
    sub-themes. Writes OUT/assignments.csv (row, topic, topic_label, subtopic,
    theme_id; rows without content words get topic -1 "unassigned"),
    OUT/topics.csv (label, description, size, share, key phrases, quotes and all
    member rows) and OUT/themes.csv (themes and sub-themes: theme_id, parent_id,
    level, label, description, n_units); with --group-column/--date-column also
    differences.csv.
    """
    from insight.embed import default_embedder
    from insight.topics import topics_from_file

    result = run_library(
        topics_from_file,
        file,
        text_column,
        out_dir=out,
        random_state=seed,
        reducer=reducer,
        n_topics=n_topics,
        group_column=group_column,
        date_column=date_column,
        cache=cache,
        embedder=default_embedder(exact=exact_embeddings),
        header=not no_header,
    )
    m = result.model
    click.echo(
        f"{m.n_topics_} themes ({m.n_subtopics_} sub-themes) over {len(result.assignments)} rows; "
        f"unassigned (rows without content words included) "
        f"{100 * result.outlier_share_before:.1f}% -> "
        f"{100 * result.outlier_share_after:.1f}% after outlier reduction"
    )
    h = result.hierarchy
    for row in h.itertuples() if h is not None else []:
        indent = "    " if row.level == 2 else "  "
        click.echo(f"{indent}{row.theme_id:<7} {row.n_units:>6}  {row.label}")
    for line in result.called_out():
        click.echo(f"  * {line}")
    click.echo(f"wrote {out}/assignments.csv, {out}/topics.csv and {out}/themes.csv")


COMMANDS = [topics_cmd]
