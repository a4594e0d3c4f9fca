"""Applying Kafka access: SCRAM credentials, ACLs and topics, through the broker's admin API.

confluent-kafka (librdkafka) is used here because it is the maintained Python client that
covers the admin APIs this needs — CreateAcls / DeleteAcls / DescribeAcls and
AlterUserScramCredentials; aiokafka's admin client has none of them, and the Kafka
distribution's own tools would need a JVM on every host that registers a provider.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable, Iterable, Mapping
from concurrent.futures import Future
from typing import Any, TypeVar

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    AdminClient,
    NewTopic,
    ResourcePatternType,
    ResourceType,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialDeletion,
    UserScramCredentialUpsertion,
)

from .acls import Grant, Operation, Pattern, Resource
from .connection import KafkaConnection
from .topic_layout import DERIVED_LAYOUT, ReplicationPolicy

T = TypeVar("T")

SCRAM_ITERATIONS = 8192  # at least 4096 (RFC 7677); Kafka's own tools default to 4096
_RESOURCE = {
    Resource.TOPIC: ResourceType.TOPIC,
    Resource.GROUP: ResourceType.GROUP,
    Resource.CLUSTER: ResourceType.BROKER,  # librdkafka's name for the cluster resource
}
_PATTERN = {
    Pattern.LITERAL: ResourcePatternType.LITERAL,
    Pattern.PREFIXED: ResourcePatternType.PREFIXED,
}
_OPERATION = {
    Operation.READ: AclOperation.READ,
    Operation.WRITE: AclOperation.WRITE,
    Operation.DESCRIBE: AclOperation.DESCRIBE,
    Operation.CREATE: AclOperation.CREATE,
    Operation.ALTER: AclOperation.ALTER,
    Operation.DELETE: AclOperation.DELETE,
}


class KafkaAccessError(RuntimeError):
    """The broker refused or failed an access change; the message says which."""


def new_secret() -> str:
    """A SCRAM password: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


async def _settle(futures: Mapping[Any, Future[T]], *, ignore: Iterable[int] = ()) -> list[T]:
    """Wait for every future; raise the first error other than the ``ignore``d codes."""
    results: list[T] = []
    for key, future in futures.items():
        try:
            results.append(await asyncio.wrap_future(future))
        except KafkaException as error:
            kafka_error = error.args[0] if error.args else None
            if isinstance(kafka_error, KafkaError) and kafka_error.code() in set(ignore):
                continue
            raise KafkaAccessError(f"{key}: {error}") from error
    return results


def _every_acl_of(principal: str) -> AclBindingFilter:
    anything: Any = None  # librdkafka's wildcard for the resource name and the host
    return AclBindingFilter(
        ResourceType.ANY,
        anything,
        ResourcePatternType.ANY,
        f"User:{principal}",
        anything,
        AclOperation.ANY,
        AclPermissionType.ANY,
    )


