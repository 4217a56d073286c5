"""insight.vocabulary: Fightin' Words, candidates, variants, quotes, exclusions, CLI."""

from __future__ import annotations

import hashlib
import math

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from insight import vocabulary as V
from insight.cli import main
from insight.vocabulary import candidates as C
from insight.vocabulary import extractor as E


class FakeEmbedder:
    """Deterministic vectors: texts in one synonym set share an axis, others are unique."""

    def __init__(self, synonyms: list[list[str]], dim: int = 4096) -> None:
        self.axis = {t.lower(): i for i, group in enumerate(synonyms) for t in group}
        self.dim = dim
        self.calls = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for r, t in enumerate(texts):
            key = t.lower()
            if key in self.axis:
                out[r, self.axis[key]] = 1.0
            else:
                h = int(hashlib.md5(key.encode()).hexdigest(), 16)
                out[r, 64 + h % (self.dim - 64)] = 1.0
        return out


def units(texts: list[str], roles: list[str] | None = None, resp: list[str] | None = None):
    n = len(texts)
    return pd.DataFrame(
        {
            "unit_id": [f"u{i}" for i in range(n)],
            "respondent_id": resp or [f"r{i}" for i in range(n)],
            "speaker_role": roles or ["customer"] * n,
            "text": texts,
        }
    )


def overall_order(texts: list[str]) -> list[str]:
    """The study-wide terms of ``texts`` in rank order (lemma grouping only)."""
    vocab = V.extract_vocabulary(units(texts), embedder=False, min_count=2, top_n=100)
    return vocab[vocab["group"] == "all"]["term"].tolist()


def rows_for(vocab: pd.DataFrame, group: str = "all") -> dict[str, pd.Series]:
    return {r["term"]: r for _, r in vocab[vocab["group"] == group].iterrows()}


# --- Fightin' Words -------------------------------------------------------------------


def test_log_odds_z_hand_worked() -> None:
    # y_i=10 of n_i=100, y_j=5 of n_j=200, alpha_w=1, alpha_0=10:
    # delta = ln(11/99) - ln(6/204) = 1.329136; var = 1/11 + 1/6; z = 2.618888
    assert V.log_odds_z(10, 100, 5, 200, 1.0, 10.0) == pytest.approx(2.618888, abs=1e-6)
    assert V.log_odds_z(5, 200, 10, 100, 1.0, 10.0) == pytest.approx(-2.618888, abs=1e-6)
    assert V.log_odds_z(5, 100, 5, 100, 1.0, 10.0) == pytest.approx(0.0)


def test_fightin_words_prior_from_pooled_counts() -> None:
    # alpha_0 = min(100, 200) = 100; alpha_w = 100 * 15.5 / 300.5
    a0, aw = 100.0, 100.0 * 15.5 / 300.5
    expected = (
        math.log((10 + aw) / (100 + a0 - 10 - aw)) - math.log((5 + aw) / (200 + a0 - 5 - aw))
    ) / math.sqrt(1 / (10 + aw) + 1 / (5 + aw))
    assert V.fightin_words_z(10, 100, 5, 200) == pytest.approx(expected)
    # the prior shrinks: the z is smaller than with a nearly flat prior
    assert 0 < V.fightin_words_z(10, 100, 5, 200) < V.log_odds_z(10, 100, 5, 200, 0.01, 1.0)


def test_background_counts_and_chain_estimate() -> None:
    bg = V.Background({"battery": 10, "life": 40, "battery life": 5, "life suck": 4}, 1000)
    assert bg.count("battery") == 10
    assert bg.count("battery life suck") == pytest.approx(5 * 4 / 40)
    assert bg.count("screen") == 0
    shipped = V.load_background()
    assert shipped.total > 100_000 and shipped.count("the") > 1000


# --- extraction, exclusions, quotes -----------------------------------------------------

REVIEWS = [
    "The app keeps crashing when I open it.",
    "It keeps crashing every morning.",
    "Honestly the app keeps crashing, so annoying.",
    "Battery life is terrible on this phone.",
    "The battery life could be better.",
    "I wish it had a dark mode.",
    "Wish it had dark mode like other apps.",
    "The prices are too high.",
    "The prices went up again.",
    "Price is unfair.",
]


