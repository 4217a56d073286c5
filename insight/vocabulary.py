"""Customer vocabulary: the phrases customers actually write, distinctive terms, variants, quotes.

Candidates come from spaCy (noun chunks trimmed of determiners and pronouns,
complaint/wish verb phrases, adjective + noun pairs, frequent 1-3-grams), are
grouped by lemma and displayed in the most frequent surface form customers
wrote. Distinctiveness is the log-odds ratio with an informative Dirichlet
prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words"): (a) each group vs the
rest and (b) the corpus vs general English (``models/background``). Variants
("too pricey", "overpriced") are merged into one concept by lemma and
embedding similarity, each surface form keeping its count. Every term carries
the unit ids of its occurrences and short quotes that contain it verbatim.
"""

from __future__ import annotations

import gzip
import itertools
import logging
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from insight import schema
from insight.errors import InputError, ModelError
from insight.nlp import (
    contradicts,
    is_boilerplate,
    is_non_answer,
    is_word,
    load_spacy,
    pii_spans,
    pipe,
    token_key,
    valence_lexicon,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from spacy.language import Language
    from spacy.tokens import Doc, Token

log = logging.getLogger(__name__)

#: Background table shipped with the repo (built by models/build_background.py).
BACKGROUND_PATH = (
    Path(__file__).resolve().parent.parent / "models" / "background" / "goemotions_lemmas.tsv.gz"
)

ALL_GROUP = "all"
VOCAB_COLUMNS = [
    "term",
    "variants",
    "variant_counts",
    "kind",
    "count",
    "respondents",
    "respondent_share",
    "z",
    "z_background",
    "group",
    "distinctive_in",
    "glossary_term",
    "unit_ids",
    "examples",
]

# Content parts of speech for single-word terms and n-gram edges.
_CONTENT_POS = {"NOUN", "PROPN", "ADJ", "VERB"}
_EDGE_BAD_POS = {"AUX", "PRON", "DET", "ADP", "CCONJ", "SCONJ", "PART", "NUM", "INTJ", "SYM", "X"}
_TRIM_POS = {"DET", "PRON", "NUM", "PUNCT", "CCONJ", "ADP", "PART", "SYM"}
_MAX_TERM_TOKENS = 4
#: Dependency relations through which an opinion word qualifies a term.
_OPINION_CHILD_DEPS = frozenset({"amod", "advmod", "acomp", "npadvmod", "oprd"})
_OPINION_SIBLING_DEPS = frozenset({"acomp", "attr", "advmod", "xcomp", "oprd", "amod"})
_ARGUMENT_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "pobj", "attr", "appos"})

# Complaint and wish phrases (spaCy Matcher patterns; longest match wins).
_VERB_PATTERNS: dict[str, list[list[dict[str, Any]]]] = {
    "keeps_doing": [
        [{"LEMMA": {"IN": ["keep", "stop", "start", "continue", "quit"]}}, {"TAG": "VBG"}],
    ],
    "takes_long": [
        [
            {"LEMMA": {"IN": ["take", "wait", "last", "run"]}},
            {"LOWER": {"IN": ["way", "far"]}, "OP": "?"},
            {"LOWER": {"IN": ["forever", "ages", "long", "too", "so"]}},
            {"LOWER": {"IN": ["long", "much", "many"]}, "OP": "?"},
        ],
    ],
    "too_much": [
        [
            {"POS": "VERB"},
            {"LOWER": {"IN": ["way", "far"]}, "OP": "?"},
            {"LOWER": "too"},
            {"LOWER": {"IN": ["much", "long", "many", "often", "little", "early", "late"]}},
        ],
    ],
    "wish": [
        [
            {"LEMMA": "wish"},
            {"POS": "PRON", "OP": "?"},
            {"LEMMA": {"IN": ["have", "be", "could", "would", "can", "do", "include", "offer"]}},
        ],
        [
            {"LOWER": {"IN": ["would", "'d"]}},
            {"LEMMA": {"IN": ["love", "like", "prefer"]}},
            {"LOWER": "to", "OP": "?"},
            {"POS": "VERB", "OP": "?"},
        ],
        [
            {"LEMMA": {"IN": ["need", "want"]}},
            {"LOWER": {"IN": ["more", "better", "less", "fewer"]}},
        ],
    ],
    "negated": [
        [
            {"LEMMA": {"IN": ["do", "can", "will", "would", "could"]}, "OP": "?"},
            {"DEP": "neg"},
            {"POS": "VERB"},
            {"DEP": "prt", "OP": "?"},
        ],
    ],
    "phrasal": [[{"POS": "VERB", "IS_STOP": False}, {"DEP": "prt"}]],
    "too_adj": [
        [
            {"LOWER": {"IN": ["way", "far"]}, "OP": "?"},
            {"LOWER": {"IN": ["too", "overly"]}},
            {"POS": {"IN": ["ADJ", "ADV"]}, "IS_STOP": False},
        ],
    ],
    "too_many": [
        [
            {"LOWER": {"IN": ["way", "far"]}, "OP": "?"},
            {"LOWER": "too"},
            {"LOWER": {"IN": ["many", "much", "few", "little"]}},
            {"POS": {"IN": ["ADJ", "NOUN"]}, "OP": "?"},
            {"POS": "NOUN"},
        ],
    ],
    "subject_verb": [
        # "engineer never turns up", "battery dies", "downtime kills us"
        [
            {"POS": "NOUN", "DEP": {"IN": ["nsubj", "nsubjpass"]}},
            {"POS": "AUX", "OP": "?"},
            {"DEP": "neg", "OP": "?"},
            {"POS": "VERB", "IS_STOP": False},
            {"DEP": "prt", "OP": "?"},
            {"POS": "PRON", "DEP": "dobj", "OP": "?"},
        ],
    ],
    "verb_object": [
        [
            {"POS": "VERB", "IS_STOP": False},
            {"POS": {"IN": ["DET", "PRON"]}, "OP": "?"},
            {"POS": "NOUN", "DEP": "dobj"},
        ],
    ],
}


# --- Fightin' Words ---------------------------------------------------------------


