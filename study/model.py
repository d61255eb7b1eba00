"""The study model: participant-facing texts, consent statements and settings."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta
from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, field_validator

from study.dates import DEFAULT_TIMEZONE, as_utc, format_local

PLACEHOLDERS: frozenset[str] = frozenset(
    {"withdrawal_deadline", "contact_email", "withdrawal_contact_email", "withdrawal_window_days"}
)
# The deadline is only known once a session has ended, so only these texts may use it.
DEADLINE_FIELDS: frozenset[str] = frozenset({"closing_message", "withdrawal_closed_message"})
TEXT_FIELDS: tuple[str, ...] = (
    "title",
    "short_title",
    "welcome",
    "chatham_house_reminder",
    "confidentiality_reminder",
    "late_joiner_welcome",
    "decline_message",
    "closing_message",
    "withdrawal_closed_message",
)

_PLACEHOLDER_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")

Text = Annotated[StrictStr, Field(min_length=1)]
StatementId = Annotated[StrictStr, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]


def _check_text(value: str, *, deadline_allowed: bool = False) -> str:
    """Reject blank text and unknown placeholders, so typos never reach a card."""
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    for name in _PLACEHOLDER_RE.findall(value):
        if name not in PLACEHOLDERS:
            allowed = ", ".join(f"{{{p}}}" for p in sorted(PLACEHOLDERS))
            raise ValueError(f"unknown placeholder {{{name}}} (allowed: {allowed})")
        if name == "withdrawal_deadline" and not deadline_allowed:
            fields = ", ".join(sorted(DEADLINE_FIELDS))
            raise ValueError(f"placeholder {{withdrawal_deadline}} is only allowed in {fields}")
    return value


def _check_email(value: str) -> str:
    value = value.strip()
    if not _EMAIL_RE.match(value):
        raise ValueError(f"not a valid email address: {value!r}")
    return value


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Section(_Frozen):
    """One headed section of the information sheet."""

    heading: Text
    paragraphs: tuple[Text, ...] = Field(min_length=1)

    @field_validator("heading")
    @classmethod
    def _heading(cls, value: str) -> str:
        return _check_text(value)

    @field_validator("paragraphs")
    @classmethod
    def _paragraphs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_check_text(p) for p in value)


class ConsentStatement(_Frozen):
    """A statement the participant ticks on the consent card."""

    id: StatementId
    text: Text
    required: StrictBool

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        return _check_text(value)


class Study(_Frozen):
    """A study file's content. Immutable; its hash is the consent form version."""

    study_id: Annotated[StrictStr, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
    title: Text
    short_title: Text
    welcome: Text
    sections: tuple[Section, ...] = Field(min_length=1)
    consent_statements: tuple[ConsentStatement, ...] = Field(min_length=1)
    chatham_house_reminder: Text
    confidentiality_reminder: Text
    late_joiner_welcome: Text
    decline_message: Text
    closing_message: Text
    withdrawal_closed_message: Text
    contact_email: StrictStr
    withdrawal_contact_email: StrictStr
    withdrawal_window_days: Annotated[StrictInt, Field(ge=1, le=365)]
    auto_response: Literal["none", "group_reminder", "private_note"] = "none"
    auto_response_min_interval_minutes: Annotated[StrictInt, Field(ge=0, le=1440)] = 5

    @field_validator(
        "title",
        "short_title",
        "welcome",
        "chatham_house_reminder",
        "confidentiality_reminder",
        "late_joiner_welcome",
        "decline_message",
    )
    @classmethod
    def _plain_text(cls, value: str) -> str:
        return _check_text(value)

    @field_validator("closing_message", "withdrawal_closed_message")
    @classmethod
    def _deadline_text(cls, value: str) -> str:
        return _check_text(value, deadline_allowed=True)

    @field_validator("contact_email", "withdrawal_contact_email")
    @classmethod
    def _email(cls, value: str) -> str:
        return _check_email(value)

    @field_validator("consent_statements")
    @classmethod
    def _statements(cls, value: tuple[ConsentStatement, ...]) -> tuple[ConsentStatement, ...]:
        seen: set[str] = set()
        for statement in value:
            if statement.id in seen:
                raise ValueError(f"duplicate statement id {statement.id!r}")
            seen.add(statement.id)
        if not any(s.required for s in value):
            raise ValueError("at least one statement must be required")
        return value

    @cached_property
    def content_hash(self) -> str:
        """sha256 of a canonical JSON dump: YAML layout and comments do not change it."""
        canonical = json.dumps(
            self.model_dump(mode="json"),
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @property
    def form_version(self) -> str:
        return self.content_hash[:12]

    @property
    def required_statement_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.consent_statements if s.required)

    def fill(self, text: str, *, withdrawal_deadline: datetime | None = None,
             zone: str = DEFAULT_TIMEZONE) -> str:
        """Fill the allowed placeholders in one pass; inserted values are never re-scanned.
        The deadline reads in the study's time zone (`zone`, STUDY_TIMEZONE)."""
        values: dict[str, str] = {
            "contact_email": self.contact_email,
            "withdrawal_contact_email": self.withdrawal_contact_email,
            "withdrawal_window_days": str(self.withdrawal_window_days),
        }
        if withdrawal_deadline is not None:
            values["withdrawal_deadline"] = format_local(withdrawal_deadline, zone)

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in values:
                return values[name]
            if name == "withdrawal_deadline":
                raise ValueError("this text needs withdrawal_deadline")
            return match.group(0)

        return _PLACEHOLDER_RE.sub(replace, text)

    def format_text(self, field_name: str, *, withdrawal_deadline: datetime | None = None,
                    zone: str = DEFAULT_TIMEZONE) -> str:
        """Return one of the study's texts (see TEXT_FIELDS) with placeholders filled."""
        if field_name not in TEXT_FIELDS:
            raise ValueError(f"not a study text field: {field_name!r}")
        text: str = getattr(self, field_name)
        return self.fill(text, withdrawal_deadline=withdrawal_deadline, zone=zone)

    def withdrawal_deadline_for(self, ended_at: datetime) -> datetime:
        """The end of the withdrawal window for a session that ended at ``ended_at``."""
        return as_utc(ended_at) + timedelta(days=self.withdrawal_window_days)
