"""Learner e-mail and the translation of ecosystem events into notifications."""

import dataclasses
import json
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest
from microcred_notifier.adapters.webhooks import retry_after
from microcred_notifier.domain.emails import LearnerNotice, compose
from microcred_notifier.domain.notifications import EventType
from microcred_notifier.entrypoints.consumers import (
    access_link_notice,
    course_notification,
    issued_notification,
    learner_notice,
    reissued_notification,
    status_notification,
)
from microcred_notifier.service_layer.emails import LearnerEmails
from microcred_shared.events import CloudEvent
from microcred_shared.events.contracts.credentials import (
    CredentialIssuedV1,
    CredentialIssuedV2,
    CredentialLinks,
    CredentialStatusChangedV1,
    LearnerAccessLinkV1,
    LearnerNoticeV1,
)
from microcred_shared.events.contracts.reissuance import CredentialReissuedV1
from microcred_shared.events.registry import (
    CREDENTIAL_ISSUED,
    CREDENTIAL_ISSUED_V1,
    CREDENTIAL_REISSUED,
    CREDENTIAL_STATUS_CHANGED,
    LEARNER_ACCESS_LINK,
    LEARNER_NOTICE,
)

from tests.unit.notifier.fakes import T0, FakeEmailLog, FakeMailer


def notice(kind: str = "completion") -> LearnerNotice:
    return LearnerNotice(
        credential_id="cred-1",
        kind=kind,  # type: ignore[arg-type]
        email="ada@example.org",
        learner_name="Ada",
        achievement_name="Robotics Basics",
        provider_name="Uni North",
        page_url="https://creds.example/credentials/cred-1",
    )


async def test_a_learner_gets_one_email_with_the_credential_link() -> None:
    mailer = FakeMailer()
    emails = LearnerEmails(FakeEmailLog(), mailer)
    assert await emails.notify(notice())
    assert not await emails.notify(notice())
    (email,) = mailer.outbox
    assert email.to == "ada@example.org"
    assert "https://creds.example/credentials/cred-1" in email.body
    assert "Robotics Basics" in email.subject


async def test_the_issuance_email_carries_the_wallet_link_and_until_when_it_works() -> None:
    mailer = FakeMailer()
    wallet = "https://creds.example/wallet/open?token=abc.def.ghi"
    until = datetime(2026, 6, 8, 12, 30, tzinfo=UTC)
    notified = dataclasses.replace(notice(), wallet_url=wallet, wallet_url_expires_at=until)
    await LearnerEmails(FakeEmailLog(), mailer).notify(notified)
    (email,) = mailer.outbox
    assert wallet in email.body
    assert "until 08 June 2026, 12:30 UTC" in email.body


async def test_an_issuance_notice_of_an_older_issuer_still_makes_an_email_without_wallet_link() -> (
    None
):
    data = LearnerNoticeV1.model_validate(
        {
            "credential_id": "cred-1",
            "kind": "completion",
            "email": "ada@example.org",
            "achievement_name": "Robotics Basics",
            "provider_name": "Uni North",
            "page_url": "https://creds.example/credentials/cred-1/page",
        }
    )
    mapped = learner_notice(LEARNER_NOTICE.envelope(data, source="/tests"))
    assert mapped.wallet_url is None
    email = compose(mapped)
    assert "wallet" not in email.body
    assert mapped.page_url in email.body


