"""One file, one text per row: the library side of the ``insight topics`` command."""

from __future__ import annotations

from typing import TYPE_CHECKING

from insight import schema as S
from insight.topics.evidence import TopicResult, fit_topics
from insight.topics.model import TopicModel

if TYPE_CHECKING:
    from insight.embed import TextEncoder


def topics_from_file(
    path: str,
    text_column: str,
    out_dir: str | None = None,
    random_state: int = 0,
    reducer: str = "pca",
    n_topics: int | str = "auto",
    group_column: str | None = None,
    date_column: str | None = None,
    cache: str | None = None,
    embedder: TextEncoder | None = None,
    header: bool = True,
) -> TopicResult:
    """Themes over one table file, one unit per row (no sentence splitting).

    Writes ``assignments.csv`` (row, topic, topic_label, subtopic, theme_id; ``row``
    is the 0-based data row of the input, every row present, rows without content
    as -1 "unassigned"), ``topics.csv``, ``themes.csv`` (themes and sub-themes) and,
    with a group or date column, ``differences.csv`` to ``out_dir``. ``cache`` is a
    study store file where embeddings are cached.
    """

    from insight.embed import default_embedder, embed_texts
    from insight.files import file_units

    read = file_units(
        path,
        text_column,
        group_column=group_column,
        date_column=date_column,
        header=header,
        prefix_ids=False,  # unit ids are the row numbers (assignments.csv "row")
    )
    units = read.units[[S.UNIT_ID, S.RESPONDENT_ID, S.TEXT] + ([S.DATE] if date_column else [])]
    embedder = embedder if embedder is not None else default_embedder()
    if cache:
        from insight.store import Store

        with Store(cache) as store:
            vectors = embed_texts(units[S.TEXT].tolist(), store=store, embedder=embedder)
    else:
        vectors = embed_texts(units[S.TEXT].tolist(), embedder=embedder)
    groups = read.groups
    model = TopicModel(
        reducer=reducer, n_topics=n_topics, embedder=embedder, random_state=random_state
    )
    result = fit_topics(
        units,
        vectors,
        groups=groups,
        dates=S.DATE if date_column else None,
        model=model,
        per_question=False,
    )
    if out_dir is not None:
        write_topic_csvs(result, out_dir)
    return result


def write_topic_csvs(result: TopicResult, out_dir: str) -> list[str]:
    """assignments.csv, topics.csv, themes.csv (and differences.csv) for a file run."""
    from pathlib import Path

    # spreadsheet-safe, PII-masked CSVs (the one writer every export uses)
    from insight.safe_io import write_readable_csv

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    a = result.assignments.rename(columns={S.UNIT_ID: S.ROW})
    a[S.ROW] = a[S.ROW].astype(int)
    write_readable_csv(a, out / "assignments.csv")
    t = result.topics.copy()
    t["keywords"] = t["keywords"].map("; ".join)
    t["quote_rows"] = t["quotes"].map(lambda ids: ";".join(map(str, ids)))
    t["quotes"] = t["quote_texts"].map(" | ".join)
    t["rows"] = t["unit_ids"].map(lambda ids: ";".join(map(str, ids)))
    t = t.drop(columns=["unit_ids", "quote_texts", "respondents", "n_participants"])
    t = t.dropna(axis=1, how="all")
    write_readable_csv(t, out / "topics.csv")
    written = [str(out / "assignments.csv"), str(out / "topics.csv")]
    if result.hierarchy is not None and len(result.hierarchy):
        h = result.hierarchy.drop(columns=["n_participants"]).copy()
        h["keywords"] = h["keywords"].map("; ".join)
        h["quote_rows"] = h["quotes"].map(lambda ids: ";".join(map(str, ids)))
        h = h.drop(columns=["quotes"])
        write_readable_csv(h, out / "themes.csv")
        written.append(str(out / "themes.csv"))
    if len(result.differences):
        write_readable_csv(result.differences, out / "differences.csv")
        written.append(str(out / "differences.csv"))
    return written