def log_odds_z(
    y_i: float, n_i: float, y_j: float, n_j: float, alpha_w: float, alpha_0: float
) -> float:
    """z-score of the log-odds ratio with an informative Dirichlet prior.

    Monroe, Colaresi & Quinn (2008), eq. 16 and 20: for a word w with counts
    ``y_i`` / ``y_j`` in corpora of sizes ``n_i`` / ``n_j`` and prior
    ``alpha_w`` (summing to ``alpha_0`` over the vocabulary)::

        delta = log((y_i + a_w) / (n_i + a_0 - y_i - a_w))
              - log((y_j + a_w) / (n_j + a_0 - y_j - a_w))
        var   = 1 / (y_i + a_w) + 1 / (y_j + a_w)
        z     = delta / sqrt(var)

    Positive z: w is over-used in corpus i.
    """
    if alpha_w <= 0:
        raise ValueError("alpha_w must be positive")
    a, b = y_i + alpha_w, y_j + alpha_w
    rest_i = n_i + alpha_0 - a
    rest_j = n_j + alpha_0 - b
    if rest_i <= 0 or rest_j <= 0:
        raise ValueError("alpha_0 must exceed alpha_w and counts must not exceed corpus sizes")
    delta = math.log(a / rest_i) - math.log(b / rest_j)
    return delta / math.sqrt(1.0 / a + 1.0 / b)


def _prior(pooled_count: float, pooled_total: float, alpha_0: float) -> float:
    # Informative prior: alpha_w proportional to the pooled frequency, at least one
    # pseudo-count. Without that floor a term absent from one side gets a vanishing
    # prior there, its variance 1 / alpha_w explodes and z falls as the count on that
    # side falls to zero: "battery life" (never in the background) would rank below
    # "desktop" (9 times), and a phrase only one segment uses would not be distinctive.
    return max(alpha_0 * (pooled_count + 0.5) / (pooled_total + 0.5), min(1.0, alpha_0))


def fightin_words_z(
    y_i: float, n_i: float, y_j: float, n_j: float, prior_strength: float = 1.0
) -> float:
    """Fightin' Words z of corpus i vs corpus j with the prior taken from both pooled.

    ``alpha_0 = prior_strength * min(n_i, n_j)`` and ``alpha_w = alpha_0 *
    (y_i + y_j + 0.5) / (n_i + n_j + 0.5)``: the prior is as strong as the
    smaller corpus, so rare terms are shrunk towards "no difference".
    """
    alpha_0 = max(prior_strength * min(n_i, n_j), 1.0)
    alpha_w = _prior(y_i + y_j, n_i + n_j, alpha_0)
    return log_odds_z(y_i, n_i, y_j, n_j, alpha_w, alpha_0)


# --- background table -------------------------------------------------------------


@dataclass(frozen=True)
class Background:
    """General-English lemma counts: unigrams and bigrams, plus the token total."""

    counts: dict[str, int]
    total: int

    def count(self, key: str) -> float:
        """Background count of a lemma key; longer keys by a bigram-chain estimate."""
        if key in self.counts:
            return float(self.counts[key])
        if "-" in key:
            # the table was counted with "rip-off" split into "rip off"
            return self.count(" ".join(key.replace("-", " ").split()))
        words = key.split()
        if len(words) <= 2:
            return 0.0
        # c(w1..wk) ~ c(w1 w2) * prod c(w_i w_i+1) / c(w_i): a first-order Markov estimate.
        est = float(self.counts.get(words[0] + " " + words[1], 0))
        for a, b in itertools.pairwise(words[1:]):
            ca = self.counts.get(a, 0)
            cab = self.counts.get(a + " " + b, 0)
            if not ca or not cab:
                return 0.0
            est *= cab / ca
        return est


@lru_cache(maxsize=4)
def load_background(path: str | Path | None = None) -> Background:
    """Read the gzip'd ``ngram<TAB>count`` background table (cached)."""
    p = Path(path) if path is not None else BACKGROUND_PATH
    if not p.exists():
        raise ModelError(
            "the general-English background table is missing",
            file=str(p),
            fix="build it: python models/build_background.py ../shared/datasets/goemotions/train.tsv",
        )
    counts: dict[str, int] = {}
    total = 0
    with gzip.open(p, "rt", encoding="utf-8") as fh:
        for line in fh:
            key, _, value = line.rstrip("\n").rpartition("\t")
            if key.startswith("#"):
                if key.strip("# ") == "total_tokens":
                    total = int(value)
                continue
            counts[key] = int(value)
    if total <= 0:
        total = sum(c for k, c in counts.items() if " " not in k)
    return Background(counts, total)


# --- candidates -------------------------------------------------------------------


@dataclass
class _Occ:
    key: str
    surface: str
    unit: int  # position in the prepared unit frame
    start: int
    end: int
    kind: str
    nounish: bool = False  # the phrase ends in a noun
    pos: str = ""  # part of speech of a one-word term, "" for phrases
    initial: bool = False  # starts a sentence: its capital letter says nothing
    opinion: bool = False  # syntactically linked to an opinion word ("the screen is great")


@dataclass
class _Term:
    key: str
    kind: str
    nounish: bool = False
    pos: Counter[str] = field(default_factory=Counter)
    occs: list[_Occ] = field(default_factory=list)
    surfaces: Counter[str] = field(default_factory=Counter)

    @property
    def display(self) -> str:
        return _display_form(self.occs)


def _display_form(occs: Sequence[_Occ]) -> str:
    """The form customers wrote most often (case-insensitively), in the casing they use
    mid-sentence ("battery life", not a sentence-initial "Battery life"; "NYC" stays)."""
    by_lower: Counter[str] = Counter(o.surface.lower() for o in occs)
    best = _most_common(by_lower)
    forms = [o for o in occs if o.surface.lower() == best]
    mid = Counter(o.surface for o in forms if not o.initial)
    return _most_common(mid or Counter(o.surface for o in forms))


def _most_common(counter: Counter[str]) -> str:
    # Most frequent; ties to the lower-case then shorter then alphabetical form.
    return min(counter.items(), key=lambda kv: (-kv[1], kv[0] != kv[0].lower(), len(kv[0]), kv[0]))[
        0
    ]


def _span_key(tokens: Sequence[Token]) -> str:
    keep = [t for t in tokens if t.pos_ != "DET" and not (t.pos_ == "PRON" and t.dep_ == "poss")]
    return " ".join(token_key(t) for t in keep or tokens)


def _is_edge(tok: Token) -> bool:
    return is_word(tok) and not tok.is_stop and tok.pos_ not in _EDGE_BAD_POS


def _connected(tokens: Sequence[Token]) -> bool:
    """One phrase in the parse: exactly one token's head lies outside the span."""
    lo, hi = tokens[0].i, tokens[-1].i
    return sum(1 for t in tokens if t.head is t or not lo <= t.head.i <= hi) == 1


