"""No code path reaches the network: the switches that keep model libraries offline.

Models come from installed packages or ``models/`` (see :mod:`insight.resources`); nothing is
downloaded, and no library is allowed to phone home:

* :func:`onnxruntime` imports ``onnxruntime`` with its telemetry off - every ONNX session in
  insight is created through it. onnxruntime's Linux wheels (1.32) ship a 1DS telemetry
  client whose background thread resolves ``mobile.events.data.microsoft.com`` (seen with
  ``strace -f -k``: ``getaddrinfo`` called from ``onnxruntime_pybind11_state``);
  ``ORT_DISABLE_TELEMETRY=1`` (set by ``import insight`` and again here, before the import)
  and ``disable_telemetry_events()`` turn it off;
* :func:`offline_environment` sets the Hugging Face / transformers offline and no-telemetry
  variables (only where the user has not set them), before sentence-transformers is loaded.

``tests/test_no_network.py`` runs the whole pipeline with sockets and DNS blocked (and, where
the machine allows it, under ``strace``/``unshare -n``) and asserts that nothing tries.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

#: Environment variables that keep Hugging Face libraries off the network.
OFFLINE_ENV = {
    "ORT_DISABLE_TELEMETRY": "1",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_UPDATE_CHECK": "1",
    "DO_NOT_TRACK": "1",
}


def offline_environment() -> None:
    """Set :data:`OFFLINE_ENV` in this process (a value the user set is kept)."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)


@lru_cache(maxsize=1)
def onnxruntime() -> Any:
    """The ``onnxruntime`` module, with telemetry disabled before any session is made."""
    offline_environment()
    import onnxruntime as ort

    disable = getattr(ort, "disable_telemetry_events", None)
    if disable is not None:
        disable()
    return ort


__all__ = ["OFFLINE_ENV", "offline_environment", "onnxruntime"]