def test_terms_counts_and_examples_verbatim() -> None:
    df = units(REVIEWS)
    vocab = V.extract_vocabulary(df, embedder=False, top_n=100)
    terms = rows_for(vocab)
    for wanted in ["keeps crashing", "battery life", "dark mode", "wish it had"]:
        assert wanted in terms, wanted
    kc = terms["keeps crashing"]
    assert kc["count"] == 3 and kc["respondents"] == 3
    assert kc["respondent_share"] == pytest.approx(3 / 10)
    assert kc["unit_ids"] == ["u0", "u1", "u2"]
    # lemma grouping: "prices"/"price" are one term shown as the most frequent form
    assert terms["prices"]["variants"] == ["prices", "Price"]
    assert terms["prices"]["variant_counts"] == [2, 1]
    assert terms["prices"]["count"] == 3
    for _, row in vocab.iterrows():
        assert 1 <= len(row["examples"]) <= 3
        for ex in row["examples"]:
            assert ex["variant"] in ex["quote"]  # verbatim
            assert ex["variant"] in row["variants"]
            assert ex["unit_id"] in row["unit_ids"]
    assert list(vocab.columns) == V.VOCAB_COLUMNS


def test_interviewer_non_answers_pii_and_boilerplate_excluded() -> None:
    texts = [
        "Tell me about the onboarding wizard, the onboarding wizard.",
        "What about the onboarding wizard?",
        "The sync button keeps failing.",
        "Sync button keeps failing for me too, email me at [EMAIL] please",
        "N/A",
        "nothing",
        "Thank you for completing our survey about the sync button.",
        "Thank you for completing our survey about the sync button.",
        "Mail [EMAIL] and [EMAIL] and [EMAIL]",
    ]
    roles = ["interviewer", "interviewer"] + ["customer"] * 7
    vocab = V.extract_vocabulary(units(texts, roles), embedder=False, top_n=100, min_count=1)
    forms = {v.lower() for vs in vocab["variants"] for v in vs}
    assert "sync button" in forms
    assert not any("onboarding" in f or "wizard" in f for f in forms)
    assert not any("email" in f or "[" in f for f in forms)
    ids = {u for us in vocab["unit_ids"] for u in us}
    assert ids <= {"u2", "u3"}


def test_empty_and_missing_text_column() -> None:
    empty = V.extract_vocabulary(units(["N/A", "-"]), embedder=False)
    assert empty.empty and list(empty.columns) == V.VOCAB_COLUMNS
    with pytest.raises(V.InputError, match="text"):
        V.extract_vocabulary(pd.DataFrame({"x": [1]}), embedder=False)


# --- variants ---------------------------------------------------------------------------

PRICE_TEXTS = [
    "It is too pricey for me.",
    "Way too pricey honestly.",
    "Too pricey, sorry.",
    "The plan is expensive.",
    "Really expensive for what it does.",
    "It costs too much.",
    "The subscription costs too much now.",
    "Overpriced.",
    "Overpriced and slow.",
    "The sync is slow.",
    "The sync is fast.",
    "Fast sync at least.",
]


def test_variants_grouped_with_counts_and_antonyms_kept_apart() -> None:
    emb = FakeEmbedder(
        [["pricey", "too pricey", "expensive", "costs too much", "overpriced"], ["slow", "fast"]]
    )
    vocab = V.extract_vocabulary(units(PRICE_TEXTS), embedder=emb, top_n=100)
    price = [r for _, r in vocab.iterrows() if "expensive" in r["variants"]]
    assert len(price) == 1
    row = price[0]
    counts = dict(zip(row["variants"], row["variant_counts"], strict=True))
    assert counts["expensive"] == 2 and counts["costs too much"] == 2
    assert counts["Overpriced"] == 2
    assert sum(n for v, n in counts.items() if "pricey" in v) == 3
    assert row["count"] == sum(row["variant_counts"]) == 9
    # embeddings call slow/fast the same, the antonym guard keeps them apart
    slow = [r for _, r in vocab.iterrows() if "slow" in r["variants"]]
    assert slow and all("fast" not in r["variants"] and "Fast" not in r["variants"] for r in slow)


def test_lemma_only_grouping_without_embedder() -> None:
    vocab = V.extract_vocabulary(units(PRICE_TEXTS), embedder=False, top_n=100)
    assert not any(
        "expensive" in r["variants"] and "Overpriced" in r["variants"] for _, r in vocab.iterrows()
    )