class _Extractor:
    """Turns one spaCy Doc into candidate occurrences."""

    def __init__(self, nlp: Language, max_ngram: int = 4) -> None:
        from spacy.matcher import Matcher

        self.max_ngram = max_ngram
        self.opinion_words = _opinion_words()
        self.matcher = Matcher(nlp.vocab)
        for name, patterns in _VERB_PATTERNS.items():
            self.matcher.add(name, patterns, greedy="LONGEST")
        self.has_parser = nlp.has_pipe("parser") and "parser" in nlp.pipe_names

    def __call__(self, doc: Doc, unit: int) -> list[_Occ]:
        masked = pii_spans(doc.text)
        bad = [
            any(a < t.idx + len(t.text) and t.idx < b for a, b in masked) or "\n" in t.text
            for t in doc
        ]
        out: list[_Occ] = []

        def add(tokens: Sequence[Token], kind: str, key: str | None = None) -> None:
            if not tokens or any(bad[t.i] for t in tokens):
                return
            if len(tokens) > _MAX_TERM_TOKENS:
                return
            k = key if key is not None else _span_key(tokens)
            if not k or not any(ch.isalpha() for ch in k):
                return
            start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
            nounish = tokens[-1].pos_ in {"NOUN", "PROPN"}
            if len(tokens) == 1:
                pos = tokens[0].pos_
            else:  # a name ("MacBook Pro") counts as a proper noun; other phrases have none
                pos = "PROPN" if all(t.pos_ == "PROPN" for t in tokens) else ""
            initial = bool(tokens[0].is_sent_start) or start == 0
            opinion = self._opinion_linked(doc, tokens[0].i, tokens[-1].i + 1)
            out.append(
                _Occ(k, doc.text[start:end], unit, start, end, kind, nounish, pos, initial, opinion)
            )

        # 1. n-grams over runs of word tokens (punctuation and masks break runs)
        run: list[Token] = []
        for tok in [*doc, None]:
            if tok is not None and is_word(tok) and not bad[tok.i]:
                run.append(tok)
                continue
            for i, first in enumerate(run):
                if first.pos_ in _CONTENT_POS and not first.is_stop and len(first.text) > 1:
                    add([first], "word")
                if not _is_edge(first):
                    continue
                for n in range(2, self.max_ngram + 1):
                    gram = run[i : i + n]
                    if len(gram) < n:
                        break
                    # up to one stop word inside a 2-3-gram, two inside a 4-gram
                    # ("arm and a leg", "queue out the door")
                    if (
                        _is_edge(gram[-1])
                        and sum(t.is_stop for t in gram) <= max(1, n - 2)
                        and (n <= 3 or (self.has_parser and _connected(gram)))
                    ):
                        kind = "ngram" if n <= 3 else "phrase"  # 4-grams are connected
                        add(gram, kind, " ".join(token_key(t) for t in gram))
            run = []

        # 2. noun chunks trimmed of determiners, pronouns, numbers
        if self.has_parser:
            for chunk in doc.noun_chunks:
                toks = list(chunk)
                while toks and (
                    toks[0].pos_ in _TRIM_POS or toks[0].is_stop or not is_word(toks[0])
                ):
                    toks.pop(0)
                while toks and (toks[-1].pos_ in _TRIM_POS or not is_word(toks[-1])):
                    toks.pop()
                if toks and any(t.pos_ in {"NOUN", "PROPN"} for t in toks) and len(toks) > 1:
                    add(toks, "noun_phrase")

        # 3. adjective + noun pairs ("slow service", "friendly staff")
        for tok in doc:
            if (
                tok.pos_ == "ADJ"
                and tok.i + 1 < len(doc)
                and doc[tok.i + 1].pos_ == "NOUN"
                and not tok.is_stop
            ):
                add([tok, doc[tok.i + 1]], "adj_noun")

        # 4. complaint and wish verb phrases
        names = doc.vocab.strings
        for match_id, s, e in self.matcher(doc):
            toks = list(doc[s:e])
            while (
                toks
                and len(toks) > 2
                and (
                    toks[-1].pos_ == "DET" or (toks[-1].pos_ == "PRON" and toks[-1].dep_ != "dobj")
                )
            ):
                toks.pop()
            add(toks, "verb_phrase:" + names[match_id])
        return out

    def _is_opinion(self, tok: Token) -> bool:
        return tok.lower_ in self.opinion_words or tok.lemma_.lower() in self.opinion_words

    def _opinion_linked(self, doc: Doc, start: int, end: int) -> bool:
        """Is the phrase doc[start:end] qualified by an opinion word through the parse?

        The opinion-target relations of double propagation (Qiu et al. 2011): an
        opinion word modifies the phrase ("great screen", "runs smoothly"), or
        governs it ("love the keyboard"), or is predicated of it through its
        head ("the screen is great", "problems with the battery").
        """
        if not self.has_parser or not self.opinion_words:
            return False
        root = doc[start:end].root

        def outside(t: Token) -> bool:
            return not (start <= t.i < end)

        if any(
            outside(c) and c.dep_ in _OPINION_CHILD_DEPS and self._is_opinion(c)
            for c in root.children
        ):
            return True
        if root.dep_ not in _ARGUMENT_DEPS:
            return False
        head = root.head
        if root.dep_ == "pobj" and head.head is not head:
            head = head.head
        if head is root or not outside(head):
            return False
        if self._is_opinion(head):
            return True
        return any(
            c is not root and outside(c) and c.dep_ in _OPINION_SIBLING_DEPS and self._is_opinion(c)
            for c in head.children
        )


# --- input preparation --------------------------------------------------------------


