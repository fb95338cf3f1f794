"""Dialog Desk's rules: the shared basics (errors, permissions, records and audit, settings, the
workspace and its people) and one package per domain; see docs/architecture.md for the map."""

# Every handle written through the ORM gets its key beside it (see core.handles).
import core.handles  # noqa: E402, F401
