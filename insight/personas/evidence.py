"""Evidence: the customer units of a study joined with their annotations; quote selection."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from insight import schema as S
from insight.personas.model import (
    MAX_CLAIM_QUOTES,
    QUOTE_MAX_WORDS,
    QUOTE_MIN_WORDS,
    Quote,
    StudyTables,
)
from insight.pii import mask_pii, redact_many
from insight.stats import is_number as _is_number

if TYPE_CHECKING:
    import numpy as np


def _location(row: Any) -> str:
    parts = []
    turn = row.get(S.TURN)
    rnum = row.get(S.ROW)
    if _is_number(turn):
        parts.append(f"turn {int(turn)}")
    elif _is_number(rnum):
        parts.append(f"row {int(rnum)}")
    fld = row.get(S.FIELD)
    if fld and str(fld) not in ("turn", "nan", "None"):
        parts.append(f"field {fld}")
    if _is_number(row.get(S.CHAR_START)) and _is_number(row.get(S.CHAR_END)):
        parts.append(f"chars {int(row[S.CHAR_START])}-{int(row[S.CHAR_END])}")
    return ", ".join(parts)


# --- evidence: the customer units of the study ------------------------------------------
class _Evidence:
    """Customer units joined with annotations, topics and segments; quote factory."""

    def __init__(self, t: StudyTables) -> None:
        import numpy as np
        import pandas as pd

        units = t.units
        cust = units[units[S.SPEAKER_ROLE].astype(str) == S.ROLE_CUSTOMER].copy()
        cust = cust[cust[S.TEXT].fillna("").astype(str).str.strip() != ""]
        cust = cust.drop_duplicates(S.UNIT_ID)
        cust[S.UNIT_ID] = cust[S.UNIT_ID].astype(str)
        cust[S.RESPONDENT_ID] = cust[S.RESPONDENT_ID].astype(str)
        ann = t.annotations
        if ann is not None and len(ann):
            ann = ann.copy()
            ann[S.UNIT_ID] = ann[S.UNIT_ID].astype(str)
            ann = ann.drop_duplicates(S.UNIT_ID)
            keep = [c for c in ann.columns if c == S.UNIT_ID or c not in cust.columns]
            cust = cust.merge(ann[keep], on=S.UNIT_ID, how="left")
        ta = t.topic_assignments
        if ta is not None and len(ta):
            ta = ta.copy()
            ta[S.UNIT_ID] = ta[S.UNIT_ID].astype(str)
            ta = ta.drop_duplicates(S.UNIT_ID)
            keep = [c for c in (S.UNIT_ID, S.TOPIC, S.TOPIC_LABEL) if c in ta.columns]
            cust = cust.merge(ta[keep], on=S.UNIT_ID, how="left")
        seg = t.segments
        if seg is not None and len(seg):
            seg = seg[
                [S.RESPONDENT_ID, S.SEGMENT, *([S.PROBABILITY] if S.PROBABILITY in seg else [])]
            ]
            seg = seg.copy()
            seg[S.RESPONDENT_ID] = seg[S.RESPONDENT_ID].astype(str)
            seg = seg.drop_duplicates(S.RESPONDENT_ID)
            cust = cust.merge(seg, on=S.RESPONDENT_ID, how="left")
        else:
            cust[S.SEGMENT] = np.nan
        if S.PROBABILITY not in cust:
            cust[S.PROBABILITY] = np.nan
        for col, default in (
            (S.PAIN_POINT, 0),
            (S.GOAL, 0),
            (S.SENTIMENT, np.nan),
            (S.INTENSITY, np.nan),
            (S.PAIN_POINT_SCORE, np.nan),
        ):
            if col not in cust:
                cust[col] = default
        for col in (S.SENTIMENT_LABEL, S.EKMAN, S.PAIN_POINT_TYPE):
            if col not in cust:
                cust[col] = None
        cust[S.PAIN_POINT] = pd.to_numeric(cust[S.PAIN_POINT], errors="coerce").fillna(0)
        cust[S.GOAL] = pd.to_numeric(cust[S.GOAL], errors="coerce").fillna(0)
        cust["_words"] = cust[S.TEXT].astype(str).str.split().str.len()
        self.key: tuple[int, ...] = ()  # what it was built from (shared_evidence)
        self.df = cust.set_index(S.UNIT_ID, drop=False)
        self.by_id = self.df
        self._emb = self._embedding_matrix(t.embeddings)

    def _embedding_matrix(self, emb: Any) -> dict[str, np.ndarray] | None:
        import numpy as np

        if emb is None or len(emb) == 0:
            return None
        if isinstance(emb, dict):
            vecs = {str(u): np.asarray(v, dtype=float) for u, v in emb.items()}
        elif "vector" in getattr(emb, "columns", []):
            ids = emb[S.UNIT_ID] if S.UNIT_ID in emb.columns else emb.index
            vecs = {
                str(u): np.asarray(v, dtype=float) for u, v in zip(ids, emb["vector"], strict=False)
            }
        else:
            # rows made float64 one at a time: no second copy of the whole matrix
            mat = emb.to_numpy()
            vecs = {str(u): mat[i] for i, u in enumerate(emb.index)}
        out = {}
        for u, v in vecs.items():
            if u in self.by_id.index:
                v = np.asarray(v, dtype=float)
                norm = float(np.linalg.norm(v))
                out[u] = v / norm if norm else v
        return out or None

    def quote(self, unit_id: str) -> Quote:
        r = self.by_id.loc[unit_id]
        q = r.get(S.QUESTION)
        text, masked = mask_pii(str(r[S.TEXT]))
        return Quote(
            unit_id=str(unit_id),
            text=text,
            masked=masked,
            respondent_id=str(r[S.RESPONDENT_ID]),
            source=str(r[S.SOURCE]),
            location=_location(r),
            question=str(q) if q is not None and str(q) not in ("", "nan", "None") else None,
        )

    def typicality(
        self, unit_ids: Sequence[str], centre_ids: Sequence[str] | None = None
    ) -> dict[str, float]:
        """Cosine similarity to the centre of ``centre_ids`` (or of ``unit_ids``)."""
        import numpy as np

        if self._emb is None:
            return {}
        base = [u for u in (centre_ids if centre_ids is not None else unit_ids) if u in self._emb]
        if not base:
            return {}
        centre = np.mean([self._emb[u] for u in base], axis=0)
        norm = float(np.linalg.norm(centre)) or 1.0
        centre = centre / norm
        return {u: float(self._emb[u] @ centre) for u in unit_ids if u in self._emb}

    def pick(
        self,
        unit_ids: Iterable[str],
        k: int = MAX_CLAIM_QUOTES,
        score: Mapping[str, float] | None = None,
        prefer_readable: bool = True,
        exclude: set[str] | None = None,
    ) -> list[Quote]:
        """Up to ``k`` quotes from different respondents, best score first (stable order)."""
        ids = [u for u in dict.fromkeys(unit_ids) if u in self.by_id.index]
        if exclude:
            ids = [u for u in ids if u not in exclude] or ids
        if not ids:
            return []
        words = self.by_id.loc[ids, "_words"]
        readable = {
            u: QUOTE_MIN_WORDS <= int(w) <= QUOTE_MAX_WORDS
            for u, w in zip(ids, words, strict=False)
        }
        sc = score or {}

        def key(u: str) -> tuple:
            return (
                not readable[u] if prefer_readable else False,
                -sc.get(u, 0.0),
                -min(int(words[u]), QUOTE_MAX_WORDS),
                u,
            )

        chosen: list[str] = []
        seen: set[str] = set()
        seen_text: set[str] = set()
        for u in sorted(ids, key=key):
            rid = str(self.by_id.at[u, S.RESPONDENT_ID])
            norm = " ".join(str(self.by_id.at[u, S.TEXT]).lower().split())
            if rid in seen or norm in seen_text:
                continue  # one quote per respondent, and no text twice
            seen.add(rid)
            seen_text.add(norm)
            chosen.append(u)
            if len(chosen) >= k:
                break
        # one spaCy pass masks the chosen texts (each quote then reads the masked text)
        redact_many([str(self.by_id.at[u, S.TEXT]) for u in chosen])
        return [self.quote(u) for u in chosen]


def evidence_quotes(
    tables: StudyTables, unit_ids: Iterable[str], k: int = MAX_CLAIM_QUOTES
) -> list[Quote]:
    """Up to ``k`` quotes (customer units only, different respondents) for any list of unit ids."""
    return shared_evidence(tables).pick([str(u) for u in unit_ids], k)


def shared_evidence(tables: StudyTables) -> _Evidence:
    """The :class:`_Evidence` of ``tables``, built once and shared by the personas and the
    report (built again when a table it joins was replaced)."""
    t = tables
    key = tuple(id(x) for x in (t.units, t.annotations, t.topic_assignments, t.segments))
    key += (id(t.embeddings),)
    if t._evidence is None or getattr(t._evidence, "key", None) != key:
        t._evidence = _Evidence(t)
        t._evidence.key = key
    return t._evidence
