"""The typed settings every service extends, read from the environment at start-up."""

from __future__ import annotations

from enum import StrEnum

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .events.topics import TopicNames
from .messaging.connection import KafkaConnection, SaslMechanism, SecurityProtocol
from .messaging.topic_layout import DEFAULT_PARTITIONS, ReplicationPolicy, TopicLayout

# Values that must never reach a production deployment.
PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "dev", "development"})


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class TopicLayoutSettings(BaseSettings):
    """How a deployment's topics are laid out (see ``messaging/topic_layout.py``): read by every
    service, which creates the topics it writes, and by ``microcred up``, which provisions the
    rest before the services start."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    # Unset, the replication follows the cluster's broker count (3 copies, min ISR 2 on three
    # brokers or more; 1/1 on the single development broker).
    kafka_replication_factor: int | None = Field(
        default=None, ge=1, validation_alias="MICROCRED_KAFKA_REPLICATION_FACTOR"
    )
    kafka_min_insync_replicas: int | None = Field(
        default=None, ge=1, validation_alias="MICROCRED_KAFKA_MIN_INSYNC_REPLICAS"
    )
    kafka_partitions: int = Field(
        default=DEFAULT_PARTITIONS, ge=1, validation_alias="MICROCRED_KAFKA_PARTITIONS"
    )
    # JSON, by logical topic name: {"learning.completions": 12}
    kafka_topic_partitions: dict[str, int] = Field(
        default_factory=dict, validation_alias="MICROCRED_KAFKA_TOPIC_PARTITIONS"
    )

    @property
    def topic_layout(self) -> TopicLayout:
        return TopicLayout(
            partitions=self.kafka_partitions,
            partitions_by_topic=dict(self.kafka_topic_partitions),
            replication=ReplicationPolicy(
                self.kafka_replication_factor, self.kafka_min_insync_replicas
            ),
        )


class ServiceSettings(TopicLayoutSettings):
    """Connection and identity settings common to all four services.

    A subclass sets ``env_prefix`` (``ISSUER_``, ``CATALOGUE_`` …) for its own settings. What
    all services of one deployment share is read from ``MICROCRED_…`` names, and the
    infrastructure addresses also from the unprefixed names Kafka and MongoDB tooling use
    (``KAFKA_BOOTSTRAP_SERVERS``, ``MONGODB_URI``), so one exported pair serves every service.
    """

    model_config = SettingsConfigDict(
        env_prefix="MICROCRED_", extra="ignore", frozen=True, populate_by_name=True
    )

    environment: Environment = Field(
        default=Environment.DEVELOPMENT, validation_alias="MICROCRED_ENVIRONMENT"
    )
    service_name: str = "microcred"
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092",
        validation_alias=AliasChoices(
            "MICROCRED_KAFKA_BOOTSTRAP_SERVERS", "KAFKA_BOOTSTRAP_SERVERS"
        ),
    )
    # Who this service is on Kafka: its own principal, never another service's (see the README's
    # trust model). PLAINTEXT only for a broker without authentication, refused in production.
    kafka_security_protocol: SecurityProtocol = Field(
        default=SecurityProtocol.PLAINTEXT, validation_alias="MICROCRED_KAFKA_SECURITY_PROTOCOL"
    )
    kafka_sasl_mechanism: SaslMechanism = Field(
        default=SaslMechanism.SCRAM_SHA_512, validation_alias="MICROCRED_KAFKA_SASL_MECHANISM"
    )
    kafka_username: str | None = Field(default=None, validation_alias="MICROCRED_KAFKA_USERNAME")
    kafka_password: SecretStr | None = Field(
        default=None, validation_alias="MICROCRED_KAFKA_PASSWORD"
    )
    kafka_ssl_cafile: str | None = Field(
        default=None, validation_alias="MICROCRED_KAFKA_SSL_CAFILE"
    )
    # How soon a topic created after start-up (a newly registered provider's inbound topic) is
    # found by a pattern subscription: aiokafka rediscovers topics only when it refreshes
    # metadata.
    kafka_metadata_max_age_ms: int = Field(
        default=5_000, ge=500, validation_alias="MICROCRED_KAFKA_METADATA_MAX_AGE_MS"
    )
    mongodb_uri: SecretStr = Field(
        default=SecretStr("mongodb://127.0.0.1:27017/"),
        validation_alias=AliasChoices("MICROCRED_MONGODB_URI", "MONGODB_URI"),
    )
    mongodb_database: str = "microcred"
    topic_prefix: str = Field(default="", validation_alias="MICROCRED_TOPIC_PREFIX")
    public_base_url: str = "http://127.0.0.1:8000"
    log_level: str = "INFO"
    log_json: bool = True
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "MICROCRED_OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"
        ),
    )
    relay_interval_seconds: float = Field(default=0.2, gt=0)
    # Database commands at least this slow are logged with their collection and filter fields.
    mongodb_slow_command_ms: float = Field(
        default=250, gt=0, validation_alias="MICROCRED_MONGODB_SLOW_COMMAND_MS"
    )

    @property
    def topics(self) -> TopicNames:
        return TopicNames(self.topic_prefix)

    @property
    def kafka(self) -> KafkaConnection:
        return KafkaConnection(
            bootstrap_servers=self.kafka_bootstrap_servers,
            security_protocol=self.kafka_security_protocol,
            sasl_mechanism=self.kafka_sasl_mechanism,
            username=self.kafka_username,
            password=self.kafka_password.get_secret_value() if self.kafka_password else None,
            ssl_cafile=self.kafka_ssl_cafile,
        )

    def secret_fields(self) -> dict[str, SecretStr]:
        """Secrets that must be real outside development; subclasses add their own."""
        return {}

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> ServiceSettings:
        if self.environment is Environment.DEVELOPMENT:
            return self
        weak = [
            name
            for name, value in self.secret_fields().items()
            if value.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS
            or len(value.get_secret_value()) < 16
        ]
        if weak:
            raise ValueError(
                f"refusing to start in {self.environment.value}: placeholder or short secret in "
                + ", ".join(sorted(weak))
            )
        return self

    @model_validator(mode="after")
    def _require_kafka_identity(self) -> ServiceSettings:
        if self.kafka_security_protocol is not SecurityProtocol.PLAINTEXT and not (
            self.kafka_username and self.kafka_password
        ):
            raise ValueError(
                f"MICROCRED_KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol.value} needs "
                "MICROCRED_KAFKA_USERNAME and MICROCRED_KAFKA_PASSWORD (this service's principal)"
            )
        if (
            self.environment is Environment.PRODUCTION
            and self.kafka_security_protocol is SecurityProtocol.PLAINTEXT
        ):
            raise ValueError(
                "refusing to start in production on an unauthenticated Kafka connection: set "
                "MICROCRED_KAFKA_SECURITY_PROTOCOL=SASL_SSL (or SASL_PLAINTEXT on a private "
                "network) and this service's principal"
            )
        return self
