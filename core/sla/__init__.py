"""The SLA monitor's domain: business time, policies, the figures fixed per conversation, the
queues, the actions on a conversation, escalation teams, quick answers and the CSV import.

Rooms: ``business_time`` (+ ``business_time_engine``) the calendar engine · ``calendars`` stored
and edited calendars · ``figures`` the rules of one conversation · ``policies`` which policy fits ·
``policy_admin`` setting policies up and the recompute · ``queues`` the read models of the monitor ·
``conversations`` the actions on one · ``teams`` · ``quick_answers`` · ``timestamps``,
``import_rows`` and ``imports`` the platform-export import · ``checks`` what they share.
"""

# Transitional: names other domains still import from here; the lead removes this after the merge.
from core.sla.calendars import calendar_from_json
from core.sla.figures import NEEDS_REPLY_KINDS, OPEN_STATUSES, SlaStatus, apply_sla, needs_reply, sla_status
from core.sla.policies import PolicyBook, store_conversation_figures
from core.sla.queues import Queue, filter_options

__all__ = [
    "NEEDS_REPLY_KINDS",
    "OPEN_STATUSES",
    "PolicyBook",
    "Queue",
    "SlaStatus",
    "apply_sla",
    "calendar_from_json",
    "filter_options",
    "needs_reply",
    "sla_status",
    "store_conversation_figures",
]