class KafkaAccess:
    """Principals, ACLs and topics of one cluster, administered as ``connection``'s principal
    (the cluster admin, or the registrar with just the rights registration needs)."""

    def __init__(self, connection: KafkaConnection, *, timeout_s: float = 15.0) -> None:
        config: dict[str, str | int | float | bool] = dict(connection.librdkafka_config())
        self._admin = AdminClient(config)
        self._timeout = timeout_s

    async def set_password(self, username: str, password: str) -> None:
        upsert = UserScramCredentialUpsertion(
            username,
            ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS),
            password.encode(),
        )
        await _settle(self._admin.alter_user_scram_credentials([upsert]))
        await self._until(lambda: self._has_credential(username), f"{username}'s credential")

    async def delete_user(self, username: str) -> None:
        """Remove the principal's SCRAM credential (no error if it has none)."""
        deletion = UserScramCredentialDeletion(username, ScramMechanism.SCRAM_SHA_512)
        await _settle(
            self._admin.alter_user_scram_credentials([deletion]),
            ignore=[KafkaError.RESOURCE_NOT_FOUND],
        )

    async def grant(self, principal: str, grants: Iterable[Grant]) -> None:
        bindings = [
            AclBinding(
                _RESOURCE[g.resource],
                g.name,
                _PATTERN[g.pattern],
                f"User:{principal}",
                "*",
                _OPERATION[g.operation],
                AclPermissionType.ALLOW,
            )
            for g in grants
        ]
        if bindings:
            await _settle(self._admin.create_acls(bindings, request_timeout=self._timeout))
            wanted = {str(binding) for binding in bindings}
            await self._until(lambda: self._has_grants(principal, wanted), f"{principal}'s grants")

    async def revoke_all(self, principal: str) -> None:
        """Delete every ACL of the principal: takes effect on its next request, even on a
        connection that is already authenticated."""
        match = _every_acl_of(principal)
        await _settle(self._admin.delete_acls([match], request_timeout=self._timeout))

    async def grants_of(self, username: str) -> list[AclBinding]:
        future = self._admin.describe_acls(_every_acl_of(username), request_timeout=self._timeout)
        result: list[AclBinding] = await asyncio.wrap_future(future)
        return result

    # The broker applies credentials and ACLs from its metadata log a moment after the change
    # is accepted: a principal that connects at once would be refused. Handing one out waits
    # until the broker answers with it.
    async def _until(self, check: Callable[[], Awaitable[bool]], what: str) -> None:
        deadline = asyncio.get_running_loop().time() + self._timeout
        while not await check():
            if asyncio.get_running_loop().time() > deadline:
                raise KafkaAccessError(f"the broker did not apply {what} in {self._timeout} s")
            await asyncio.sleep(0.05)

    async def _has_credential(self, username: str) -> bool:
        futures = self._admin.describe_user_scram_credentials([username])
        assert isinstance(futures, dict)  # a list of users gives one future per user
        try:
            [described] = await _settle(futures)
        except KafkaAccessError:  # not there yet
            return False
        mechanisms = {info.mechanism for info in described.scram_credential_infos}
        return ScramMechanism.SCRAM_SHA_512 in mechanisms

    async def _has_grants(self, principal: str, wanted: set[str]) -> bool:
        present = {str(binding) for binding in await self.grants_of(principal)}
        return wanted <= present

    async def create_topics(
        self,
        topics: Iterable[tuple[str, int, Mapping[str, str]]],
        *,
        replication: ReplicationPolicy = DERIVED_LAYOUT.replication,
    ) -> None:
        """Create ``(name, partitions, config)`` topics with the replication ``replication``
        asks of this cluster; existing ones are left alone."""
        wanted = list(topics)
        if not wanted:
            return
        copies = replication.on(await self.broker_count())
        new = [
            NewTopic(
                name,
                num_partitions=partitions,
                replication_factor=copies.factor,
                config={**copies.topic_config(), **config},
            )
            for name, partitions, config in wanted
        ]
        await _settle(
            self._admin.create_topics(new, request_timeout=self._timeout),
            ignore=[KafkaError.TOPIC_ALREADY_EXISTS],
        )

    async def delete_groups(self, groups: Iterable[str]) -> None:
        """Delete consumer groups that have no member left (gone already is fine)."""
        wanted = sorted(groups)
        if wanted:
            await _settle(
                self._admin.delete_consumer_groups(wanted, request_timeout=self._timeout),
                ignore=[KafkaError.GROUP_ID_NOT_FOUND],
            )

    async def broker_count(self) -> int:
        """How many brokers the cluster has now (any authenticated principal may ask)."""
        future = self._admin.describe_cluster(request_timeout=self._timeout)
        try:
            described = await asyncio.wrap_future(future)
        except KafkaException as error:
            raise KafkaAccessError(f"describing the cluster: {error}") from error
        return len(described.nodes)
