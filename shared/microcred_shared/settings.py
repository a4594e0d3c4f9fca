"""The typed settings every service extends, read from the environment at start-up."""

from __future__ import annotations

from enum import StrEnum

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .events.topics import TopicNames

# Values that must never reach a production deployment.
PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "dev", "development"})


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class ServiceSettings(BaseSettings):
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
