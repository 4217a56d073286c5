"""Plain files (one unit per row) for ``insight vocabulary``: reading a table, turning it into
units, and the CSV/store frames.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from insight import schema
from insight.errors import InputError

if TYPE_CHECKING:
    import pandas as pd
from insight.vocabulary.glossary import glossary_map, read_glossary
from insight.vocabulary.ranking import extract_vocabulary
from insight.vocabulary.variants import _default_embedder, _memo


def vocabulary_for_store(vocab: pd.DataFrame) -> pd.DataFrame:
    """The ``vocabulary`` store table (CONTRACTS.md): lists kept, examples as JSON text."""
    import json

    out = vocab.copy()
    out["examples"] = out["examples"].map(lambda ex: json.dumps(ex, ensure_ascii=False))
    return out


def read_text_table(path: str | Path, header: bool = True) -> pd.DataFrame:
    """Read a CSV/TSV/Excel/Parquet/JSON(L)/TXT file into a DataFrame (TXT: one row per line;
    ``header=False``: no header row, columns numbered "1", "2", ...)."""
    import pandas as pd

    p = Path(path)
    if not p.exists():
        raise InputError("file not found", file=str(p), fix="check the path")
    suffix = p.suffix.lower()
    if suffix in {".txt", ".md"}:
        try:
            text = p.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise InputError(f"cannot read the file: {exc}", file=str(p)) from exc
        lines = [ln.strip() for ln in text.splitlines()]
        return pd.DataFrame({"text": [ln for ln in lines if ln]})
    if suffix in {".csv", ".tsv", ".tab", ".xlsx", ".xlsm", ".parquet", ".json", ".jsonl"}:
        # the same reader as ingest: encoding detection, delimiter sniffing, clear errors
        from insight.ingest import read_table

        return read_table(p, header=header)
    raise InputError(
        f"unsupported file type {suffix or '(none)'}",
        file=str(p),
        fix="use .csv, .tsv, .xlsx, .parquet, .json, .jsonl or .txt",
    )


def units_from_table(
    df: pd.DataFrame, text_column: str, source: str = "", group_column: str | None = None
) -> tuple[pd.DataFrame, pd.Series | None]:
    """One evidence unit per row (respondent = row) and the optional group per respondent."""
    import pandas as pd

    from insight.ingest.io import missing_column_fix

    for col in [text_column] + ([group_column] if group_column else []):
        if col not in df.columns:
            raise InputError(
                f'no column "{col}"',
                file=source or None,
                column=col,
                fix=missing_column_fix(col, list(df.columns)),
            )
    stem = Path(source).stem or "row"
    ids = [f"{stem}:{i}" for i in range(len(df))]
    units = pd.DataFrame(
        {
            schema.UNIT_ID: ids,
            schema.SOURCE: Path(source).name,
            schema.ROW: range(len(df)),
            schema.FIELD: text_column,
            schema.RESPONDENT_ID: ids,
            schema.SPEAKER_ROLE: schema.ROLE_CUSTOMER,
            schema.TEXT: df[text_column].tolist(),
        }
    )
    groups = None
    if group_column:
        groups = pd.Series(df[group_column].tolist(), index=ids, name=group_column)
    return units, groups


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
    df = read_text_table(path, header=header)
    units, groups = units_from_table(df, text_column, str(path), group_column)
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
