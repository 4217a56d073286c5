"""Per-text model outputs cached by text hash, kept beside a study across re-runs.

``insight run`` rebuilds ``study.duckdb`` from scratch each time; the models'
outputs for a text do not change unless the text or the models do, so they are
kept in ``cache.duckdb`` next to it, keyed by the SHA-1 of the exact text and a
model key. Only hashes and model outputs are stored, never the text itself.

:class:`TextCache` has the two methods :func:`insight.embed.embed_texts` needs
from a store (``read_matching`` and ``insert``) and opens the DuckDB file only
for the duration of each call, so it needs no closing and never holds a lock
while the rest of the run works.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

CACHE_NAME = "cache.duckdb"
ANNOTATIONS_TABLE = "annotation_cache"


class TextCache:
    """A DuckDB file of per-text model outputs (see the module docstring).

    Args:
        path: the cache file; created on first write.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @classmethod
    def for_study(cls, out: str | Path) -> TextCache:
        """The cache of the study folder ``out`` (``out/cache.duckdb``)."""
        return cls(Path(out) / CACHE_NAME)

    def read_matching(self, name: str, keys: pd.DataFrame) -> pd.DataFrame:
        """Rows of table ``name`` matching a row of ``keys`` (empty when nothing is cached)."""
        import pandas as pd

        from insight.store import Store

        if not self.path.exists() or keys.empty:
            return pd.DataFrame()
        try:
            with Store(self.path) as store:
                return store.read_matching(name, keys)
        except Exception as exc:  # a damaged cache costs time, never the run
            log.warning("ignoring the text cache %s: %s", self.path, exc)
            return pd.DataFrame()

    def insert(self, name: str, df: pd.DataFrame) -> None:
        """Append rows to table ``name``."""
        from insight.store import Store

        if df.empty:
            return
        try:
            with Store(self.path) as store:
                store.insert(name, df)
        except Exception as exc:
            log.warning("could not write the text cache %s: %s", self.path, exc)


def files_key(paths: list[Path], salt: str = "") -> str:
    """A short key from the bytes of ``paths`` (model files, source files) and ``salt``."""
    h = hashlib.sha1(salt.encode("utf-8"))
    for p in sorted(paths):
        h.update(p.name.encode("utf-8"))
        h.update(p.read_bytes())
    return h.hexdigest()[:16]
