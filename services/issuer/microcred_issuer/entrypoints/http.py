"""HTTP routes: each translates a request into a command or query and the answer back."""

# No ``from __future__ import annotations`` here: FastAPI must see the dependency aliases
# defined inside build_router as objects, not as strings it cannot resolve.

import hmac
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Header, Request, Response, UploadFile
from microcred_shared.crypto.loader import default_loader
from microcred_shared.service.http import Problem

from ..domain.credentials import EU_CONTEXT, EvidenceItem, ResultLine
from ..domain.errors import IssuerError
from ..domain.records import IssuedCredential, StatusAction
from ..service_layer.commands import ChangeStatus, IssueCompletion, RotateKey
from ..service_layer.handlers import Handlers
from .cohort import CohortFormatError, parse_cohort
from .schemas import (
    ApiKeyOut,
    CohortOut,
    CohortRowOut,
    CompletionIn,
    CompletionOut,
    CredentialStatusOut,
    CredentialSummaryOut,
    KeyRotationIn,
    KeyRotationOut,
    StatusChangeIn,
)

VC_MEDIA_TYPE = "application/vc+ld+json"
LD_MEDIA_TYPE = "application/ld+json"
DID_MEDIA_TYPE = "application/did+json"
EU_CONTEXT_PATH = "/contexts/eu-microcredential/v1"


def problem_of(error: IssuerError) -> Problem:
    return Problem(error.http_status, error.code.replace("_", " "), error.reason, code=error.code)


