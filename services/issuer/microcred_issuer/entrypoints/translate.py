"""Translating between HTTP shapes and commands/domain records, and writing JSON responses."""

import json
from typing import Any

from fastapi import Response

from ..domain.credentials import EvidenceItem, ResultLine
from ..domain.records import IssuedCredential
from ..service_layer.commands import IssueCompletion
from ..service_layer.handlers import Handlers
from .schemas import (
    CompletionCreate,
    CredentialStatusPublic,
    CredentialSummaryPublic,
)


def completion_command(body: CompletionCreate, provider_id: str) -> IssueCompletion:
    return IssueCompletion(
        completion_id=body.completion_id,
        provider_id=provider_id,
        achievement_id=body.achievement_id,
        completed_on=body.completed_on,
        learner_email=str(body.learner.email) if body.learner.email else None,
        learner_did=body.learner.did,
        learner_name=body.learner.name,
        results=tuple(ResultLine(r.name, r.value) for r in body.results),
        evidence=tuple(EvidenceItem(e.url, e.narrative, e.name) for e in body.evidence),
        acting_provider_id=provider_id,
    )


def status_out(credential: IssuedCredential) -> CredentialStatusPublic:
    return CredentialStatusPublic(
        credential_id=credential.credential_id,
        status=credential.status,
        reason=credential.status_reason,
        changed_at=credential.status_changed_at,
    )


def credential_summary(handlers: Handlers, credential: IssuedCredential) -> CredentialSummaryPublic:
    return CredentialSummaryPublic(
        credential_id=credential.credential_id,
        kind=credential.kind,
        provider_id=credential.provider_id,
        achievement_id=credential.achievement_id,
        achievement_name=credential.achievement_name,
        issuer_did=credential.issuer_did,
        issued_at=credential.issued_at,
        status=credential.status,
        ects=credential.ects,
        eqf_level=credential.eqf_level,
        credential_url=handlers.urls.credential(credential.credential_id),
        component_credential_ids=list(credential.component_credential_ids),
    )


def bearer(authorization: str | None) -> str | None:
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


def json_response(
    document: Any,
    media_type: str,
    headers: dict[str, str] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    body = json.dumps(document, ensure_ascii=False).encode()
    return Response(body, status_code, media_type=media_type, headers=headers)
