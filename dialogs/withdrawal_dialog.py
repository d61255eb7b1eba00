"""The one-to-one withdrawal dialog: which focus group → what withdrawing means → confirm.

A `ComponentDialog` around a `WaterfallDialog`. It runs only in 1:1 chats: dialog state lives
in `ConversationState`, and a group chat's conversation state would be shared by everyone in
the meeting. Options (plain JSON, stored in the dialog state) list the sessions the user can
still withdraw from, computed by the command that starts the dialog; the window is checked
again when the withdrawal is recorded.
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import MessageFactory
from botbuilder.dialogs import (
    ComponentDialog,
    DialogTurnResult,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.dialogs.choices import Choice, FoundChoice, ListStyle
from botbuilder.dialogs.prompts import ChoicePrompt, PromptOptions

from services.withdrawal import WindowClosed, WithdrawalService

WITHDRAW = "Yes, withdraw me"
KEEP = "No, keep my data"


def consequences(label: str, window_days: int) -> str:
    return (
        f"You asked to withdraw from the study. If you withdraw from {label.lower()}:\n\n"
        "- your chat messages will not be used in the analysis or in any export;\n"
        "- where other participants' messages mention you, those mentions are removed, and "
        "the facilitators review those messages;\n"
        "- the facilitators are told privately that you have withdrawn (not why, and not in "
        "the meeting chat).\n\n"
        f"You can withdraw up to {window_days} days after the focus group. Withdrawing cannot "
        "be undone. Do you want to withdraw?"
    )


class WithdrawalDialog(ComponentDialog):
    def __init__(self, service: WithdrawalService) -> None:
        super().__init__(WithdrawalDialog.__name__)
        self.service = service
        self.add_dialog(WaterfallDialog(
            "withdrawal.steps", [self._choose_session, self._explain, self._record]
        ))
        self.add_dialog(ChoicePrompt("withdrawal.session"))
        self.add_dialog(ChoicePrompt("withdrawal.confirm"))
        self.initial_dialog_id = "withdrawal.steps"

    @staticmethod
    def _sessions(step: WaterfallStepContext) -> list[dict[str, Any]]:
        return list((step.options or {}).get("sessions") or [])

    async def _choose_session(self, step: WaterfallStepContext) -> DialogTurnResult:
        sessions = self._sessions(step)
        if len(sessions) <= 1:
            return await step.next(0)
        return await step.prompt("withdrawal.session", PromptOptions(
            prompt=MessageFactory.text("You took part in more than one focus group. "
                                       "Which one do you want to withdraw from?"),
            retry_prompt=MessageFactory.text("Please choose one of the focus groups below."),
            choices=[Choice(s["label"]) for s in sessions],
            style=ListStyle.hero_card,
        ))

    async def _explain(self, step: WaterfallStepContext) -> DialogTurnResult:
        result = step.result
        index = result.index if isinstance(result, FoundChoice) else int(result or 0)
        chosen = self._sessions(step)[index]
        step.values["chosen"] = chosen
        return await step.prompt("withdrawal.confirm", PromptOptions(
            prompt=MessageFactory.text(consequences(
                chosen["label"], self.service.study.withdrawal_window_days)),
            retry_prompt=MessageFactory.text(
                f"Please answer '{WITHDRAW}' or '{KEEP}'."),
            choices=[Choice(WITHDRAW, synonyms=["yes", "withdraw", "confirm"]),
                     Choice(KEEP, synonyms=["no", "keep", "cancel", "stop"])],
            style=ListStyle.hero_card,
        ))

    async def _record(self, step: WaterfallStepContext) -> DialogTurnResult:
        chosen = step.values["chosen"]
        if not isinstance(step.result, FoundChoice) or step.result.value != WITHDRAW:
            await step.context.send_activity(MessageFactory.text(
                "Nothing has changed: you are still taking part. Thank you."))
            return await step.end_dialog(False)
        store = self.service.store
        session = await store.get_session(chosen["session_id"])
        participant = (
            await store.participant_by_pseudonym(chosen["session_id"], chosen["pseudonym"])
            if session else None
        )
        if session is None or participant is None or participant.id != chosen["participant_id"]:
            await step.context.send_activity(MessageFactory.text(
                "Sorry, I could not find that focus group any more. Please contact "
                f"{self.service.study.withdrawal_contact_email}."))
            return await step.end_dialog(False)
        try:
            outcome = await self.service.withdraw(
                session, participant, requested_by="self",
                actor=f"participant {participant.pseudonym} (self)",
            )
        except WindowClosed as closed:
            await step.context.send_activity(MessageFactory.text(closed.message))
            return await step.end_dialog(False)
        if outcome.created:
            text = (
                f"Your withdrawal from {chosen['label'].lower()} is recorded. Your chat "
                "messages will not be used, and mentions of you in others' messages will be "
                "removed. The facilitators have been told privately. Thank you for your time."
            )
        else:
            text = f"You had already withdrawn from {chosen['label'].lower()}; nothing more to do."
        await step.context.send_activity(MessageFactory.text(text))
        return await step.end_dialog(True)
