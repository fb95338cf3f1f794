"""Mapping a file's columns to an importer's fields: a first guess from the header, and each
row's cells by field for the row checks."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence


def squash(name: str) -> str:
    """A column name reduced to lower-case letters and digits, for matching ("Created at" = "created_at")."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def guess_columns(
    columns: Sequence[str], hints: Mapping[str, Iterable[str]], *, partial: bool = False
) -> dict[str, str]:
    """A first mapping {field: column} from the header: a column whose squashed name equals one of
    the field's hints (or, with ``partial``, contains it); each column is used once, fields in order."""
    squashed: dict[str, str] = {}
    for name in columns:
        if name:
            squashed.setdefault(squash(name), name)  # the first of two look-alike columns wins
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for key, words in hints.items():
        for word in words:
            wanted = squash(word)
            column: str | None = squashed.get(wanted)
            if column is None and partial:
                column = next((c for c in columns if c and c not in used and wanted and wanted in squash(c)), None)
            if column is not None and column not in used:
                mapping[key] = column
                used.add(column)
                break
    return mapping


class RowCells(dict[str, str]):
    """The cells of one row by field (``positions``: field → column index), trimmed;
    ``cell("field")`` is empty for a field not mapped; ``column(field)`` names its column."""

    __slots__ = ("mapping",)

    def __init__(self, values: Sequence[str], positions: Mapping[str, int], mapping: Mapping[str, str]):
        count = len(values)
        if positions and count > max(positions.values()):  # every row of a checked table
            super().__init__(zip(positions, map(str.strip, [values[p] for p in positions.values()]), strict=True))
        else:
            super().__init__((key, values[p].strip()) for key, p in positions.items() if p < count)
        self.mapping = mapping

    @classmethod
    def reader(
        cls, positions: Mapping[str, int], mapping: Mapping[str, str], fields: Iterable[str] = ()
    ) -> Callable[[Sequence[str]], RowCells]:
        """``RowCells(values, positions, mapping)`` for the rows of one checked table, built the
        short way: an import builds one per row. ``fields`` the importer may ask for and the file
        does not map start empty, so asking for them is a plain look-up."""
        if not positions:
            return lambda values: cls(values, positions, mapping)
        keys, width = tuple(positions), max(positions.values()) + 1
        pick = operator.itemgetter(*positions.values()) if len(positions) > 1 else None
        blank = dict.fromkeys((name for name in fields if name not in positions), "")

        def read(values: Sequence[str]) -> RowCells:
            if pick is None or len(values) < width:
                return cls(values, positions, mapping)
            cells = cls.__new__(cls)
            cells.update(blank)
            cells.update(zip(keys, map(str.strip, pick(values)), strict=True))
            cells.mapping = mapping
            return cells

        return read

    def __missing__(self, key: str) -> str:
        return ""

    __call__ = dict.__getitem__

    def column(self, key: str) -> str:
        return self.mapping.get(key, "")
