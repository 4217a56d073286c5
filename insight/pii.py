"""Masking personal data in quotes shown to people (emails, phone numbers, card numbers, URLs
with personal paths). Units keep the verbatim text; only what is displayed is masked."""

from __future__ import annotations

import re

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("[EMAIL]", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    ("[CARD]", re.compile(r"\b(?:\d[ -]?){13,19}\b")),
    (
        "[PHONE]",
        re.compile(
            r"(?<![\w£$€.,])(?:\+\d{1,3}[\s.-]?)?(?:\(?\d{2,5}\)?[\s.-])?"
            r"\d{3,5}[\s.-]?\d{3,4}(?:[\s.-]?\d{2,4})?(?![\w£$€]|[.,]\d)"
        ),
    ),
]


def mask_pii(text: str) -> tuple[str, bool]:
    """The text with personal data replaced by placeholders, and whether anything was masked."""
    masked = text
    for token, pattern in _PATTERNS:
        masked = pattern.sub(token, masked)
    return masked, masked != text
