"""Issuing, listing and revoking Kafka credentials of providers and readers.

The record is stored before the principal exists, so a credential that reached the broker is
always listed and revocable, even if this process dies half-way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..domain.kafka_credentials import Holder, HolderKind, KafkaCredential, new_credential_id
from .errors import Invalid, NotFound, Unavailable
from .ports import Clock, KafkaCredentialRepository, KafkaRegistrar, ProviderRepository


@dataclass(frozen=True)
class IssuedKafkaCredential:
    credential: KafkaCredential
    password: str  # shown once; the broker keeps only a salted SCRAM verifier


@dataclass
class KafkaCredentialHandlers:
    records: KafkaCredentialRepository
    registrar: KafkaRegistrar | None
    providers: ProviderRepository
    clock: Clock

    async def issue_for_provider(self, provider_id: str) -> IssuedKafkaCredential:
        if await self.providers.get(provider_id) is None:
            raise NotFound(f"no provider {provider_id!r}")
        return await self._issue(Holder(HolderKind.PROVIDER, provider_id), ())

    async def issue_on_registration(self, provider_id: str) -> IssuedKafkaCredential | None:
        """A newly registered provider's first credential; None where no registrar is held."""
        if self.registrar is None:
            return None
        return await self.issue_for_provider(provider_id)

    async def issue_for_reader(
        self, reader_id: str, topics: Sequence[str]
    ) -> IssuedKafkaCredential:
        if not topics:
            raise Invalid("grant at least one topic", [{"field": "topics", "error": "empty"}])
        return await self._issue(Holder(HolderKind.READER, reader_id), topics)

    async def list(self, holder: Holder) -> list[KafkaCredential]:
        return await self.records.of_holder(holder)

    async def revoke(self, holder: Holder, credential_id: str) -> KafkaCredential:
        registrar = self._registrar()
        current = await self.records.get(credential_id)
        if current is None or current.holder != holder:
            raise NotFound(f"no Kafka credential {credential_id!r} of {holder.holder_id!r}")
        revoked = current.revoked(self.clock())
        await self.records.save(revoked)
        # Also when it was already revoked: finishes a revocation a crash interrupted.
        await registrar.revoke(revoked.username)
        return revoked

    async def _issue(self, holder: Holder, topics: Sequence[str]) -> IssuedKafkaCredential:
        registrar = self._registrar()
        try:
            plan = registrar.plan(holder, new_credential_id(), topics)
        except ValueError as error:
            raise Invalid(str(error), [{"field": "topics", "error": str(error)}]) from error
        credential = KafkaCredential(
            credential_id=plan.credential_id,
            holder=holder,
            username=plan.username,
            write_topics=plan.write_topics,
            read_topics=plan.read_topics,
            consumer_group_prefix=plan.consumer_group_prefix,
            created_at=self.clock(),
        )
        await self.records.save(credential)
        password = await registrar.provision(plan)
        return IssuedKafkaCredential(credential, password)

    def _registrar(self) -> KafkaRegistrar:
        if self.registrar is None:
            raise Unavailable(
                "this catalogue holds no Kafka registrar credential "
                "(CATALOGUE_KAFKA_REGISTRAR_USERNAME / _PASSWORD); an operator provisions "
                "principals with `microcred kafka` instead"
            )
        return self.registrar
