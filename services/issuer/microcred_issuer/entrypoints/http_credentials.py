"""Issued credentials: read one (JSON or, for a browser, its page), its status, and the
provider's revoke, suspend and reinstate."""

from typing import Any

from fastapi import APIRouter, Request, Response
from microcred_shared.service.http import Problem

from ..domain.records import StatusAction
from ..service_layer.commands import ChangeStatus
from .deps import Api, IssuerHandlers, ProviderId
from .media import ANY_JSON, LD_MEDIA_TYPE, VC_JWT_MEDIA_TYPE, VC_MEDIA_TYPE
from .pages import prefers_html, render_credential_page
from .schemas import CredentialStatusPublic, StatusChangeRequest
from .translate import json_response, status_out

router = APIRouter(tags=["credentials"])

CREDENTIAL_MEDIA_TYPES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The signed credential, or its page for a browser",
        "content": {
            VC_MEDIA_TYPE: ANY_JSON,
            LD_MEDIA_TYPE: ANY_JSON,
            VC_JWT_MEDIA_TYPE: {"schema": {"type": "string"}},
            "text/html": {"schema": {"type": "string"}},
        },
    }
}


@router.get("/credentials/{credential_id}", responses=CREDENTIAL_MEDIA_TYPES)
async def get_credential(credential_id: str, request: Request, api: Api) -> Response:
    """The signed credential (``Accept: application/vc+ld+json`` for the VC media type;
    ``application/vc+jwt`` for its VC-JOSE form, signed now by the provider's current key;
    a browser asking for ``text/html`` gets the credential page)."""
    credential = await api.handlers.queries.credential(credential_id)
    if credential is None:
        raise Problem(404, "Not found", f"no credential {credential_id!r}")
    accept = request.headers.get("accept", "")
    if VC_JWT_MEDIA_TYPE in accept:
        token = await api.handlers.vc_jose.token(credential)
        return Response(token, media_type=VC_JWT_MEDIA_TYPE)
    if prefers_html(accept):
        return await render_credential_page(api.handlers, credential, api.verifier_url)
    media = next((m for m in (VC_MEDIA_TYPE, LD_MEDIA_TYPE) if m in accept), "application/json")
    return json_response(credential.document, media)


@router.get("/credentials/{credential_id}/status")
async def get_status(credential_id: str, handlers: IssuerHandlers) -> CredentialStatusPublic:
    """Whether the credential is active, revoked or suspended."""
    credential = await handlers.queries.credential(credential_id)
    if credential is None:
        raise Problem(404, "Not found", f"no credential {credential_id!r}")
    return status_out(credential)


async def change_status(
    action: StatusAction,
    credential_id: str,
    provider_id: str,
    body: StatusChangeRequest | None,
    handlers: IssuerHandlers,
) -> CredentialStatusPublic:
    reason = body.reason if body else None
    command = ChangeStatus(credential_id, provider_id, action, reason)
    return status_out(await handlers.status.change(command))


@router.post("/credentials/{credential_id}/revoke", summary="Revoke one of your credentials")
async def revoke_credential(
    credential_id: str,
    provider_id: ProviderId,
    handlers: IssuerHandlers,
    body: StatusChangeRequest | None = None,
) -> CredentialStatusPublic:
    return await change_status("revoke", credential_id, provider_id, body, handlers)


@router.post("/credentials/{credential_id}/suspend", summary="Suspend one of your credentials")
async def suspend_credential(
    credential_id: str,
    provider_id: ProviderId,
    handlers: IssuerHandlers,
    body: StatusChangeRequest | None = None,
) -> CredentialStatusPublic:
    return await change_status("suspend", credential_id, provider_id, body, handlers)


@router.post("/credentials/{credential_id}/reinstate", summary="Reinstate one of your credentials")
async def reinstate_credential(
    credential_id: str,
    provider_id: ProviderId,
    handlers: IssuerHandlers,
    body: StatusChangeRequest | None = None,
) -> CredentialStatusPublic:
    return await change_status("reinstate", credential_id, provider_id, body, handlers)
