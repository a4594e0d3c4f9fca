"""In-memory stand-ins for the catalogue's Kafka registrar and credential records."""

from __future__ import annotations

from collections.abc import Sequence

from microcred_catalogue.adapters.kafka_registrar import plan_principal
from microcred_catalogue.domain.kafka_credentials import Holder, KafkaCredential
from microcred_catalogue.service_layer.ports import PrincipalPlan
from microcred_shared.events.topics import TopicNames


class FakeKafkaCredentials:
    def __init__(self) -> None:
        self.stored: dict[str, KafkaCredential] = {}

    async def save(self, credential: KafkaCredential) -> None:
        self.stored[credential.credential_id] = credential

    async def get(self, credential_id: str) -> KafkaCredential | None:
        return self.stored.get(credential_id)

    async def of_holder(self, holder: Holder) -> list[KafkaCredential]:
        found = [c for c in self.stored.values() if c.holder == holder]
        return sorted(found, key=lambda c: c.created_at)


class FakeBroker:
    """Principals on a broker: the real registrar's plans, applied to a dict."""

    def __init__(self, prefix: str = "t.") -> None:
        self._names = TopicNames(prefix)
        self.principals: dict[str, PrincipalPlan] = {}
        self.fail_next = False

    def plan(self, holder: Holder, credential_id: str, topics: Sequence[str]) -> PrincipalPlan:
        return plan_principal(self._names, holder, credential_id, topics)

    async def provision(self, plan: PrincipalPlan) -> str:
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("the broker went away")
        self.principals[plan.username] = plan
        return f"password-of-{plan.username}"

    async def revoke(self, username: str) -> None:
        self.principals.pop(username, None)
