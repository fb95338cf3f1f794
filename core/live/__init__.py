"""Live operations: people are told when something needs them, by a worker that runs on its own,
and conversations arrive as they happen.

Rooms: ``kinds`` the kinds of event and their defaults (pure) · ``notify`` storing an event once
and its deliveries per person and channel, the inbox and the preferences · ``subscribers`` what
the domains announce (``core.events``) turned into notifications · ``scan`` the SLA at-risk and
breach scan (one query) · ``senders`` e-mail over SMTP and chat webhooks (Slack, Teams,
Mattermost) · ``outbox`` claiming due deliveries and sending them with retries · ``worker`` the
loop of ``python -m core worker`` and its database leases · ``comments`` internal notes with
@mentions · ``tokens`` the ingest API's per-channel keys · ``ingest`` a conversation or reply
pushed by a platform, through the import's own checks · ``api`` the HTTP endpoint (Starlette).

A composer like ``core.attention``: it reads every domain and no domain imports it (they
announce through ``core.events``).
"""