def _prepare(units: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Keep customer evidence: drop interviewer speech, non-answers, boilerplate."""
    import pandas as pd

    if not isinstance(units, pd.DataFrame):
        raise InputError("units must be a pandas DataFrame with a text column")
    if schema.TEXT not in units.columns:
        raise InputError(
            f'the units table has no "{schema.TEXT}" column',
            fix="pass the units table from ingest, or a frame with a text column",
        )
    df = units.copy()
    if schema.UNIT_ID not in df.columns:
        df[schema.UNIT_ID] = [str(i) for i in df.index]
    if schema.RESPONDENT_ID not in df.columns:
        df[schema.RESPONDENT_ID] = df[schema.UNIT_ID]
    df[schema.RESPONDENT_ID] = df[schema.RESPONDENT_ID].where(
        df[schema.RESPONDENT_ID].notna(), df[schema.UNIT_ID]
    )
    dropped: dict[str, int] = {}
    keep = pd.Series(True, index=df.index)
    if schema.SPEAKER_ROLE in df.columns:
        inter = df[schema.SPEAKER_ROLE].astype(str).str.lower().eq(schema.ROLE_INTERVIEWER)
        dropped["interviewer"] = int(inter.sum())
        keep &= ~inter
    non = df[schema.TEXT].map(is_non_answer)
    dropped["non_answer"] = int((non & keep).sum())
    keep &= ~non
    questions = df[schema.QUESTION] if schema.QUESTION in df.columns else [None] * len(df)
    boiler = pd.Series(
        [is_boilerplate(t, q) for t, q in zip(df[schema.TEXT], questions, strict=False)],
        index=df.index,
    )
    # Template text: the same long answer (8+ words) from many respondents (3 and at
    # least 10% of them): a pasted default or an instruction, not wording customers chose.
    # A popular sentence repeated by a few respondents stays customer evidence.
    norm = df[schema.TEXT].astype(str).str.lower().str.split().str.join(" ")
    long_text = norm.str.count(" ").ge(7)
    by_text = df[keep & long_text].groupby(norm[keep & long_text])[schema.RESPONDENT_ID].nunique()
    n_resp = df.loc[keep, schema.RESPONDENT_ID].nunique()
    templates = set(by_text[by_text >= max(3, math.ceil(0.1 * n_resp))].index)
    boiler |= norm.isin(templates) & long_text
    dropped["boilerplate"] = int((boiler & keep).sum())
    keep &= ~boiler
    out = df[keep].reset_index(drop=True)
    out[schema.TEXT] = out[schema.TEXT].astype(str)
    return out, dropped


def _align_groups(groups: pd.Series, units: pd.DataFrame, kept: pd.DataFrame) -> list[Any]:
    """One group label per kept unit; ``groups`` is keyed by respondent_id or unit_id."""
    import pandas as pd

    g = pd.Series(groups)
    idx = {str(k) for k in g.index}
    resp = kept[schema.RESPONDENT_ID].astype(str)
    uid = kept[schema.UNIT_ID].astype(str)
    lookup = {str(k): v for k, v in g.items()}
    if resp.isin(idx).any():
        labels = resp.map(lookup)
    elif uid.isin(idx).any():
        labels = uid.map(lookup)
    elif len(g) == len(units):
        # positional: one label per input unit row
        by_uid = (
            dict(zip(units[schema.UNIT_ID].astype(str), g.tolist(), strict=False))
            if (schema.UNIT_ID in units.columns)
            else {str(i): v for i, v in zip(units.index, g.tolist(), strict=False)}
        )
        labels = uid.map(by_uid)
    else:
        raise InputError(
            "groups do not match the units",
            fix="pass a Series indexed by respondent_id (e.g. the segments table) or by unit_id",
        )
    return [None if (isinstance(v, float) and v != v) or v is None else str(v) for v in labels]


# --- variant grouping -------------------------------------------------------------


def _default_embedder() -> Any:
    from insight.embed import default_embedder

    return default_embedder()


class _MemoEncoder:
    """Wraps an embedder so each distinct text is encoded once per run (terms are
    embedded for variant grouping and again for the glossary)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.vectors: dict[str, Any] = {}

    def encode(self, texts: Sequence[str], **_: Any) -> np.ndarray:
        import numpy as np

        todo = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if todo:
            for t, v in zip(todo, np.asarray(self.inner.encode(todo)), strict=True):
                self.vectors[t] = v
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self.vectors[t] for t in texts])


def _memo(embedder: Any) -> Any:
    if embedder is False or embedder is None or isinstance(embedder, _MemoEncoder):
        return embedder
    return _MemoEncoder(embedder)


def _encode(embedder: Any, texts: list[str]) -> np.ndarray:
    import numpy as np

    vecs = np.asarray(embedder.encode(texts), dtype=np.float32)
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    return vecs / np.where(norms == 0, 1.0, norms)


def _words(key: str) -> list[str]:
    return key.split()


#: Words that do not change what a phrase is about ("too pricey" ~ "pricey").
FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "my",
        "your",
        "his",
        "her",
        "its",
        "our",
        "their",
        "it",
        "they",
        "i",
        "you",
        "we",
        "he",
        "she",
        "me",
        "us",
        "them",
        "be",
        "is",
        "am",
        "are",
        "was",
        "were",
        "been",
        "being",
        "have",
        "has",
        "had",
        "do",
        "does",
        "did",
        "to",
        "of",
        "for",
        "in",
        "on",
        "at",
        "with",
        "by",
        "from",
        "and",
        "or",
        "but",
        "so",
        "too",
        "very",
        "really",
        "quite",
        "pretty",
        "way",
        "much",
        "just",
        "bit",
        "some",
        "any",
        "all",
        "also",
        "even",
        "such",
        "there",
        "here",
        "will",
        "would",
        "can",
        "could",
        "should",
        "may",
        "might",
        "must",
        "'s",
        "'m",
        "'re",
        "'ve",
        "'d",
        "'ll",
        "overly",
        "extremely",
        "super",
        "totally",
    ]
)


def _content(words: Iterable[str]) -> set[str]:
    return {w for w in words if w not in FUNCTION_WORDS and w not in {"not", "n't"}}


def _may_merge(a: str, b: str) -> bool | None:
    """Lexical rule for two keys: True = same concept, False = never, None = ask embeddings."""
    wa, wb = _words(a), _words(b)
    if contradicts(wa, wb):
        return False
    ca, cb = _content(wa), _content(wb)
    if ca and ca == cb:
        return True  # differ only in function words: "too pricey" / "pricey"
    if ca & cb:
        return False  # share a word but differ in another: "battery life" / "battery"
    return None


def _spelling_variant(a: str, b: str) -> bool:
    """Two spellings of one word: "ambiance" / "ambience", "colour" / "color"."""
    from difflib import SequenceMatcher

    if a == b or min(len(a), len(b)) < 6 or abs(len(a) - len(b)) > 1 or a[:3] != b[:3]:
        return False
    if a.startswith(b) or b.startswith(a):
        return False  # derivation or plural ("friend" / "friendly"): the lemma decides
    return SequenceMatcher(None, a, b).ratio() >= 0.85


def _pos_of(term: _Term) -> str:
    return term.pos.most_common(1)[0][0] if term.pos else ""


