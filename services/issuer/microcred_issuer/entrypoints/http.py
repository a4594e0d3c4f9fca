"""HTTP routes: each translates a request into a command or query and the answer back."""

# No ``from __future__ import annotations`` here: FastAPI must see the dependency aliases
# defined inside build_router as objects, not as strings it cannot resolve.

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.responses import JSONResponse
from microcred_shared.crypto.loader import default_loader
from microcred_shared.service.http import Problem

from ..domain.credentials import EU_CONTEXT
from ..service_layer.commands import ChangeStatus, RotateKey
from ..service_layer.handlers import Handlers
from .http_cohorts import build_cohort_router
from .pages import prefers_html, render_credential_page
from .schemas import (
    ApiKeyOut,
    CompletionIn,
    CompletionOut,
    CredentialStatusOut,
    KeyRotationIn,
    KeyRotationOut,
    StatusChangeIn,
)
from .translate import (
    bearer,
    completion_command,
    json_response,
    status_action,
    status_out,
)

VC_MEDIA_TYPE = "application/vc+ld+json"
LD_MEDIA_TYPE = "application/ld+json"
DID_MEDIA_TYPE = "application/did+json"
NDJSON_MEDIA_TYPE = "application/x-ndjson"
EU_CONTEXT_PATH = "/contexts/eu-microcredential/v1"


# The media types the routes below answer with, for the OpenAPI document (each route builds
# its own response).
class VcJson(JSONResponse):
    media_type = VC_MEDIA_TYPE


class LdJson(JSONResponse):
    media_type = LD_MEDIA_TYPE


class DidJson(JSONResponse):
    media_type = DID_MEDIA_TYPE


ANY_JSON: dict[str, Any] = {"schema": {"type": "object"}}
CREDENTIAL_MEDIA_TYPES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The signed credential, or its page for a browser",
        "content": {
            VC_MEDIA_TYPE: ANY_JSON,
            LD_MEDIA_TYPE: ANY_JSON,
            "text/html": {"schema": {"type": "string"}},
        },
    }
}


def build_router(handlers: Handlers, admin_token: str, *, verifier_url: str) -> APIRouter:
    router = APIRouter()

    async def provider_of_key(
        authorization: Annotated[str | None, Header()] = None,
        x_api_key: Annotated[str | None, Header()] = None,
    ) -> str:
        key = x_api_key or bearer(authorization)
        provider_id = await handlers.api_keys.provider_of(key) if key else None
        if provider_id is None:
            raise Problem(401, "Unauthorized", "a provider API key is required")
        return provider_id

    async def admin(authorization: Annotated[str | None, Header()] = None) -> None:
        token = bearer(authorization) or ""
        if not hmac.compare_digest(token.encode(), admin_token.encode()):
            raise Problem(401, "Unauthorized", "the admin token is required")

    ProviderId = Annotated[str, Depends(provider_of_key)]
    router.include_router(build_cohort_router(handlers.cohorts, provider_of_key))

    @router.post(
        "/completions",
        tags=["completions"],
        status_code=201,
        responses={200: {"model": CompletionOut, "description": "Reported before: its credential"}},
    )
    async def report_completion(
        body: CompletionIn, provider_id: ProviderId, response: Response
    ) -> CompletionOut:
        """Report one completion; answers with its (one and only) credential."""
        outcome = await handlers.completions.issue(completion_command(body, provider_id))
        if not outcome.created:
            response.status_code = 200
        return CompletionOut(
            credential_id=outcome.credential_id,
            created=outcome.created,
            credential_url=handlers.urls.credential(outcome.credential_id),
        )

    @router.get(
        "/credentials/{credential_id}", tags=["credentials"], responses=CREDENTIAL_MEDIA_TYPES
    )
    async def get_credential(credential_id: str, request: Request) -> Response:
        """The signed credential (``Accept: application/vc+ld+json`` for the VC media type;
        a browser asking for ``text/html`` gets the credential page)."""
        credential = await handlers.queries.credential(credential_id)
        if credential is None:
            raise Problem(404, "Not found", f"no credential {credential_id!r}")
        accept = request.headers.get("accept", "")
        if prefers_html(accept):
            return render_credential_page(handlers, credential, verifier_url)
        media = next((m for m in (VC_MEDIA_TYPE, LD_MEDIA_TYPE) if m in accept), "application/json")
        return json_response(credential.document, media)

    @router.get("/credentials/{credential_id}/status", tags=["credentials"])
    async def get_status(credential_id: str) -> CredentialStatusOut:
        """Whether the credential is active, revoked or suspended."""
        credential = await handlers.queries.credential(credential_id)
        if credential is None:
            raise Problem(404, "Not found", f"no credential {credential_id!r}")
        return status_out(credential)

    for action in ("revoke", "suspend", "reinstate"):
        router.add_api_route(
            f"/credentials/{{credential_id}}/{action}",
            _status_route(handlers, action, provider_of_key),
            methods=["POST"],
            tags=["credentials"],
            summary=f"{action.capitalize()} one of your credentials",
            response_model=CredentialStatusOut,
        )

    @router.get("/achievements/{achievement_id:path}", tags=["credentials"], response_class=LdJson)
    async def get_achievement(achievement_id: str) -> Response:
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
    async def status_list(list_id: str, request: Request) -> Response:
        """A signed BitstringStatusListCredential (revocation or suspension)."""
        signed = await handlers.status_lists.current(list_id)
        if signed is None:
            raise Problem(404, "Not found", f"no status list {list_id!r}")
        etag = f'"{signed.digest}"'
        headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age(request)}"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return json_response(signed.document, VC_MEDIA_TYPE, headers)

    @router.get("/issuers/{provider_id}/did.json", tags=["keys"], response_class=DidJson)
    async def did_document(provider_id: str) -> Response:
        """The provider's did:web DID document: the current key and every rotated-out one."""
        document = await handlers.keys.did_document(provider_id)
        if document is None:
            raise Problem(404, "Not found", f"no issuer keys for {provider_id!r}")
        return json_response(document, DID_MEDIA_TYPE, {"Cache-Control": "public, max-age=60"})

    @router.get(EU_CONTEXT_PATH, tags=["contexts"], response_class=LdJson)
    async def eu_context() -> Response:
        """Our JSON-LD context for the EU micro-credential elements OB 3.0 lacks."""
        context = default_loader().get(EU_CONTEXT)
        return json_response(context, LD_MEDIA_TYPE, {"Cache-Control": "public, max-age=86400"})

    @router.post(
        "/admin/providers/{provider_id}/api-keys",
        tags=["admin"],
        status_code=201,
        dependencies=[Depends(admin)],
    )
    async def new_api_key(provider_id: str) -> ApiKeyOut:
        """Issue an API key for a provider (shown once)."""
        record, api_key = await handlers.api_keys.issue(provider_id)
        return ApiKeyOut(provider_id=provider_id, key_id=record.key_id, api_key=api_key)

    @router.post(
        "/admin/providers/{provider_id}/keys/rotate", tags=["admin"], dependencies=[Depends(admin)]
    )
    async def rotate_key(provider_id: str, body: KeyRotationIn | None = None) -> KeyRotationOut:
        """Rotate (or import) the provider's signing key; old keys keep verifying."""
        secret = body.secret_key_multibase if body else None
        try:
            keyring = await handlers.keys.rotate(RotateKey(provider_id, secret))
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
            credential_id, provider_id, status_action(action), body.reason if body else None
        )
        credential = await handlers.status.change(command)
        return status_out(credential)

    change.__name__ = f"{action}_credential"
    return change


def max_age(request: Request) -> int:
    return int(request.app.state.status_list_max_age)
