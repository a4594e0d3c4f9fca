"""The verifier's settings (env prefix ``VERIFIER_``)."""

from __future__ import annotations

from typing import Annotated, Any

from microcred_shared.settings import ServiceSettings
from pydantic import Field, IPvAnyNetwork, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict


class VerifierSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="VERIFIER_", extra="ignore", frozen=True, populate_by_name=True
    )

    service_name: str = "verifier"
    mongodb_database: str = "microcred_verifier"
    http_host: str = "127.0.0.1"
    http_port: int = 8003
    public_base_url: str = "http://127.0.0.1:8003"
    # Fetching credentials, status lists and DID documents over the network.
    allow_private_urls: bool = Field(
        default=False, description="development only: allow loopback/private hosts and http"
    )
    fetch_enabled: bool = True
    fetch_timeout_seconds: float = Field(default=5.0, gt=0)
    fetch_max_bytes: int = Field(default=1_000_000, gt=0)
    fetch_max_redirects: int = Field(default=3, ge=0)
    # Protecting the public endpoint.
    max_body_bytes: int = Field(default=1_000_000, gt=0)
    max_json_depth: int = Field(default=64, gt=0)
    rate_limit_per_minute: float = Field(default=120, gt=0)
    rate_limit_burst: int = Field(default=30, gt=0)
    # Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For names the
    # client. None by default: anyone can write the header, so the rate limit would key on
    # whatever an attacker puts there.
    trusted_proxies: Annotated[tuple[IPvAnyNetwork, ...], NoDecode] = ()
    publish_events: bool = True
    # Presentations: the domain a holder's proof must name (default: public_base_url) and how
    # long a challenge this verifier issues may be used (once).
    presentation_domain: str | None = None
    presentation_challenge_seconds: int = Field(default=300, gt=0)

    @property
    def challenge_domain(self) -> str:
        return self.presentation_domain or self.public_base_url

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value
