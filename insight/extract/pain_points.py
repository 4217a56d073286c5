"""Pain points: is a unit a problem, frustration, complaint, obstacle or unmet need?

Each text gets a score in [0, 1], a 0/1 flag (score >= the shipped threshold)
and, when flagged, a type from this taxonomy (`PAIN_TYPES`):

=====================  ===========================================================
type                   what it covers (cue words, matched on lower-cased text)
=====================  ===========================================================
price/value            cost, fees, bills, charges, refunds, "not worth it", overpriced
reliability/quality    broken, crashes, bugs, errors, faults, damage, outages, poor quality
usability              confusing, hard to use / find / navigate, unclear, clunky interfaces
service/support        staff, support, agents, rudeness, not listening, no reply / call back
time/effort            waiting, queues, on hold, delays, slowness, repeated effort, hassle
missing feature        missing, lacking, "no way / no option to", unavailable, out of stock
delivery/logistics     orders, delivery, shipping, parcels, couriers, tracking, transport, parking
other                  a pain point none of the above cue lists matches
=====================  ===========================================================

The type comes from keyword rules (`pain_type`): the type with the highest cue
score wins (a cue counts 1, a multi-word cue 2, except the generic time/effort
phrases, which always count 1); ties go to the more specific
type in this order: delivery/logistics, price/value, missing feature,
reliability/quality, usability, service/support, time/effort. The flag and score come
from a logistic-regression head (``models/pain_points/head.npz``, trained by
``models/train_pain_points.py``) over hashed word n-grams, the sentiment rule
features of `insight.extract.sentiment`, the per-type cue counts, the goal flag
and - when the head was trained with them - the 28 GoEmotions probabilities of
`insight.extract.emotions.EmotionModel` and its 384-d sentence vector (the
encoder's normalised mean-pooled output, computed in the same forward pass by
`EmotionModel.predict_with_embeddings`). Training data: GoEmotions (Apache-2.0),
NHS Friends-and-Family answers (MIT) and the project's own hand-written
examples in ``models/pain_points/seed_examples.csv``; never the unlicensed
complaints set, which is only used to measure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from insight.errors import ModelError
from insight.extract.goals import goal_flags
from insight.extract.heads import HeadInputs, LinearHead, text_rows
from insight.extract.sentiment import (
    N_HASH_FEATURES,
    hashed_ngrams,
    normalise,
    rule_feature_matrix,
)
from insight.resources import model_path

_TYPE_CUES: dict[str, list[str]] = {
    "price/value": [
        r"\b(?:price|prices|pricing|priced|cost|costs|costly|expensive|overpriced|pricey|cheap(?:er)?|"
        r"fee|fees|charges|overcharged|bill|bills|billed|billing|invoice|invoices|"
        r"refund|refunds|refunded|money|pay|paid|paying|payment|payments|subscription|afford|"
        r"affordable|worth|value|discount|rip ?off|ripoff|scam|tariff|deposit|budget|"
        r"declined|statement|margins?)\b",
        r"(?<!won't )(?<!doesn't )(?<!not )\bcharg(?:e|ed|ing)\b(?! (?:port|cable|anymore))",
        r"[$£€]\s?\d",
    ],
    "reliability/quality": [
        r"\b(?:broken|broke|breaks|break|crash|crashes|crashed|crashing|bug|bugs|buggy|glitch|"
        r"glitches|glitchy|error|errors|fault|faults|faulty|defect|defective|damaged|damage|"
        r"stopped working|not working|doesn't work|does not work|didn't work|won't work|failed|"
        r"fails|failing|failure|freeze|freezes|frozen|froze|outage|outages|unreliable|reliability|"
        r"quality|leak|leaks|leaking|malfunction|stale|dirty|filthy|unclean|mistake|mistakes|"
        r"incorrect|wrong|cracked|cracks|scratched|ripped|torn|stained|smell|smells|smelled|"
        r"smelly|mould|mouldy|mold|moldy|battery|disappeared|deleted|corrupted|lost all|loses|"
        r"dropping out|drops out|keeps dropping|disconnects?|disconnected|disconnecting|"
        r"timing out|times out|timed out|barely lasts?|unstable|"
        # the product's output itself: consistency, temperature, taste, texture
        r"consistent|consistency|inconsistent|inconsistency|temperature|lukewarm|burnt|bitter|"
        r"taste|tastes|texture|drifts?|drifting|uneven|varies|varying)\b",
        r"\b(?:is|was|been|went|goes|keeps going) down\b",
        r"\b(?:won't|will not|doesn't|does not|can't|cannot) (?:charge|install|load|open|start|"
        r"turn on|connect|sync|update|boot|print)\b",
    ],
    "usability": [
        r"\b(?:confusing|confused|complicated|hard to (?:use|find|navigate|understand|read|follow)|"
        r"difficult to (?:use|find|navigate|understand|read|follow)|can't find|cannot find|"
        r"couldn't find|unclear|interface|ui|ux|navigate|navigation|menu|menus|layout|clunky|"
        r"unintuitive|not intuitive|user[- ]friendly|usability|cluttered|login|log in|password|"
        r"website|web site|form|forms|instructions|manual|settings|accessible|accessibility|"
        r"don't understand|doesn't explain|does not explain|which version|onboarding|nightmare to use)\b",
    ],
    "service/support": [
        r"\b(?:staff|support|customer service|customer care|service desk|helpdesk|help desk|agent|"
        r"agents|rep|representative|advisor|adviser|manager|receptionist|nurse|nurses|doctor|"
        r"doctors|gp|consultant|engineer|technician|chatbot|bot|rude|rudeness|unhelpful|"
        r"unprofessional|dismissive|attitude|listen|listened|listening|ignored|ignoring|"
        r"call back|called back|callback|rang|reply|replied|respond|responded|response|answer|"
        r"answered|communication|communicate|informed|explain|explained|complaint|complained|"
        r"employee|employees|promised|told|nobody|no one|no-one|noone|turn up|turned up|"
        r"without (?:any )?(?:warning|notice|asking)|suspended|locked|blocked|closed my)\b",
    ],
    "time/effort": [
        r"\b(?:wait|waits|waited|waiting|queue|queues|queuing|queueing|on hold|slow|slower|"
        r"slowly|delay|delays|delayed|late|lateness|hours|days|weeks|months|ages|forever|"
        r"long time|too long|time[- ]consuming|effort|hassle|chase|chasing|chased|"
        r"again and again|every time|every single time|repeatedly|re-?enter|from scratch|"
        r"tedious|waste of time|wasted|still|yet to|stuck|appointment|appointments)\b",
        r"\b(?:take|takes|took|taking) (?:so |too |a )?(?:long|ages|forever|hours|days|weeks)\b",
    ],
    "missing feature": [
        r"\b(?:missing|lack|lacks|lacking|no option|no way to|no way of|no ability|doesn't have|"
        r"does not have|doesn't support|does not support|not supported|unsupported|not available|"
        r"unavailable|out of stock|in stock|sold out|discontinued|removed|no longer (?:available|"
        r"offer|offers|has|have|support|supports)|wish it had|would be nice|feature|features|"
        r"option|options|dark mode|offline mode|integration|"
        r"can't (?:export|import|share|save|change|add|edit|print|download|upload|customi[sz]e|"
        r"see|filter|search|sort|undo)|"
        r"cannot (?:export|import|share|save|change|add|edit|print|download|upload|see|undo))\b",
    ],
    "delivery/logistics": [
        r"\b(?:deliver|delivery|deliveries|delivered|shipping|shipment|shipped|ship|parcel|"
        r"parcels|package|packages|courier|couriers|tracking|tracked|dispatch|dispatched|"
        r"postage|posted|post office|arrive|arrived|arrival|order|orders|ordered|returns|"
        r"collection|collect|pick ?up|transport|taxi|ambulance|parking|park|flight|flights|"
        r"train|trains|bus|buses|luggage|baggage|warehouse|depot|route|booking|rebooked|"
        r"sent the wrong|wrong item|wrong size)\b",
    ],
}

# Ties between types go to the more specific one (time/effort and
# service/support words occur in many complaints of other types).
_TIE_ORDER = (
    "delivery/logistics",
    "price/value",
    "missing feature",
    "reliability/quality",
    "usability",
    "service/support",
    "time/effort",
)

PAIN_TYPES: tuple[str, ...] = (*_TYPE_CUES.keys(), "other")

_TYPE_RX = {t: [re.compile(p) for p in pats] for t, pats in _TYPE_CUES.items()}
_TIME = list(_TYPE_CUES).index("time/effort")
N_EMOTIONS = 28  # GoEmotions labels the head reads when trained with emotion probabilities


def type_cue_counts(text: str | None) -> np.ndarray:
    """Number of cue hits per type (the first seven `PAIN_TYPES`) in ``text``."""
    out = np.zeros(len(_TYPE_RX), dtype=np.float32)
    if not isinstance(text, str) or not text.strip():
        return out
    norm = normalise(text)
    for i, rxs in enumerate(_TYPE_RX.values()):
        # A multi-word cue ("no way to", "out of stock") is more specific than a
        # single word and counts 2; time/effort phrases ("every time") are generic
        # and always count 1.
        generic = i == _TIME
        out[i] = sum(
            1 if generic else min(len(m.group(0).split()), 2)
            for rx in rxs
            for m in rx.finditer(norm)
        )
    return out


def pain_type(text: str | None) -> str:
    """The taxonomy type of a pain-point text: most cue hits wins, else "other"."""
    counts = type_cue_counts(text)
    if counts.max() <= 0:
        return "other"
    best = counts.max()
    return next(t for t in _TIE_ORDER if counts[PAIN_TYPES.index(t)] == best)


def dense_features(texts: Sequence[str | None], rules: np.ndarray | None = None) -> np.ndarray:
    """Sentiment rule features, type cue counts (log1p) and the goal flag, shape (n, k)."""
    texts = list(texts)
    if rules is None:
        rules = rule_feature_matrix(texts)
    types = np.log1p(np.vstack([type_cue_counts(t) for t in texts])) if texts else np.zeros((0, 7))
    goal = goal_flags(texts).reshape(-1, 1).astype(np.float32)
    return np.hstack([rules, types, goal]).astype(np.float32)


def design_matrix(
    texts: Sequence[str | None],
    idf: np.ndarray,
    scale: np.ndarray,
    emotion_probas: np.ndarray | None = None,
    rules: np.ndarray | None = None,
    embeddings: np.ndarray | None = None,
    embedding_weight: float = 1.0,
) -> Any:
    """The head's input: idf-weighted n-grams, scaled dense features, emotion
    probabilities and (optionally) the emotion encoder's unit-length sentence
    vectors times ``embedding_weight``."""
    from scipy.sparse import csr_matrix, hstack

    x = normalized_ngrams(texts, idf)
    dense = dense_features(texts, rules)
    if emotion_probas is not None:
        dense = np.hstack([dense, np.asarray(emotion_probas, dtype=np.float32)])
    parts = [x, csr_matrix(dense / scale)]
    if embeddings is not None:
        parts.append(csr_matrix(np.asarray(embeddings, dtype=np.float32) * embedding_weight))
    return hstack(parts).tocsr()


def normalized_ngrams(texts: Sequence[str | None], idf: np.ndarray) -> Any:
    """Hashed word n-gram counts times idf, each row scaled to unit length (sparse)."""
    from sklearn.preprocessing import normalize

    return normalize(hashed_ngrams(texts).multiply(idf.reshape(1, -1)).tocsr())


class PainPointModel(LinearHead):
    """Pain-point score, flag and type per text.

    Args:
        coef: (n_features,) logistic-regression weights.
        intercept: bias.
        idf: (N_HASH_FEATURES,) idf of the hashed n-grams.
        scale: divisors for the dense (and emotion) features.
        threshold: score at or above which a text is a pain point.
        uses_emotions: whether the head expects the 28 emotion probabilities.
        embedding_dim: width of the sentence vector the head expects (0: none).
        embedding_weight: factor the sentence vectors are multiplied by.
    """

    kind = "pain-point"

    def __init__(
        self,
        coef: np.ndarray,
        intercept: float,
        idf: np.ndarray,
        scale: np.ndarray,
        threshold: float = 0.5,
        uses_emotions: bool = False,
        info: dict | None = None,
        embedding_dim: int = 0,
        embedding_weight: float = 1.0,
    ) -> None:
        if idf.shape != (N_HASH_FEATURES,):
            raise ModelError("pain-point head does not match this version of insight")
        if coef.shape != (N_HASH_FEATURES + len(scale) + embedding_dim,):
            raise ModelError(
                f"pain-point head has {coef.shape[0]} weights, expected "
                f"{N_HASH_FEATURES + len(scale) + embedding_dim}",
                fix="re-run models/train_pain_points.py",
            )
        self.coef = coef
        self.intercept = intercept
        self.idf = idf
        self.scale = scale
        self.threshold = threshold
        self.uses_emotions = uses_emotions
        self.emotion_dim = N_EMOTIONS if uses_emotions else 0
        self.embedding_dim = int(embedding_dim)
        self.embedding_weight = float(embedding_weight)
        self.info = info or {}

    @classmethod
    def load(cls, path: str | Path | None = None) -> PainPointModel:
        """Load ``head.npz`` from ``path`` (default models/pain_points)."""
        folder = Path(path) if path is not None else model_path("pain_points")
        f = folder / "head.npz"
        if not f.exists():
            raise ModelError(
                "pain-point head not found",
                file=str(f),
                fix="train it with `python models/train_pain_points.py`",
            )
        z = np.load(f)
        return cls(
            coef=z["coef"].astype(np.float32),
            intercept=float(z["intercept"]),
            idf=z["idf"].astype(np.float32),
            scale=z["scale"].astype(np.float32),
            threshold=float(z["threshold"]),
            uses_emotions=bool(z["uses_emotions"]),
            info=json.loads(str(z["info"])) if "info" in z else {},
            embedding_dim=int(z["embedding_dim"]) if "embedding_dim" in z else 0,
            embedding_weight=float(z["embedding_weight"]) if "embedding_weight" in z else 1.0,
        )

    def score(self, texts: Sequence[str | None], inputs: HeadInputs | None = None) -> np.ndarray:
        """Pain-point probability per text (NaN for empty text).

        ``inputs``: the rows' precomputed rule features (optional) and encoder outputs
        (needed when the head was trained with them: `uses_emotions`, `uses_embeddings`).
        """
        texts = list(texts)
        out = np.full(len(texts), np.nan)
        idx = text_rows(texts)
        if not idx:
            return out
        sub = (inputs or HeadInputs()).rows(idx)
        emo, emb = self.encoder_features(sub)
        x = design_matrix(
            [texts[i] for i in idx],
            self.idf,
            self.scale,
            emo,
            sub.rules,
            embeddings=emb,
            embedding_weight=self.embedding_weight,
        )
        out[idx] = 1.0 / (1.0 + np.exp(-self.logits(x).ravel()))
        return out

    def predict(
        self, texts: Sequence[str | None], inputs: HeadInputs | None = None
    ) -> tuple[np.ndarray, np.ndarray, list[str | None]]:
        """(flag 0/1 with -1 for empty text, score, type or None when not a pain point)."""
        texts = list(texts)
        scores = self.score(texts, inputs)
        flags = np.where(np.isnan(scores), -1, (scores >= self.threshold).astype(int))
        types: list[str | None] = [
            pain_type(t) if f == 1 else None for t, f in zip(texts, flags, strict=True)
        ]
        return flags, scores, types
