"""The idea board: feedback from comments, forms and surveys becomes a prioritised backlog.

Rooms, by layer:

- ``rules``   — pure rules: status flow, scores and quick wins, handles, title similarity, cleaning input;
- ``queries`` — the board's read models: board, kanban, table pages, Impact/Cost matrix, quick wins, hot plan;
- ``detail``  — one idea up close: detail, givers (with merged ideas), look-alike titles, merge candidates;
- ``capture`` — logging ideas, givers, support and the team's votes; editing what an idea says;
- ``triage``  — the lead's status moves, scores, quick-win rule and the hot plan;
- ``merges``  — merging duplicates and undoing a merge exactly;
- ``imports`` — survey/form results imported as ideas (mapped, previewed, all or nothing, never twice);
- ``from_conversations`` — a conversation becomes an idea (or adds its author to one); an idea's conversations;
- ``files``   — the board's CSV export.

Write inputs with many fields are models beside the table (``db.models.IdeaCreate``, ``IdeaUpdate``).
"""
