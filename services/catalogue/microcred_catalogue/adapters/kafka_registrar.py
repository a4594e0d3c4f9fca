"""The catalogue's registrar on the broker: principals, grants and providers' topics."""

from __future__ import annotations

from collections.abc import Sequence

from microcred_shared.events.topics import GRANTABLE_TO_READERS, ProviderTopic, Topic, TopicNames
from microcred_shared.messaging import acls, provisioning
from microcred_shared.messaging.access import KafkaAccess, KafkaAccessError
from microcred_shared.messaging.topic_layout import DERIVED_LAYOUT, TopicLayout, TopicLayoutError

from ..domain.kafka_credentials import Holder, HolderKind
from ..service_layer.errors import Unavailable
from ..service_layer.ports import PrincipalPlan


class BrokerRegistrar:
    def __init__(
        self,
        access: KafkaAccess,
        names: TopicNames,
        *,
        partitions: int = 3,
        layout: TopicLayout = DERIVED_LAYOUT,
    ) -> None:
        self._access = access
        self._names = names
        self._partitions = partitions
        self._layout = layout

    def plan(self, holder: Holder, credential_id: str, topics: Sequence[str]) -> PrincipalPlan:
        return plan_principal(self._names, holder, credential_id, topics)

    async def provision(self, plan: PrincipalPlan) -> str:
        try:
            return await self._provision(plan)
        except (KafkaAccessError, TopicLayoutError) as error:
            raise Unavailable(f"the Kafka broker refused the change: {error}") from error

    async def _provision(self, plan: PrincipalPlan) -> str:
        holder = plan.holder
        if holder.kind is HolderKind.PROVIDER:
            issued = await provisioning.provision_provider(
                self._access,
                self._names,
                holder.holder_id,
                plan.credential_id,
                partitions=self._partitions,
                layout=self._layout,
            )
        else:
            issued = await provisioning.provision_reader(
                self._access,
                self._names,
                holder.holder_id,
                plan.credential_id,
                [Topic(name.removeprefix(self._names.prefix)) for name in plan.read_topics],
            )
        return issued.password

    async def revoke(self, username: str) -> None:
        try:
            await provisioning.revoke_principal(self._access, username)
        except KafkaAccessError as error:
            raise Unavailable(f"the Kafka broker refused the change: {error}") from error


def plan_principal(
    names: TopicNames, holder: Holder, credential_id: str, topics: Sequence[str]
) -> PrincipalPlan:
    """What a holder's new principal may do; ValueError for a topic it may not be granted."""
    if holder.kind is HolderKind.PROVIDER:
        inbound = [names.of_provider(family, holder.holder_id) for family in ProviderTopic]
        return PrincipalPlan(
            holder=holder,
            credential_id=credential_id,
            username=acls.provider_principal(names, holder.holder_id, credential_id),
            write_topics=tuple(inbound),
            read_topics=tuple(topic + ".dlq" for topic in inbound),
            consumer_group_prefix=acls.provider_group_prefix(names, holder.holder_id),
        )
    granted = _grantable(topics)
    return PrincipalPlan(
        holder=holder,
        credential_id=credential_id,
        username=acls.reader_principal(names, holder.holder_id, credential_id),
        write_topics=(),
        read_topics=tuple(names.of(topic) for topic in granted),
        consumer_group_prefix=acls.reader_group_prefix(names, holder.holder_id),
    )


def _grantable(topics: Sequence[str]) -> list[Topic]:
    by_name = {topic.value: topic for topic in GRANTABLE_TO_READERS}
    unknown = [name for name in topics if name not in by_name]
    if unknown:
        allowed = ", ".join(sorted(by_name))
        raise ValueError(
            f"{', '.join(unknown)} cannot be granted to a reader (grantable: {allowed})"
        )
    return [by_name[name] for name in dict.fromkeys(topics)]