# --- groups and glossary --------------------------------------------------------------------


def test_group_distinctive_terms() -> None:
    a = [
        "The export button keeps crashing.",
        "Export keeps crashing again.",
        "It keeps crashing on export.",
    ] * 3
    b = ["Battery life is short.", "The battery life is poor.", "Battery life drains fast."] * 3
    df = units(a + b)
    groups = pd.Series(["A"] * 9 + ["B"] * 9, index=df["respondent_id"])
    vocab = V.extract_vocabulary(df, groups=groups, embedder=False, top_n=20)
    a_terms = rows_for(vocab, "A")
    b_terms = rows_for(vocab, "B")
    assert "keeps crashing" in a_terms and "keeps crashing" not in b_terms
    assert "battery life" in b_terms and "battery life" not in a_terms
    assert a_terms["keeps crashing"]["z"] > 1.96
    assert a_terms["keeps crashing"]["count"] == 9
    assert a_terms["keeps crashing"]["respondent_share"] == 1.0
    overall = rows_for(vocab)
    assert overall["keeps crashing"]["distinctive_in"] == ["A"]
    with pytest.raises(V.InputError, match="groups"):
        V.extract_vocabulary(df, groups=pd.Series(["x"], index=["nope"]), embedder=False)


def test_glossary_map_finds_customer_words() -> None:
    texts = [
        "The cleaning thing takes ages.",
        "I never run the cleaning thing.",
        "Cleaning thing is loud.",
    ]
    emb = FakeEmbedder([["descaling cycle", "cleaning thing"]])
    out = V.glossary_map(["descaling cycle,removes limescale"], units(texts), embedder=emb)
    row = out.iloc[0]
    assert row["glossary_term"] == "descaling cycle" and row["definition"] == "removes limescale"
    assert row["customer_terms"][0].lower() == "cleaning thing"
    assert row["literal_uses"] == 0
    assert "you say 'descaling cycle'; customers say 'cleaning thing'" in row["summary"].replace(
        "'Cleaning thing'", "'cleaning thing'"
    )
    vocab = V.extract_vocabulary(units(texts), glossary=["descaling cycle"], embedder=emb)
    assert "descaling cycle" in set(vocab["glossary_term"].dropna())


def test_parse_glossary() -> None:
    lines = ["term,definition", "# comment", "descaling cycle,removes limescale, weekly", "", "app"]
    assert V.parse_glossary(lines) == [
        ("descaling cycle", "removes limescale, weekly"),
        ("app", ""),
    ]


# --- CLI ------------------------------------------------------------------------------------


