"""Sentiment per unit: valence in [-1, 1] and a negative / neutral / positive label.

Two layers:

1. **Rules** (`rule_features`): VADER scores plus cues VADER misses in feedback
   text - hedged criticism ("could be better", "room for improvement", "hardly
   helpful", "not the best"), litotes ("not bad", "I wouldn't say it's hard",
   "can't fault them", "no complaints"), excess ("too long", "too expensive"),
   unmet service ("nobody called back", "still waiting"), improvement
   suggestions ("more staff", "quicker response", "it would be nice if") and the
   survey answer "Nothing." to "what could we improve?". `rule_valence` turns
   them into a valence without any trained model.
2. **A trained head** (`SentimentModel`): a multinomial logistic regression over
   hashed word n-grams plus the rule features, trained by
   ``models/train_sentiment.py`` on NHS Friends-and-Family answers (GoEmotions
   optional; it did not help), shipped as ``models/sentiment/head.npz``.
   Valence = P(positive) - P(negative). Explicit hedges and litotes override the
   head's label (`SentimentModel._explicit_cues`).

Everything here is pure numpy / scikit-learn; nothing reaches the network.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from insight.errors import ModelError
from insight.extract.heads import HeadInputs, LinearHead, text_rows
from insight.resources import model_path

LABELS = ("negative", "neutral", "positive")
REPO_ROOT = Path(__file__).resolve().parents[2]

# --- cue lexicons -------------------------------------------------------------
# Positive words that hedges and negations turn around.
_POS_WORDS = (
    r"(?:good|great|helpful|easy|clear|friendly|nice|useful|happy|pleased|satisfied|"
    r"impressed|ideal|best|better|brilliant|excellent|perfect|reliable|fast|quick|"
    r"efficient|professional|caring|kind|polite|responsive|informative|organised|organized|"
    r"intuitive|simple|smooth|comfortable|clean|welcoming|supportive|worth it)"
)
_NEG_WORDS = (
    r"(?:bad|hard|difficult|terrible|awful|poor|horrible|slow|rude|confusing|complicated|"
    r"expensive|painful|annoying|problem|problems|issue|issues|complaint|complaints|fault|"
    r"faults|wrong|worse|worst|disappointing|disappointed|unhappy|long|useless|a problem)"
)

HEDGE_NEG = [
    r"\bcould (?:have )?(?:be|been|do|done) (?:with )?(?:a lot |much |a bit |a little |far |slightly |way )?"
    r"(?:better|improved|quicker|faster|clearer|more)\b",
    r"\broom for improvement\b",
    r"\bleaves? (?:a lot|much|something) to be desired\b",
    r"\b(?:needs?|needed|requires?) (?:some |a lot of |more )?(?:improvement|improving|work|attention)\b",
    r"\bnot (?:the |very |that |so |too |particularly |overly |exactly |really |always |as |quite |at all )?"
    + _POS_WORDS
    + r"\b",
    r"\b(?:hardly|barely|scarcely|never|rarely|seldom) (?:very |that |so )?" + _POS_WORDS + r"\b",
    r"\b(?:isn't|wasn't|aren't|weren't|isnt|wasnt|is not|was not|are not|were not|"
    r"don't|didn't|doesn't|dont|didnt|doesnt|did not|do not|does not) (?:\w+ ){0,2}?"
    + _POS_WORDS
    + r"\b",
    r"\bless than (?:ideal|helpful|satisfactory|impressed)\b",
    r"\b(?:should|could) have been\b",
    r"\bnot (?:what|as) (?:i|we) expected\b",
]

LITOTES = [
    r"\bnot (?:too |that |so |very |all that |at all )?" + _NEG_WORDS + r"\b",
    r"\b(?:wouldn't|would not|won't|can't|cannot|couldn't|could not) (?:really )?"
    r"(?:say|call) (?:it|that|this|them|they) (?:is |was |were |are |'s |'re )?(?:\w+ )?"
    + _NEG_WORDS
    + r"\b",
    r"\bi wouldn't say (?:it's|it was|it is|they were|they are) (?:\w+ )?" + _NEG_WORDS + r"\b",
    r"\b(?:can't|cannot|couldn't|could not|can not) (?:fault|complain|praise \w+ enough|"
    r"thank \w+ enough|ask for more|have been better|be better|recommend \w+ enough)\b",
    r"\b(?:no|nothing to|never had any|without any|not a single) "
    r"(?:complaints?|problems?|issues?|faults?|concerns?|worries|hassle|trouble|complain about)\b",
    r"\bnothing (?:to improve|could be better|at all|really|i can think of|else|more)\b",
    r"\bnothing (?:was|is) (?:too much )?(?:trouble|a problem|an issue)\b",
]

EXCESS = [
    r"\btoo (?:long|slow|late|early|expensive|pricey|costly|much|many|few|little|busy|"
    r"complicated|difficult|hard|small|big|loud|noisy|hot|cold|far|short|rushed|often|"
    r"confusing|crowded|rude|high|low)\b",
    r"\b(?:long|lengthy|endless|hours?|ages) (?:wait|waits|waiting|queue|queues|delay|delays)\b",
    r"\b(?:waited|waiting|been waiting|on hold) (?:for )?(?:over |more than |nearly |almost |about )?"
    r"(?:\d+|an?|two|three|four|five|several|many) (?:hours?|minutes?|mins?|days?|weeks?|months?)\b",
]

UNMET = [
    r"\b(?:no ?one|nobody|noone|no-one) (?:\w+ )?(?:called|rang|came|answered|replied|responded|"
    r"helped|listened|explained|told|informed|contacted|got back|turned up|showed up|bothered|cared)\b",
    r"\b(?:still|yet to|have yet to|has yet to) (?:\w+ )?(?:waiting|wait|not|no|hear|receive|received|"
    r"heard|arrived|get|got)\b",
    r"\b(?:never|not) (?:\w+ )?(?:arrived|received|came|showed up|turned up|called back|got back|"
    r"replied|responded|answered|fixed|resolved|refunded|delivered|listened|explained)\b",
    r"\b(?:doesn't|does not|didn't|did not|won't|will not|can't|cannot|couldn't|wouldn't) "
    r"(?:even )?(?:work|load|open|start|connect|sync|charge|turn on|respond|help|answer)\b",
    r"\b(?:broken|broke|crash(?:es|ed|ing)?|freez(?:es|ing)|froze|bug(?:gy|s)?|glitch(?:es|y)?|"
    r"error|errors|faulty|defective|stopped working|not working|keeps? (?:crashing|failing|"
    r"breaking|dropping|freezing))\b",
]

SUGGESTION = [
    r"^\s*(?:more|less|fewer|better|quicker|faster|shorter|sooner|cheaper|clearer|bigger|"
    r"earlier|longer|improve|improved|increase|reduce|provide|employ|hire|have|make|"
    r"answer|arrive|attend|come|be|get|listen|give|offer|allow|stop)\b",
    r"\b(?:more|better|quicker|faster|shorter|sooner|clearer|improved|extra) "
    r"(?:staff|staffing|communication|information|parking|seating|doctors|nurses|"
    r"appointments|response|responses|time|support|options|updates|choice|availability|"
    r"waiting|wait|follow[- ]up|contact|help|explanation|explanations)\b",
    r"\b(?:would|could|it'd|it would) (?:be )?(?:have been )?(?:nice|good|better|helpful|great|"
    r"useful|easier) (?:if|to)\b",
    r"\b(?:should|needs? to|ought to|must) (?:be|have|get|make|provide|improve|answer|listen|"
    r"explain|respond|call|arrive|come|let|offer|give|employ|hire|stop|start)\b",
]

_NOTHING_ANSWER = re.compile(
    r"^\s*(?:nothing|none|no|nope|n/?a|not really|nothing really|nothing at all|"
    r"absolutely nothing|not a thing|no improvements?|no changes?)\s*(?:[.!,;:-]|$)"
)

_GROUPS: dict[str, list[re.Pattern[str]]] = {
    name: [re.compile(p) for p in pats]
    for name, pats in (
        ("hedge_neg", HEDGE_NEG),
        ("litotes", LITOTES),
        ("excess", EXCESS),
        ("unmet", UNMET),
        ("suggestion", SUGGESTION),
    )
}

RULE_FEATURES = [
    "vader_compound",
    "vader_neg",
    "vader_neu",
    "vader_pos",
    "hedge_neg",
    "litotes",
    "excess",
    "unmet",
    "suggestion",
    "nothing_answer",
    "question",
    "exclaim",
    "log_len",
]


@lru_cache(maxsize=1)
def _vader() -> Any:
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ModelError(
            "vaderSentiment is not installed", fix="pip install vaderSentiment"
        ) from exc
    return SentimentIntensityAnalyzer()


def normalise(text: str) -> str:
    """Lower-case, straight apostrophes, single spaces (what the cue regexes expect)."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    return re.sub(r"\s+", " ", text).strip()


