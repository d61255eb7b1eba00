"""The withdrawal review card: borderline messages that may refer to a withdrawn participant,
each with Exclude / Keep buttons. Sent only to facilitators' 1:1 chats (the message text is
shown there and nowhere else); the text goes into TextRuns, which hosts render without
Markdown, so it cannot turn into a link or a mention.
"""

from __future__ import annotations

from typing import Any

REVIEW_VERBS = ("withdrawal.review.exclude", "withdrawal.review.keep")
_STATE = {"pending": "Not reviewed yet (left out until kept)", "exclude": "Excluded",
          "keep": "Kept"}

Card = dict[str, Any]


def mention_review_card(session_id: str, items: list[tuple[int, str, str, str]]) -> Card:
    """items: (review id, author pseudonym, message text, decision)."""
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": "Withdrawal: messages to review", "weight": "Bolder",
         "size": "Medium", "wrap": True},
        {"type": "TextBlock", "wrap": True,
         "text": "These messages came right after a withdrawn participant's and may refer to "
                 "what they said. Exclude deletes one from every export; Keep keeps it."},
    ]
    for review_id, pseudonym, text, decision in items:
        data = {"session_id": session_id, "review_id": review_id}
        body.append({
            "type": "Container", "separator": True, "spacing": "Medium",
            "items": [
                {"type": "RichTextBlock", "inlines": [
                    {"type": "TextRun", "text": f"{pseudonym}: ", "weight": "Bolder"},
                    {"type": "TextRun", "text": text}]},
                {"type": "RichTextBlock", "inlines": [
                    {"type": "TextRun", "text": _STATE.get(decision, decision),
                     "isSubtle": True}]},
                {"type": "ActionSet", "actions": [
                    {"type": "Action.Execute", "title": "Exclude",
                     "verb": "withdrawal.review.exclude", "data": data},
                    {"type": "Action.Execute", "title": "Keep",
                     "verb": "withdrawal.review.keep", "data": data}]},
            ],
        })
    return {"type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": "1.4", "body": body}
