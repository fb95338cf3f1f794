"""Transitional home of the actions on a conversation, now in ``core.sla.conversations``."""

# Transitional: names other domains still import from here; the lead removes this after the merge.
from core.sla.conversations import mark_no_reply_needed, resolve

__all__ = ["mark_no_reply_needed", "resolve"]