def rule_features(text: str | None) -> np.ndarray:
    """The `RULE_FEATURES` vector of one text (zeros for empty text)."""
    out = np.zeros(len(RULE_FEATURES), dtype=np.float32)
    if not isinstance(text, str) or not text.strip():
        return out
    norm = normalise(text)
    nothing = bool(_NOTHING_ANSWER.match(norm))
    # VADER treats a leading "Nothing," as a negation of what follows
    # ("Nothing, it was perfect" -> negative); score the rest on its own.
    vader_text = _NOTHING_ANSWER.sub("", norm, count=1) if nothing else text
    vs = _vader().polarity_scores(vader_text) if vader_text.strip() else {}
    out[0] = vs.get("compound", 0.0)
    out[1] = vs.get("neg", 0.0)
    out[2] = vs.get("neu", 1.0)
    out[3] = vs.get("pos", 0.0)
    for i, name in enumerate(("hedge_neg", "litotes", "excess", "unmet", "suggestion")):
        out[4 + i] = sum(1 for rx in _GROUPS[name] if rx.search(norm))
    out[9] = float(nothing)
    out[10] = float("?" in norm)
    out[11] = float("!" in norm)
    out[12] = np.log1p(len(norm.split()))
    return out


def rule_feature_matrix(texts: Sequence[str | None]) -> np.ndarray:
    """`rule_features` for many texts, shape (n, len(RULE_FEATURES))."""
    if len(texts) == 0:
        return np.zeros((0, len(RULE_FEATURES)), dtype=np.float32)
    return np.vstack([rule_features(t) for t in texts])


