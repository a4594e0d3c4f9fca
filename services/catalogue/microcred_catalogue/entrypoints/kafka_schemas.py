"""HTTP shapes of Kafka credentials: the issued one (with its password, once) and listings."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from ..domain.kafka_credentials import KafkaCredential


class KafkaConnectionPublic(BaseModel):
    bootstrap_servers: str
    security_protocol: str
    sasl_mechanism: str


class KafkaCredentialPublic(BaseModel):
    credential_id: str
    holder_kind: str
    holder_id: str
    username: str = Field(description="the SCRAM user name: the Kafka principal is User:<name>")
    write_topics: list[str]
    read_topics: list[str]
    consumer_group_prefix: str = Field(description="consumer groups must start with this")
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, credential: KafkaCredential) -> KafkaCredentialPublic:
        return cls(
            credential_id=credential.credential_id,
            holder_kind=credential.holder.kind.value,
            holder_id=credential.holder.holder_id,
            username=credential.username,
            write_topics=list(credential.write_topics),
            read_topics=list(credential.read_topics),
            consumer_group_prefix=credential.consumer_group_prefix,
            created_at=credential.created_at,
            revoked_at=credential.revoked_at,
        )


class KafkaCredentialCreated(KafkaCredentialPublic):
    password: str = Field(description="shown once: the broker keeps only a SCRAM verifier")
    connection: KafkaConnectionPublic


class ReaderCredentialCreate(BaseModel):
    topics: list[str] = Field(
        min_length=1,
        description="logical topics to read, e.g. credentials.issued (never learner notices)",
        examples=[["credentials.issued", "credentials.status"]],
    )
