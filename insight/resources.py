"""Where shipped models live: the one resolver every module uses.

``$INSIGHT_MODELS_DIR`` when set (a copy of ``models/`` elsewhere, e.g. a read-only
install), else ``models/`` beside the package. Read at call time, so setting the
variable after import still counts.
"""

from __future__ import annotations

import os
from pathlib import Path

MODELS_ENV = "INSIGHT_MODELS_DIR"


def models_dir() -> Path:
    env = os.environ.get(MODELS_ENV)
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "models"


def model_path(*parts: str | Path) -> Path:
    """A file or folder under the models folder, e.g. ``model_path("sentiment")``."""
    return models_dir().joinpath(*map(str, parts))
