"""Kafka credentials the registry hands out: one principal each, shown once, revocable."""

from __future__ import annotations

import pytest
from microcred_catalogue.domain.kafka_credentials import Holder, HolderKind
from microcred_catalogue.service_layer import errors
from microcred_catalogue.service_layer.kafka_credentials import KafkaCredentialHandlers

from tests.unit.catalogue.fakes import World
from tests.unit.catalogue.kafka_fakes import FakeBroker, FakeKafkaCredentials
from tests.unit.catalogue.test_catalogue_provider_handlers import registration


async def handlers(broker: FakeBroker | None = None) -> tuple[KafkaCredentialHandlers, World]:
    world = World()
    await world.provider_handlers.register(registration("uni-a"))
    kafka = KafkaCredentialHandlers(
        FakeKafkaCredentials(), broker or FakeBroker(), world.providers, world.clock
    )
    return kafka, world


async def test_a_provider_credential_writes_only_the_providers_own_topics() -> None:
    broker = FakeBroker()
    kafka, _ = await handlers(broker)

    issued = await kafka.issue_for_provider("uni-a")

    assert issued.password == f"password-of-{issued.credential.username}"
    assert issued.credential.username.startswith("t.provider.uni-a.")
    assert issued.credential.write_topics == (
        "t.partner.uni-a.course-events",
        "t.learning.uni-a.completions",
    )
    assert issued.credential.read_topics == (
        "t.partner.uni-a.course-events.dlq",
        "t.learning.uni-a.completions.dlq",
    )
    assert issued.credential.username in broker.principals


async def test_rotating_issues_a_second_principal_and_the_first_works_until_revoked() -> None:
    broker = FakeBroker()
    kafka, _ = await handlers(broker)
    first = await kafka.issue_for_provider("uni-a")
    second = await kafka.issue_for_provider("uni-a")
    holder = Holder(HolderKind.PROVIDER, "uni-a")

    assert first.credential.username != second.credential.username
    assert set(broker.principals) == {first.credential.username, second.credential.username}

    revoked = await kafka.revoke(holder, first.credential.credential_id)

    assert revoked.revoked_at is not None
    assert set(broker.principals) == {second.credential.username}
    listed = await kafka.list(holder)
    assert [c.active for c in listed] == [False, True]


async def test_a_provider_cannot_revoke_a_credential_that_is_not_its_own() -> None:
    kafka, world = await handlers()
    await world.provider_handlers.register(registration("vet-b"))
    theirs = await kafka.issue_for_provider("vet-b")

    with pytest.raises(errors.NotFound):
        await kafka.revoke(Holder(HolderKind.PROVIDER, "uni-a"), theirs.credential.credential_id)


async def test_an_unknown_provider_gets_no_credential() -> None:
    kafka, _ = await handlers()

    with pytest.raises(errors.NotFound):
        await kafka.issue_for_provider("nobody")


async def test_a_reader_reads_only_grantable_announcements() -> None:
    kafka, _ = await handlers()

    issued = await kafka.issue_for_reader("uni-registry", ["credentials.issued"])

    assert issued.credential.write_topics == ()
    assert issued.credential.read_topics == ("t.credentials.issued",)
    with pytest.raises(errors.Invalid, match=r"credentials\.learner-notices"):
        await kafka.issue_for_reader("uni-registry", ["credentials.learner-notices"])


async def test_a_credential_whose_principal_failed_is_still_listed_and_revocable() -> None:
    broker = FakeBroker()
    kafka, _ = await handlers(broker)
    broker.fail_next = True

    with pytest.raises(ConnectionError):
        await kafka.issue_for_provider("uni-a")

    holder = Holder(HolderKind.PROVIDER, "uni-a")
    [orphan] = await kafka.list(holder)
    assert (await kafka.revoke(holder, orphan.credential_id)).revoked_at is not None


async def test_without_a_registrar_registration_hands_out_no_credential() -> None:
    world = World()
    await world.provider_handlers.register(registration("uni-a"))
    kafka = KafkaCredentialHandlers(FakeKafkaCredentials(), None, world.providers, world.clock)

    assert await kafka.issue_on_registration("uni-a") is None
    with pytest.raises(errors.Unavailable):
        await kafka.issue_for_provider("uni-a")
