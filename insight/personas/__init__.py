"""Evidence-backed personas: one per segment, every claim carrying its unit ids and quotes.

A persona is assembled deterministically (no network, no language model) from the
study's tables: segment profiles (attitudes), respondent attributes (demographics and
behaviour), unit annotations (pain points, goals, emotions), the vocabulary and the
topics. Only units spoken by customers (``speaker_role == "customer"``) are ever used
as evidence; every quote is the verbatim ``text`` of one unit. See docs/personas.md.

The package: ``model`` (data classes, thresholds, :class:`StudyTables`), ``evidence``
(quote selection), ``view`` (frozen study and per-segment views), ``claims`` (claim
builders over a view), ``build``
(one persona per segment), ``naming`` (names and summaries), ``words`` (stop words and
cues), ``persist`` (store tables and the ``insight evidence`` query).
"""

from insight.personas.build import build_persona, build_personas
from insight.personas.evidence import evidence_quotes
from insight.personas.model import (
    ALPHA,
    EKMAN_GROUPS,
    MIN_ABS_D,
    MIN_LIFT,
    Claim,
    Persona,
    Quote,
    StudyTables,
    as_list,
    stability_map,
)
from insight.personas.naming import PAIN_LABELS, item_wordings, pain_label
from insight.personas.persist import (
    PERSONA_QUOTE_KINDS,
    EvidenceResult,
    find_evidence,
    load_personas,
    persona_claim_rows,
    save_personas,
)

__all__ = [
    "ALPHA",
    "EKMAN_GROUPS",
    "MIN_ABS_D",
    "MIN_LIFT",
    "PAIN_LABELS",
    "PERSONA_QUOTE_KINDS",
    "Claim",
    "EvidenceResult",
    "Persona",
    "Quote",
    "StudyTables",
    "as_list",
    "build_persona",
    "build_personas",
    "evidence_quotes",
    "find_evidence",
    "item_wordings",
    "load_personas",
    "pain_label",
    "persona_claim_rows",
    "save_personas",
    "stability_map",
]
