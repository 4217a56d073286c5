"""Span extraction: one spaCy Doc to candidate occurrences (n-grams, noun chunks,
adjective + noun pairs, complaint/wish verb phrases), with the token tests, the
non-content masks (PII, transcriber notes, filler) and the opinion lexicon they use.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from insight.nlp import (
    FILLER_PHRASES,
    FILLER_WORDS,
    NON_CONTENT_RE,
    is_word,
    pii_spans,
    pipe,
    token_key,
    valence_lexicon,
)

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token


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


def _span_key(tokens: Sequence[Token]) -> str:
    keep = [t for t in tokens if t.pos_ != "DET" and not (t.pos_ == "PRON" and t.dep_ == "poss")]
    return " ".join(token_key(t) for t in keep or tokens)


def _is_edge(tok: Token) -> bool:
    return is_word(tok) and not tok.is_stop and tok.pos_ not in _EDGE_BAD_POS


def _connected(tokens: Sequence[Token]) -> bool:
    """One phrase in the parse: exactly one token's head lies outside the span."""
    lo, hi = tokens[0].i, tokens[-1].i
    return sum(1 for t in tokens if t.head is t or not lo <= t.head.i <= hi) == 1


# --- speech that is not content --------------------------------------------------------

# Multi-word filler ("you know", "I mean", "kind of"), not before a question word
# ("I mean what I say", "you know how it works" keep their words).
_FILLER_PHRASE = re.compile(
    r"(?<![\w'’])(?:" + "|".join(p.replace(" ", r"\s+") for p in FILLER_PHRASES) + r")(?![\w'’])"
    r"(?!\s+(?:what|how|where|when|why|who|which|whether|if|that)\b)",
    re.IGNORECASE,
)
#: Filler words that are words too: filler only as an interjection ("Well, ...", "right?").
_FILLER_IF_INTJ = frozenset({"well", "right", "so", "okay", "ok", "alright"})


