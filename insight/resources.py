"""Where shipped models live (``models/`` beside the package, or $INSIGHT_MODELS_DIR)."""

from __future__ import annotations

import os
from pathlib import Path


def models_dir() -> Path:
    env = os.environ.get("INSIGHT_MODELS_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "models"
