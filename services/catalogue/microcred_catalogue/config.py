"""The catalogue's settings, from ``CATALOGUE_…`` variables (shared ones from ``MICROCRED_…``)."""

from __future__ import annotations

from microcred_shared.settings import ServiceSettings
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict


class CatalogueSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOGUE_")

    service_name: str = "catalogue"
    mongodb_database: str = "microcred_catalogue"
    http_host: str = "0.0.0.0"  # noqa: S104 (a service listens on all interfaces in a container)
    http_port: int = 8001
    admin_token: SecretStr = Field(
        default=SecretStr("changeme"),
        description="bearer token of the admin API (providers, any pathway)",
    )
    session_key: SecretStr = Field(
        default=SecretStr("changeme"),
        description="signs the dashboard sessions a provider's API key (or the admin token) opens",
    )
    session_minutes: int = Field(default=30, ge=1, description="how long a dashboard session lasts")
    search_max_page_size: int = Field(default=100, ge=1, le=1000)
    # The registrar principal (see the README's trust model): it makes providers' and readers'
    # Kafka principals. Without it, registration hands out no Kafka credentials.
    kafka_registrar_username: str | None = None
    kafka_registrar_password: SecretStr | None = None
    # What a provider's Kafka client connects to, if not the address the services use.
    kafka_public_bootstrap_servers: str | None = None
    kafka_provider_partitions: int = Field(default=3, ge=1)

    def secret_fields(self) -> dict[str, SecretStr]:
        return {"admin_token": self.admin_token, "session_key": self.session_key}
