"""Build the general-English background table for vocabulary distinctiveness.

Reads GoEmotions Reddit comments (Apache-2.0; Demszky et al. 2020) and counts
lower-case spaCy lemmas of unigrams and adjacent bigrams (no punctuation in
between), the same keys ``insight.vocabulary`` uses for candidate terms.
Writes a small gzip'd TSV: ``# total_tokens N``/``# docs N`` header lines, then
``ngram<TAB>count`` rows (unigrams and bigrams seen at least twice, capped).

Usage (from the repo root; about two minutes on two cores):
    python models/build_background.py ../shared/datasets/goemotions/train.tsv \
        --out models/background/goemotions_lemmas.tsv.gz
"""

from __future__ import annotations

import argparse
import csv
import gzip
import sys
import time
from collections import Counter
from pathlib import Path

from insight.nlp import is_word, load_spacy, pii_spans, pipe, token_key


def count_ngrams(texts: list[str], batch_size: int = 512) -> tuple[Counter[str], int]:
    """Unigram + bigram lemma counts and the number of word tokens."""
    nlp = load_spacy(disable=("ner", "parser"))
    counts: Counter[str] = Counter()
    total = 0
    for doc in pipe(nlp, texts, batch_size=batch_size):
        masked = pii_spans(doc.text)
        prev: str | None = None
        for tok in doc:
            in_pii = any(a <= tok.idx < b for a, b in masked)
            if in_pii or not is_word(tok):
                prev = None
                continue
            key = token_key(tok)
            total += 1
            counts[key] += 1
            if prev is not None:
                counts[prev + " " + key] += 1
            prev = key
    return counts, total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("tsv", help="GoEmotions train.tsv (text<TAB>labels<TAB>id, no header)")
    ap.add_argument("--out", default="models/background/goemotions_lemmas.tsv.gz")
    ap.add_argument("--max-unigrams", type=int, default=30000)
    ap.add_argument("--max-bigrams", type=int, default=50000)
    ap.add_argument("--min-count", type=int, default=2)
    args = ap.parse_args(argv)

    with open(args.tsv, encoding="utf-8", newline="") as fh:
        texts = [row[0] for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE) if row]
    t0 = time.time()
    counts, total = count_ngrams(texts)
    uni = [(k, c) for k, c in counts.items() if " " not in k and c >= args.min_count]
    bi = [(k, c) for k, c in counts.items() if " " in k and c >= args.min_count]
    uni.sort(key=lambda kc: (-kc[1], kc[0]))
    bi.sort(key=lambda kc: (-kc[1], kc[0]))
    rows = uni[: args.max_unigrams] + bi[: args.max_bigrams]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write(f"# source\t{Path(args.tsv).name} (GoEmotions, Apache-2.0)\n")
        fh.write(f"# docs\t{len(texts)}\n# total_tokens\t{total}\n")
        for k, c in rows:
            fh.write(f"{k}\t{c}\n")
    print(
        f"{len(texts)} docs, {total} tokens, {len(uni)} unigrams / {len(bi)} bigrams "
        f"(kept {min(len(uni), args.max_unigrams)} + {min(len(bi), args.max_bigrams)}) "
        f"-> {out} in {time.time() - t0:.0f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
