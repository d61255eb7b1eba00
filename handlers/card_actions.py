"""Adaptive Card Universal Actions (`adaptiveCard/action` invokes), routed by exact verb.

botbuilder 4.17.1 crashes when `on_adaptive_card_invoke` returns with CloudAdapter (the
response is serialised twice), so the router answers these invokes itself with the dict built
by `handlers.routes.card_response`:
`{"statusCode": 200, "type": "application/vnd.microsoft.card.adaptive", "value": card}`.
"""

from __future__ import annotations

import logging
from typing import Any

import cards
from handlers.context import Turn
from handlers.receipts import send_consent_receipt
from handlers.routes import InvokeBody, card_response, routes
from services.consent import ConsentIncomplete, FormOutdated
from services.messages import SESSION_DELETED, card_activity
from store import Session

log = logging.getLogger(__name__)


async def _session_for(
    turn: Turn, data: dict[str, Any], *, live: bool
) -> Session | InvokeBody:
    """The card's session, or the answer to give instead: it is not this chat's, not running
    (when `live`), or purged. A purged session's card creates nothing, not even the clicker's
    participant row, which would link them to it again."""
    session_id = data.get("session_id")
    session = await turn.store.get_session(session_id) if isinstance(session_id, str) else None
    if session is not None and await turn.store.session_purged(session.id):
        return card_response(cards.notice_card("Consent", SESSION_DELETED))
    elsewhere = session is not None and session.conversation_id != turn.incoming.conversation_id
    if elsewhere and not turn.incoming.personal:  # a breakout room's chat linked to it?
        linked = await turn.store.live_session(turn.incoming.conversation_id)
        elsewhere = linked is None or session is None or linked.id != session.id
    if session is None or elsewhere and not turn.incoming.personal or live and not session.live:
        return card_response(cards.notice_card("Consent", "This session is no longer running."))
    return session


async def _own_view(turn: Turn, session: Any, *, error: str | None = None,
                    answers: dict[str, bool] | None = None, form: bool = False) -> InvokeBody:
    """The consent card as this user should see it: their answer, or the form."""
    refresh_ids = await turn.services.sessions.refresh_user_ids(
        session, [turn.incoming.sender.teams_user_id]
    )
    participant = await turn.participant(session)
    current = await turn.services.consent.current(session, participant)
    if current is not None and not form and error is None:
        return card_response(
            cards.consent_answer_card(
                turn.study, session.id, current.decision, current.recorded_at, current.answers,
                refresh_user_ids=refresh_ids, zone=turn.services.timezone,
            )
        )
    return card_response(
        cards.consent_card(turn.study, session.id, refresh_ids, answers=answers, error=error)
    )


@routes.on_card_action_execute("consent.refresh")
async def consent_refresh(turn: Turn, data: dict[str, Any]) -> InvokeBody:
    session = await _session_for(turn, data, live=False)
    if not isinstance(session, Session):
        return session
    return await _own_view(turn, session)


@routes.on_card_action_execute("consent.change")
async def consent_change(turn: Turn, data: dict[str, Any]) -> InvokeBody:
    session = await _session_for(turn, data, live=True)
    if not isinstance(session, Session):
        return session
    participant = await turn.participant(session)
    current = await turn.services.consent.current(session, participant)
    return await _own_view(turn, session, form=True,
                           answers=current.answers if current else None)


async def _answer(turn: Turn, data: dict[str, Any], decision: str) -> InvokeBody:
    session = await _session_for(turn, data, live=True)
    if not isinstance(session, Session):
        return session
    consent = turn.services.consent
    answers = consent.parse_answers(data)
    participant = await turn.participant(session)
    try:
        event = await consent.answer(
            session, participant, decision,  # type: ignore[arg-type]
            answers, data.get("form_version") if isinstance(data.get("form_version"), str)
            else None, activity_id=turn.incoming.activity_id,
        )
    except ConsentIncomplete as exc:
        return await _own_view(
            turn, session, answers=answers,
            error=f"Please tick every statement marked required ({len(exc.missing)} not ticked)"
                  " or choose 'I do not consent'.",
        )
    except FormOutdated:
        return await _own_view(
            turn, session, answers=answers,
            error="The information sheet has changed since this card was posted. Please read "
                  "it again and answer this updated card.",
        )
    log.info("consent recorded", extra={"session_id": session.id, "decision": decision})
    await send_consent_receipt(turn, session, event)
    if decision == "declined":
        await turn.services.sessions.notify_facilitators(
            session,
            f"declined:{participant.id}:{turn.incoming.activity_id or ''}",
            card_activity(
                cards.notice_card(
                    "A participant chose not to consent",
                    f"{turn.incoming.sender.display_name or participant.pseudonym} "
                    f"({participant.pseudonym}) answered 'I do not consent'. Their chat "
                    "messages will not be used.",
                ),
                summary="Consent declined",
            ),
        )
    return await _own_view(turn, session)


@routes.on_card_action_execute("consent.accept")
async def consent_accept(turn: Turn, data: dict[str, Any]) -> InvokeBody:
    return await _answer(turn, data, "accepted")


@routes.on_card_action_execute("consent.decline")
async def consent_decline(turn: Turn, data: dict[str, Any]) -> InvokeBody:
    return await _answer(turn, data, "declined")
