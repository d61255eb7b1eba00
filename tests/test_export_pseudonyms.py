"""Names of people whose words are in the export become their session pseudonyms ("Agree
with P03"), so who answered whom survives anonymisation; anyone else stays [PERSON], and a
withdrawn participant's mentions stay [REMOVED]."""

from __future__ import annotations

from datetime import UTC, datetime

from export.build import SessionRedactor, anonymise_session
from store.data_life import SessionSource, SourceMessage, SourcePerson

AT = datetime(2026, 11, 29, 14, 5, tzinfo=UTC)


def person(pid: str, pseudonym: str, name: str, *, role: str = "participant",
           consent: str | None = "accepted", withdrawn: bool = False) -> SourcePerson:
    return SourcePerson(participant_id=pid, pseudonym=pseudonym, role=role, first_seen_at=AT,
                        display_name=name, teams_user_id=f"29:{pid}",
                        aad_object_id=f"aad-{pid}", consent=consent, withdrawn=withdrawn)


PEOPLE = {p.participant_id: p for p in (
    person("f", "F1", "Fiona Marsh", role="facilitator", consent=None),
    person("a", "P01", "Tobias Quill"),
    person("b", "P02", "Priyanka Shah"),
    person("c", "P03", "Sam Okafor"),
    person("d", "P04", "Sam Lee"),  # shares a first name with P03
    person("e", "P05", "Gwendolyn Hart", consent="declined"),
    person("w", "P06", "Walter Brandt", withdrawn=True),
)}


def message(text: str, *, by: str = "a", mentions: list[object] | None = None) -> SourceMessage:
    return SourceMessage(id=1, participant_id=by, received_at=AT, edited_at=None,
                         deleted_at=None, hidden_at=None, kept=True, text=text,
                         mentions=mentions or [])


def source(*messages: SourceMessage) -> SessionSource:
    return SessionSource(session_id="s1", title=None, form_version="v1", status="ended",
                         started_at=AT, ended_at=AT, people=PEOPLE, messages=list(messages))


def anonymised(text: str, **kwargs: object) -> str:
    msg = message(text, **kwargs)  # type: ignore[arg-type]
    return SessionRedactor(source(msg)).anonymise(msg, None).text


def test_co_participants_and_facilitators_become_their_pseudonyms() -> None:
    assert anonymised("Agree with Priyanka and Fiona.", by="a") == "Agree with P02 and F1."
    assert anonymised("Priyanka Shah said it first") == "P02 said it first"
    assert anonymised("like toby said") == "like P01 said"  # short form, any case


def test_a_possessive_stays_possessive() -> None:
    assert anonymised("Toby's idea and Priyanka’s point", by="b") == "P01's idea and P02’s point"


def test_an_ambiguous_name_a_non_consenting_person_and_outsiders_stay_person() -> None:
    assert anonymised("Sam is right, Okafor too, and Lee") == "[PERSON] is right, P03 too, and P04"
    assert anonymised("Gwendolyn disagreed") == "[PERSON] disagreed"


def test_a_withdrawn_participant_stays_removed() -> None:
    assert anonymised("Walter and Priyanka agreed") == "[REMOVED] and P02 agreed"


def test_an_at_mention_becomes_the_pseudonym_of_the_person_mentioned() -> None:
    mentions = [{"user_id": "29:b", "text": "<at>Pri</at>"}]
    assert anonymised("Pri, what do you think?", mentions=mentions) == "P02, what do you think?"
    unknown = [{"user_id": "29:zz", "text": "<at>Quentin</at>"}]
    assert anonymised("Quentin, hi", mentions=unknown) == "[PERSON], hi"


def test_counts_name_pseudonyms_and_the_export_keeps_them() -> None:
    msg = message("Thanks Priyanka, and Sam")
    export = anonymise_session(source(msg), study_id="x", study_title="X", screener=None,
                               now=AT)
    (line,) = export.lines
    assert line.text == "Thanks P02, and [PERSON]"
    assert line.redactions == {"PSEUDONYM": 1, "PERSON": 1}
    assert export.timezone == "Europe/London"
