"""Flags: who receives them, what their cards say, and what a facilitator's action does.

A flag goes privately to every facilitator of the session and to every registered facilitator
channel, never to the group. An action is checked on the server (the clicker must be a
facilitator), recorded append-only with the facilitator's pseudonym, applied, and then every
facilitator's copy of the card is updated through the outbox.

The service is one object (`bot.py` builds it, the edge and the pipeline call it) put together
from one module per job:

- `services/flag_delivery.py`: who receives a new flag and the card queued for each; flags
  waiting for a recipient; safeguarding escalation to the meeting organiser.
- `services/flag_digests.py`: flag storms folded into one digest card per facilitator.
- `services/flag_actions.py`: a facilitator's action (server-side check, record, apply).
- `services/flag_copies.py`: keeping each delivered copy of a flag card current.
- `services/flag_reports.py`: reports from a message's menu (report it, remove my message).
- `services/flag_auto_responses.py`: the study's automatic note or reminder, the consent nudge.
- `services/flag_base.py`: what they share (collaborators, access check, card content).
"""

from __future__ import annotations

from services.flag_actions import FlagActions
from services.flag_auto_responses import FlagAutoResponses
from services.flag_delivery import FlagDelivery
from services.flag_digests import FlagDigests
from services.flag_reports import FlagReports


class FlagService(FlagReports, FlagDelivery, FlagDigests, FlagActions, FlagAutoResponses):
    """Flags, end to end: the parts above share one state (`FlagServiceBase`)."""