async def test_an_asked_for_wallet_link_is_emailed_once_per_request() -> None:
    mailer = FakeMailer()
    emails = LearnerEmails(FakeEmailLog(), mailer)
    data = LearnerAccessLinkV1(
        email="ada@example.org",
        wallet_url="https://creds.example/wallet/open?token=abc.def.ghi",
        expires_at=datetime(2026, 6, 1, 12, 30, tzinfo=UTC),
    )
    first = access_link_notice(LEARNER_ACCESS_LINK.envelope(data, source="/t", event_id="e-1"))
    again = access_link_notice(LEARNER_ACCESS_LINK.envelope(data, source="/t", event_id="e-2"))
    assert await emails.send_access_link(first)
    assert not await emails.send_access_link(first)  # redelivered
    assert await emails.send_access_link(again)  # asked again later: a new e-mail
    assert [e.to for e in mailer.outbox] == ["ada@example.org"] * 2
    assert data.wallet_url in mailer.outbox[0].body
    assert "until 01 June 2026, 12:30 UTC" in mailer.outbox[0].body


async def test_a_stacked_award_is_a_separate_email_for_the_same_credential() -> None:
    mailer = FakeMailer()
    emails = LearnerEmails(FakeEmailLog(), mailer)
    await emails.notify(notice("completion"))
    await emails.notify(notice("stacked"))
    assert [e.subject.startswith("You have been awarded") for e in mailer.outbox] == [False, True]


async def test_a_failed_send_raises_so_the_event_is_retried_and_then_sent() -> None:
    mailer = FakeMailer(fail=True)
    emails = LearnerEmails(FakeEmailLog(), mailer)
    with pytest.raises(ConnectionError):
        await emails.notify(notice())
    mailer.fail = False
    assert await emails.notify(notice())
    assert len(mailer.outbox) == 1


def issued_event(kind: str = "completion") -> CloudEvent[CredentialIssuedV2]:
    data = CredentialIssuedV2.model_validate(
        {
            "credential_id": "cred-1",
            "kind": kind,
            "learner_ref": "sha256$abc",
            "provider_id": "uni-north",
            "issuer_did": "did:web:issuer.example:issuers:uni-north",
            "achievement_id": "uni-north:robotics-101",
            "achievement_name": "Robotics Basics",
            "isced_f_code": "0714",
            "valid_from": "2026-06-01T00:00:00Z",
            "links": {"json_url": "https://x/c.json", "page_url": "https://x/c"},
        }
    )
    return CREDENTIAL_ISSUED.envelope(data, source="/tests", event_id="evt-9")


@pytest.mark.parametrize(
    ("kind", "event_type"),
    [("completion", EventType.CREDENTIAL_ISSUED), ("stacked", EventType.CREDENTIAL_STACKED)],
)
def test_an_issued_credential_becomes_an_issued_or_stacked_notification(
    kind: str, event_type: EventType
) -> None:
    notification = issued_notification(issued_event(kind))
    assert notification.event_type is event_type
    assert notification.event_id == "evt-9"
    assert notification.isced_f_code == "0714"
    assert notification.data["valid_from"] == "2026-06-01T00:00:00Z"


def test_a_v1_issued_event_becomes_a_webhook_without_the_providers_completion_id() -> None:
    """v1 events still on the topic copied the provider's id, which may carry an e-mail."""
    current = issued_event()
    data = CredentialIssuedV1.model_validate(
        {**current.data.model_dump(), "completion_id": "reg/ada@learners.example/ROB"}
    )
    old = CREDENTIAL_ISSUED_V1.envelope(data, source="/tests", event_id="evt-1")
    notification = issued_notification(old)
    assert "completion_id" not in notification.data
    assert "ada@learners.example" not in json.dumps(notification.data)
    assert notification.data["credential_id"] == "cred-1"


@pytest.mark.parametrize(
    ("status", "event_type"),
    [
        ("revoked", EventType.CREDENTIAL_REVOKED),
        ("suspended", EventType.CREDENTIAL_SUSPENDED),
        ("active", None),
    ],
)
def test_status_changes_map_to_revoked_or_suspended_and_reinstatement_to_nothing(
    status: str, event_type: EventType | None
) -> None:
    data = CredentialStatusChangedV1.model_validate(
        {
            "credential_id": "cred-1",
            "provider_id": "uni-north",
            "achievement_id": "uni-north:robotics-101",
            "learner_ref": "sha256$abc",
            "status": status,
            "status_list_credential": "https://x/status/1",
            "status_list_index": 7,
            "status_purpose": "revocation",
            "sequence": 2,
            "changed_at": "2026-06-02T00:00:00Z",
        }
    )
    notification = status_notification(CREDENTIAL_STATUS_CHANGED.envelope(data, source="/t"))
    assert (notification.event_type if notification else None) is event_type


