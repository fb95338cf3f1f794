"""The community (paper §4, §10, §12, §14): members across channels, their roles, moderation, the
on-call rota and the 60-day rollout.

Rooms:

- ``rules``       — pure rules: role derivation, role benefits, flag word matching (the stop words'
  word-boundary rules), rota gaps, the rollout's steps and dates;
- ``members``     — read models: members built from handle keys (merges applied), a member's page;
- ``identities``  — writes on members: merge identities and undo, roles given by hand, the role rules;
- ``moderation``  — writes: community rules versions, flag words, flags, moderation actions;
- ``queues``      — read models of moderation: open flags, slow-mode threads, current rules, words;
- ``rota``        — the on-call rota on the business calendar: shifts, who is on call, gaps;
- ``rollout``     — the 60-day rollout: steps ticked from real data or by hand;
- ``wordlists/``  — the German and English flag word lists shipped as data.
"""
