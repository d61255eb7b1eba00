"""A participant's copy of what they answered on the consent card (a receipt, as eConsent gives).

Built once from the recorded consent event and the study file, then shown two ways: as a card
in the participant's 1:1 chat and as a plain-text file they can keep. Both come from the same
`ConsentReceipt`, so the copy never says something the card does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from store import ConsentEvent, Session
from study import Study
from study.dates import DEFAULT_TIMEZONE, format_local


@dataclass(frozen=True)
class ConsentReceipt:
    heading: str
    facts: tuple[tuple[str, str], ...]
    ticked: tuple[str, ...]
    withdraw: str
    contact: str

    @property
    def file_name(self) -> str:
        return "consent-receipt.txt"

    def as_text(self) -> str:
        """The downloadable copy: plain UTF-8 text, readable in any editor."""
        lines = [self.heading, "=" * len(self.heading), ""]
        lines += [f"{title}: {value}" for title, value in self.facts]
        lines += ["", "Statements you ticked:"]
        lines += [f"- {text}" for text in self.ticked] or ["- (none)"]
        lines += ["", "How to withdraw:", self.withdraw, "", "Study contact:", self.contact, ""]
        return "\n".join(lines)


def consent_receipt(
    study: Study, session: Session, event: ConsentEvent, *, zone: str = DEFAULT_TIMEZONE,
    withdrawal_deadline: datetime | None = None,
) -> ConsentReceipt:
    """The receipt for `event`; the deadline is known only once the session has ended."""
    consented = event.decision == "accepted"
    decision = ("You consented to take part" if consented
                else "You chose not to take part (you did not consent)")
    facts = (
        ("Study", study.title),
        ("Focus group", session.title or study.short_title),
        ("Your answer", decision),
        ("Recorded", format_local(event.recorded_at, zone)),
        ("Consent form version", event.form_version),
        ("Consent form fingerprint (SHA-256)", event.content_hash),
    )
    ticked = tuple(study.fill(s.text) for s in study.consent_statements
                   if event.answers.get(s.id))
    days = study.withdrawal_window_days
    until = (f"until {format_local(withdrawal_deadline, zone)}" if withdrawal_deadline
             else f"until {days} days after the focus group ends (the closing message gives "
                  "the exact date)")
    withdraw = (f"Type 'withdraw' in this private chat with me, or email "
                f"{study.withdrawal_contact_email}, {until}. After that your data will have "
                "been anonymised and cannot be withdrawn.")
    if not consented:
        withdraw = ("You did not consent, so your chat messages will not be used. " + withdraw)
    contact = f"For any questions about the study, contact {study.contact_email}."
    return ConsentReceipt("Your consent receipt", facts, ticked, withdraw, contact)
