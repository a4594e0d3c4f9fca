"""The HTTP shapes of the verifier API (separate from the domain's report)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class VerifyRequest(BaseModel):
    """A credential (JSON-LD object or VC-JWT string) or the URL of one."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "credential": {
                        "@context": ["https://www.w3.org/ns/credentials/v2"],
                        "...": "...",
                    }
                },
                {"url": "https://issuer.example/credentials/123"},
            ]
        },
    )

    credential: dict[str, Any] | str | None = None
    url: str | None = Field(default=None, max_length=2048)
    recipient_email: str | None = Field(
        default=None, max_length=320, description="match the credential's salted recipient hash"
    )


class FreshnessPublic(BaseModel):
    source: str
    as_of: str | None


class CheckPublic(BaseModel):
    name: str
    title: str
    status: str = Field(description="passed | failed | warning | skipped")
    conclusive: bool
    reason: str
    data: FreshnessPublic | None = Field(description="where the check's data came from, how fresh")
    details: dict[str, Any]


class NotCheckedPublic(BaseModel):
    name: str
    title: str
    reason: str


class VerifyResponse(BaseModel):
    verdict: str = Field(
        description="verified | verified_with_warnings | not_verified | unknown; only an "
        "authentic credential from a provider the registry recognises is ever verified"
    )
    headline: str = Field(description="the verdict in one sentence, naming what decided it")
    checked_at: str
    encoding: str
    checks: list[CheckPublic]
    not_checked: list[NotCheckedPublic] = Field(
        description="checks the verdict needed that could not be made, each with why"
    )
    summary: dict[str, Any]
    verification_url: str | None = Field(description="a link that re-runs this verification")