def _group_variants(
    terms: list[_Term],
    embedder: Any,
    similarity: float,
    noun_similarity: float,
    word_similarity: float = 0.85,
) -> list[list[_Term]]:
    """Deterministic two-stage grouping of terms (given in order of count) into concepts.

    1. Lexical: a term joins a group whose content words equal its own ("too
       pricey" / "pricey") or whose leader it respells ("ambiance" / "ambience").
    2. Meaning: groups, largest first, join the concept holding a close pair
       (cosine >= ``similarity`` for descriptive phrases, ``noun_similarity``
       for noun phrases, ``word_similarity`` for two single words of the same
       part of speech) when all cross pairs are, on average, not far apart
       (>= ``similarity - 0.1``). Nouns never merge with descriptions, and no
       pair may contradict (antonyms, opposite polarity, negation, a shared
       word with a different modifier).
    """
    import numpy as np

    if not terms:
        return []
    content = [frozenset(_content(_words(t.key))) for t in terms]
    single = [" " not in t.key for t in terms]
    pos = [_pos_of(t) for t in terms]

    # 1. lexical groups
    lex: list[list[int]] = []
    by_content: dict[frozenset[str], list[int]] = defaultdict(list)
    by_prefix: dict[str, list[int]] = defaultdict(list)
    for i, term in enumerate(terms):
        cands = list(by_content.get(content[i], [])) if content[i] else []
        if single[i]:
            cands += [
                g
                for g in by_prefix[term.key[:3]]
                if _spelling_variant(term.key, terms[lex[g][0]].key)
            ]
        target = next(
            (
                g
                for g in sorted(set(cands))
                if all(_may_merge(term.key, terms[j].key) is not False for j in lex[g])
            ),
            None,
        )
        if target is None:
            target = len(lex)
            lex.append([i])
            if single[i]:
                by_prefix[term.key[:3]].append(target)
        else:
            lex[target].append(i)
        if content[i]:
            by_content[content[i]].append(target)
    if embedder is False:
        return [[terms[j] for j in g] for g in lex]

    # 2. merge lexical groups by meaning
    vecs = _encode(embedder, [t.display for t in terms])

    def pair_threshold(a: int, b: int) -> float:
        if terms[a].nounish != terms[b].nounish:
            return 2.0  # a thing and a description ("speed" / "slow down") stay apart
        if single[a] and single[b]:
            if pos[a] != pos[b]:
                return 2.0  # "friends" / "friendly", "use" / "useful": related, not variants
            # embeddings put co-hyponyms and antonyms close ("husband" / "wife",
            # "east" / "west"), so two single words merge only as near-synonyms
            return word_similarity
        return noun_similarity if terms[a].nounish else similarity

    floor = min(similarity, noun_similarity, word_similarity)
    lex.sort(key=lambda g: (-sum(len(terms[j].occs) for j in g), g[0]))
    concepts: list[list[int]] = []
    concept_of = np.full(len(terms), -1)
    for g in lex:
        placed = np.nonzero(concept_of >= 0)[0]
        best, best_sim = -1, -1.0
        if len(placed):
            sims = vecs[g] @ vecs[placed].T  # (len(g), placed)
            near = {int(concept_of[placed[k]]) for k in np.nonzero((sims >= floor).any(axis=0))[0]}
            for c in sorted(near):
                members = concepts[c]
                cross = vecs[g] @ vecs[members].T
                ok = [
                    float(cross[a, b])
                    for a in range(len(g))
                    for b in range(len(members))
                    if cross[a, b] >= pair_threshold(g[a], members[b])
                ]
                if not ok or float(cross.mean()) < similarity - 0.1:
                    continue
                if any(_may_merge(terms[a].key, terms[b].key) is False for a in g for b in members):
                    continue
                if max(ok) > best_sim:
                    best, best_sim = c, max(ok)
        if best < 0:
            best = len(concepts)
            concepts.append([])
        concepts[best].extend(g)
        concept_of[g] = best
    return [[terms[j] for j in sorted(c)] for c in concepts]


# --- quotes -------------------------------------------------------------------------


def _quote(text: str, start: int, end: int, width: int = 70) -> str:
    """A short window of ``text`` around [start, end) cut at word boundaries."""
    lo = max(0, start - width)
    hi = min(len(text), end + width)
    if lo > 0:
        sp = text.find(" ", lo, start)
        lo = sp + 1 if sp != -1 else lo
    if hi < len(text):
        sp = text.rfind(" ", end, hi)
        hi = sp if sp != -1 else hi
    core = " ".join(text[lo:hi].split()) if "\n" in text[lo:hi] else text[lo:hi].strip()
    return ("…" if lo > 0 else "") + core + ("…" if hi < len(text) else "")


def _examples(
    occs: list[_Occ], kept: pd.DataFrame, display: str, n: int = 3
) -> list[dict[str, str]]:
    texts = kept[schema.TEXT].tolist()
    uids = kept[schema.UNIT_ID].astype(str).tolist()
    resp = kept[schema.RESPONDENT_ID].astype(str).tolist()
    ranked = sorted(
        occs,
        key=lambda o: (o.surface != display, abs(len(texts[o.unit]) - 90), o.unit, o.start),
    )
    out: list[dict[str, str]] = []
    seen_resp: set[str] = set()
    seen_units: set[int] = set()
    for pass_ in (0, 1):
        for o in ranked:
            if len(out) >= n:
                break
            if o.unit in seen_units or (pass_ == 0 and resp[o.unit] in seen_resp):
                continue
            quote = _quote(texts[o.unit], o.start, o.end)
            if o.surface not in quote:  # cannot happen; keeps the verbatim promise explicit
                continue
            out.append({"unit_id": uids[o.unit], "variant": o.surface, "quote": quote})
            seen_resp.add(resp[o.unit])
            seen_units.add(o.unit)
    return out


# --- public API ---------------------------------------------------------------------


@dataclass
class _Concept:
    terms: list[_Term]
    occs: list[_Occ]
    units: set[int]
    respondents: set[str]

    @property
    def leader(self) -> _Term:
        return self.terms[0]


def _dedupe_overlaps(occs: Iterable[_Occ]) -> list[_Occ]:
    """One occurrence per overlapping region of a unit (nested variants count once)."""
    out: list[_Occ] = []
    by_unit: dict[int, list[_Occ]] = defaultdict(list)
    for o in occs:
        by_unit[o.unit].append(o)
    for unit in sorted(by_unit):
        taken: list[tuple[int, int]] = []
        for o in sorted(by_unit[unit], key=lambda o: (-(o.end - o.start), o.start)):
            if any(o.start < e and s < o.end for s, e in taken):
                continue
            taken.append((o.start, o.end))
            out.append(o)
    return sorted(out, key=lambda o: (o.unit, o.start))