def test_cli_vocabulary(tmp_path) -> None:
    src = tmp_path / "reviews.csv"
    a = [
        "The export keeps crashing.",
        "Export keeps crashing again.",
        "It keeps crashing on export.",
    ]
    b = ["Battery life is short.", "The battery life is poor.", "Battery life drains fast."]
    pd.DataFrame({"review": a + b + ["N/A"], "plan": ["pro"] * 3 + ["free"] * 3 + ["free"]}).to_csv(
        src, index=False
    )
    out = tmp_path / "vocab.csv"
    res = CliRunner().invoke(
        main,
        [
            "vocabulary",
            str(src),
            "--text-column",
            "review",
            "--group-column",
            "plan",
            "--no-embeddings",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out)
    for col in ["term", "variants", "count", "respondents", "z", "group", "example"]:
        assert col in table.columns
    kc = table[(table["term"] == "keeps crashing") & (table["group"] == "all")].iloc[0]
    assert kc["count"] == 3 and "keeps crashing" in kc["example"]
    assert set(table["group"]) >= {"all", "pro", "free"}

    bad = CliRunner().invoke(
        main, ["vocabulary", str(src), "--text-column", "nope", "--out", str(out)]
    )
    assert bad.exit_code != 0 and 'no column "nope"' in bad.output and "review" in bad.output
    helptext = CliRunner().invoke(main, ["vocabulary", "--help"]).output
    assert "Example" in helptext


# --- real embedding model ---------------------------------------------------------------------


@pytest.mark.models
def test_minilm_groups_price_complaints() -> None:
    vocab = V.extract_vocabulary(units(PRICE_TEXTS), top_n=100)
    price = [r for _, r in vocab.iterrows() if "expensive" in r["variants"]]
    assert len(price) == 1
    variants = {v.lower() for v in price[0]["variants"]}
    assert {"too pricey", "costs too much", "overpriced"} <= variants
    assert not any("fast" in v for v in variants)


# --- candidates added for customer wording --------------------------------------------


def _occs(text: str) -> dict[str, C._Occ]:
    from insight.nlp import load_spacy

    nlp = load_spacy(disable=("ner",))
    doc = nlp(text)
    E._merge_hyphenated(doc)
    return {o.surface: o for o in E._Extractor(nlp)(doc, 0)}


def test_hyphenated_compounds_are_one_word() -> None:
    occs = _occs("Parts are a rip-off, it is not idiot-proof and the state-of-the-art menu - sigh.")
    assert occs["rip-off"].kind == "word" and occs["rip-off"].key == "rip-off"
    assert "idiot-proof" in occs and "state-of-the-art" in occs
    assert "rip" not in occs and "proof" not in occs
    assert "sigh" in occs  # a spaced dash is punctuation, not a compound
    bg = V.Background({"rip": 5, "off": 50, "rip off": 3}, 1000)
    assert bg.count("rip-off") == 3


def test_complaint_clauses_and_connected_four_grams() -> None:
    occs = _occs("The engineer never turns up. Downtime kills us. It costs an arm and a leg.")
    assert occs["engineer never turns up"].kind == "verb_phrase:subject_verb"
    assert occs["Downtime kills us"].kind == "verb_phrase:subject_verb"
    assert occs["arm and a leg"].kind == "phrase"
    occs = _occs("There are too many buttons and it turns up and downtime follows.")
    assert occs["too many buttons"].kind == "verb_phrase:too_many"
    assert "turns up and downtime" not in occs  # not one phrase in the parse


def test_opinion_link_through_the_parse() -> None:
    occs = _occs("The screen is great. I love the keyboard. The battery arrived on Monday.")
    assert occs["screen"].opinion and occs["keyboard"].opinion
    assert not occs["battery"].opinion


def test_popular_answer_is_not_template_text() -> None:
    popular = "The steam wand cannot hold pressure during a busy rush"
    texts = [popular] * 3 + [f"Answer number {i} about the grinder" for i in range(40)]
    kept, dropped = C._prepare(units(texts))
    assert dropped["boilerplate"] == 0 and len(kept) == 43
    template = "Please type your answer in the box below this line thanks"
    kept, dropped = C._prepare(units([template] * 5 + texts[3:13]))
    assert dropped["boilerplate"] == 5


def test_group_rows_leave_out_fragments_of_a_phrase() -> None:
    a = [f"The steam wand is weak, shot {i}." for i in range(6)]
    b = [f"The grinder is loud, day {i}." for i in range(6)]
    df = units(a + b)
    groups = pd.Series(["A"] * 6 + ["B"] * 6, index=df["respondent_id"])
    vocab = V.extract_vocabulary(df, groups=groups, embedder=False, top_n=20)
    a_terms = rows_for(vocab, "A")
    assert "steam wand" in a_terms
    assert "wand" not in a_terms and "steam" not in a_terms
    assert "wand" in rows_for(vocab, "all") or "steam wand" in rows_for(vocab, "all")


def test_terms_absent_from_the_background_are_over_used() -> None:
    # "battery life" never occurs in the background: with the one-pseudo-count prior
    # floor two uses in a 50k-token corpus are significant; without it (prior
    # ~ 0.2 pseudo-counts) z would fall below 1.96 and the phrase be dropped
    for n in (60, 1_000, 12_000, 50_000):
        assert V.fightin_words_z(2, n, 0, 560_000) > 1.96


# --- overall ranking --------------------------------------------------------------------


def test_lower_case_spellings_join_the_name() -> None:
    texts = [
        "I installed Windows on the second drive.",
        "My son runs Windows for his games.",
        "We moved the office to Windows last year.",
        "I hate windows.",  # spaCy: NOUN, lemma "window"
        "It came with windows installed.",
    ]
    terms = rows_for(V.extract_vocabulary(units(texts), embedder=False, min_count=2))
    assert "Windows" in terms and "window" not in terms and "windows" not in terms
    assert terms["Windows"]["count"] == 5
    assert terms["Windows"]["unit_ids"] == ["u0", "u1", "u2", "u3", "u4"]


def test_lower_case_word_stays_apart_from_a_rarer_name() -> None:
    # "apple" the fruit is more common than "Apple" the name: no merge
    texts = [
        "The apple pie was dry.",
        "An apple tart and coffee.",
        "Baked apple with cream.",
        "They took Apple Pay at the till.",
        "I paid with Apple Pay.",
    ]
    vocab = V.extract_vocabulary(units(texts), embedder=False, min_count=2, top_n=100)
    surfaces = {v for r in rows_for(vocab).values() for v in r["variants"]}
    assert "apple" in surfaces


def test_overall_rank_credits_the_phrase_not_its_words() -> None:
    # "battery" is written 8 times but 6 of them inside "battery life"; "screen"
    # is written 4 times on its own: screen and battery life rank above battery
    texts = [
        "The battery life was short.",
        "Battery life matters to me.",
        "I checked the battery life.",
        "The battery life is long.",
        "Good battery life.",
        "The battery life ended.",
        "The battery was replaced.",
        "A new battery arrived.",
        "The screen was replaced.",
        "A new screen arrived.",
        "I cleaned the screen.",
        "The screen is wide.",
    ]
    order = overall_order(texts)
    assert order.index("battery life") < order.index("battery")
    assert order.index("screen") < order.index("battery")


def test_lone_describing_words_rank_after_things() -> None:
    # "buy" is written more often than "keyboard", but a lone verb says what
    # customers did, a noun what they talk about
    texts = [
        "I will buy the keyboard.",
        "Did you buy one with the keyboard?",
        "They buy it for the keyboard.",
        "Buy it, the keyboard is fine.",
        "I buy online.",
        "We buy cheap.",
    ]
    order = overall_order(texts)
    assert order.index("keyboard") < order.index("buy")


def test_vocabulary_reads_files_through_the_single_file_reader(tmp_path) -> None:
    # insight.files is the one reader of the single-file commands: same units, same groups
    from insight import files

    src = tmp_path / "reviews.csv"
    src.write_text("review,plan\n  Export keeps crashing.  ,pro\nSlow sync,\n", encoding="utf-8")
    table = V.read_text_table(src)
    pd.testing.assert_frame_equal(table, files.read_file_table(src))
    got, groups = V.units_from_table(table, "review", str(src), group_column="plan")
    want = files.file_units(src, "review", group_column="plan")
    pd.testing.assert_frame_equal(got, want.units)
    assert got["text"].tolist() == ["Export keeps crashing.", "Slow sync"]
    assert got["unit_id"].tolist() == ["reviews:0", "reviews:1"]
    assert groups is not None and groups.iloc[0] == "pro"
    assert pd.isna(groups.iloc[1])  # an empty cell is no group
    doc = tmp_path / "notes.doc"
    doc.write_text("x", encoding="utf-8")
    with pytest.raises(V.InputError, match="unsupported file type"):
        V.read_text_table(doc)


def test_cli_vocabulary_reads_a_file_without_header(tmp_path) -> None:
    # a GoEmotions-style TSV: text, labels, id and no header row
    src = tmp_path / "comments.tsv"
    rows = ["The export keeps crashing.", "Export keeps crashing again.", "It keeps crashing."]
    src.write_text("".join(f"{t}\t27\tid{i}\n" for i, t in enumerate(rows)), encoding="utf-8")
    out = tmp_path / "vocab.csv"
    args = ["vocabulary", str(src), "--text-column", "1", "--no-embeddings", "--out", str(out)]
    bad = CliRunner().invoke(main, args)
    assert bad.exit_code != 0 and "--no-header" in bad.output
    res = CliRunner().invoke(main, [*args, "--no-header"])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out)
    kc = table[(table["term"] == "keeps crashing") & (table["group"] == "all")].iloc[0]
    assert kc["count"] == 3  # the first row is data, not a header


