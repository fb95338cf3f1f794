"""The dialog KPIs of SPEC §"KPI definitions" (paper §8): each defined once, computed in SQL;
the weekly digest and the audience sizes the active share divides by.

A period is an inclusive range of local dates in the workspace time zone; the SQL works on the
matching UTC range ``[start of the first day, start of the day after the last)``. A conversation
belongs to the period of its received time, a post to that of its published time, an idea to the
date the KPI names (valid = ``valid_at``), a loop item to its ``shipped_on`` date, an idea giver
to ``given_at``. The previous period is the period of equal length just before.

Each family measures a period and the one before together: the same statements for both, each
row labelled with its period (``sql.bucket_index``, as the trends do for their weeks or months),
so a screen view sends a bounded number of statements whatever the data size.

Choices the SPEC leaves open, made here once:

* Percentiles (median, p90) use **linear interpolation between closest ranks** — PostgreSQL's
  ``percentile_cont``: for ``n`` sorted values and share ``p`` the position is ``p·(n−1)``
  (0-based) and the value is interpolated between the two neighbours. SQLite has no percentile
  function, so it ranks the values with ``row_number()`` and reads back only the ranks beside
  ``⌊p·(n−1)⌋``; both backends give the same figure.
* Replies stamped before the message are data problems: left out of the response times **and** of
  the SLA share (the real reply time is unknown), and counted on their own.
* Conversations without an SLA deadline (no policy applied) are in neither side of the SLA share.
* "Resolved in the period" = received in the period and status ``resolved`` now; "escalated" =
  an escalation time or an escalation team is set.
* Audience size of a channel for a period = the size entered for it, averaged over the days of
  the period each entry covers (an entry covering half the period counts for that half); days no
  entry covers are left out of the average. Not filtered by channel: the sum over the channels.
  People are counted once however many channels they wrote in.
* Returns: "first interaction ever" and "another interaction" look at conversations and idea
  givers (within the channel when filtered); another interaction is one strictly after the first,
  at most 7 × 24 h (30 × 24 h) later. For a recent period the window may still be open.
* Post KPIs count a published post's metrics once they are entered: impressions filled in for the
  next-step conversions and the display KPIs; impressions, saves or guide clicks for content utility.
* Valid proposals skip duplicates merged into another idea.

Rooms: ``definitions`` (every KPI once), ``periods``, ``values`` (a KPI's figure against the period
before), the measure modules per family (``conversations``, ``escalations``, ``community``,
``content``, ``product``, ``chain`` — which also ranks posts by the dialog they created — with
shared ``sql`` building blocks), ``overview`` (every KPI of a period),
``trends``, ``report`` (formatting, JSON and CSV), ``digest`` and ``audience``.
"""
