"""Company glossary -> customer vocabulary: which phrases customers use for each of the
company's terms (:func:`glossary_map`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from insight import schema
from insight.errors import InputError, ModelError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from spacy.language import Language
from insight.vocabulary.candidates import _collect, _dedupe_overlaps, _examples, _prepare
from insight.vocabulary.variants import _Concept, _default_embedder, _encode, _group_variants, _memo


def parse_glossary(lines: Iterable[str]) -> list[tuple[str, str]]:
    """Glossary entries from lines: ``term`` or ``term,definition`` (CSV; ``#`` comments)."""
    import csv

    out: list[tuple[str, str]] = []
    for row in csv.reader(
        line for line in lines if line.strip() and not line.lstrip().startswith("#")
    ):
        if not row or not row[0].strip():
            continue
        term = row[0].strip()
        if term.lower() in {"term", "glossary_term"} and not out:
            continue  # header
        out.append((term, ",".join(row[1:]).strip()))
    return out


def read_glossary(path: str | Path) -> list[tuple[str, str]]:
    """Read a glossary file (one term per line, or CSV ``term,definition``)."""
    p = Path(path)
    try:
        with open(p, encoding="utf-8-sig") as fh:
            entries = parse_glossary(fh)
    except OSError as exc:
        raise InputError(f"cannot read the glossary: {exc}", file=str(p)) from exc
    if not entries:
        raise InputError(
            "the glossary has no terms", file=str(p), fix="one term per line, or term,definition"
        )
    return entries


def _as_entries(glossary: Sequence[str] | Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for g in glossary:
        if isinstance(g, tuple):
            out.append((str(g[0]).strip(), str(g[1]).strip() if len(g) > 1 else ""))
        else:
            out.extend(parse_glossary([str(g)]))
    return [e for e in out if e[0]]


def _glossary_scores(
    entries: list[tuple[str, str]], concepts: list[_Concept], embedder: Any
) -> np.ndarray:
    import numpy as np

    if embedder is False:
        raise ModelError(
            "mapping a glossary needs an embedder", fix="leave embedder=None for MiniLM"
        )
    g_terms = _encode(embedder, [t for t, _ in entries])
    g_defs = _encode(embedder, [f"{t}: {d}" if d else t for t, d in entries])
    c_vecs = _encode(embedder, [c.leader.display for c in concepts])
    return np.maximum(g_terms @ c_vecs.T, g_defs @ c_vecs.T)


def _glossary_for_concepts(
    glossary: Sequence[str] | Sequence[tuple[str, str]],
    concepts: list[_Concept],
    embedder: Any,
    min_similarity: float = 0.5,
) -> dict[int, str]:
    entries = _as_entries(glossary)
    if not entries or not concepts:
        return {}
    sims = _glossary_scores(entries, concepts, embedder)
    out: dict[int, str] = {}
    for ci in range(len(concepts)):
        gi = int(sims[:, ci].argmax())
        if sims[gi, ci] >= min_similarity:
            out[ci] = entries[gi][0]
    return out


def glossary_map(
    glossary: Sequence[str] | Sequence[tuple[str, str]],
    units: pd.DataFrame,
    embedder: Any = None,
    top_k: int = 5,
    min_similarity: float = 0.45,
    min_count: int = 2,
    nlp: Language | None = None,
    *,
    similarity: float = 0.6,
    noun_similarity: float = 0.8,
    batch_size: int = 256,
) -> pd.DataFrame:
    """For each company glossary term, the phrases customers use for the same concept.

    Args:
        glossary: terms, ``"term,definition"`` strings or ``(term, definition)``
            pairs (see :func:`read_glossary`).
        units: evidence units as for :func:`extract_vocabulary`.
        top_k: customer phrases kept per glossary term.
        min_similarity: cosine between the glossary term (or "term:
            definition") and a customer phrase.

    Returns:
        One row per glossary term: ``glossary_term, definition, customer_terms,
        similarities, counts, literal_uses, summary, unit_ids, examples``;
        ``summary`` reads "you say 'descaling cycle'; customers say 'the
        cleaning thing' (12)".
    """
    import pandas as pd

    entries = _as_entries(glossary)
    if not entries:
        raise InputError("the glossary has no terms", fix="one term per line, or term,definition")
    kept, _ = _prepare(units)
    cols = [
        "glossary_term",
        "definition",
        "customer_terms",
        "similarities",
        "counts",
        "literal_uses",
        "summary",
        "unit_ids",
        "examples",
    ]
    if kept.empty:
        return pd.DataFrame(columns=cols)
    if embedder is None:
        embedder = _default_embedder()
    embedder = _memo(embedder)
    terms, _ = _collect(kept, nlp, batch_size)
    resp = kept[schema.RESPONDENT_ID].astype(str).tolist()
    min_resp = 2 if len(set(resp)) >= 2 else 1
    pool = [
        t
        for t in terms.values()
        if len(t.occs) >= min_count and len({resp[o.unit] for o in t.occs}) >= min_resp
    ]
    pool.sort(key=lambda t: (-len(t.occs), t.key))
    grouped = _group_variants(pool, embedder, similarity, noun_similarity)
    concepts = []
    for members in grouped:
        occs = _dedupe_overlaps(o for t in members for o in t.occs)
        units_ = {o.unit for o in occs}
        concepts.append(_Concept(members, occs, units_, {resp[u] for u in units_}))
    sims = _glossary_scores(entries, concepts, embedder) if concepts else None
    texts_lower = [t.lower() for t in kept[schema.TEXT]]
    rows = []
    for gi, (term, definition) in enumerate(entries):
        literal = sum(1 for t in texts_lower if term.lower() in t)
        picked: list[tuple[float, _Concept]] = []
        if sims is not None:
            order = sims[gi].argsort()[::-1]
            term_key = " ".join(term.lower().split())
            for ci in order:
                s = float(sims[gi, ci])
                if s < min_similarity or len(picked) >= top_k:
                    break
                c = concepts[ci]
                if any(t.key == term_key or t.display.lower() == term_key for t in c.terms):
                    continue  # the company's own word is reported as literal_uses
                picked.append((s, c))
        names = [c.leader.display for _, c in picked]
        counts = [len(c.occs) for _, c in picked]
        said = ", ".join(f"'{n}' ({k})" for n, k in zip(names, counts, strict=False))
        rows.append(
            {
                "glossary_term": term,
                "definition": definition,
                "customer_terms": names,
                "similarities": [round(s, 3) for s, _ in picked],
                "counts": counts,
                "literal_uses": literal,
                "summary": f"you say '{term}'; customers say {said}"
                if names
                else f"you say '{term}'; no customer phrase found for it",
                "unit_ids": sorted(
                    {str(kept[schema.UNIT_ID].iat[o.unit]) for _, c in picked for o in c.occs}
                ),
                "examples": [
                    ex for _, c in picked for ex in _examples(c.occs, kept, c.leader.display, 1)
                ],
            }
        )
    return pd.DataFrame(rows, columns=cols)