SPOKEN = [
    "Um, you know, the uh steam wand is, like, really slow (laughs).",
    "I mean the steam wand is kind of slow, XXXX said so.",
    "Yeah the [name] steam wand was slow, uh, again.",
    "Well, I like the milk jug but the steam wand is slow.",
    "Okay so the steam wand is slow (unintelligible) and erm the grinder is loud.",
    "Mm-hmm. The [redacted] grinder is loud, sort of, and [NAME] agreed.",
]


def test_filler_marks_and_notes_are_never_terms() -> None:
    """Issue 11.4: filler, anonymisation marks and transcriber notes stay in quotes but
    never become vocabulary."""
    plain = [
        "The steam wand is slow and the milk jug leaks.",
        "Descaling takes forever on this machine.",
        "The grinder is noisy but the espresso is great.",
    ]
    texts = SPOKEN * 3 + plain * 3
    vocab = V.extract_vocabulary(units(texts), embedder=False, top_n=100, min_count=1)
    assert len(vocab)
    banned = {
        "um", "uh", "erm", "yeah", "okay", "mm-hmm", "you know", "i mean", "kind of",
        "sort of", "xxxx", "name", "redacted", "laughs", "unintelligible",
    }  # fmt: skip
    for _, row in vocab.iterrows():
        for variant in row["variants"]:
            words = variant.lower()
            assert words not in banned, variant
            assert not any(f" {b} " in f" {words} " for b in banned if " " in b), variant
            assert not any(w in {"um", "uh", "erm", "yeah", "xxxx"} for w in words.split())
    # the content of a spoken sentence is still found around the filler
    for text in SPOKEN:
        keys = {o.key for o in _occs(text).values()}
        assert not keys & {"um", "uh", "erm", "yeah", "okay", "xxxx", "name", "laughs"}, keys
        assert not any(k.startswith(("you know", "i mean", "kind of", "sort of")) for k in keys)
    assert "steam wand" in {o.key for o in _occs(SPOKEN[0]).values()}


