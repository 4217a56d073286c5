"""Plain files (one unit per row) for ``insight vocabulary`` and the CSV frame.

Reading the file and turning it into units is :mod:`insight.files`, the one reader of the
single-file commands; this module only hands off to it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from insight.vocabulary.glossary import glossary_map, read_glossary
from insight.vocabulary.ranking import extract_vocabulary
from insight.vocabulary.variants import _default_embedder, _memo


def read_text_table(path: str | Path, header: bool = True) -> pd.DataFrame:
    """Read a CSV/TSV/Excel/Parquet/JSON(L)/TXT file (see :func:`insight.files.read_file_table`:
    TXT is one row per line; ``header=False``: columns numbered "1", "2", ...)."""
    from insight.files import read_file_table

    return read_file_table(path, header=header)


def units_from_table(
    df: pd.DataFrame, text_column: str, source: str = "", group_column: str | None = None
) -> tuple[pd.DataFrame, pd.Series | None]:
    """One evidence unit per row (respondent = row) and the optional group per respondent
    (see :func:`insight.files.units_from_table`)."""
    from insight import files

    read = files.units_from_table(df, text_column, source=source, group_column=group_column)
    return read.units, read.groups


def vocabulary_from_file(
    path: str | Path,
    text_column: str,
    group_column: str | None = None,
    glossary_path: str | Path | None = None,
    top_n: int = 50,
    min_count: int = 2,
    embedder: Any = None,
    header: bool = True,
    progress: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """:func:`extract_vocabulary` (and :func:`glossary_map`) on a plain file, one unit per row
    (``progress``: a bar while the texts are parsed)."""
    from insight.files import file_units

    read = file_units(path, text_column, group_column=group_column, header=header)
    units, groups = read.units, read.groups
    glossary = read_glossary(glossary_path) if glossary_path else None
    if embedder is None:
        embedder = _default_embedder()
    embedder = _memo(embedder)  # shared by the vocabulary and the glossary map
    vocab = extract_vocabulary(
        units,
        groups=groups,
        glossary=[f"{t},{d}" if d else t for t, d in glossary] if glossary else None,
        embedder=embedder,
        top_n=top_n,
        min_count=min_count,
        progress=progress,
    )
    gmap = (
        glossary_map(glossary, units, embedder=embedder, min_count=min_count) if glossary else None
    )
    return vocab, gmap


def vocabulary_csv_frame(vocab: pd.DataFrame) -> pd.DataFrame:
    """Flatten a vocabulary table for CSV: lists joined, first quote in ``example``."""
    out = vocab.copy()
    out["variants"] = [
        "; ".join(f"{v} ({n})" for v, n in zip(vs, ns, strict=False))
        for vs, ns in zip(vocab["variants"], vocab["variant_counts"], strict=False)
    ]
    out["example"] = [ex[0]["quote"] if ex else "" for ex in vocab["examples"]]
    out["examples"] = [" | ".join(e["quote"] for e in ex) for ex in vocab["examples"]]
    out["distinctive_in"] = ["; ".join(d) for d in vocab["distinctive_in"]]
    out["unit_ids"] = [";".join(u) for u in vocab["unit_ids"]]
    out["z"] = out["z"].round(2)
    out["z_background"] = out["z_background"].round(2)
    out["respondent_share"] = out["respondent_share"].round(4)
    cols = ["term", "variants", "count", "respondents", "respondent_share", "z", "z_background"]
    cols += ["group", "distinctive_in", "kind", "glossary_term", "example", "examples", "unit_ids"]
    return out[cols]
