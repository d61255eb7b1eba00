"""Adaptive Cards (1.4, Teams Universal Actions) built from JSON templates and a Study."""

from cards.builders import (
    CONSENT_VERBS,
    MAX_REFRESH_USER_IDS,
    chatham_house_card,
    closing_card,
    confidentiality_reminder_card,
    consent_answer_card,
    consent_card,
    consent_receipt_card,
    help_card,
    information_sheet_card,
    late_joiner_card,
    notice_card,
    statement_input_id,
    status_card,
    welcome_card,
)
from cards.check import card_problems
from cards.flags import FLAG_VERBS, check_card, digest_card, flag_card
from cards.mention_review import REVIEW_VERBS, mention_review_card
from cards.message_actions import remove_dialog_card, report_dialog_card
from cards.template import TemplateError, render
from cards.zoned import ZonedCards

__all__ = [
    "CONSENT_VERBS",
    "FLAG_VERBS",
    "MAX_REFRESH_USER_IDS",
    "REVIEW_VERBS",
    "TemplateError",
    "ZonedCards",
    "card_problems",
    "chatham_house_card",
    "check_card",
    "closing_card",
    "confidentiality_reminder_card",
    "consent_answer_card",
    "consent_card",
    "consent_receipt_card",
    "digest_card",
    "flag_card",
    "help_card",
    "information_sheet_card",
    "late_joiner_card",
    "mention_review_card",
    "notice_card",
    "remove_dialog_card",
    "render",
    "report_dialog_card",
    "statement_input_id",
    "status_card",
    "welcome_card",
]
