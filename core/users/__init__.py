"""People and their access: accounts, passwords, roles, the sign-in check, its throttle and the
server-side sessions a sign-in starts.

Modules by layer: ``rules`` (pure: names, passwords, roles), ``queries`` (read models),
``accounts`` (commands on accounts), ``sign_in`` (the credential check), ``throttle`` (failed
sign-in counting and locks), ``sessions`` (start, check, end).
"""
