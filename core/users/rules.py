"""What usernames, passwords, e-mail addresses and roles must look like: pure rules, no database."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import bcrypt
from annotated_types import MaxLen
from sqlmodel import SQLModel

from core.errors import ValidationError
from core.i18n import _
from db.models import Role, User

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_BYTES = 72  # bcrypt reads no further (and bcrypt 5 refuses longer input)
BCRYPT_ROUNDS = 12
# The audit entity of sign-ins, ended sessions and lifted locks (core.changes: domain "users").
AUDIT_ENTITY = "sign_in"


def limit(field: str, model: type[SQLModel] = User) -> int:
    """The most characters ``model.<field>`` holds, as db/models.py declares it."""
    for constraint in model.model_fields[field].metadata:
        if isinstance(constraint, MaxLen):
            return constraint.max_length
    raise LookupError(f"{model.__name__}.{field} declares no max_length")  # i18n: not text


def hash_password(password: str, *, rounds: int = BCRYPT_ROUNDS) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=rounds)).decode()


def check_password(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode(), password_hash.encode())
    except ValueError:
        return False


@cache
def _stand_in_hash(rounds: int) -> str:
    return hash_password("no user has this password", rounds=rounds)  # i18n: not text


def spend_a_password_check(password: str, *, like: str | None) -> None:
    """Check ``password`` against a stand-in hash as costly as ``like`` (another user's hash), so an
    unknown username takes as long to refuse as a wrong password: the timing tells no names."""
    try:
        rounds = int((like or "").split("$")[2])
    except (IndexError, ValueError):
        rounds = BCRYPT_ROUNDS
    check_password(password, _stand_in_hash(min(max(rounds, 4), 31)))


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(_("The password must have at least {count} characters.", count=MIN_PASSWORD_LENGTH))
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise ValidationError(_("The password must not be longer than {count} bytes.", count=MAX_PASSWORD_BYTES))
    if password.strip() != password:
        raise ValidationError(_("The password must not start or end with spaces."))


def normalise_username(username: str) -> str:
    return username.strip().lower()


def validate_username(username: str) -> str:
    """The username as stored (lower case, trimmed), or a message saying what to change."""
    username = normalise_username(username)
    if not USERNAME_PATTERN.match(username):
        raise ValidationError(
            _(
                "The username must be 2–64 characters: lower-case letters, digits, '.', '_' or '-', "
                "starting with a letter or digit."
            )
        )
    return username


def validate_name(name: str) -> str:
    name = name.strip()
    if len(name) > limit("name"):
        raise ValidationError(_("The name must not be longer than {count} characters.", count=limit("name")))
    return name


def validate_email(email: str) -> str:
    email = email.strip()
    if email and not EMAIL_PATTERN.match(email):
        raise ValidationError(_("{email!r} is not an e-mail address.", email=email))
    if len(email) > limit("email"):
        raise ValidationError(_("The e-mail address must not be longer than {count} characters.", count=limit("email")))
    return email


def parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ValidationError(
            _("Unknown role {role!r}; choose one of: {choices}.", role=role, choices=", ".join(r.value for r in Role))
        ) from None


def as_typed(text: str, *, length: int) -> str:
    """Text a visitor typed (a username on the sign-in form, a user agent), safe to store and
    show: control and format characters dropped, spaces collapsed, cut to ``length``."""
    kept = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co"))
    return " ".join(kept.split())[:length]
