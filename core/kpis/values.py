"""What a KPI measured: one period's figure (``Measured``), and the figure beside the period
before (``KpiValue``), as the screens, the reports and the command line read them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.kpis.definitions import KpiDefinition


@dataclass(frozen=True)
class Measured:
    """One KPI over one period."""

    value: float | None
    detail: str = ""
    breakdown: tuple[tuple[str, float], ...] = ()  # per month: ("2026-06", 4.0)
    notes: tuple[str, ...] = ()  # e.g. each improvement with its measured effect
    counts: tuple[tuple[str, int], ...] = ()  # the counts behind a share: ("met", 40), ("breached", 2)


@dataclass(frozen=True)
class KpiValue:
    """A KPI for the chosen period beside the same KPI for the period just before."""

    definition: KpiDefinition
    value: float | None
    previous: float | None
    detail: str = ""
    breakdown: tuple[tuple[str, float], ...] = ()
    notes: tuple[str, ...] = ()
    counts: tuple[tuple[str, int], ...] = ()  # behind the value, this period
    previous_counts: tuple[tuple[str, int], ...] = ()  # behind the previous value

    @property
    def key(self) -> str:
        return self.definition.key

    @property
    def label(self) -> str:
        return self.definition.label

    @property
    def unit(self) -> str:
        return self.definition.unit

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def direction(self) -> str | None:
        """ "up", "down" or "flat" against the previous period; None when either is missing."""
        change = self.change
        if change is None:
            return None
        if abs(change) < 1e-9:
            return "flat"
        return "up" if change > 0 else "down"

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "family": self.definition.family.value,
            "unit": self.unit,
            "better": self.definition.better.value,
            "value": self.value,
            "previous": self.previous,
            "change": self.change,
            "detail": self.detail,
            "breakdown": [{"month": month, "value": value} for month, value in self.breakdown],
            "notes": list(self.notes),
            "counts": dict(self.counts),
            "previous_counts": dict(self.previous_counts),
            "definition": self.definition.definition,
        }
