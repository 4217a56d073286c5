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

Filler ("uh", "you know", "I mean"), anonymisation marks (``XXXX``, ``[name]``) and
transcriber notes (``(laughs)``, ``(unintelligible)``) are never terms (see
:func:`insight.nlp.content_tokens`); they stay in the quotes.

Modules: :mod:`~insight.vocabulary.candidates` (spaCy candidates and quotes),
:mod:`~insight.vocabulary.variants` (variant grouping), :mod:`~insight.vocabulary.background`
(Fightin' Words and the general-English background), :mod:`~insight.vocabulary.ranking`
(:func:`extract_vocabulary`), :mod:`~insight.vocabulary.glossary` (company glossary map) and
:mod:`~insight.vocabulary.io` (plain files for ``insight vocabulary``).
"""

from __future__ import annotations

from insight.errors import InputError
from insight.vocabulary.background import (
    BACKGROUND_PATH,
    Background,
    fightin_words_z,
    load_background,
    log_odds_z,
)
from insight.vocabulary.glossary import glossary_map, parse_glossary, read_glossary
from insight.vocabulary.io import (
    read_text_table,
    units_from_table,
    vocabulary_csv_frame,
    vocabulary_from_file,
)
from insight.vocabulary.ranking import ALL_GROUP, VOCAB_COLUMNS, extract_vocabulary

__all__ = [
    "ALL_GROUP",
    "BACKGROUND_PATH",
    "VOCAB_COLUMNS",
    "Background",
    "InputError",
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
    "vocabulary_from_file",
]
