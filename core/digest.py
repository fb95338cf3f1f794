"""Old home of the weekly digest, now ``core.kpis.digest``; re-exports what other code still imports."""

# Transitional: names other domains still import from here; the lead removes this after the merge.
from core.text import escape_markdown

__all__ = ["escape_markdown"]
