"""insight: evidence-backed personas from surveys, interviews and reviews, offline."""

__version__ = "0.1.0"
