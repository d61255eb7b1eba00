"""Participants, their Teams identities, roles and facilitators' private channels, on
SQLAlchemy Core (see `store.ports.ParticipantStore`).

A participant's pseudonym is allocated by counting inside the write transaction; a unique
constraint settles a race between instances and the loser tries again.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from store import schema as t
from store.records import FacilitatorChannel, Identity, Participant, Role, RosterEntry
from store.sql_base import SqlBase, is_unique_violation, record
from store.sql_consent import latest_consents


class SqlParticipants(SqlBase):
    """Who took part in a session, as whom, and where facilitators receive flags."""

    async def participant_for(
        self, session_id: str, identity: Identity, role: Role, at: datetime
    ) -> Participant:
        """The session's participant for this Teams user, created with the next pseudonym."""
        for _ in range(20):
            found = await self._participant_by_user(session_id, identity.teams_user_id)
            if found:
                await self._refresh_identity(found.id, identity)
                return found
            try:
                return await self._create_participant(session_id, identity, role, at)
            except IntegrityError as exc:
                if not is_unique_violation(exc):
                    raise
                await asyncio.sleep(0.01)
        raise RuntimeError("could not allocate a pseudonym")

    async def _participant_by_user(self, session_id: str, teams_user_id: str) -> Participant | None:
        async with self._reading() as conn:
            row = (
                await conn.execute(
                    select(t.participants)
                    .join(
                        t.identity_links, t.identity_links.c.participant_id == t.participants.c.id
                    )
                    .where(
                        t.identity_links.c.session_id == session_id,
                        t.identity_links.c.teams_user_id == teams_user_id,
                    )
                )
            ).first()
        return record(Participant, row) if row else None

    async def _refresh_identity(self, participant_id: str, identity: Identity) -> None:
        """Keep the known name and AAD id current; write only when one of them changed."""
        links = t.identity_links.c
        values: dict[str, Any] = {}
        changed = []
        if identity.display_name:
            values["display_name"] = identity.display_name
            changed.append(links.display_name.is_distinct_from(identity.display_name))
        if identity.aad_object_id:
            values["aad_object_id"] = identity.aad_object_id
            changed.append(links.aad_object_id.is_distinct_from(identity.aad_object_id))
        if not values:
            return
        async with self._writing() as conn:
            await conn.execute(
                update(t.identity_links)
                .where(links.participant_id == participant_id, or_(*changed))
                .values(**values)
            )

    async def _create_participant(
        self, session_id: str, identity: Identity, role: Role, at: datetime
    ) -> Participant:
        prefix = "F" if role == "facilitator" else "P"
        async with self._writing() as conn:
            count = (
                await conn.execute(
                    select(func.count())
                    .select_from(t.participants)
                    .where(
                        t.participants.c.session_id == session_id,
                        t.participants.c.role == role,
                    )
                )
            ).scalar_one()
            pseudonym = f"F{count + 1}" if prefix == "F" else f"P{count + 1:02d}"
            participant_id = str(uuid.uuid4())
            await conn.execute(
                insert(t.participants).values(
                    id=participant_id,
                    session_id=session_id,
                    pseudonym=pseudonym,
                    role=role,
                    first_seen_at=at,
                )
            )
            await conn.execute(
                insert(t.identity_links).values(
                    participant_id=participant_id,
                    session_id=session_id,
                    teams_user_id=identity.teams_user_id,
                    aad_object_id=identity.aad_object_id,
                    display_name=identity.display_name,
                )
            )
        return Participant(participant_id, session_id, pseudonym, role, at)

    async def promote_to_facilitator(self, participant_id: str) -> Participant | None:
        """Make a participant a facilitator, with the session's next F pseudonym.

        For someone first seen while Teams could not tell their meeting role (a failed
        lookup): once it can, they are the facilitator they always were. None: no such
        participant. A facilitator already is returned unchanged.
        """
        p = t.participants.c
        for _ in range(20):
            async with self._reading() as conn:
                row = (await conn.execute(select(t.participants).where(p.id == participant_id))
                       ).first()
            if row is None:
                return None
            found = record(Participant, row)
            if found.role == "facilitator":
                return found
            try:
                async with self._writing() as conn:
                    count = (await conn.execute(
                        select(func.count()).select_from(t.participants).where(
                            p.session_id == found.session_id, p.role == "facilitator")
                    )).scalar_one()
                    pseudonym = f"F{count + 1}"
                    await conn.execute(
                        update(t.participants)
                        .where(p.id == participant_id, p.role == "participant")
                        .values(role="facilitator", pseudonym=pseudonym)
                    )
            except IntegrityError as exc:
                if not is_unique_violation(exc):
                    raise
                await asyncio.sleep(0.01)
                continue
        raise RuntimeError("could not allocate a pseudonym")

    async def roster(self, session_id: str) -> list[RosterEntry]:
        """Everyone seen in the session with their identity and latest consent answer."""
        async with self._reading() as conn:
            rows = (
                await conn.execute(
                    select(t.participants, t.identity_links)
                    .outerjoin(
                        t.identity_links,
                        t.identity_links.c.participant_id == t.participants.c.id,
                    )
                    .where(t.participants.c.session_id == session_id)
                    .order_by(t.participants.c.first_seen_at, t.participants.c.pseudonym)
                )
            ).all()
            latest = await latest_consents(conn, session_id)
        entries = []
        for row in rows:
            identity = record(Identity, row) if row.teams_user_id else None
            entries.append(RosterEntry(record(Participant, row), identity, latest.get(row.id)))
        return entries

    async def mark_consent_nudged(self, participant_id: str, at: datetime) -> bool:
        """True the first time only: the participant is reminded at most once."""
        async with self._writing() as conn:
            result = await conn.execute(
                update(t.participants)
                .where(
                    t.participants.c.id == participant_id,
                    t.participants.c.consent_nudged_at.is_(None),
                )
                .values(consent_nudged_at=at)
            )
        return result.rowcount == 1

    async def is_live_facilitator(self, teams_user_id: str) -> bool:
        """True if this user is a facilitator participant of any live session."""
        p, link, s = t.participants.c, t.identity_links.c, t.sessions.c
        async with self._reading() as conn:
            row = (
                await conn.execute(
                    select(p.id)
                    .join(t.identity_links, link.participant_id == p.id)
                    .join(t.sessions, s.id == p.session_id)
                    .where(link.teams_user_id == teams_user_id, p.role == "facilitator",
                           s.status == "live")
                    .limit(1)
                )
            ).first()
        return row is not None

    async def facilitated_any_session(self, teams_user_id: str) -> bool:
        """True if this user is a facilitator participant of any session, live or ended."""
        p, link = t.participants.c, t.identity_links.c
        async with self._reading() as conn:
            row = (
                await conn.execute(
                    select(p.id)
                    .join(t.identity_links, link.participant_id == p.id)
                    .where(link.teams_user_id == teams_user_id, p.role == "facilitator")
                    .limit(1)
                )
            ).first()
        return row is not None

    async def session_role(self, session_id: str, teams_user_id: str) -> str | None:
        p, link = t.participants.c, t.identity_links.c
        async with self._reading() as conn:
            return (
                await conn.execute(
                    select(p.role)
                    .join(t.identity_links, link.participant_id == p.id)
                    .where(link.session_id == session_id, link.teams_user_id == teams_user_id)
                )
            ).scalar()

    # ---- facilitators' private channels ----------------------------------------------------

    async def save_facilitator_channel(self, channel: FacilitatorChannel) -> None:
        async with self._writing() as conn:
            updated = await conn.execute(
                update(t.facilitator_channels)
                .where(t.facilitator_channels.c.teams_user_id == channel.teams_user_id)
                .values(
                    aad_object_id=channel.aad_object_id,
                    display_name=channel.display_name,
                    service_url=channel.service_url,
                    tenant_id=channel.tenant_id,
                    conversation_id=channel.conversation_id,
                )
            )
            if updated.rowcount == 0:
                await conn.execute(
                    insert(t.facilitator_channels).values(
                        teams_user_id=channel.teams_user_id,
                        aad_object_id=channel.aad_object_id,
                        display_name=channel.display_name,
                        service_url=channel.service_url,
                        tenant_id=channel.tenant_id,
                        conversation_id=channel.conversation_id,
                        registered_at=channel.registered_at,
                    )
                )

    async def facilitator_channel(self, teams_user_id: str) -> FacilitatorChannel | None:
        async with self._reading() as conn:
            row = (
                await conn.execute(
                    select(t.facilitator_channels).where(
                        t.facilitator_channels.c.teams_user_id == teams_user_id
                    )
                )
            ).first()
        return record(FacilitatorChannel, row) if row else None

    async def facilitator_channels(self) -> list[FacilitatorChannel]:
        """Every registered facilitator channel (where flags go besides session facilitators)."""
        async with self._reading() as conn:
            rows = (await conn.execute(select(t.facilitator_channels))).all()
        return [record(FacilitatorChannel, r) for r in rows]
