"""Consent receipts end to end: an answer on the consent card brings the participant a receipt
card and a file offer in their 1:1 chat; accepting the offer uploads the same receipt as text."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from handlers.file_upload import FILE_CONSENT, FILE_INFO
from services.consent_receipt import consent_receipt
from store import ConsentEvent, Session
from study import DEFAULT_STUDY_FILE, load_study
from tests.conftest import RunningBot
from tests.connector_standin import ConnectorStandIn
from tests.teams import ALICE, BOB, Teams, User
from tests.test_session_flow import all_statements_ticked, consent_data, start_session
from tests.test_withdrawal_teams import OneDrive, attachments, onedrive  # noqa: F401

CARD = "application/vnd.microsoft.card.adaptive"


def _receipt_text(connector: ConnectorStandIn, conversation_id: str) -> str:
    (card,) = [a["content"] for a in attachments(connector, conversation_id, CARD)
               if "consent receipt" in str(a["content"]).lower()]
    return str(card)


def _accept(teams: Teams, user: User, context: dict[str, Any], url: str) -> dict[str, Any]:
    activity = copy.deepcopy(teams.personal(user, ""))
    activity.update(type="invoke", name="fileConsent/invoke", text=None)
    activity["value"] = {"type": "fileUpload", "action": "accept", "context": context,
                         "uploadInfo": {"contentUrl": "https://contoso.sharepoint.com/r.txt",
                                        "name": "consent-receipt.txt", "uploadUrl": url,
                                        "uniqueId": "R1", "fileType": "txt"}}
    return activity


async def test_a_consenting_participant_gets_a_receipt_and_a_copy_to_keep(
    bot: RunningBot, teams: Teams, connector: ConnectorStandIn, onedrive: OneDrive,  # noqa: F811
) -> None:
    study = load_study(DEFAULT_STUDY_FILE)
    await start_session(bot, teams, connector)
    data = {**consent_data(connector), **all_statements_ticked(connector)}
    status, _ = await bot.post(teams.card_action(ALICE, "consent.accept", data))
    assert status == 200
    private = connector.personal_conversation_for(ALICE.id)
    await connector.wait_for(lambda c: attachments(c, private, FILE_CONSENT))

    card = _receipt_text(connector, private)
    assert "You consented to take part" in card
    assert study.form_version in card and study.content_hash in card
    assert f"{study.withdrawal_window_days} days after the focus group" in card
    assert study.contact_email.split("@")[0] in card
    (offer,) = attachments(connector, private, FILE_CONSENT)
    assert offer["name"] == "consent-receipt.txt"

    status, _ = await bot.post(_accept(teams, ALICE, offer["content"]["acceptContext"],
                                       f"{onedrive.url}/upload/consent-receipt.txt"))
    assert status == 200
    ((_, body),) = onedrive.uploads
    copy_text = body.decode("utf-8")
    assert copy_text.startswith("Your consent receipt\n")
    assert len(body) == offer["content"]["sizeInBytes"]
    for statement in study.consent_statements:
        assert study.fill(statement.text) in copy_text
    await connector.wait_for(lambda c: attachments(c, private, FILE_INFO))


async def test_someone_else_cannot_download_a_participants_receipt(
    bot: RunningBot, teams: Teams, connector: ConnectorStandIn, onedrive: OneDrive,  # noqa: F811
) -> None:
    await start_session(bot, teams, connector)
    status, _ = await bot.post(teams.card_action(ALICE, "consent.decline", consent_data(connector)))
    assert status == 200
    private = connector.personal_conversation_for(ALICE.id)
    await connector.wait_for(lambda c: attachments(c, private, FILE_CONSENT))
    assert "You chose not to take part" in _receipt_text(connector, private)
    (offer,) = attachments(connector, private, FILE_CONSENT)

    status, _ = await bot.post(_accept(teams, BOB, offer["content"]["acceptContext"],
                                       f"{onedrive.url}/upload/consent-receipt.txt"))
    assert status == 200
    assert onedrive.uploads == []


def test_the_receipt_gives_the_uk_time_and_the_deadline_once_the_session_has_ended() -> None:
    study = load_study(DEFAULT_STUDY_FILE)
    at = datetime(2026, 7, 3, 13, 5, tzinfo=UTC)
    session = Session("s1", "c1", "https://x", None, None, None, None, "Group A",
                      study.form_version, "ended", at, at)
    event = ConsentEvent(1, "s1", "p1", "accepted", study.form_version, study.content_hash,
                         {s.id: True for s in study.consent_statements}, at)
    receipt = consent_receipt(study, session, event,
                              withdrawal_deadline=study.withdrawal_deadline_for(at))
    assert ("Recorded", "Friday 3 July 2026, 14:05") in receipt.facts
    assert "until Friday 17 July 2026, 14:05" in receipt.withdraw
