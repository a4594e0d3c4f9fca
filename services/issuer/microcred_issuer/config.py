"""The issuer's settings, from ``ISSUER_…`` variables (shared ones from ``MICROCRED_…``)."""

from __future__ import annotations

from typing import Literal

from microcred_shared.settings import ServiceSettings
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import SettingsConfigDict


class IssuerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ISSUER_")

    service_name: str = "issuer"
    mongodb_database: str = "microcred_issuer"
    http_host: str = "0.0.0.0"  # noqa: S104 (a service listens on all interfaces in a container)
    http_port: int = 8002
    public_base_url: str = Field(
        default="http://127.0.0.1:8002",
        description="where this issuer is reached: did:web ids, credential and status list URLs",
    )
    page_base_url: str | None = Field(
        default=None, description="base of the learner's credential page (default: the API)"
    )
    verifier_url: str = Field(
        default="http://127.0.0.1:8003",
        validation_alias=AliasChoices(
            "verifier_url", "ISSUER_VERIFIER_URL", "MICROCRED_VERIFIER_URL"
        ),
        description="the verifier's page, linked from each credential page's Verify button",
    )

    key_encryption_key: SecretStr = Field(
        default=SecretStr("changeme"),
        description="seals the providers' private signing keys at rest (AES-GCM, via HKDF)",
    )
    learner_salt_key: SecretStr = Field(
        default=SecretStr("changeme"),
        description="derives each learner's identity-hash salt (HMAC), so hashes are unguessable",
    )
    credential_id_key: SecretStr = Field(
        default=SecretStr("changeme"),
        description=(
            "derives credential ids from completion ids and learners (HMAC), so no id can be "
            "computed from a guessed e-mail; never change it (ids would change)"
        ),
    )
    admin_token: SecretStr = Field(
        default=SecretStr("changeme"), description="bearer token of the admin endpoints"
    )
    learner_access_key: SecretStr = Field(
        default=SecretStr("changeme"),
        description="signs the wallet links e-mailed to learners and their wallet sessions",
    )
    learner_link_minutes: int = Field(
        default=30, ge=1, description="how long a wallet link a learner asked for opens it"
    )
    learner_notice_link_days: int = Field(
        default=7, ge=1, description="how long the wallet link in an issuance e-mail opens it"
    )
    learner_session_minutes: int = Field(
        default=60, ge=1, description="how long an opened wallet stays signed in"
    )
    learner_link_interval_seconds: int = Field(
        default=60,
        ge=0,
        description="at most one asked-for link per learner this often (no mailbox flooding)",
    )

    ob_provider_name: str = Field(
        default="microcred", description="who serves the Open Badges API, as its discovery names it"
    )
    ob_privacy_policy_url: str = Field(
        default="http://127.0.0.1:8002/privacy",
        description="the privacy policy the Open Badges API's discovery document links to",
    )
    ob_terms_of_service_url: str = Field(
        default="http://127.0.0.1:8002/terms",
        description="the terms of service the Open Badges API's discovery document links to",
    )
    oauth_code_seconds: int = Field(
        default=300, ge=1, le=600, description="how long an OAuth authorization code is good (once)"
    )
    oauth_access_token_minutes: int = Field(
        default=60, ge=1, description="how long an Open Badges API access token is good"
    )
    oauth_refresh_token_days: int = Field(
        default=30, ge=1, description="how long a refresh token is good (each refresh replaces it)"
    )

    key_challenge_seconds: int = Field(
        default=300,
        ge=1,
        description="how long a key-import challenge can be signed and used (once)",
    )

    reissue_poll_seconds: float = Field(
        default=15.0,
        gt=0,
        description="how often unfinished re-issuance jobs are looked for (one left by a crash)",
    )

    proof_suite: Literal["eddsa-rdfc-2022", "eddsa-jcs-2022"] = "eddsa-rdfc-2022"
    suspension_status_entry: bool = Field(
        default=False,
        description=(
            "also name the suspension list in each credential (credentialStatus becomes an "
            "array: valid VC 2.0, but the strict OB 3.0 JSON Schema wants one object)"
        ),
    )
    status_list_size: int = Field(default=131_072, ge=131_072, description="bits per list")
    status_list_max_age_seconds: int = Field(default=60, ge=0)
    credential_validity_days: int | None = Field(
        default=None, description="validUntil = validFrom + this; None: never expires"
    )
    cohort_max_rows: int = Field(default=10_000, ge=1)
    completion_batch_size: int = Field(
        default=200,
        ge=1,
        le=5_000,
        description="completions issued together (one read of what exists, one bulk write)",
    )

    def secret_fields(self) -> dict[str, SecretStr]:
        return {
            "key_encryption_key": self.key_encryption_key,
            "learner_salt_key": self.learner_salt_key,
            "credential_id_key": self.credential_id_key,
            "admin_token": self.admin_token,
            "learner_access_key": self.learner_access_key,
        }

    @property
    def base_url(self) -> str:
        return self.public_base_url.rstrip("/")

    @property
    def pages_url(self) -> str:
        return (self.page_base_url or self.public_base_url).rstrip("/")
