"""Microsoft Presidio on the same labelled PII sentences, for comparison with insight.pii.

Presidio is not a dependency (see README): install it beside the project to re-run, e.g.
``pip install --no-deps --target /tmp/ppk presidio-analyzer tldextract phonenumbers
requests-file`` and ``PRESIDIO_PATH=/tmp/ppk python benchmarks/compare_presidio.py``.
It runs with the project's spaCy model (its default, ``en_core_web_lg``, is downloaded at
run time when missing) and the PII entity types only (no DATE_TIME / ORGANIZATION /
driver-licence guesses). Internet sockets and DNS are blocked and every attempt is
recorded: on a fresh machine its e-mail recognizer (tldextract) tries to fetch the public
suffix list from publicsuffix.org and raw.githubusercontent.com.
Writes benchmarks/results/pii_presidio.json.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if os.environ.get("PRESIDIO_PATH"):
    sys.path.insert(0, os.environ["PRESIDIO_PATH"])
sys.path.insert(0, str(ROOT / "benchmarks"))

attempts: list[object] = []
_real_connect = socket.socket.connect


def _guard(self: socket.socket, addr: object) -> None:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        attempts.append(addr)
        raise OSError("network blocked")
    _real_connect(self, addr)


def _gai(*a: object, **k: object) -> None:
    attempts.append(("dns", a[0]))
    raise OSError("dns blocked")


socket.socket.connect = _guard  # type: ignore[method-assign]
socket.getaddrinfo = _gai  # type: ignore[assignment]

ENTITIES = [
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "UK_NHS",
    "LOCATION",
    "IBAN_CODE",
    "US_SSN",
]


def main() -> None:
    import bench_pii
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    from insight.nlp import spacy_model_name

    conf = {
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": spacy_model_name()}],
    }
    engine = NlpEngineProvider(nlp_configuration=conf).create_engine()
    analyzer = AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])
    records = bench_pii.load_labelled()
    t0 = time.perf_counter()
    redacted = []
    for r in records:
        found = analyzer.analyze(text=r["text"], language="en", entities=ENTITIES)
        s = r["text"]
        for x in sorted(found, key=lambda x: -x.start):
            s = s[: x.start] + f"[{x.entity_type}]" + s[x.end :]
        redacted.append(s)
    seconds = time.perf_counter() - t0
    rec = bench_pii.recall(records, redacted)
    none = [(r["text"], x) for r, x in zip(records, redacted, strict=True) if not r["spans"]]
    result = {
        "benchmark": "Presidio analyzer on tests/data/pii_labelled.jsonl (PII entity types)",
        "command": "PRESIDIO_PATH=... python benchmarks/compare_presidio.py",
        "recall": {k: {kk: vv for kk, vv in v.items() if kk != "missed"} for k, v in rec.items()},
        "no_pii_sentences_masked": sum(t != x for t, x in none),
        "no_pii_sentences": len(none),
        "network_attempts": [str(a) for a in attempts],
        "seconds": round(seconds, 1),
    }
    out = ROOT / "benchmarks" / "results" / "pii_presidio.json"
    out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    for k, v in rec.items():
        print(f"{k:9s} recall {v['recall']:.3f} ({v['masked']}/{v['spans']})")
    print(f"no-PII sentences masked: {result['no_pii_sentences_masked']}/{len(none)}")
    print(f"network attempts: {attempts}")


if __name__ == "__main__":
    main()
