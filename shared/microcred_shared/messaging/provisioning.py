"""Setting up one deployment's Kafka: its topics, the services' principals, providers' and
readers' principals, each with exactly its grants (see :mod:`.acls`).

Used by the operator's ``microcred kafka provision``, by ``microcred up`` and the test
ecosystems, and (for providers and readers) by the catalogue's registrar.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..events.topics import COMPACTED_TOPICS, Topic, TopicNames
from .access import KafkaAccess, new_secret
from .acls import (
    SERVICES,
    provider_grants,
    provider_principal,
    provider_topics,
    reader_grants,
    reader_principal,
    registrar_grants,
    registrar_principal,
    service_grants,
    service_principal,
)
from .connection import KafkaConnection
from .topic_layout import DERIVED_LAYOUT, TopicLayout

REGISTRAR = "registrar"


def _fixed_topics(names: TopicNames, layout: TopicLayout) -> list[tuple[str, int, dict[str, str]]]:
    topics: list[tuple[str, int, dict[str, str]]] = []
    for topic in Topic:
        config = {"cleanup.policy": "compact"} if topic in COMPACTED_TOPICS else {}
        dead_letter = f"{topic.value}.dlq"
        topics += [
            (names.of(topic), layout.partitions_of(topic.value), config),
            (names.dead_letter_of(topic), layout.partitions_of(dead_letter), {}),
        ]
    return topics


async def provision_deployment(
    admin: KafkaConnection,
    names: TopicNames,
    passwords: Mapping[str, str],
    *,
    layout: TopicLayout = DERIVED_LAYOUT,
) -> dict[str, KafkaConnection]:
    """Create the fixed topics and the principals of the four services and the registrar
    (``passwords`` keyed by service name and ``"registrar"``); idempotent, so it also
    re-applies grants and passwords. Returns each one's connection."""
    access = KafkaAccess(admin)
    await access.create_topics(_fixed_topics(names, layout), replication=layout.replication)
    if not admin.uses_sasl:  # a broker without authentication: no principals to make
        return {who: admin for who in [*SERVICES, REGISTRAR]}
    plans = {
        service: (service_principal(names, service), service_grants(names, service))
        for service in SERVICES
    }
    plans[REGISTRAR] = (registrar_principal(names), registrar_grants(names))
    connections: dict[str, KafkaConnection] = {}
    for who, (principal, grants) in plans.items():
        await access.set_password(principal, passwords[who])
        await access.grant(principal, grants)
        connections[who] = admin.as_principal(principal, passwords[who])
    return connections


@dataclass(frozen=True)
class IssuedPrincipal:
    """A principal made for a provider or a reader; the password exists only here, once."""

    username: str
    password: str


async def provision_provider(
    access: KafkaAccess,
    names: TopicNames,
    provider_id: str,
    credential_id: str,
    *,
    partitions: int = 3,
    layout: TopicLayout = DERIVED_LAYOUT,
) -> IssuedPrincipal:
    """The provider's inbound topics (if new, ``partitions`` each) and a new principal that
    may write them."""
    await access.create_topics(
        [
            (topic, layout.partitions_of(topic) if topic.endswith(".dlq") else partitions, {})
            for topic in provider_topics(names, provider_id)
        ],
        replication=layout.replication,
    )
    principal = IssuedPrincipal(provider_principal(names, provider_id, credential_id), new_secret())
    await access.set_password(principal.username, principal.password)
    await access.grant(principal.username, provider_grants(names, provider_id))
    return principal


async def provision_reader(
    access: KafkaAccess,
    names: TopicNames,
    reader_id: str,
    credential_id: str,
    topics: Iterable[Topic],
) -> IssuedPrincipal:
    """A new principal that may read the granted announcement topics and write nothing."""
    principal = IssuedPrincipal(reader_principal(names, reader_id, credential_id), new_secret())
    await access.set_password(principal.username, principal.password)
    await access.grant(principal.username, reader_grants(names, reader_id, topics))
    return principal


async def revoke_principal(access: KafkaAccess, username: str) -> None:
    """Take every grant away first (effective on the next request of any open connection),
    then the password (no new connection can authenticate)."""
    await access.revoke_all(username)
    await access.delete_user(username)