def rule_valence(text: str | None) -> float:
    """Valence in [-1, 1] from VADER corrected by the cue rules (no trained model)."""
    f = rule_features(text)
    v = float(f[0])
    litotes, hedge = f[5], f[4]
    negative_cues = hedge + f[6] + f[7] + 0.5 * f[8]
    if litotes and not hedge:
        v = max(v, 0.3)  # "not bad", "no complaints", "can't fault them"
    if negative_cues and not litotes:
        v = min(v, -0.3 if hedge or f[6] or f[7] else -0.1)
    if f[9] and not negative_cues:
        v = max(v, 0.3)  # "Nothing." to "what could we improve?" is praise
    return float(np.clip(v, -1.0, 1.0))


def label_from_valence(valence: float, threshold: float = 0.05) -> str:
    """negative / neutral / positive from a valence and a dead zone around 0."""
    if valence >= threshold:
        return "positive"
    if valence <= -threshold:
        return "negative"
    return "neutral"


# --- hashed n-grams (stateless, so the shipped head is just numbers) ------------
N_HASH_FEATURES = 2**17


def hashed_ngrams(texts: Sequence[str | None]) -> Any:
    """L2-normalised, sublinear-tf hashed word 1-2 grams (scipy sparse matrix)."""
    from sklearn.feature_extraction.text import HashingVectorizer

    vec = HashingVectorizer(
        n_features=N_HASH_FEATURES,
        ngram_range=(1, 2),
        alternate_sign=False,
        norm=None,
        token_pattern=r"(?u)\b\w[\w']*\b",
        preprocessor=lambda t: normalise(t) if isinstance(t, str) else "",
    )
    x = vec.transform(list(texts))
    x.data = 1.0 + np.log(x.data)
    return x


def design_matrix(
    texts: Sequence[str | None],
    idf: np.ndarray,
    scale: np.ndarray,
    rules: np.ndarray | None = None,
) -> Any:
    """The head's input: idf-weighted, L2-normalised n-grams plus scaled rule features.

    ``rules`` may pass `rule_feature_matrix(texts)` when the caller already has it.
    """
    from scipy.sparse import csr_matrix, hstack
    from sklearn.preprocessing import normalize

    x = hashed_ngrams(texts)
    x = normalize(x.multiply(idf.reshape(1, -1)).tocsr())
    r = (rule_feature_matrix(texts) if rules is None else rules) / scale
    return hstack([x, csr_matrix(r)]).tocsr()


