"""Candidate terms: spaCy noun chunks, complaint/wish verb phrases, adjective + noun pairs
and n-grams, with their occurrences (unit, character span) and short verbatim quotes.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from insight import schema
from insight.errors import InputError
from insight.nlp import (
    is_boilerplate,
    is_non_answer,
    load_spacy,
)
from insight.vocabulary.extractor import (
    _Occ,
    _opinion_words,
    parse_texts,
)
from insight.vocabulary.extractor import is_filler_token as is_filler_token
from insight.vocabulary.extractor import non_content_spans as non_content_spans

if TYPE_CHECKING:
    import pandas as pd
    from spacy.language import Language


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


#: the table of parsed candidates in a study's text cache (:class:`insight.engine.cache.TextCache`)
PARSE_CACHE = "vocabulary_parse_cache"


def _parse_key(nlp: Language) -> str:
    """Cache key of one text's parsed candidates: the spaCy model, its components, the
    opinion lexicon and the code that turns a parse into candidates."""
    from pathlib import Path

    from insight import __version__
    from insight.engine.cache import files_key

    meta = nlp.meta
    salt = "|".join(
        [
            __version__,
            f"{meta.get('lang')}_{meta.get('name')}-{meta.get('version')}",
            ",".join(nlp.pipe_names),
            str(len(_opinion_words())),
        ]
    )
    here = Path(__file__).resolve()
    return files_key([here, here.parent / "extractor.py", here.parent.parent / "nlp.py"], salt=salt)


_OccRow = tuple[str, str, int, int, str, bool, str, bool, bool]


def _occ_row(o: _Occ) -> _OccRow:
    return (o.key, o.surface, o.start, o.end, o.kind, o.nounish, o.pos, o.initial, o.opinion)


def _parse_all(
    unique: list[str], nlp: Language, batch_size: int, progress: bool, cache: Any
) -> list[tuple[int, list[_Occ]]]:
    """:func:`_parse_text` of each text; with a text cache, only the texts it has not seen
    are parsed (keyed by the SHA-1 of the text and :func:`_parse_key`) and theirs are added."""
    import hashlib
    import json

    import pandas as pd

    parsed: dict[int, tuple[int, list[_Occ]]] = {}
    key = hashes = None
    if cache is not None:
        key = _parse_key(nlp)
        hashes = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in unique]
        keys = pd.DataFrame({"text_hash": list(dict.fromkeys(hashes)), "model": key})
        found = cache.read_matching(PARSE_CACHE, keys)
        rows = dict(zip(found.get("text_hash", []), found.get("parse", []), strict=True))
        for j, h in enumerate(hashes):
            if h in rows:
                n_tokens, occs = json.loads(rows[h])
                parsed[j] = (n_tokens, [_Occ(o[0], o[1], 0, *o[2:]) for o in occs])
    todo = [j for j in range(len(unique)) if j not in parsed]
    # in helper processes too on a large study (same result, see parse_texts)
    new = parse_texts([unique[j] for j in todo], nlp, batch_size=batch_size, progress=progress)
    parsed.update(zip(todo, new, strict=True))
    if cache is not None and hashes is not None and todo:
        cache.insert(
            PARSE_CACHE,
            pd.DataFrame(
                {
                    "text_hash": [hashes[j] for j in todo],
                    "model": key,
                    "parse": [
                        json.dumps([parsed[j][0], [_occ_row(o) for o in parsed[j][1]]])
                        for j in todo
                    ],
                }
            ).drop_duplicates("text_hash"),
        )
    return [parsed[j] for j in range(len(unique))]


def _collect(
    kept: pd.DataFrame,
    nlp: Language | None,
    batch_size: int,
    progress: bool = False,
    cache: Any = None,
) -> tuple[dict[str, _Term], list[int]]:
    """Candidate terms (by lemma key) and the number of word tokens per unit
    (``progress``: a bar over the texts being parsed, on stderr; ``cache``: a
    :class:`insight.engine.cache.TextCache` of parsed texts)."""
    nlp = nlp if nlp is not None else load_spacy(disable=("ner",))
    texts = kept[schema.TEXT].tolist()
    # Each distinct text is parsed once (survey answers repeat: "Price", "Too expensive").
    index: dict[str, int] = {}
    for text in texts:
        index.setdefault(text, len(index))
    per_text = _parse_all(list(index), nlp, batch_size, progress, cache)
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
