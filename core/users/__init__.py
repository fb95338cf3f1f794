"""People and their access: accounts, passwords, roles, the sign-in check, its throttle and the
server-side sessions a sign-in starts.

Modules by layer: ``rules`` (pure: names, passwords, roles), ``queries`` (read models),
``accounts`` (commands on accounts), ``sign_in`` (the credential check), ``throttle`` (failed
sign-in counting and locks), ``sessions`` (start, check, end).
"""

# Transitional: names other domains still import from here; the lead removes this after the merge.
from core.users.accounts import create_user, set_active, set_password, set_role
from core.users.queries import list_users
from core.users.rules import check_password, hash_password

__all__ = ["check_password", "create_user", "hash_password", "list_users", "set_active", "set_password", "set_role"]
