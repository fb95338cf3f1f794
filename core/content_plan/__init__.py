"""The content plan (the content calendar of SPEC §1): posts that invite a dialog, their status
flow, the pre-publication checklist and guards, metrics, files in and out, and the lead's rules.

Rooms, from the pure rules up (a module imports only those above it):

* ``rules`` — the §13 checklist, formats and accessibility, UTM builder, conversion rate (pure)
* ``guards`` — rhythm, daily limit per local day, stop words (pure)
* ``status`` — the one status transition table, its labels, who may take each step (pure)
* ``templates`` — the five §11 templates (pure)
* ``timing`` — month and week grids, local wall times in and out (pure)
* ``queries`` — read models and the queries behind the screens
* ``conversion`` — next-step conversion per rubric and per post over a period
* ``validation`` — raw values into the typed inputs of ``db.models``; field checks
* ``sensitive`` — sensitive topics: disclaimer, the help-path library, compliance review
* ``readiness`` — checklist and guards with what the database knows (the editor's live check)
* ``posts`` — the commands: create, edit, status steps, compliance block, metrics
* ``files`` — CSV export and imports, the .ics export
* ``house_rules`` — stop words, rubrics, daily and rhythm limits (lead/admin)
"""
