"""PII redaction benchmark: recall per kind on the labelled sentences, false positives on
ordinary customer comments.

* Recall: ``tests/data/pii_labelled.jsonl`` (258 sentences written for this project, every
  PII span labelled; the patterns were developed against it, so these are numbers on the
  data the rules were tuned on). A span counts as masked when none of its identifying
  tokens survives :func:`insight.pii.redact`.
* False positives: the 30 "none" sentences of that set (prices, dates, versions, product
  and shop names) and the NHS Friends-and-Family comments in
  ``../shared/datasets/nhs_fft/nhs_fft_dev.csv`` (already anonymised by the NHS, so anything
  masked there is a false positive unless a name slipped through): the share of comments
  in which anything is masked, and what was masked.

Usage (repo root):  python benchmarks/bench_pii.py [--fft-limit N]
Writes benchmarks/results/pii.json.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "tests" / "data" / "pii_labelled.jsonl"
FFT = ROOT.parent / "shared" / "datasets" / "nhs_fft" / "nhs_fft_dev.csv"
_TITLES = {"dr", "mr", "mrs", "ms", "miss", "nurse", "sister", "doctor", "apt", "flat"}
_TOKEN = re.compile(r"[\w'’@.+-]*\w")
_PLACEHOLDER = re.compile(r"\[[A-Z_]+\]")


def load_labelled(path: Path = LABELLED) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


def span_masked(record: dict, span: dict, redacted: str) -> bool:
    """True when no identifying token of ``span`` survives in ``redacted`` (tokens that also
    occur outside the span in the original sentence are not evidence either way)."""
    text = record["text"]
    outside = Counter(_tokens(text[: span["start"]] + " " + text[span["end"] :]))
    ident = [
        t for t in _tokens(span["text"]) if (t not in _TITLES and not t.isdigit()) or len(t) > 1
    ]
    ident = [t for t in ident if t not in _TITLES]
    left = Counter(_tokens(_PLACEHOLDER.sub(" ", redacted)))
    return all(left[t] <= outside[t] for t in ident)


def recall(records: list[dict], redacted: list[str]) -> dict[str, dict]:
    hit: Counter[str] = Counter()
    total: Counter[str] = Counter()
    misses: dict[str, list[str]] = {}
    for r, red in zip(records, redacted, strict=True):
        for s in r["spans"]:
            total[s["label"]] += 1
            if span_masked(r, s, red):
                hit[s["label"]] += 1
            else:
                misses.setdefault(s["label"], []).append(red)
    return {
        k: {
            "spans": total[k],
            "masked": hit[k],
            "recall": round(hit[k] / total[k], 3),
            "missed": misses.get(k, []),
        }
        for k in sorted(total)
    }


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fft-limit", type=int, default=0, help="first N FFT comments (0: all)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "pii.json"))
    args = ap.parse_args(argv)

    from insight.pii import redact_many

    records = load_labelled()
    t0 = time.perf_counter()
    redacted = redact_many([r["text"] for r in records])
    t_lab = time.perf_counter() - t0
    rec = recall(records, redacted)
    none = [(r["text"], red) for r, red in zip(records, redacted, strict=True) if not r["spans"]]
    none_fp = [red for text, red in none if red != text]
    result: dict = {
        "benchmark": "PII redaction: recall on labelled sentences, false positives on comments",
        "command": "python benchmarks/bench_pii.py",
        "labelled_sentences": len(records),
        "labelled_note": "written for this project; the rules were developed on it (tuned-on data)",
        "recall": rec,
        "no_pii_sentences": len(none),
        "no_pii_sentences_masked": len(none_fp),
        "no_pii_masked_examples": none_fp,
        "seconds_labelled": round(t_lab, 2),
    }
    if FFT.exists():
        import pandas as pd

        fft = pd.read_csv(FFT)["FFT answer"].dropna().astype(str)
        fft = fft[fft.str.strip() != ""]
        if args.fft_limit:
            fft = fft.head(args.fft_limit)
        texts = fft.tolist()
        t0 = time.perf_counter()
        red = redact_many(texts)
        dt = time.perf_counter() - t0
        changed = [(t, r) for t, r in zip(texts, red, strict=True) if t != r]
        kinds = Counter(k for _, r in changed for k in _PLACEHOLDER.findall(r))
        result["nhs_fft"] = {
            "comments": len(texts),
            "comments_masked": len(changed),
            "share_masked": round(len(changed) / max(len(texts), 1), 4),
            "placeholders": dict(kinds),
            "examples": [r for _, r in changed[:60]],
            "seconds": round(dt, 1),
            "comments_per_s": round(len(texts) / dt, 1) if dt else None,
        }
    Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    for k, v in rec.items():
        print(f"{k:9s} recall {v['recall']:.3f} ({v['masked']}/{v['spans']})")
    print(f"no-PII sentences masked: {len(none_fp)}/{len(none)}")
    if "nhs_fft" in result:
        f = result["nhs_fft"]
        print(
            f"NHS FFT comments masked: {f['comments_masked']}/{f['comments']} {f['placeholders']}"
        )
    return result


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
