"""Transitional home of the conversation import, now in ``core.sla.imports`` and ``core.sla.import_rows``."""

# Transitional: names other domains still import from here; the lead removes this after the merge.
from core.sla.import_rows import ImportOptions, parse_mapping, read_csv, suggest_mapping
from core.sla.imports import import_conversations, preview_import

__all__ = ["ImportOptions", "import_conversations", "parse_mapping", "preview_import", "read_csv", "suggest_mapping"]
