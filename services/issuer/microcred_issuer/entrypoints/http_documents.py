"""The public documents credentials point at: achievements, status lists, issuers' DID
documents and our JSON-LD context (what any verifier may fetch)."""

from fastapi import APIRouter, Request, Response
from microcred_shared.crypto.loader import default_loader
from microcred_shared.service.http import Problem

from ..domain.credentials import EU_CONTEXT, EU_CONTEXT_V1
from .deps import Api, IssuerHandlers
from .media import DID_MEDIA_TYPE, LD_MEDIA_TYPE, VC_MEDIA_TYPE, DidJson, LdJson, VcJson
from .translate import json_response

router = APIRouter()


@router.get("/achievements/{achievement_id:path}", tags=["credentials"], response_class=LdJson)
async def get_achievement(achievement_id: str, handlers: IssuerHandlers) -> Response:
    """The OB 3.0 Achievement (with the EU elements) that credentials name by this URL."""
    document = await handlers.queries.achievement(achievement_id)
    if document is None:
        raise Problem(404, "Not found", f"no achievement {achievement_id!r}")
    return json_response(document, LD_MEDIA_TYPE, {"Cache-Control": "public, max-age=300"})


@router.get(
    "/status-lists/{list_id}",
    tags=["status"],
    response_class=VcJson,
    responses={304: {"description": "Not modified (If-None-Match)"}},
)
async def status_list(list_id: str, request: Request, api: Api) -> Response:
    """A signed BitstringStatusListCredential (revocation or suspension)."""
    signed = await api.handlers.status_lists.current(list_id)
    if signed is None:
        raise Problem(404, "Not found", f"no status list {list_id!r}")
    etag = f'"{signed.digest}"'
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={api.status_list_max_age}"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return json_response(signed.document, VC_MEDIA_TYPE, headers)


@router.get("/issuers/{provider_id}/did.json", tags=["keys"], response_class=DidJson)
async def did_document(provider_id: str, handlers: IssuerHandlers) -> Response:
    """The provider's did:web DID document: the current key and every rotated-out one."""
    document = await handlers.keys.did_document(provider_id)
    if document is None:
        raise Problem(404, "Not found", f"no issuer keys for {provider_id!r}")
    return json_response(document, DID_MEDIA_TYPE, {"Cache-Control": "public, max-age=60"})


@router.get("/providers/{provider_id}/did.json", tags=["keys"], response_class=DidJson)
async def own_did_document(provider_id: str, handlers: IssuerHandlers) -> Response:
    """The DID document a provider signing under a did:web of its own publishes on its domain
    (at ``https://<domain>/.well-known/did.json`` for a bare domain)."""
    document = await handlers.keys.own_did_document(provider_id)
    if document is None:
        raise Problem(404, "Not found", f"{provider_id!r} does not sign under a did:web of its own")
    return json_response(document, DID_MEDIA_TYPE, {"Cache-Control": "no-cache"})


@router.get("/contexts/eu-microcredential/v2", tags=["contexts"], response_class=LdJson)
async def eu_context() -> Response:
    """Our JSON-LD context for the EU micro-credential elements OB 3.0 lacks."""
    return _context(EU_CONTEXT)


@router.get("/contexts/eu-microcredential/v1", tags=["contexts"], response_class=LdJson)
async def eu_context_v1() -> Response:
    """The first version of our EU context (before multilingual texts): its credentials verify."""
    return _context(EU_CONTEXT_V1)


def _context(url: str) -> Response:
    context = default_loader().get(url)
    return json_response(context, LD_MEDIA_TYPE, {"Cache-Control": "public, max-age=86400"})