def _collect(
    kept: pd.DataFrame, nlp: Language | None, batch_size: int
) -> tuple[dict[str, _Term], list[int]]:
    """Candidate terms (by lemma key) and the number of word tokens per unit."""
    nlp = nlp if nlp is not None else load_spacy(disable=("ner",))
    extractor = _Extractor(nlp)
    texts = kept[schema.TEXT].tolist()
    # Each distinct text is parsed once (survey answers repeat: "Price", "Too expensive").
    index: dict[str, int] = {}
    for text in texts:
        index.setdefault(text, len(index))
    unique = list(index)
    per_text: list[tuple[int, list[_Occ]]] = []
    for j, doc in enumerate(pipe(nlp, unique, batch_size=batch_size)):
        _merge_hyphenated(doc)
        seen: dict[tuple[str, int, int], _Occ] = {}
        for occ in extractor(doc, j):
            sig = (occ.key, occ.start, occ.end)
            if sig in seen:
                kept_occ = seen[sig]
                if occ.kind not in {"word", "ngram"} and kept_occ.kind in {"word", "ngram"}:
                    kept_occ.kind = occ.kind  # a parsed phrase, not just an n-gram
                kept_occ.opinion = kept_occ.opinion or occ.opinion
                continue
            seen[sig] = occ
        per_text.append((sum(1 for t in doc if is_word(t)), list(seen.values())))
    terms: dict[str, _Term] = {}
    tokens_per_unit: list[int] = []
    for i, text in enumerate(texts):
        n_tokens, occs = per_text[index[text]]
        tokens_per_unit.append(n_tokens)
        for proto in occs:
            occ = replace(proto, unit=i)
            term = terms.get(occ.key)
            if term is None:
                term = terms[occ.key] = _Term(occ.key, occ.kind)
            elif term.kind in {"word", "ngram"} and occ.kind not in {"word", "ngram"}:
                # a phrase type (noun chunk, verb phrase) is more telling than "n-gram"
                term.kind = occ.kind
            term.occs.append(occ)
            term.surfaces[occ.surface] += 1
            term.nounish = term.nounish or occ.nounish
            term.pos[occ.pos] += 1
    _merge_name_spellings(terms)
    return terms, tokens_per_unit


def _merge_name_spellings(terms: dict[str, _Term]) -> None:
    """Lower-case spellings of a name join the name ("windows" -> "Windows").

    spaCy lemmatises a lower-case "windows" to "window" but keeps the proper noun
    "Windows": customers who skip the capital mean the same thing. A one-word
    term is a name when it is mostly tagged a proper noun and mostly capitalised
    where a capital says something (not sentence-initial); its lower-case
    spellings move to it when they are rarer than the capitalised form (in a
    food corpus "apple" stays the fruit).
    """
    names: dict[str, tuple[str, int]] = {}  # lower-case surface -> (name key, capitalised uses)
    for key, term in terms.items():
        if " " in key or term.pos["PROPN"] <= 0.5 * sum(term.pos.values()):
            continue
        mid = [o.surface for o in term.occs if not o.initial]
        capital = sum(1 for s in mid if s[:1].isupper())
        if mid and capital > 0.5 * len(mid):
            names[key.lower()] = (key, capital)
    if not names:
        return
    for key in list(terms):
        term = terms[key]
        if " " in key:
            continue
        for lower in [sf for sf in term.surfaces if sf in names]:
            name_key, capital = names[lower]
            if name_key == key or term.surfaces[lower] >= capital:
                continue
            moved = [o for o in term.occs if o.surface == lower]
            name = terms[name_key]
            for o in moved:
                name.occs.append(replace(o, key=name_key))
                name.surfaces[o.surface] += 1
                name.pos[o.pos] += 1
                term.surfaces[o.surface] -= 1
                term.pos[o.pos] -= 1
            name.occs.sort(key=lambda o: (o.unit, o.start))
            term.occs = [o for o in term.occs if o.surface != lower]
            term.surfaces = +term.surfaces
            term.pos = +term.pos
        if not term.occs:
            del terms[key]


def _merge_hyphenated(doc: Doc) -> None:
    """Merge hyphenated compounds into one token: "rip-off", "idiot-proof", "built-in".

    spaCy splits "rip-off" into three tokens; customers write it as one word.
    Only hyphens with no space on either side between two word tokens are merged;
    the merged token keeps the parse of its syntactic root and a lemma that
    lemmatises the last part ("rip-offs" -> "rip-off").
    """
    if "-" not in doc.text:
        return
    spans: list[tuple[int, int]] = []
    i = 1
    while i < len(doc) - 1:
        tok = doc[i]
        if (
            tok.text == "-"
            and not doc[i - 1].whitespace_
            and not tok.whitespace_
            and doc[i - 1].is_alpha
            and doc[i + 1].is_alpha
        ):
            if spans and spans[-1][1] == i:
                spans[-1] = (spans[-1][0], i + 2)  # a chain: "state-of-the-art"
            else:
                spans.append((i - 1, i + 2))
            i += 2
            continue
        i += 1
    if not spans:
        return
    with doc.retokenize() as retok:
        for a, b in spans:
            parts = doc[a:b]
            lemma = "".join(t.text_with_ws for t in parts[:-1]) + parts[-1].lemma_
            retok.merge(parts, attrs={"LEMMA": lemma.lower()})


def _concepts(
    terms: dict[str, _Term],
    resp: list[str],
    min_count: int,
    max_candidates: int,
    embedder: Any,
    similarity: float,
    noun_similarity: float,
) -> list[_Concept]:
    """Frequent-enough terms grouped into concepts (variants merged)."""
    min_resp = 2 if len(set(resp)) >= 2 else 1
    pool = [
        t
        for t in terms.values()
        if len(t.occs) >= min_count and len({resp[o.unit] for o in t.occs}) >= min_resp
    ]
    pool.sort(key=lambda t: (-len(t.occs), t.key))
    pool = pool[:max_candidates]
    concepts: list[_Concept] = []
    for members in _group_variants(pool, embedder, similarity, noun_similarity):
        occs = _dedupe_overlaps(o for t in members for o in t.occs)
        units_ = {o.unit for o in occs}
        concepts.append(_Concept(members, occs, units_, {resp[u] for u in units_}))
    return concepts


def _background_z(
    concepts: list[_Concept], bg: Background, n_corpus: float, prior_strength: float
) -> list[float]:
    """Fightin' Words z of each concept: this corpus vs general English."""
    out = []
    for c in concepts:
        b = sum(bg.count(t.key) for t in c.terms)
        out.append(
            fightin_words_z(float(len(c.occs)), n_corpus, b, float(bg.total), prior_strength)
        )
    return out


#: Time expressions: they tell the story of an order or a repair ("after two months"),
#: not what customers think of a product or service.
TIME_WORDS = frozenset(
    [
        "second",
        "minute",
        "hour",
        "day",
        "week",
        "month",
        "year",
        "decade",
        "time",
        "today",
        "yesterday",
        "tomorrow",
        "weekend",
        "morning",
        "afternoon",
        "evening",
        "tonight",
    ]
)