def test_like_as_a_verb_is_kept() -> None:
    occs = _occs("I like the milk jug, but it was, like, slow.")
    assert "like" not in {k.split()[0] for k in occs if k.startswith("like,")}
    assert any(o.key.startswith("like") for o in occs.values() if o.surface.startswith("like the"))


def test_parse_cache_parses_only_new_texts(tmp_path, monkeypatch) -> None:
    """A second run reads each text's candidates from the study's text cache: spaCy parses
    only the texts it has not seen, and the vocabulary is the same as without a cache."""
    from insight.engine.cache import TextCache
    from insight.nlp import load_spacy

    cache = TextCache(tmp_path / "cache.duckdb")
    nlp = load_spacy(disable=("ner",))
    parsed: list[str] = []
    real_pipe = E.pipe

    def counting_pipe(nlp_, texts, batch_size=256):
        texts = list(texts)
        parsed.extend(texts)
        return real_pipe(nlp_, texts, batch_size=batch_size)

    monkeypatch.setattr(E, "pipe", counting_pipe)
    df = units(REVIEWS)
    plain = V.extract_vocabulary(df, embedder=False, top_n=100, nlp=nlp)
    n_unique = len(set(REVIEWS))
    assert len(parsed) == n_unique
    first = V.extract_vocabulary(df, embedder=False, top_n=100, nlp=nlp, cache=cache)
    assert len(parsed) == 2 * n_unique  # the cache was empty
    again = V.extract_vocabulary(df, embedder=False, top_n=100, nlp=nlp, cache=cache)
    assert len(parsed) == 2 * n_unique  # nothing parsed: every text came from the cache
    more = units([*REVIEWS, "The charger cable frays after a week."])
    V.extract_vocabulary(more, embedder=False, top_n=100, nlp=nlp, cache=cache)
    assert parsed[2 * n_unique :] == ["The charger cable frays after a week."]
    for got in (first, again):
        pd.testing.assert_frame_equal(got, plain)


def test_version_number_stays_with_the_name() -> None:
    occs = _occs("I upgraded to Windows 7 and it runs fine. We paid 20 dollars at Pizza 33.")
    assert occs["Windows 7"].kind == "noun_phrase" and occs["Windows 7"].key == "windows 7"
    assert "Pizza 33" in occs
    assert not any(s.endswith(" 20") or s.startswith("20 ") for s in occs)  # a count, not a name


