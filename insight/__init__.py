"""insight: evidence-backed personas from surveys, interviews and reviews, offline."""

import os as _os

# onnxruntime's Linux wheels carry a telemetry client (1DS) whose background thread resolves
# mobile.events.data.microsoft.com; it is switched off before any ONNX session can exist
# (see insight.offline; a user who sets the variable keeps their value).
_os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

__version__ = "0.1.0"