def build_router(handlers: Handlers, admin_token: str, *, cohort_max_rows: int) -> APIRouter:
    router = APIRouter()

    async def provider_of_key(
        authorization: Annotated[str | None, Header()] = None,
        x_api_key: Annotated[str | None, Header()] = None,
    ) -> str:
        key = x_api_key or _bearer(authorization)
        provider_id = await handlers.api_keys.provider_of(key) if key else None
        if provider_id is None:
            raise Problem(401, "Unauthorized", "a provider API key is required")
        return provider_id

    async def admin(authorization: Annotated[str | None, Header()] = None) -> None:
        token = _bearer(authorization) or ""
        if not hmac.compare_digest(token.encode(), admin_token.encode()):
            raise Problem(401, "Unauthorized", "the admin token is required")

    ProviderId = Annotated[str, Depends(provider_of_key)]

    @router.post("/completions", tags=["completions"], status_code=201)
    async def report_completion(
        body: CompletionIn, provider_id: ProviderId, response: Response
    ) -> CompletionOut:
        """Report one completion; answers with its (one and only) credential."""
        try:
            outcome = await handlers.completions.issue(_command(body, provider_id))
        except IssuerError as error:
            raise problem_of(error) from error
        if not outcome.created:
            response.status_code = 200
        return CompletionOut(
            credential_id=outcome.credential_id,
            created=outcome.created,
            credential_url=handlers.urls.credential(outcome.credential_id),
        )

    @router.post("/completions/cohort", tags=["completions"])
    async def report_cohort(
        provider_id: ProviderId, file: Annotated[UploadFile, File()]
    ) -> CohortOut:
        """Upload a cohort CSV; every row is answered (issued, already issued, or rejected)."""
        text = (await file.read()).decode("utf-8-sig", errors="replace")
        rows: list[CohortRowOut] = []
        try:
            for row in parse_cohort(text, provider_id, cohort_max_rows):
                rows.append(await _cohort_row(handlers, row.row, row.completion_id, row))
        except CohortFormatError as error:
            raise Problem(422, "Invalid cohort file", str(error)) from error
        return CohortOut(
            total=len(rows),
            issued=sum(r.outcome == "issued" for r in rows),
            already_issued=sum(r.outcome == "already_issued" for r in rows),
            rejected=sum(r.outcome == "rejected" for r in rows),
            rows=rows,
        )

    @router.get("/credentials/{credential_id}", tags=["credentials"])
    async def get_credential(credential_id: str, request: Request) -> Response:
        """The signed credential (``Accept: application/vc+ld+json`` for the VC media type)."""
        credential = await handlers.queries.credential(credential_id)
        if credential is None:
            raise Problem(404, "Not found", f"no credential {credential_id!r}")
        accept = request.headers.get("accept", "")
        media = next((m for m in (VC_MEDIA_TYPE, LD_MEDIA_TYPE) if m in accept), "application/json")
        return _json(credential.document, media)

    @router.get("/credentials/{credential_id}/status", tags=["credentials"])
    async def get_status(credential_id: str) -> CredentialStatusOut:
        """Whether the credential is active, revoked or suspended."""
        credential = await handlers.queries.credential(credential_id)
        if credential is None:
            raise Problem(404, "Not found", f"no credential {credential_id!r}")
        return _status_out(credential)

    for action in ("revoke", "suspend", "reinstate"):
        router.add_api_route(
            f"/credentials/{{credential_id}}/{action}",
            _status_route(handlers, action, provider_of_key),
            methods=["POST"],
            tags=["credentials"],
            summary=f"{action.capitalize()} one of your credentials",
            response_model=CredentialStatusOut,
        )

    @router.get("/learners/{learner_ref}/credentials", tags=["credentials"])
    async def learner_credentials(learner_ref: str) -> list[CredentialSummaryOut]:
        """A learner's credentials (by identity hash or DID)."""
        credentials = await handlers.queries.of_learner(learner_ref)
        return [_summary(handlers, c) for c in credentials]

    @router.get("/status-lists/{list_id}", tags=["status"])
    async def status_list(list_id: str, request: Request) -> Response:
        """A signed BitstringStatusListCredential (revocation or suspension)."""
        signed = await handlers.status.signed_list(list_id)
        if signed is None:
            raise Problem(404, "Not found", f"no status list {list_id!r}")
        etag = f'"{signed.digest}"'
        headers = {"ETag": etag, "Cache-Control": f"public, max-age={_max_age(request)}"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return _json(signed.document, VC_MEDIA_TYPE, headers)

    @router.get("/issuers/{provider_id}/did.json", tags=["keys"])
    async def did_document(provider_id: str) -> Response:
        """The provider's did:web DID document: the current key and every rotated-out one."""
        document = await handlers.keys.did_document(provider_id)
        if document is None:
            raise Problem(404, "Not found", f"no issuer keys for {provider_id!r}")
        return _json(document, DID_MEDIA_TYPE, {"Cache-Control": "public, max-age=60"})

    @router.get(EU_CONTEXT_PATH, tags=["contexts"])
    async def eu_context() -> Response:
        """Our JSON-LD context for the EU micro-credential elements OB 3.0 lacks."""
        context = default_loader().get(EU_CONTEXT)
        return _json(context, LD_MEDIA_TYPE, {"Cache-Control": "public, max-age=86400"})

    @router.post(
        "/admin/providers/{provider_id}/api-keys",
        tags=["admin"],
        status_code=201,
        dependencies=[Depends(admin)],
    )
    async def new_api_key(provider_id: str) -> ApiKeyOut:
        """Issue an API key for a provider (shown once)."""
        try:
            api_key = await handlers.api_keys.issue(provider_id)
        except IssuerError as error:
            raise problem_of(error) from error
        return ApiKeyOut(provider_id=provider_id, api_key=api_key)

    @router.post(
        "/admin/providers/{provider_id}/keys/rotate", tags=["admin"], dependencies=[Depends(admin)]
    )
    async def rotate_key(provider_id: str, body: KeyRotationIn | None = None) -> KeyRotationOut:
        """Rotate (or import) the provider's signing key; old keys keep verifying."""
        secret = body.secret_key_multibase if body else None
        try:
            keyring = await handlers.keys.rotate(RotateKey(provider_id, secret))
        except IssuerError as error:
            raise problem_of(error) from error
        except ValueError as error:
            raise Problem(422, "Invalid key", "the key is not an Ed25519 secret key") from error
        return KeyRotationOut(
            provider_id=provider_id,
            did=keyring.did,
            version=keyring.version,
            current_verification_method=keyring.vm_id(keyring.current),
        )

    return router


def _status_route(handlers: Handlers, action: str, provider_of_key: Any) -> Any:
    async def change(
        credential_id: str,
        provider_id: Annotated[str, Depends(provider_of_key)],
        body: StatusChangeIn | None = None,
    ) -> CredentialStatusOut:
        command = ChangeStatus(
            credential_id, provider_id, _action(action), body.reason if body else None
        )
        try:
            credential = await handlers.status.change(command)
        except IssuerError as error:
            raise problem_of(error) from error
        return _status_out(credential)

    change.__name__ = f"{action}_credential"
    return change


def _action(value: str) -> StatusAction:
    assert value in ("revoke", "suspend", "reinstate")
    return value  # type: ignore[return-value]


async def _cohort_row(
    handlers: Handlers, number: int, completion_id: str | None, row: Any
) -> CohortRowOut:
    if row.command is None:
        return CohortRowOut(
            row=number,
            completion_id=completion_id,
            outcome="rejected",
            reason_code="invalid_row",
            reason=row.error,
        )
    try:
        outcome = await handlers.completions.issue(row.command)
    except IssuerError as error:
        return CohortRowOut(
            row=number,
            completion_id=completion_id,
            outcome="rejected",
            reason_code=error.code,
            reason=error.reason,
        )
    return CohortRowOut(
        row=number,
        completion_id=completion_id,
        outcome="issued" if outcome.created else "already_issued",
        credential_id=outcome.credential_id,
    )


def _command(body: CompletionIn, provider_id: str) -> IssueCompletion:
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


def _status_out(credential: IssuedCredential) -> CredentialStatusOut:
    return CredentialStatusOut(
        credential_id=credential.credential_id,
        status=credential.status,
        reason=credential.status_reason,
        changed_at=credential.status_changed_at,
    )


def _summary(handlers: Handlers, credential: IssuedCredential) -> CredentialSummaryOut:
    return CredentialSummaryOut(
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


def _bearer(authorization: str | None) -> str | None:
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


def _max_age(request: Request) -> int:
    return int(request.app.state.status_list_max_age)


def _json(document: Any, media_type: str, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(document, ensure_ascii=False).encode()
    return Response(body, media_type=media_type, headers=headers)
