"""The `CardPort` bot.py hands the services: the card builders, with the study's time zone
(STUDY_TIMEZONE) bound into every card that shows a time, so a service queues the same card
the edge would draw without knowing the zone (services/card_port.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from cards.builders import (
    chatham_house_card,
    closing_card,
    confidentiality_reminder_card,
    consent_card,
    information_sheet_card,
    notice_card,
    welcome_card,
)
from cards.flags import digest_card, flag_card
from cards.mention_review import mention_review_card
from services.flag_content import FlagCardContent
from study import Study
from study.dates import DEFAULT_TIMEZONE, study_zone

Card = dict[str, Any]


class ZonedCards:
    """Implements services.card_port.CardPort; times read in `zone` (an IANA name)."""

    def __init__(self, zone: str = DEFAULT_TIMEZONE) -> None:
        study_zone(zone)  # an unknown zone fails here, at start-up, not in a card
        self.zone = zone

    def welcome_card(self, study: Study) -> Card:
        return welcome_card(study)

    def information_sheet_card(self, study: Study) -> Card:
        return information_sheet_card(study)

    def consent_card(
        self,
        study: Study,
        session_id: str,
        refresh_user_ids: list[str],
        *,
        answers: Mapping[str, bool] | None = None,
        error: str | None = None,
    ) -> Card:
        return consent_card(study, session_id, refresh_user_ids, answers=answers, error=error)

    def chatham_house_card(self, study: Study) -> Card:
        return chatham_house_card(study)

    def confidentiality_reminder_card(self, study: Study) -> Card:
        return confidentiality_reminder_card(study)

    def closing_card(self, study: Study, withdrawal_deadline: datetime) -> Card:
        return closing_card(study, withdrawal_deadline, zone=self.zone)

    def notice_card(self, title: str, text: str, *, urgent: bool = False) -> Card:
        return notice_card(title, text, urgent=urgent)

    def flag_card(self, content: FlagCardContent) -> Card:
        return flag_card(content, zone=self.zone)

    def mention_review_card(
        self, session_id: str, items: list[tuple[int, str, str, str]]
    ) -> Card:
        return mention_review_card(session_id, items)

    def digest_card(self, entries: Sequence[FlagCardContent],
                    session_title: str | None, *, total: int | None = None) -> Card:
        return digest_card(entries, session_title, total=total, zone=self.zone)
