"""The notifier's settings, from ``NOTIFIER_…`` variables (shared ones from ``MICROCRED_…``)."""

from __future__ import annotations

from microcred_shared.settings import Environment, ServiceSettings
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from .domain.retries import DEFAULT_DELAYS_SECONDS


class NotifierSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFIER_")

    service_name: str = "notifier"
    mongodb_database: str = "microcred_notifier"
    http_host: str = "0.0.0.0"  # noqa: S104 (a service listens on all interfaces in a container)
    http_port: int = 8004

    admin_token: SecretStr = Field(
        default=SecretStr("changeme"), description="bearer token of the admin endpoints"
    )
    secret_encryption_key: SecretStr = Field(
        default=SecretStr("changeme"),
        description="key that seals webhook signing secrets at rest (AES-GCM, via HKDF)",
    )
    allow_private_webhook_urls: bool = Field(
        default=False,
        description="development only: allow http and private/loopback webhook addresses",
    )

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_sender: str = "microcred <no-reply@microcred.example>"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_start_tls: bool = False

    retry_delays_seconds: tuple[float, ...] = Field(
        default=DEFAULT_DELAYS_SECONDS, description="the wait before each retry, in order"
    )
    retry_jitter: float = Field(default=0.2, ge=0, le=1)
    max_retry_after_seconds: float = 86_400.0
    request_timeout_seconds: float = Field(default=10.0, gt=0)
    lease_seconds: float = Field(
        default=15.0,
        gt=0,
        description="how long the dispatching replica's lease lasts unrenewed: a standby "
        "replica takes over this long after the dispatcher crashed",
    )
    max_in_flight: int = Field(default=64, ge=1)
    max_in_flight_per_origin: int = Field(default=16, ge=1)
    dispatcher_poll_seconds: float = Field(default=1.0, gt=0)
    dispatcher_max_idle_seconds: float = Field(
        default=5.0, gt=0, description="longest wait between scans for due deliveries when idle"
    )
    secret_rotation_grace_seconds: float = Field(default=86_400.0, ge=0)
    run_dispatcher: bool = Field(default=True, description="send deliveries from this process")

    def secret_fields(self) -> dict[str, SecretStr]:
        return {
            "admin_token": self.admin_token,
            "secret_encryption_key": self.secret_encryption_key,
        }

    @model_validator(mode="after")
    def _no_private_webhooks_in_production(self) -> NotifierSettings:
        if self.allow_private_webhook_urls and self.environment is Environment.PRODUCTION:
            raise ValueError("allow_private_webhook_urls is for development and tests only")
        return self
