"""Spreadsheet-safe exports for the report layer: see :mod:`insight.safe_io` (a leaf module
that every layer can use); this module re-exports it."""

from insight.safe_io import *  # noqa: F403
from insight.safe_io import __all__ as __all__