def non_content_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges that are never part of a term: masked PII placeholders,
    anonymisation marks (``XXXX``, ``[name]``), transcriber notes (``(laughs)``,
    ``(unintelligible)``) and filler phrases (``you know``, ``I mean``)."""
    spans = pii_spans(text)
    spans += [m.span() for m in NON_CONTENT_RE.finditer(text)]
    spans += [m.span() for m in _FILLER_PHRASE.finditer(text)]
    return spans


def is_filler_token(tok: Token) -> bool:
    """A filler token in context: "uh", "um", "yeah" always; "like" unless it is the verb;
    "well"/"right"/"okay" when spaCy tags them as interjections."""
    low = tok.lower_.replace("’", "'")
    if low not in FILLER_WORDS:
        return False
    if low == "like":
        return tok.pos_ != "VERB"
    if low in _FILLER_IF_INTJ:
        return tok.pos_ == "INTJ"
    return True


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
        text = doc.text  # Doc.text joins every token anew: read it once
        masked = non_content_spans(text)
        tokens = list(doc)
        bad = [
            (bool(masked) and any(a < t.idx + len(t.text) and t.idx < b for a, b in masked))
            or "\n" in t.text
            or is_filler_token(t)
            for t in tokens
        ]
        # per token, read once: a word (:func:`insight.nlp.is_word`), an n-gram edge (_is_edge)
        words = [is_word(t) for t in tokens]
        edges = [w and _is_edge(t) for t, w in zip(tokens, words, strict=True)]
        out: list[_Occ] = []
        # the doc's opinion words, read once (most texts have none: no phrase is linked)
        opinions = (
            {t.i for t in doc if self._is_opinion(t)}
            if self.has_parser and self.opinion_words
            else set()
        )

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
            opinion = bool(opinions) and self._opinion_linked(
                doc, tokens[0].i, tokens[-1].i + 1, opinions
            )
            out.append(
                _Occ(k, text[start:end], unit, start, end, kind, nounish, pos, initial, opinion)
            )

        # 1. n-grams over runs of word tokens (punctuation and masks break runs)
        run: list[Token] = []
        for tok in [*tokens, None]:
            if tok is not None and words[tok.i] and not bad[tok.i]:
                run.append(tok)
                continue
            for i, first in enumerate(run):
                if first.pos_ in _CONTENT_POS and not first.is_stop and len(first.text) > 1:
                    add([first], "word")
                if not edges[first.i]:
                    continue
                for n in range(2, self.max_ngram + 1):
                    gram = run[i : i + n]
                    if len(gram) < n:
                        break
                    # up to one stop word inside a 2-3-gram, two inside a 4-gram
                    # ("arm and a leg", "queue out the door")
                    if (
                        edges[gram[-1].i]
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
                toks += _version_number(doc, toks)
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

    def _opinion_linked(
        self, doc: Doc, start: int, end: int, opinions: set[int] | None = None
    ) -> bool:
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

        def is_opinion(t: Token) -> bool:  # ``opinions``: the doc's opinion words, by index
            return t.i in opinions if opinions is not None else self._is_opinion(t)

        if any(
            outside(c) and c.dep_ in _OPINION_CHILD_DEPS and is_opinion(c) for c in root.children
        ):
            return True
        if root.dep_ not in _ARGUMENT_DEPS:
            return False
        head = root.head
        if root.dep_ == "pobj" and head.head is not head:
            head = head.head
        if head is root or not outside(head):
            return False
        if is_opinion(head):
            return True
        return any(
            c is not root and outside(c) and c.dep_ in _OPINION_SIBLING_DEPS and is_opinion(c)
            for c in head.children
        )


def _version_number(doc: Doc, toks: Sequence[Token]) -> list[Token]:
    """The version or model number right after a name ends its phrase: "Windows 7",
    "iPhone 4", "Office 2010" (spaCy leaves the number out of the noun chunk)."""
    if not toks or toks[-1].pos_ != "PROPN" or toks[-1].i + 1 >= len(doc):
        return []
    num = doc[toks[-1].i + 1]
    ok = num.pos_ == "NUM" and num.head.i == toks[-1].i
    return [num] if ok and num.text.isdigit() and len(num.text) <= 4 else []


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


@lru_cache(maxsize=1)
def _opinion_words() -> frozenset[str]:
    """Opinion words: the VADER lexicon entries with |valence| >= 1."""
    return frozenset(w for w, v in valence_lexicon().items() if abs(v) >= 1.0)


# --- parsing many texts ------------------------------------------------------------------

#: Fewer texts than this are parsed in this process alone (see :func:`insight.nlp_pool.map_chunks`).
PARALLEL_MIN_TEXTS = 3000

Parsed = tuple[int, list[_Occ]]


def parse_text(extractor: _Extractor, doc: Doc) -> Parsed:
    """Word-token count and candidate occurrences (unit 0) of one parsed text."""
    _merge_hyphenated(doc)
    seen: dict[tuple[str, int, int], _Occ] = {}
    for occ in extractor(doc, 0):
        sig = (occ.key, occ.start, occ.end)
        if sig in seen:
            kept_occ = seen[sig]
            if occ.kind not in {"word", "ngram"} and kept_occ.kind in {"word", "ngram"}:
                kept_occ.kind = occ.kind  # a parsed phrase, not just an n-gram
            kept_occ.opinion = kept_occ.opinion or occ.opinion
            continue
        seen[sig] = occ
    return sum(1 for t in doc if is_word(t)), list(seen.values())


#: one extractor per pipeline (its Matcher holds the pipeline's vocabulary)
_EXTRACTORS: dict[int, tuple[Language, _Extractor]] = {}


def _parse_chunk(nlp: Language, texts: list[str], batch_size: int) -> list[Parsed]:
    """:func:`parse_text` of each text (here or in a helper process)."""
    held = _EXTRACTORS.get(id(nlp))
    if held is None or held[0] is not nlp:
        held = _EXTRACTORS[id(nlp)] = (nlp, _Extractor(nlp))
    extractor = held[1]
    return [parse_text(extractor, doc) for doc in pipe(nlp, texts, batch_size=batch_size)]


def parse_texts(
    texts: Sequence[str], nlp: Language, batch_size: int = 256, progress: bool = False
) -> list[Parsed]:
    """:func:`parse_text` of each text, in order.

    On :data:`PARALLEL_MIN_TEXTS` texts or more, helper processes parse some of them
    (:func:`insight.nlp_pool.map_chunks`); each text's result depends on that text only, so
    the output is the same either way. ``progress``: a bar on stderr (only on a terminal).
    """
    from tqdm import tqdm

    from insight.nlp_pool import map_chunks

    with tqdm(
        total=len(texts),
        desc="vocabulary: parsing",
        unit="text",
        disable=None if progress else True,  # None: only on a terminal, never in logs
        leave=False,
    ) as bar:
        return map_chunks(
            _parse_chunk,
            list(texts),
            nlp,
            batch_size=batch_size,
            min_items=PARALLEL_MIN_TEXTS,
            advance=bar.update,
        )
