"""Provider text the issuer would publish (a credential's results and evidence, a revocation
reason) may not carry a learner's e-mail address or name: refused, with the field named and the
value never echoed."""

from datetime import date
from typing import Any

import pytest
from microcred_issuer.domain.credentials import EvidenceItem, ResultLine
from microcred_issuer.domain.errors import PersonalDataInText
from microcred_issuer.service_layer.commands import ChangeStatus, IssueCompletion
from microcred_shared.events import Topic

from tests.unit.issuer.fakes import World


def completion(**changes: Any) -> IssueCompletion:
    fields: dict[str, Any] = {
        "completion_id": "c-1",
        "provider_id": "uni-a",
        "achievement_id": "uni-a:MECH-1",
        "completed_on": date(2025, 5, 30),
        "learner_email": "ada.lovelace@example.org",
        "learner_name": "Ada Lovelace",
    }
    return IssueCompletion(**(fields | changes))


@pytest.fixture
async def world() -> World:
    world = World()
    await world.add_provider("uni-a")
    await world.add_achievement("uni-a:MECH-1", "uni-a")
    return world


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"evidence": [EvidenceItem(narrative="Mail ada.lovelace@example.org")]}, "narrative"),
        ({"evidence": [EvidenceItem(url="https://lms.example/u/ada%40example.org")]}, "url"),
        ({"evidence": [EvidenceItem(name="Portfolio of ADA LOVELACE")]}, "evidence[0].name"),
        ({"results": [ResultLine("Grade of Ada Lovelace", "1")]}, "results[0].name"),
        ({"results": [ResultLine("Final grade", "1 (by tutor@uni-a.example)")]}, "value"),
    ],
)
async def test_credential_text_with_an_email_or_the_learners_name_is_refused_and_nothing_issued(
    world: World, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(PersonalDataInText) as refused:
        await world.handlers.completions.issue(completion(**changes))

    assert field in refused.value.reason
    assert "@" not in refused.value.reason
    assert "lovelace" not in refused.value.reason.lower()
    assert world.credentials.stored == {}
    assert world.outbox.on(Topic.CREDENTIALS_ISSUED) == []
    assert world.outbox.on(Topic.CREDENTIALS_LEARNER_NOTICES) == []


async def test_text_about_the_achievement_is_issued_as_given(world: World) -> None:
    outcome = await world.handlers.completions.issue(
        completion(
            results=[ResultLine("Final grade", "1")],
            evidence=[EvidenceItem("https://lms.example/projects/42", "A PLC conveyor", "Lab 3")],
        )
    )
    assert outcome.created
    document = world.credentials.stored[outcome.credential_id].document
    assert document["evidence"][0]["narrative"] == "A PLC conveyor"


async def test_a_revocation_reason_with_an_email_is_refused_and_the_status_unchanged(
    world: World,
) -> None:
    issued = await world.handlers.completions.issue(completion())

    with pytest.raises(PersonalDataInText, match="reason"):
        await world.handlers.status.change(
            ChangeStatus(
                issued.credential_id, "uni-a", "revoke", "ada.lovelace@example.org cheated"
            )
        )

    assert world.credentials.stored[issued.credential_id].status == "active"
    assert world.outbox.on(Topic.CREDENTIALS_STATUS) == []


def test_a_completion_command_names_no_one_when_it_is_printed() -> None:
    printed = repr(completion(completion_id="reg/ada.lovelace@example.org/MECH-1"))
    assert "lovelace" not in printed.lower()
    assert "uni-a:MECH-1" in printed
