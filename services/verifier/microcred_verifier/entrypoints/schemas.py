"""The HTTP shapes of the verifier API (separate from the domain's report)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..domain.model import CheckResult, Freshness
from ..domain.verification import VerificationReport


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

    @classmethod
    def of(cls, freshness: Freshness) -> FreshnessPublic:
        as_of = freshness.as_of.isoformat() if freshness.as_of else None
        return cls(source=freshness.source, as_of=as_of)


class CheckPublic(BaseModel):
    name: str
    title: str
    status: str = Field(description="passed | failed | warning | skipped")
    conclusive: bool
    reason: str
    data: FreshnessPublic | None = Field(description="where the check's data came from, how fresh")
    details: dict[str, Any]

    @classmethod
    def of(cls, check: CheckResult) -> CheckPublic:
        return cls(
            name=check.name.value,
            title=check.title,
            status=check.status.value,
            conclusive=check.conclusive,
            reason=check.reason,
            data=FreshnessPublic.of(check.freshness) if check.freshness else None,
            details=check.details,
        )


class NotCheckedPublic(BaseModel):
    name: str
    title: str
    reason: str

    @classmethod
    def of(cls, check: CheckResult) -> NotCheckedPublic:
        return cls(name=check.name.value, title=check.title, reason=check.reason)


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
    embedded_credentials: list[VerifyResponse] | None = Field(
        default=None, description="a CLR's bundled credentials, each verified in full, in order"
    )

    @classmethod
    def of(cls, report: VerificationReport, verification_url: str | None) -> VerifyResponse:
        """The one mapping of a report to what the API answers (and the page shows)."""
        return cls(
            verdict=report.verdict.value,
            headline=report.headline,
            checked_at=report.checked_at.isoformat(),
            encoding=report.encoding,
            checks=[CheckPublic.of(check) for check in report.checks],
            not_checked=[NotCheckedPublic.of(check) for check in report.not_made],
            summary=report.summary,
            verification_url=verification_url,
            embedded_credentials=embedded_reports(report),
        )


def embedded_reports(report: VerificationReport) -> list[VerifyResponse] | None:
    """Each bundled credential's report (a CLR's); one that could not be read has none."""
    embedded = report.extras.get("embedded")
    if embedded is None:
        return None
    return [VerifyResponse.of(e.report, None) for e in embedded if e.report is not None]