def test_story_of_an_order_ranks_after_what_customers_evaluate() -> None:
    # "purchased" (past tense: the story of an order) and "months" (a time expression)
    # are written more often than "screen", which customers evaluate
    texts = [
        "I purchased it months ago and checked the screen.",
        "We purchased two, months later one failed.",
        "I purchased it after months of waiting.",
        "Purchased it for my son, it took months.",
        "My wife purchased one too, two months ago.",
        "The screen is 13 inches.",
        "It is easy to use.",
        "Easy to use for anyone.",
    ]
    order = overall_order(texts)
    assert "screen" in order
    for story in ("purchased", "months"):
        assert story not in order or order.index("screen") < order.index(story)


def test_a_phrase_variant_does_not_make_a_verb_a_thing() -> None:
    from insight.vocabulary.ranking import _describes, _type_weight
    from insight.vocabulary.variants import _Concept

    def occ(key: str, surface: str, pos: str) -> C._Occ:
        return C._Occ(key, surface, 0, 0, len(surface), "word", False, pos)

    send = [occ("send", "sent", "VERB")] * 5 + [occ("send in", "sent in", "")]
    term = C._Term("send", "word", occs=send)
    concept = _Concept([term, C._Term("send in", "ngram")], send, {0}, {"r0"})
    assert _describes(concept)
    assert _type_weight(concept) <= 0.25  # past tense: narrative
    screen = [occ("screen", "screen", "NOUN")] * 5
    thing = _Concept([C._Term("screen", "word", occs=screen)], screen, {0}, {"r0"})
    assert not _describes(thing) and _type_weight(thing) == 1.0


def test_fixed_expressions_and_talk_words_are_not_the_subject() -> None:
    # "instance", "order" and "bit" are only ever in fixed expressions here; "think" and
    # "things" carry the talk: the plot, which people talk about, ranks first
    texts = [
        "For instance, I think the plot is clear.",
        "In order to read the plot, I think things need labels.",
        "I think it is a bit slow, for instance with things like the plot.",
        "In order to export things, I think, a bit of patience helps.",
        "The plot works.",
    ]
    order = overall_order(texts)
    assert not {"instance", "order", "bit"} & set(order)
    assert order[0] == "plot"


def test_talk_words_weigh_a_quarter() -> None:
    from insight.vocabulary.ranking import _type_weight
    from insight.vocabulary.variants import _Concept

    def concept(key: str, pos: str) -> _Concept:
        occs = [C._Occ(key, key, 0, 0, len(key), "word", pos == "NOUN", pos)] * 4
        return _Concept([C._Term(key, "word", occs=occs)], occs, {0}, {"r0"})

    assert _type_weight(concept("think", "VERB")) == 0.25  # a light verb
    assert _type_weight(concept("things", "NOUN")) == 0.25  # a placeholder noun
    assert _type_weight(concept("look", "NOUN")) == 1.0  # "the look of it" is a thing
    assert _type_weight(concept("plot", "NOUN")) == 1.0


def test_one_written_phrase_with_two_lemmas_is_one_concept() -> None:
    from insight.vocabulary.variants import _group_variants

    def term(key: str, surface: str, n: int) -> C._Term:
        occs = [C._Occ(key, surface, i, 0, len(surface), "noun_phrase", True) for i in range(n)]
        t = C._Term(key, "noun_phrase", nounish=True, occs=occs)
        t.surfaces[surface] = n
        return t

    groups = _group_variants(
        [term("data set", "data sets", 5), term("datum set", "data sets", 4)], False, 0.6, 0.8
    )
    assert len(groups) == 1
    groups = _group_variants(
        [term("data set", "data sets", 5), term("data point", "data points", 4)], False, 0.6, 0.8
    )
    assert len(groups) == 2


def test_segment_terms_name_things_before_lone_verbs() -> None:
    # segment A writes "wonder" more often than "histogram"; its list still leads with the
    # thing it talks about, as the study-wide list does
    a = [
        "I wonder where the histogram is.",
        "I wonder about the histogram bins.",
        "I wonder if the histogram updates.",
        "I wonder why.",
        "I wonder how.",
        "I wonder.",
    ]
    b = ["The map loads.", "The map is clear.", "A map of rain.", "Map legends help."]
    texts = a + b
    resp = [f"r{i}" for i in range(len(texts))]
    groups = pd.Series(["A"] * len(a) + ["B"] * len(b), index=resp)
    vocab = V.extract_vocabulary(units(texts, resp=resp), groups=groups, embedder=False, top_n=50)
    order = vocab[vocab["group"] == "A"]["term"].tolist()
    assert order.index("histogram") < order.index("wonder")