def test_a_course_change_tells_the_headline_facts_and_no_learner() -> None:
    from microcred_shared.events.contracts.catalogue import AchievementV1
    from microcred_shared.events.registry import ACHIEVEMENT_CHANGED

    data = AchievementV1.model_validate(
        {
            "achievement_id": "uni-north:robotics-101",
            "provider_id": "uni-north",
            "course_code": "robotics-101",
            "version": 3,
            "status": "active",
            "name": "Robotics Basics",
            "description": "…",
            "criteria": "…",
            "learning_outcomes": ["build a robot arm"],
            "isced_f_code": "0714",
            "completeness": {"score": 0.9},
            "updated_at": "2026-06-01T00:00:00Z",
        }
    )
    notification = course_notification(ACHIEVEMENT_CHANGED.envelope(data, source="/t"))
    assert notification.event_type is EventType.COURSE_CHANGED
    assert notification.learner_ref is None
    assert notification.data["version"] == 3
    assert "learning_outcomes" not in notification.data


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (format_datetime(datetime(2026, 6, 1, 12, 5, tzinfo=UTC)), 300.0),
        ("soon", None),
        ("", None),
    ],
)
def test_retry_after_is_read_as_seconds_or_an_http_date(header: str, seconds: float | None) -> None:
    assert retry_after({"retry-after": header} if header else {}, T0) == seconds


def test_a_reissued_credential_becomes_a_reissued_notification_for_its_learner() -> None:
    data = CredentialReissuedV1(
        credential_id="cred-1",
        kind="completion",
        learner_ref="sha256:abc",
        provider_id="uni-a",
        issuer_did="did:web:issuer.test:issuers:uni-a",
        achievement_id="uni-a:MECH-1",
        replaced_verification_method="did:web:issuer.test:issuers:uni-a#key-1",
        verification_method="did:web:issuer.test:issuers:uni-a#key-2",
        reissued_at=datetime(2026, 6, 1, tzinfo=UTC),
        links=CredentialLinks(json_url="http://i/credentials/cred-1", page_url="http://i/p"),
    )
    event = CREDENTIAL_REISSUED.envelope(data, source="/microcred/issuer", event_id="e-1")

    notification = reissued_notification(event)

    assert notification.event_type is EventType.CREDENTIAL_REISSUED
    assert (notification.provider_id, notification.learner_ref) == ("uni-a", "sha256:abc")
    assert notification.data["links"]["json_url"] == "http://i/credentials/cred-1"


async def test_a_batch_of_notices_sends_each_email_once_and_a_refused_one_fails_alone() -> None:
    mailer = FakeMailer(refused={"gone@example.org"})
    emails = LearnerEmails(FakeEmailLog(), mailer)
    ada = notice()
    gone = dataclasses.replace(notice(), credential_id="cred-2", email="gone@example.org")
    bo = dataclasses.replace(notice(), credential_id="cred-3", email="bo@example.org")

    outcome = await emails.send_many([ada, gone, bo, ada])  # ada's notice redelivered within

    assert (outcome[0], outcome[2], outcome[3]) == (True, True, False)
    assert isinstance(outcome[1], Exception)
    assert [e.to for e in mailer.outbox] == ["ada@example.org", "bo@example.org"]
    mailer.refused.clear()  # the refused one is tried again on its own, and goes
    assert await emails.send_many([gone, ada]) == [True, False]
    assert [e.to for e in mailer.outbox][-1] == "gone@example.org"