#: Score factor for names (brands, products, places) and time expressions in the
#: corpus-vs-English ranking: real words, but not the customers' own wording.
NAME_WEIGHT = 0.5


def _opinion_share(concepts: list[_Concept]) -> list[float]:
    """Share of each concept's occurrences that an opinion word qualifies in the parse.

    Review vocabulary is about what customers evaluate: opinion targets are
    linked to opinion words by a few dependency relations ("great screen",
    "the screen is great", "love the keyboard", "runs smoothly"; Qiu et al.
    2011, double propagation; Hu & Liu 2004 for the opinion-target idea). The
    opinion words are the VADER lexicon entries with |valence| >= 1.
    """
    return [sum(o.opinion for o in c.occs) / max(len(c.occs), 1) for c in concepts]


@lru_cache(maxsize=1)
def _opinion_words() -> frozenset[str]:
    """Opinion words: the VADER lexicon entries with |valence| >= 1."""
    return frozenset(w for w, v in valence_lexicon().items() if abs(v) >= 1.0)


def _type_weight(c: _Concept) -> float:
    """Down-weight names, time expressions, and lone words that describe rather than name.

    Names (mostly tagged PROPN) and time expressions are real words but context,
    not the customers' wording. A lone verb, adjective or adverb ("buy",
    "send", "new") or a bare opinion word ("great", "problems") says what
    customers did or how they feel, which sentiment, emotions and pain points
    already report; as vocabulary it tells most inside a phrase ("keeps
    freezing", "easy to use", "super friendly staff"), which keeps full weight.
    Each rule halves the weight once.
    """
    pos: Counter[str] = Counter()
    for t in c.terms:
        pos.update(t.pos)
    n = sum(pos.values())  # phrases count as "" unless every word is a proper noun
    w = 1.0
    if n and pos["PROPN"] > 0.5 * n:
        w *= NAME_WEIGHT
    if all(t.key.split()[-1] in TIME_WORDS for t in c.terms):
        w *= NAME_WEIGHT
    single = all(" " not in t.key for t in c.terms)
    describing = single and n and pos["VERB"] + pos["ADJ"] + pos["ADV"] > 0.5 * n
    opinion = _opinion_words()
    bare = sum(len(t.occs) for t in c.terms if " " not in t.key and t.key in opinion)
    if describing or bare > 0.5 * sum(len(t.occs) for t in c.terms):
        w *= NAME_WEIGHT
    return w


def _nested_counts(
    concepts: list[_Concept], occs: Sequence[Sequence[_Occ]] | None = None
) -> list[int]:
    """Per concept, the occurrences that sit inside a longer phrase of another concept.

    Only a parsed phrase (noun phrase, adjective + noun, verb phrase, a
    connected 4-gram) is a host. ``occs`` restricts the count to some
    occurrences per concept (those of one group).
    """
    occs_of = occs if occs is not None else [c.occs for c in concepts]
    spans: dict[int, list[tuple[int, int, int, int]]] = defaultdict(list)
    for ci, c_occs in enumerate(occs_of):
        # a host is a concept parsed as a phrase somewhere (all its occurrences count:
        # "the steam wand's" is an n-gram occurrence of the noun phrase "steam wand")
        if all(t.kind in {"word", "ngram"} for t in concepts[ci].terms):
            continue
        for o in c_occs:
            spans[o.unit].append((o.start, o.end, ci, len(o.key.split())))
    out: list[int] = []
    for ci, c in enumerate(concepts):
        n_words = min(len(t.key.split()) for t in c.terms)
        out.append(
            sum(
                1
                for o in occs_of[ci]
                if any(
                    cj != ci
                    and nw > n_words
                    and s <= o.start
                    and o.end <= e
                    and e - s > o.end - o.start
                    for s, e, cj, nw in spans[o.unit]
                )
            )
        )
    return out


def _subsumed(
    concepts: list[_Concept],
    share: float = 0.8,
    min_count: int = 5,
    occs: Sequence[Sequence[_Occ]] | None = None,
    nested: Sequence[int] | None = None,
) -> set[int]:
    """Concepts that are mostly fragments of a longer phrase ("York" inside "New York").

    Inside any longer phrase counts ("Pro" sits in "MacBook Pro", "Mac Book
    Pro" and "Pro notebook", none of them alone 80% of the time), with
    ``min_count`` occurrences as evidence. ``occs`` as in :func:`_nested_counts`;
    ``nested``: its result when already computed for the same occurrences.
    """
    occs_of = occs if occs is not None else [c.occs for c in concepts]
    if nested is None:
        nested = _nested_counts(concepts, occs_of)
    return {
        ci
        for ci, c_occs in enumerate(occs_of)
        if len(c_occs) >= min_count and nested[ci] >= share * len(c_occs)
    }


def _rank(
    concepts: list[_Concept], z_bg: list[float], z_threshold: float = 1.96, base: float = 0.5
) -> list[int]:
    """Concept indices for the overall list: the terms customers use most among those
    over-used vs general English (``z_bg >= z_threshold``).

    Score: ``free count * (base + opinion share) * type weight``, where the free
    count leaves out the occurrences inside a longer phrase, which gets the credit
    ("life" in "battery life"; the nested-term correction of C-value, Frantzi,
    Ananiadou & Mima 2000); fragments of longer terms are left out. Frequency
    ranks, distinctiveness filters: ranking by z alone favours words merely absent
    from the background (a product name said five times) over what most
    customers talk about.
    """
    opinion = _opinion_share(concepts)
    nested = _nested_counts(concepts)
    drop = _subsumed(concepts, nested=nested)
    score = [
        (len(c.occs) - k) * (base + e) * _type_weight(c)
        for e, c, k in zip(opinion, concepts, nested, strict=True)
    ]
    order = sorted(range(len(concepts)), key=lambda i: (-score[i], -z_bg[i], i))
    return [i for i in order if z_bg[i] >= z_threshold and i not in drop]


