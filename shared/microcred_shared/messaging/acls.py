"""Who may do what on Kafka: the grants of every kind of principal, decided in one place.

Pure: these functions only say which ACLs a principal needs; :mod:`.access` applies them. The
broker denies everything not granted (``allow.everyone.if.no.acl.found=false``).

- a service writes only the topics it owns (``WRITER``), reads the topics it consumes
  (``READERS``), writes the dead-letter twins of what it consumes, and uses consumer groups
  under its own name;
- a provider writes only its own inbound topics and reads their dead-letter twins (why its
  events were refused), with consumer groups under its own name;
- a reader (a university) reads only the announcement topics it was granted and writes nothing;
- the registrar (held by the catalogue, which registers providers) creates providers' inbound
  topics and manages principals and ACLs. Managing ACLs is the power to grant anything, so it is
  a credential of its own, held by one service, and never used for publishing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from ..events.topics import (
    GRANTABLE_TO_READERS,
    PROVIDER_TOPIC_READER,
    READERS,
    WRITER,
    ProviderTopic,
    Topic,
    TopicNames,
)


class Resource(StrEnum):
    TOPIC = "topic"
    GROUP = "group"
    CLUSTER = "cluster"


class Pattern(StrEnum):
    LITERAL = "literal"
    PREFIXED = "prefixed"


class Operation(StrEnum):
    READ = "read"
    WRITE = "write"
    DESCRIBE = "describe"
    CREATE = "create"
    ALTER = "alter"
    DELETE = "delete"


@dataclass(frozen=True, order=True)
class Grant:
    """One ALLOW ACL for one principal."""

    resource: Resource
    name: str
    pattern: Pattern
    operation: Operation


CLUSTER_NAME = "kafka-cluster"
SERVICES = ("catalogue", "issuer", "verifier", "notifier")


def service_principal(names: TopicNames, service: str) -> str:
    return f"{names.prefix}service.{service}"


def registrar_principal(names: TopicNames) -> str:
    return f"{names.prefix}registrar"


def provider_principal(names: TopicNames, provider_id: str, credential_id: str) -> str:
    return f"{names.prefix}provider.{provider_id}.{credential_id}"


def reader_principal(names: TopicNames, reader_id: str, credential_id: str) -> str:
    return f"{names.prefix}reader.{reader_id}.{credential_id}"


def service_group_prefix(names: TopicNames, service: str) -> str:
    """Every consumer group of a service starts with this (see ``Runtime.consumer_group``)."""
    return f"{names.prefix}{service}."


def provider_group_prefix(names: TopicNames, provider_id: str) -> str:
    return f"{names.prefix}provider.{provider_id}."


def reader_group_prefix(names: TopicNames, reader_id: str) -> str:
    return f"{names.prefix}reader.{reader_id}."


def _topic(name: str, *operations: Operation, pattern: Pattern = Pattern.LITERAL) -> list[Grant]:
    return [Grant(Resource.TOPIC, name, pattern, op) for op in operations]


def _group(prefix: str) -> list[Grant]:
    return [Grant(Resource.GROUP, prefix, Pattern.PREFIXED, Operation.READ)]


def _family_prefix(names: TopicNames, family: ProviderTopic) -> str:
    """``learning.`` for ``learning.{provider}.completions``: every provider's topic of it."""
    return names.prefix + family.value.split("{provider}")[0]


def service_grants(names: TopicNames, service: str) -> list[Grant]:
    grants: list[Grant] = []
    for topic, writer in WRITER.items():
        if writer == service:
            grants += _topic(names.of(topic), Operation.WRITE, Operation.DESCRIBE, Operation.CREATE)
            grants += _topic(names.dead_letter_of(topic), Operation.DESCRIBE, Operation.CREATE)
    for topic, readers in READERS.items():
        if service in readers:
            grants += _topic(names.of(topic), Operation.READ, Operation.DESCRIBE)
            grants += _topic(names.dead_letter_of(topic), Operation.WRITE, Operation.DESCRIBE)
    for family, reader in PROVIDER_TOPIC_READER.items():
        if reader == service:
            # Every provider's topic of the family and its dead-letter twin: the reader writes
            # the dead letters. A prefix, because providers are registered while it runs.
            prefix = _family_prefix(names, family)
            grants += _topic(prefix, Operation.READ, Operation.DESCRIBE, pattern=Pattern.PREFIXED)
            grants += _topic(prefix, Operation.WRITE, pattern=Pattern.PREFIXED)
    grants += _group(service_group_prefix(names, service))
    # A replica deletes the consumer groups of its own at shutdown (see Runtime.stop), so
    # restarts do not pile them up.
    grants.append(
        Grant(
            Resource.GROUP, service_group_prefix(names, service), Pattern.PREFIXED, Operation.DELETE
        )
    )
    return sorted(set(grants))


def provider_grants(names: TopicNames, provider_id: str) -> list[Grant]:
    grants: list[Grant] = []
    for family in ProviderTopic:
        topic = names.of_provider(family, provider_id)
        grants += _topic(topic, Operation.WRITE, Operation.DESCRIBE)
        grants += _topic(topic + ".dlq", Operation.READ, Operation.DESCRIBE)
    grants += _group(provider_group_prefix(names, provider_id))
    return sorted(grants)


def reader_grants(names: TopicNames, reader_id: str, topics: Iterable[Topic]) -> list[Grant]:
    grants: list[Grant] = []
    for topic in topics:
        if topic not in GRANTABLE_TO_READERS:
            raise ValueError(f"{topic.value} may not be granted to a reader")
        grants += _topic(names.of(topic), Operation.READ, Operation.DESCRIBE)
    grants += _group(reader_group_prefix(names, reader_id))
    return sorted(grants)


def registrar_grants(names: TopicNames) -> list[Grant]:
    grants = [
        # Creating ACLs and SCRAM credentials needs ALTER on the cluster; listing them DESCRIBE.
        Grant(Resource.CLUSTER, CLUSTER_NAME, Pattern.LITERAL, Operation.ALTER),
        Grant(Resource.CLUSTER, CLUSTER_NAME, Pattern.LITERAL, Operation.DESCRIBE),
    ]
    for family in ProviderTopic:
        grants += _topic(
            _family_prefix(names, family),
            Operation.CREATE,
            Operation.DESCRIBE,
            pattern=Pattern.PREFIXED,
        )
    return sorted(grants)


def provider_topics(names: TopicNames, provider_id: str) -> list[str]:
    """A provider's inbound topics and their dead-letter twins, created when it is registered."""
    topics: list[str] = []
    for family in ProviderTopic:
        topic = names.of_provider(family, provider_id)
        topics += [topic, topic + ".dlq"]
    return topics
