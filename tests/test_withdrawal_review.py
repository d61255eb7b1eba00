"""Withdrawal as the information sheet promises: others' messages that mention a withdrawn
participant's contribution are deleted from every export (name, first name, short form,
handle, @mention, reply, quote); borderline ones right after theirs wait for a facilitator's
Exclude or Keep (audited, text never in the audit); a mistaken withdrawal can be reverted
within the window only. On SQLite, and on PostgreSQL when TEST_POSTGRES_URL is set."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

import cards
from export.render import FORMATS
from services.withdrawal import ReviewRefused, WindowClosed, WithdrawalService
from tests.harness.store_reads import audit_entries
from tests.test_export import export_all, jsonl_rows
from tests.test_export_seed import (  # noqa: F401  (fixtures)
    END,
    FIONA,
    PRIYANKA,
    START,
    TOBIAS,
    Seeded,
    add_message,
    seeded_fixture,
)

QUOTE = ('<blockquote itemscope="" itemtype="http://schema.skype.com/Reply" itemid="{id}">'
         '<strong itemprop="mri" itemid="8:orgid:{aad}">Someone</strong>'
         '<span itemprop="time" itemid="{id}"></span><p itemprop="preview">…</p>'
         '</blockquote><p>{text}</p>')
# Each reference carries a marker word, so its absence from an export is easy to check.
REFERENCES = {
    "full name": f"Marmoset1 {PRIYANKA.name} raised a fair point on hybrid.",
    "first name": "Marmoset2 what Priyanka described happens here too.",
    "nickname": "Marmoset3 Priya is right about the waiting room.",
    "handle": "@priya Marmoset4 that chimes with our chairs.",
}
SHE_SAID = "Walrus1 she said it better than I could."
UNRELATED = "Walrus2 we use a hybrid room with a big screen."


class Clock:
    def __init__(self, now: Any) -> None:
        self.now = now

    def __call__(self) -> Any:
        return self.now


async def _add_references(seeded: Seeded) -> dict[str, int]:
    """Tobias and Fiona refer to Priyanka in every way; a borderline "she said" follows her
    last message; an unrelated message comes later."""
    session, pid = seeded.sessions[0], seeded.pid
    at = START + timedelta(minutes=30)
    tobias, fiona, priyanka = (pid[(1, p.name)] for p in (TOBIAS, FIONA, PRIYANKA))
    ids: dict[str, int] = {}
    for offset, (key, text) in enumerate(REFERENCES.items()):
        ids[key] = await add_message(seeded.store, session, tobias, text,
                                     at=at + timedelta(seconds=offset))
    ids["@mention"] = await add_message(
        seeded.store, session, fiona, "Marmoset5 thanks, go on.", at=at + timedelta(seconds=10),
        mentions=[{"user_id": PRIYANKA.teams_id, "text": "<at>P R</at>"}])
    ids["her"] = await add_message(seeded.store, session, priyanka,
                                   "Remote attendance helps parents who work.",
                                   at=at + timedelta(minutes=1))
    her_activity = f"act-{(at + timedelta(minutes=1)).timestamp()}-{priyanka[:6]}"
    ids["reply"] = await add_message(seeded.store, session, tobias, "Marmoset6 yes, indeed.",
                                     at=at + timedelta(minutes=1, seconds=5),
                                     reply_to_id=her_activity)
    ids["quote"] = await add_message(
        seeded.store, session, fiona,
        QUOTE.format(id=her_activity, aad=PRIYANKA.aad, text="Marmoset7 noted."),
        at=at + timedelta(minutes=1, seconds=7))
    ids["she said"] = await add_message(seeded.store, session, tobias, SHE_SAID,
                                        at=at + timedelta(minutes=1, seconds=20))
    ids["unrelated"] = await add_message(seeded.store, session, tobias, UNRELATED,
                                         at=at + timedelta(minutes=20))
    return ids


async def _withdraw_priyanka(seeded: Seeded, notes: list[Any] | None = None,
                             now: Any = None) -> tuple[WithdrawalService, Any, Any]:
    async def notify(session: Any, key: str, payload: dict[str, Any]) -> int:
        if notes is not None:
            notes.append((key, payload))
        return 1

    session = seeded.sessions[0]
    priyanka = next(e.participant for e in await seeded.store.roster(session.id)
                    if e.identity and e.identity.display_name == PRIYANKA.name)
    service = WithdrawalService(seeded.store, seeded.study, clock=Clock(now or END + timedelta(
        days=2)), notify_facilitators=notify, cards=cards)
    await service.withdraw(session, priyanka, requested_by="self", actor="participant P01")
    return service, session, priyanka


async def test_every_reference_to_her_is_excluded_from_every_format(seeded: Seeded) -> None:
    await _add_references(seeded)
    await _withdraw_priyanka(seeded)
    out = await export_all(seeded, None)
    for fmt in FORMATS:
        for number in range(1, 8):
            assert f"Marmoset{number}" not in out[fmt], (fmt, number)
        assert "Walrus1" not in out[fmt]  # borderline: left out until a facilitator keeps it
        assert "Walrus2" in out[fmt]
    header = jsonl_rows(out["jsonl"])[0]
    excluded = header["messages_excluded"]
    # Tobias's "I agree with Priyanka" and @mention-only "ping" (seed) + the 7 above
    assert excluded["mentions_withdrawn"] == 9
    assert excluded["borderline_pending"] == 1 and excluded["borderline_excluded"] == 0
    assert header["borderline_references_kept"] == 0


async def test_the_she_said_goes_to_the_facilitators_1to1_review_card_only(
    seeded: Seeded,
) -> None:
    ids = await _add_references(seeded)
    notes: list[Any] = []
    service, session, _ = await _withdraw_priyanka(seeded, notes)
    keys = [key for key, _ in notes]
    assert keys == ["withdrawal:" + _pid(seeded) , "withdrawal:" + _pid(seeded) + ":review"]
    review = str(notes[1][1])
    assert SHE_SAID in review and "Exclude" in review and "Keep" in review
    assert "Walrus2" not in review and "Marmoset" not in review and PRIYANKA.first not in review
    assert SHE_SAID not in str(notes[0][1])  # the notice gives counts only
    (item,) = await service.review_items(session.id)
    assert item.decision == "pending" and item.pseudonym == "P02"
    assert ids["she said"] in {r.message_id for r in await seeded.store.mention_reviews(
        session.id)}


def _pid(seeded: Seeded) -> str:
    return seeded.pid[(1, PRIYANKA.name)]


@pytest.mark.parametrize("decision,in_export", [("keep", True), ("exclude", False)])
async def test_a_review_decision_changes_the_export_and_is_audited_without_text(
    seeded: Seeded, decision: str, in_export: bool
) -> None:
    await _add_references(seeded)
    service, session, _ = await _withdraw_priyanka(seeded)
    (item,) = await service.review_items(session.id)
    decided = await service.decide(session, item.review_id, decision, actor="facilitator F1")
    assert decided.decision == decision
    out = await export_all(seeded, None)
    assert all(("Walrus1" in out[fmt]) is in_export for fmt in FORMATS)
    header = jsonl_rows(out["jsonl"])[0]
    assert header["borderline_references_kept"] == int(in_export)
    assert header["messages_excluded"]["borderline_excluded"] == int(not in_export)
    assert header["messages_excluded"]["borderline_pending"] == 0
    (entry,) = await audit_entries(seeded.store, "withdrawal.review")
    assert entry["actor"] == "facilitator F1"
    assert entry["subject"] == f"session:{session.id}"
    assert entry["details"]["decision"] == decision
    assert "Walrus" not in str(entry) and "she said" not in str(entry)
    with pytest.raises(ReviewRefused):
        await service.decide(seeded.sessions[1], item.review_id, "keep", actor="facilitator F1")


async def test_revert_within_the_window_restores_her_messages_and_is_audited(
    seeded: Seeded,
) -> None:
    await _add_references(seeded)
    service, session, priyanka = await _withdraw_priyanka(seeded)
    assert await service.revert(session, priyanka, actor="facilitator F1")
    assert await seeded.store.withdrawals_for(session.id) == []
    out = await export_all(seeded, None)
    speakers = {row["speaker"] for row in jsonl_rows(out["jsonl"])[1:]}
    assert "P01" in speakers
    assert "Remote attendance helps parents who work." in out["jsonl"]
    assert all(f"Marmoset{n}" in out["jsonl"] for n in range(1, 8))
    header = jsonl_rows(out["jsonl"])[0]
    assert header["withdrawn_participants"] == 0
    assert header["messages_excluded"]["mentions_withdrawn"] == 0
    (entry,) = await audit_entries(seeded.store, "withdrawal.reverted")
    assert entry["details"]["participant"] == "P01" and entry["actor"] == "facilitator F1"
    # and she can withdraw again, with everything excluded again
    await service.withdraw(session, priyanka, requested_by="self", actor="participant P01")
    out = await export_all(seeded, None)
    assert "Marmoset1" not in out["jsonl"]


async def test_revert_after_the_window_is_refused_and_the_withdrawal_stands(
    seeded: Seeded,
) -> None:
    await _add_references(seeded)
    _, session, priyanka = await _withdraw_priyanka(seeded)
    late = WithdrawalService(seeded.store, seeded.study, clock=Clock(END + timedelta(days=15)))
    with pytest.raises(WindowClosed):
        await late.revert(session, priyanka, actor="facilitator F1")
    assert [w.participant_id for w in await seeded.store.withdrawals_for(session.id)] == [
        priyanka.id]
    assert "Marmoset1" not in (await export_all(seeded, None))["jsonl"]
    (entry,) = await audit_entries(seeded.store, "withdrawal.revert_refused")
    assert entry["details"]["why"] == "window_closed"


async def test_a_she_said_sent_after_a_live_withdrawal_reaches_the_review_list(
    seeded: Seeded,
) -> None:
    service, session, _ = await _withdraw_priyanka(seeded)
    her_last = START + timedelta(hours=1)
    await add_message(seeded.store, session, _pid(seeded), "One more thought on hybrid.",
                      at=her_last)
    await add_message(seeded.store, session, seeded.pid[(1, TOBIAS.name)], SHE_SAID,
                      at=her_last + timedelta(seconds=30))
    (item,) = await service.review_items(session.id)
    assert item.text == SHE_SAID and item.decision == "pending"