def extract_vocabulary(
    units: pd.DataFrame,
    groups: pd.Series | None = None,
    glossary: Sequence[str] | Sequence[tuple[str, str]] | None = None,
    embedder: Any = None,
    top_n: int = 50,
    min_count: int = 2,
    nlp: Language | None = None,
    *,
    background: Background | str | Path | None = None,
    similarity: float = 0.6,
    noun_similarity: float = 0.8,
    prior_strength: float = 1.0,
    z_threshold: float = 1.96,
    max_candidates: int = 1500,
    batch_size: int = 256,
) -> pd.DataFrame:
    """The customers' own vocabulary: distinctive terms with variants, counts and quotes.

    Args:
        units: evidence units (``insight.schema``: unit_id, respondent_id,
            speaker_role, text); a frame with only ``text`` works (one
            respondent per row).
        groups: optional group label (segment, persona, any column) as a
            Series indexed by respondent_id or unit_id.
        glossary: optional company terms (``"term"`` or ``"term,definition"``);
            each output concept gets the glossary term it matches in
            ``glossary_term`` (see :func:`glossary_map`).
        embedder: object with ``encode(list[str]) -> array``; default MiniLM
            (``insight.embed.Embedder`` when present). ``False``: group
            variants by lemma only.
        top_n: terms kept overall and per group.
        min_count: minimum occurrences of a term (and at least two respondents
            when there are two or more).
        nlp: a loaded spaCy pipeline (default :func:`insight.nlp.load_spacy`).
        background: the general-English table (default ``models/background``).
        similarity / noun_similarity: cosine needed to merge two phrases as
            variants (nouns need more: "pizza" and "pasta" are not variants).

    Returns:
        One row per (term, group): ``group == "all"`` rows rank concepts by
        distinctiveness vs general English (``z == z_background``, weighted
        by how often an opinion word qualifies the term in the parse, names
        and time expressions halved; fragments of longer phrases left out);
        per-group rows rank the terms over-used in the group (group-vs-rest
        z > 0, counts within the group, fragments left out), and
        ``distinctive_in`` lists the groups where z >= ``z_threshold``.
        Columns: :data:`VOCAB_COLUMNS`.
    """
    import pandas as pd

    kept, dropped = _prepare(units)
    log.info(
        "vocabulary: %d units kept of %d (%s)",
        len(kept),
        len(units),
        ", ".join(f"{k} {v}" for k, v in dropped.items() if v),
    )
    if kept.empty:
        return pd.DataFrame(columns=VOCAB_COLUMNS)
    bg = background if isinstance(background, Background) else load_background(background)

    terms, tokens_per_unit = _collect(kept, nlp, batch_size)
    resp = kept[schema.RESPONDENT_ID].astype(str).tolist()
    n_resp_total = len(set(resp))
    if embedder is None:
        embedder = _default_embedder()
    embedder = _memo(embedder)
    concepts = _concepts(
        terms, resp, min_count, max_candidates, embedder, similarity, noun_similarity
    )
    if not concepts:
        return pd.DataFrame(columns=VOCAB_COLUMNS)
    z_bg = _background_z(concepts, bg, float(sum(tokens_per_unit)), prior_strength)

    gloss_of = _glossary_for_concepts(glossary, concepts, embedder) if glossary else {}

    def row(ci: int, group: str, occs: list[_Occ], z: float, n_resp: int) -> dict[str, Any]:
        c = concepts[ci]
        surf: Counter[str] = Counter(o.surface for o in occs)
        display = _display_form([o for o in occs if o.key == c.leader.key] or occs)
        variants = sorted(surf.items(), key=lambda kv: (-kv[1], kv[0]))
        resps = {resp[o.unit] for o in occs}
        return {
            "term": display,
            "variants": [v for v, _ in variants],
            "variant_counts": [n for _, n in variants],
            "kind": c.leader.kind,
            "count": len(occs),
            "respondents": len(resps),
            "respondent_share": len(resps) / n_resp if n_resp else 0.0,
            "z": z,
            "z_background": z_bg[ci],
            "group": group,
            "distinctive_in": [],
            "glossary_term": gloss_of.get(ci),
            "unit_ids": sorted({str(kept[schema.UNIT_ID].iat[o.unit]) for o in occs}),
            "examples": _examples(occs, kept, display),
        }

    rows: list[dict[str, Any]] = []
    overall = _rank(concepts, z_bg, z_threshold)[:top_n]
    for ci in overall:
        rows.append(row(ci, ALL_GROUP, concepts[ci].occs, z_bg[ci], n_resp_total))

    if groups is not None:
        labels = _align_groups(groups, units, kept)
        names = sorted({g for g in labels if g is not None})
        tokens_in: Counter[str] = Counter()
        resp_in: dict[str, set[str]] = defaultdict(set)
        for u, g in enumerate(labels):
            if g is not None:
                tokens_in[g] += tokens_per_unit[u]
                resp_in[g].add(resp[u])
        n_labelled = float(sum(tokens_in.values()))
        distinctive: dict[int, list[str]] = defaultdict(list)
        for g in names:
            n_g = float(tokens_in[g])
            scored = []
            occs_g = [[o for o in c.occs if labels[o.unit] == g] for c in concepts]
            fragments = _subsumed(concepts, occs=occs_g)
            for ci, c in enumerate(concepts):
                occ_g = occs_g[ci]
                y_all = sum(1 for o in c.occs if labels[o.unit] is not None)
                y_g = len(occ_g)
                if n_labelled - n_g <= 0:
                    z = 0.0
                else:
                    z = fightin_words_z(y_g, n_g, y_all - y_g, n_labelled - n_g, prior_strength)
                if z > 0 and y_g >= min_count:
                    if z >= z_threshold:
                        distinctive[ci].append(g)
                    if ci not in fragments:  # "arm" inside "an arm and a leg"
                        scored.append((z, ci, occ_g))
            scored.sort(key=lambda s: (-s[0], s[1]))
            for z, ci, occ_g in scored[:top_n]:
                rows.append(row(ci, g, occ_g, z, len(resp_in[g])))
        for r, ci in zip(rows, overall, strict=False):
            r["distinctive_in"] = distinctive.get(ci, [])
    log.info(
        "vocabulary: %d candidate terms, %d concepts, %d rows", len(terms), len(concepts), len(rows)
    )
    return pd.DataFrame(rows, columns=VOCAB_COLUMNS)


# --- glossary -----------------------------------------------------------------------


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


def vocabulary_for_store(vocab: pd.DataFrame) -> pd.DataFrame:
    """The ``vocabulary`` store table (CONTRACTS.md): lists kept, examples as JSON text."""
    import json

    out = vocab.copy()
    out["examples"] = out["examples"].map(lambda ex: json.dumps(ex, ensure_ascii=False))
    return out


# --- plain files (one unit per row) -------------------------------------------------


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
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """:func:`extract_vocabulary` (and :func:`glossary_map`) on a plain file, one unit per row."""
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


__all__ = [
    "ALL_GROUP",
    "BACKGROUND_PATH",
    "VOCAB_COLUMNS",
    "Background",
    "extract_vocabulary",
    "fightin_words_z",
    "glossary_map",
    "load_background",
    "log_odds_z",
    "parse_glossary",
    "read_glossary",
    "read_text_table",
    "units_from_table",
    "vocabulary_csv_frame",
    "vocabulary_for_store",
    "vocabulary_from_file",
]
