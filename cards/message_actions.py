"""The dialogs (task modules) of the message actions in a chat message's "..." menu: "Report
to the facilitators" and "Please remove my message from the research".

Each is a small Adaptive Card with one Action.Submit; Teams sends its inputs back in the
`composeExtension/submitAction` invoke (`value.data`), with the message again. Nothing from the
message is shown here: the dialog is the reporter's, and the message is theirs to read.
"""

from __future__ import annotations

from typing import Any

from cards.template import render
from services.flag_content import CONCERN_WORDS

Card = dict[str, Any]
CONCERN_INPUT = "concern"


def report_dialog_card() -> Card:
    """Asks what worries the reporter (a choice, no free text: nothing more is stored)."""
    return render(
        "message_action",
        heading="Report this message to the facilitators",
        text="The facilitators will be told privately and can act on it (hide it, leave it "
             "out of the research, or treat it as a safeguarding concern).",
        inputs=[
            {"type": "TextBlock", "text": "What worries you about it?", "wrap": True},
            {"type": "Input.ChoiceSet", "id": CONCERN_INPUT, "style": "expanded",
             "value": "identifying", "isRequired": True,
             "errorMessage": "Please choose one.",
             "choices": [{"title": words, "value": value}
                         for value, words in CONCERN_WORDS.items()]},
        ],
        privacy="They will not be told who reported it, and nothing is posted in the meeting "
                "chat.",
        submit="Report it",
        action="report",
    )


def remove_dialog_card() -> Card:
    """Confirms that the author wants their message left out of the research."""
    return render(
        "message_action",
        heading="Remove your message from the research",
        text="This message will be left out of the research record and of every export. The "
             "facilitators will be told privately. It stays visible in the meeting chat "
             "unless you delete it there too.",
        inputs=[],
        privacy="Nothing is posted in the meeting chat.",
        submit="Remove it from the research",
        action="remove",
    )
