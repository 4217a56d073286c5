"""Shared fixtures. No test reaches the network."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def samples_dir() -> Path:
    return SAMPLES
