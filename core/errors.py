"""The small set of domain errors every screen, the CLI and the tests understand.

Each carries a message a person can act on; pages show it with ``st.error`` and nothing else
leaks to the user.
"""


class DomainError(Exception):
    """Base of every error the core raises on purpose."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(DomainError, ValueError):
    """Input that cannot be accepted as it is; the message says what to fix."""


class PermissionDenied(DomainError):
    """The signed-in user's role does not allow this action."""


class ConflictError(DomainError):
    """Someone else saved a newer version first; nothing was overwritten."""


class NotFoundError(DomainError, LookupError):
    """The record does not exist (any more)."""
