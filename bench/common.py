"""What a bench script may share: the project root and the generated year (``bench.year``).

``year_database(scale)`` is the URL of the cached year at ``scale`` ("200k" or "2k"): read it,
or copy it before writing (``bench.databases.sqlite_copy``), since every run reuses the file.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.year import SCALES, year_file  # noqa: E402

__all__ = ["ROOT", "SCALES", "year_database"]


def year_database(scale: str = "200k") -> str:
    return f"sqlite:///{year_file(scale)}"
