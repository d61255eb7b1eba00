"""The cards the services queue, as a port: a service decides which card goes where and when,
in the same transaction as the decision; the edge's `cards` package renders it.

`bot.py` passes the `cards` package itself, which has these functions; the services never
import it (they sit below the Teams edge).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from services.flag_content import FlagCardContent
from study import Study

Card = dict[str, Any]


class CardPort(Protocol):
    def welcome_card(self, study: Study) -> Card: ...

    def information_sheet_card(self, study: Study) -> Card: ...

    def consent_card(
        self,
        study: Study,
        session_id: str,
        refresh_user_ids: list[str],
        *,
        answers: Mapping[str, bool] | None = None,
        error: str | None = None,
    ) -> Card: ...

    def chatham_house_card(self, study: Study) -> Card: ...

    def confidentiality_reminder_card(self, study: Study) -> Card: ...

    def closing_card(self, study: Study, withdrawal_deadline: datetime) -> Card: ...

    def notice_card(self, title: str, text: str, *, urgent: bool = False) -> Card: ...

    def flag_card(self, content: FlagCardContent) -> Card: ...

    def mention_review_card(
        self, session_id: str, items: list[tuple[int, str, str, str]]
    ) -> Card: ...

    def digest_card(self, entries: Sequence[FlagCardContent],
                    session_title: str | None, *, total: int | None = None) -> Card: ...
