"""The SLA monitor's domain: business time, policies, the figures fixed per conversation, the
queues, the actions on a conversation, escalation teams, quick answers and the CSV import.

Rooms: ``business_time`` (+ ``business_time_engine``) the calendar engine · ``calendars`` stored
and edited calendars · ``figures`` the rules of one conversation · ``policies`` which policy fits ·
``policy_admin`` setting policies up and the recompute · ``queues`` the read models of the monitor ·
``conversations`` the actions on one · ``teams`` · ``quick_answers`` · ``timestamps``,
``import_rows`` and ``imports`` the platform-export import · ``checks`` what they share.
"""
