"""Kafka credentials: a provider's own (self-service rotation and revocation, or the admin),
and readers' (universities'), which only the admin hands out."""

from fastapi import APIRouter, Depends, status
from microcred_shared.service.http import Problem

from ..domain.kafka_credentials import Holder, HolderKind
from ..service_layer.kafka_credentials import IssuedKafkaCredential
from .deps import Api, Caller, CallerDep, require_admin
from .kafka_schemas import (
    KafkaConnectionPublic,
    KafkaCredentialCreated,
    KafkaCredentialPublic,
    ReaderCredentialCreate,
)


def issued_view(
    issued: IssuedKafkaCredential, connection: KafkaConnectionPublic
) -> KafkaCredentialCreated:
    public = KafkaCredentialPublic.of(issued.credential)
    return KafkaCredentialCreated(
        **public.model_dump(), password=issued.password, connection=connection
    )


def _own(caller: Caller, provider_id: str) -> Holder:
    if not caller.is_admin and (
        caller.provider is None or caller.provider.provider_id != provider_id
    ):
        raise Problem(403, "Forbidden", "a provider manages only its own Kafka credentials")
    return Holder(HolderKind.PROVIDER, provider_id)


router = APIRouter(tags=["kafka credentials"])
admin = [Depends(require_admin)]


@router.post("/providers/{provider_id}/kafka-credentials", status_code=status.HTTP_201_CREATED)
async def issue_provider_credential(
    provider_id: str, who: CallerDep, api: Api
) -> KafkaCredentialCreated:
    """A new Kafka principal for the provider (rotation: the old ones work until revoked)."""
    _own(who, provider_id)
    issued = await api.kafka_credentials.issue_for_provider(provider_id)
    return issued_view(issued, api.connection)


@router.get("/providers/{provider_id}/kafka-credentials")
async def list_provider_credentials(
    provider_id: str, who: CallerDep, api: Api
) -> list[KafkaCredentialPublic]:
    """The provider's Kafka credentials, active and revoked, without secrets."""
    listed = await api.kafka_credentials.list(_own(who, provider_id))
    return [KafkaCredentialPublic.of(c) for c in listed]


@router.delete("/providers/{provider_id}/kafka-credentials/{credential_id}")
async def revoke_provider_credential(
    provider_id: str, credential_id: str, who: CallerDep, api: Api
) -> KafkaCredentialPublic:
    """Revoke one credential: its grants go at once, even on open connections."""
    revoked = await api.kafka_credentials.revoke(_own(who, provider_id), credential_id)
    return KafkaCredentialPublic.of(revoked)


@router.post(
    "/admin/readers/{reader_id}/kafka-credentials",
    status_code=status.HTTP_201_CREATED,
    dependencies=admin,
)
async def issue_reader_credential(
    reader_id: str, body: ReaderCredentialCreate, api: Api
) -> KafkaCredentialCreated:
    """A read-only Kafka principal for a university (or any outside reader)."""
    issued = await api.kafka_credentials.issue_for_reader(reader_id, body.topics)
    return issued_view(issued, api.connection)


@router.get("/admin/readers/{reader_id}/kafka-credentials", dependencies=admin)
async def list_reader_credentials(reader_id: str, api: Api) -> list[KafkaCredentialPublic]:
    """A reader's Kafka credentials, without secrets."""
    listed = await api.kafka_credentials.list(Holder(HolderKind.READER, reader_id))
    return [KafkaCredentialPublic.of(c) for c in listed]


@router.delete("/admin/readers/{reader_id}/kafka-credentials/{credential_id}", dependencies=admin)
async def revoke_reader_credential(
    reader_id: str, credential_id: str, api: Api
) -> KafkaCredentialPublic:
    """Revoke a reader's credential."""
    revoked = await api.kafka_credentials.revoke(
        Holder(HolderKind.READER, reader_id), credential_id
    )
    return KafkaCredentialPublic.of(revoked)
