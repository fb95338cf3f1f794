"""Two bench results side by side: ``python -m bench.compare A.json B.json`` (``make bench-compare``).

Without arguments it compares the two newest results in ``bench/results``. Every figure either
result has is printed with its target and the ratio B / A (below 1: B is faster).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.report import compare  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def main(argv: list[str] | None = None) -> int:
    paths = [Path(p) for p in (sys.argv[1:] if argv is None else argv)]
    if not paths:
        paths = sorted(RESULTS.glob("*.json"))[-2:]
    if len(paths) != 2:
        print("usage: python -m bench.compare A.json B.json (or two results in bench/results)")
        return 2
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"no such result: {', '.join(missing)}")
        return 2
    a, b = (json.loads(p.read_text()) for p in paths)
    print(compare(a, b))
    return 0


if __name__ == "__main__":
    sys.exit(main())
