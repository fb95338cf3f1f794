"""Transitional: the content plan's old rules module; the rules live in ``core.content_plan.rules``."""

# Transitional: names other domains still import from here; the lead removes this after the merge.
from core.content_plan.rules import build_utm_url

__all__ = ["build_utm_url"]