class SentimentModel(LinearHead):
    """Valence and label per text from the shipped head (or rules when none is shipped).

    Args:
        coef: (3, n_features) logistic-regression weights in `LABELS` order, or None
            for the rule-only fallback.
        intercept: (3,) biases.
        idf: (N_HASH_FEATURES,) inverse document frequencies of the hashed n-grams.
        scale: (len(RULE_FEATURES),) divisors for the rule features.
        neutral_margin: a text is neutral unless P(pos) or P(neg) beats P(neutral)
            by this margin (0: plain argmax).
        emotion_dim / embedding_dim: widths of the emotion model's outputs the head
            also reads (the 28 GoEmotions probabilities and the 384-d sentence
            vector of `EmotionModel.predict_with_embeddings`; 0 = not used).
    """

    kind = "sentiment"

    def __init__(
        self,
        coef: np.ndarray | None = None,
        intercept: np.ndarray | None = None,
        idf: np.ndarray | None = None,
        scale: np.ndarray | None = None,
        neutral_margin: float = 0.0,
        info: dict | None = None,
        emotion_dim: int = 0,
        embedding_dim: int = 0,
    ) -> None:
        self.coef = coef
        self.emotion_dim = int(emotion_dim)
        self.embedding_dim = int(embedding_dim)
        self.intercept = intercept
        self.idf = idf
        self.scale = scale
        self.neutral_margin = neutral_margin
        self.info = info or {}

    @classmethod
    def load(cls, path: str | Path | None = None, required: bool = False) -> SentimentModel:
        """Load ``head.npz`` from ``path`` (default models/sentiment); rules if missing."""
        folder = Path(path) if path is not None else model_path("sentiment")
        f = folder / "head.npz"
        if not f.exists():
            if required:
                raise ModelError(
                    "sentiment head not found",
                    file=str(f),
                    fix="train it with `python models/train_sentiment.py`",
                )
            return cls()
        z = np.load(f)
        info = json.loads(str(z["info"])) if "info" in z else {}
        return cls(
            coef=z["coef"].astype(np.float32),
            intercept=z["intercept"],
            idf=z["idf"].astype(np.float32),
            scale=z["scale"].astype(np.float32),
            neutral_margin=float(z["neutral_margin"]) if "neutral_margin" in z else 0.0,
            info=info,
            emotion_dim=int(z["emotion_dim"]) if "emotion_dim" in z else 0,
            embedding_dim=int(z["embedding_dim"]) if "embedding_dim" in z else 0,
        )

    @staticmethod
    def _explicit_cues(
        texts: list, rules: np.ndarray, valence: np.ndarray, labels: list[str]
    ) -> tuple[np.ndarray, list[str]]:
        """Explicit hedges and litotes win over the n-gram head.

        The head learns from n-grams, where "better", "helpful" or "bad" carry
        their usual sign; a hedge ("could be better", "hardly helpful") without
        a litotes makes the text negative, a litotes ("not bad", "can't fault
        them") without a hedge makes it positive.
        """
        hedge = rules[:, RULE_FEATURES.index("hedge_neg")] > 0
        lit = rules[:, RULE_FEATURES.index("litotes")] > 0
        valence = valence.copy()
        labels = list(labels)
        for i in np.flatnonzero(hedge ^ lit):
            rv = rule_valence(texts[i])
            if hedge[i] and labels[i] != "negative":
                valence[i], labels[i] = min(valence[i], rv, -0.05), "negative"
            elif lit[i] and labels[i] != "positive":
                valence[i], labels[i] = max(valence[i], rv, 0.05), "positive"
        return valence, labels

    @property
    def trained(self) -> bool:
        return self.coef is not None

    @property
    def uses_emotion_outputs(self) -> bool:
        """Whether the head reads the emotion probabilities or sentence vectors."""
        return self.emotion_dim > 0 or self.embedding_dim > 0

    def predict_proba(
        self, texts: Sequence[str | None], inputs: HeadInputs | None = None
    ) -> np.ndarray:
        """(n, 3) probabilities of negative / neutral / positive for every row of ``texts``."""
        if not self.trained:
            raise ModelError("this SentimentModel has no trained head", fix="use .predict()")
        assert self.idf is not None and self.scale is not None
        inputs = inputs or HeadInputs()
        x = design_matrix(texts, self.idf, self.scale, inputs.rules)
        encoder = [a for a in self.encoder_features(inputs) if a is not None]
        if encoder:
            from scipy.sparse import csr_matrix, hstack

            x = hstack([x, csr_matrix(np.hstack(encoder))]).tocsr()
        z = self.logits(x)
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)

    def predict(
        self, texts: Sequence[str | None], inputs: HeadInputs | None = None
    ) -> tuple[np.ndarray, list[str | None]]:
        """Valence in [-1, 1] and label per text; empty text gives NaN and None.

        ``inputs``: the rows' precomputed rule features (optional) and encoder outputs
        (needed when the head reads them: `uses_emotion_outputs`).
        """
        texts = list(texts)
        n = len(texts)
        valence = np.full(n, np.nan)
        labels: list[str | None] = [None] * n
        idx = text_rows(texts)
        if not idx:
            return valence, labels
        sub = [texts[i] for i in idx]
        if self.trained:
            given = (inputs or HeadInputs()).rows(idx)
            r = rule_feature_matrix(sub) if given.rules is None else given.rules
            p = self.predict_proba(sub, HeadInputs(r, given.emotion_probas, given.embeddings))
            v = p[:, 2] - p[:, 0]
            adj = p.copy()
            adj[:, 1] += self.neutral_margin
            lab = [LABELS[k] for k in adj.argmax(axis=1)]
            v, lab = self._explicit_cues(sub, r, v, lab)
        else:
            v = np.array([rule_valence(t) for t in sub])
            lab = [label_from_valence(x) for x in v]
        valence[idx] = v
        for j, i in enumerate(idx):
            labels[i] = lab[j]
        return valence, labels
