"""Who may do what on Kafka, as planned (the broker's enforcement is tested in the reliability
suite's Kafka access matrix): per-provider topics, each service's grants, readers' grants."""

from __future__ import annotations

import pytest
from microcred_shared.events.topics import ProviderTopic, Topic, TopicNames
from microcred_shared.messaging.acls import (
    Grant,
    Operation,
    Pattern,
    Resource,
    provider_grants,
    reader_grants,
    registrar_grants,
    service_grants,
)

NAMES = TopicNames("t1.")


def writes(grants: list[Grant]) -> set[tuple[str, Pattern]]:
    return {
        (g.name, g.pattern)
        for g in grants
        if g.resource is Resource.TOPIC and g.operation is Operation.WRITE
    }


def test_a_provider_topic_names_its_provider_and_no_one_elses() -> None:
    topic = NAMES.of_provider(ProviderTopic.COMPLETIONS, "hollin-tu")

    assert topic == "t1.learning.hollin-tu.completions"
    assert NAMES.provider_of(ProviderTopic.COMPLETIONS, topic) == "hollin-tu"
    assert NAMES.provider_of(ProviderTopic.COMPLETIONS, topic + ".dlq") is None
    assert NAMES.provider_of(ProviderTopic.COMPLETIONS, "t2.learning.hollin-tu.completions") is None
    assert NAMES.provider_of(ProviderTopic.COURSE_EVENTS, topic) is None


@pytest.mark.parametrize("bad", ["a.b", "", "x/y", "hollin tu"])
def test_an_id_that_could_reach_into_another_topic_is_not_a_provider_id(bad: str) -> None:
    with pytest.raises(ValueError, match="not a provider id"):
        NAMES.of_provider(ProviderTopic.COMPLETIONS, bad)


def test_a_provider_may_write_exactly_its_own_inbound_topics() -> None:
    grants = provider_grants(NAMES, "hollin-tu")

    assert writes(grants) == {
        ("t1.learning.hollin-tu.completions", Pattern.LITERAL),
        ("t1.partner.hollin-tu.course-events", Pattern.LITERAL),
    }
    reads = {g.name for g in grants if g.operation is Operation.READ}
    assert reads == {
        "t1.learning.hollin-tu.completions.dlq",
        "t1.partner.hollin-tu.course-events.dlq",
        "t1.provider.hollin-tu.",  # its own consumer groups
    }


def test_only_the_issuer_writes_credentials_and_keys() -> None:
    written_by = {
        service: {name for name, _ in writes(service_grants(NAMES, service))}
        for service in ("catalogue", "issuer", "verifier", "notifier")
    }
    credential_topics = {
        NAMES.of(t) for t in (Topic.CREDENTIALS_ISSUED, Topic.CREDENTIALS_STATUS, Topic.ISSUER_KEYS)
    }
    assert credential_topics <= written_by["issuer"]
    for service in ("catalogue", "verifier", "notifier"):
        assert not credential_topics & written_by[service], service


def test_only_the_notifier_reads_learner_notices() -> None:
    notices = NAMES.of(Topic.CREDENTIALS_LEARNER_NOTICES)
    readers = {
        service
        for service in ("catalogue", "issuer", "verifier", "notifier")
        if any(
            g.name == notices and g.operation is Operation.READ
            for g in service_grants(NAMES, service)
        )
    }
    assert readers == {"notifier"}


def test_a_reader_reads_what_it_was_granted_and_writes_nothing() -> None:
    grants = reader_grants(NAMES, "uni-registry", [Topic.CREDENTIALS_ISSUED])

    assert writes(grants) == set()
    assert {g.name for g in grants if g.operation is Operation.READ} == {
        "t1.credentials.issued",
        "t1.reader.uni-registry.",
    }


def test_learner_notices_can_never_be_granted_to_a_reader() -> None:
    with pytest.raises(ValueError, match="may not be granted"):
        reader_grants(NAMES, "uni", [Topic.CREDENTIALS_LEARNER_NOTICES])


def test_the_registrar_creates_inbound_topics_but_writes_none() -> None:
    grants = registrar_grants(NAMES)

    assert writes(grants) == set()
    assert {(g.name, g.operation) for g in grants if g.resource is Resource.TOPIC} >= {
        ("t1.learning.", Operation.CREATE),
        ("t1.partner.", Operation.CREATE),
    }


@pytest.mark.parametrize("service", ["catalogue", "issuer", "verifier", "notifier"])
def test_a_service_may_delete_its_own_consumer_groups_and_no_one_elses(service: str) -> None:
    deletes = {
        (g.resource, g.name, g.pattern)
        for g in service_grants(NAMES, service)
        if g.operation is Operation.DELETE
    }

    assert deletes == {(Resource.GROUP, f"t1.{service}.", Pattern.PREFIXED)}
    assert not any(g.operation is Operation.DELETE for g in provider_grants(NAMES, "hollin-tu"))
