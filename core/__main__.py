"""``python -m core``: the jobs that are not clicks."""

import sys

from core.cli import main

sys.exit(main())
