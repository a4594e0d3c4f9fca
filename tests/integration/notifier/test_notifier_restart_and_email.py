"""A restarted notifier loses no pending delivery; learners get their e-mail, once."""

from __future__ import annotations

from typing import Any

import pytest
from microcred_shared.events import Topic

from tests.integration.notifier.harness import (
    Behaviour,
    Publisher,
    Receiver,
    access_link_event,
    issued_event,
    notice_event,
    running_notifier,
    settings_for,
    smtp_sink,
)
from tests.support import eventually

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


async def test_a_restarted_notifier_sends_what_was_in_flight_or_waiting_for_a_retry(
    infra: Any,
) -> None:
    # A long first retry delay keeps the failed delivery waiting while the first process
    # stops (long enough for a loaded 2-core machine to deliver to both receivers first); the
    # short lease lets the second process take over the abandoned request soon.
    settings = settings_for(
        infra,
        "restart",
        retry_delays_seconds=(6.0, 0.1),
        lease_seconds=1.5,
        request_timeout_seconds=30.0,
    )
    async with Receiver().serving() as receiver:
        receiver.behaviours["in-flight"] = Behaviour(hang_first=True)
        receiver.behaviours["retrying"] = Behaviour(fail_first=1)
        async with running_notifier(settings) as first, Publisher(settings) as publisher:
            for name in ("in-flight", "retrying"):
                api_key = await first.subscriber(name)
                created = await first.subscribe(api_key, receiver.url(name), ["credential.issued"])
                receiver.secrets[name] = created["secret"]
            await publisher.publish(Topic.CREDENTIALS_ISSUED, "l", issued_event("cred-restart"))

            async def stranded() -> tuple[int, int]:
                return receiver.hanging, len(receiver.requests_to("retrying"))

            await eventually(stranded, lambda seen: seen == (1, 1))
        # The first notifier is gone, mid-request for one delivery and before the retry of
        # the other. A new process on the same database finishes both.
        async with running_notifier(settings):

            async def delivered() -> list[int]:
                return [len(receiver.accepted[name]) for name in ("in-flight", "retrying")]

            await eventually(delivered, lambda counts: counts == [1, 1])
        in_flight_ids = {r.webhook_id for r in receiver.requests_to("in-flight")}
        assert len(receiver.requests_to("in-flight")) == 2
        assert len(in_flight_ids) == 1  # the retry after the crash kept its webhook-id


async def test_a_learner_gets_one_email_per_credential_with_its_link(infra: Any) -> None:
    async with smtp_sink() as (port, messages):
        settings = settings_for(infra, "email", smtp_port=port)
        async with running_notifier(settings), Publisher(settings) as publisher:
            first = notice_event("cred-mail-1", "ada@example.org")
            await publisher.publish(Topic.CREDENTIALS_LEARNER_NOTICES, "ada", first)
            await publisher.publish(Topic.CREDENTIALS_LEARNER_NOTICES, "ada", first)
            stacked = notice_event("cred-mail-2", "ada@example.org", kind="stacked")
            await publisher.publish(Topic.CREDENTIALS_LEARNER_NOTICES, "ada", stacked)
            link = access_link_event("ada@example.org", "https://issuer.example/wallet/open?t=1")
            await publisher.publish(Topic.CREDENTIALS_LEARNER_NOTICES, "ada", link)

            async def inbox() -> list[dict[str, Any]]:
                return messages

            await eventually(inbox, lambda found: len(found) >= 3)
        # The notices were handled in order on one partition: the duplicate came before.
        assert len(messages) == 3
        first_mail, stacked_mail, link_mail = messages
        assert "Subject: Your link to your micro-credentials" in link_mail["content"]
        assert "https://issuer.example/wallet/open?t=1" in link_mail["content"]
        assert first_mail["to"] == ["ada@example.org"]
        assert "https://issuer.example/credentials/cred-mail-1" in first_mail["content"]
        assert "Subject: Your micro-credential: Robotics Basics" in first_mail["content"]
        assert "https://issuer.example/credentials/cred-mail-2" in stacked_mail["content"]
        assert "awarded" in stacked_mail["content"]
