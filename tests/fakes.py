"""Small real stand-ins for injected models, shared by the tests."""

from __future__ import annotations

import re
import zlib

import numpy as np


class HashingEncoder:
    """A real (tiny) encoder: hashed bag of words, so shared words mean similar vectors.

    Counts what it is asked to encode, so cache tests can prove nothing was re-embedded.
    """

    def __init__(self, dim: int = 256, model_name: str | None = None) -> None:
        self.dim = dim
        self.model_name = model_name or f"hashing-{dim}"
        self.calls = 0
        self.encoded: list[str] = []

    def encode(self, texts, progress=False):
        self.calls += 1
        self.encoded.extend(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in re.findall(r"\w+", t.lower()):
                out[i, zlib.crc32(w.encode()) % self.dim] += 1.0
        return out
