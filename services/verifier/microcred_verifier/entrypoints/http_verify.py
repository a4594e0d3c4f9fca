"""The JSON API: ``POST /verify`` and ``GET /verify?url=…``."""

# No ``from __future__ import annotations``: FastAPI must see the dependency aliases as objects.

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from microcred_shared.service.http import Problem
from pydantic import ValidationError

from ..domain.documents import document_kind
from ..service_layer.intake import parse_json, present
from ..service_layer.presentations import VerifyPresentation
from ..service_layer.verify import Outcome, VerifyCredential, VerifyHandler
from .deps import Api, VerifierApi
from .http_presentations import presentation_response
from .refusals import refused_if_unverifiable
from .schemas import VerifyRequest, VerifyResponse
from .schemas_presentations import PresentationVerifyResponse

REQUEST_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": VerifyRequest.model_json_schema()},
            "application/vc+jwt": {"schema": {"type": "string"}},
        },
    }
}


def share_url(base: str, outcome: Outcome) -> str | None:
    return (
        f"{base.rstrip('/')}/?{urlencode({'url': outcome.source_url})}"
        if outcome.source_url
        else None
    )


def to_response(outcome: Outcome, base: str) -> Response:
    """Shaped by VerifyResponse once and serialised once, in pydantic-core: returning the model
    made FastAPI check it again, dump it to Python and encode that."""
    shaped = VerifyResponse.of(outcome.report, share_url(base, outcome))
    return Response(shaped.model_dump_json(), media_type="application/json")


async def run(handler: VerifyHandler, command: VerifyCredential) -> Outcome:
    with refused_if_unverifiable():
        return await handler(command)


async def verified_response(api: VerifierApi, command: VerifyCredential) -> Response:
    """The one dispatch of what was posted: a presentation is verified as one (its holder and
    each credential), anything else as a credential."""
    if command.presented is not None and document_kind(command.presented) == "presentation":
        presentation = VerifyPresentation(command.presented.document, command.channel)
        return await presentation_response(api, presentation)
    return to_response(await run(api.verify, command), api.base_url)


def command_from_body(raw: bytes, content_type: str, max_depth: int) -> VerifyCredential:
    """The command for what a client posted: a VC-JWT (by its media type), a credential as a
    JSON object, or a ``VerifyRequest``. Whether a credential is JSON-LD or a JWT is decided
    here, once, by ``intake.present``."""
    if "jwt" in content_type or "text/plain" in content_type:
        text = raw.decode("utf-8", errors="replace").strip()
        return VerifyCredential(present(text, max_depth), size=len(raw))
    value = parse_json(raw, max_depth)
    if isinstance(value, dict) and "@context" in value:
        return VerifyCredential(present(value, max_depth), size=len(raw))
    try:
        request = VerifyRequest.model_validate(value)
    except ValidationError as exc:
        errors = [{"field": ".".join(map(str, e["loc"])), "error": e["msg"]} for e in exc.errors()]
        raise Problem(422, "Invalid request", "see errors", errors=errors) from exc
    if request.credential is None:  # a URL's body is fetched, and presented, by the handler
        return VerifyCredential(None, request.url, request.recipient_email)
    presented = present(request.credential, max_depth)
    return VerifyCredential(presented, request.url, request.recipient_email, size=len(raw))


router = APIRouter(tags=["verification"])


@router.post(
    "/verify",
    response_model=VerifyResponse | PresentationVerifyResponse,
    openapi_extra=REQUEST_BODY_DOC,
    responses={413: {}, 422: {}, 429: {}},
)
async def verify(request: Request, api: Api) -> Response:
    """Verify a credential (every check, a verdict, the credential in plain words) or a
    presentation (the holder, the challenge, and each credential)."""
    raw = await request.body()
    content_type = request.headers.get("content-type", "")
    with refused_if_unverifiable():
        command = command_from_body(raw, content_type, api.max_depth)
    return await verified_response(api, command)


@router.get("/verify", response_model=VerifyResponse, responses={422: {}, 429: {}})
async def verify_url(
    api: Api,
    url: Annotated[str, Query(max_length=2048, description="where the credential is")],
    recipient_email: Annotated[str | None, Query(max_length=320)] = None,
) -> Response:
    """Fetch the credential at ``url`` (safely) and verify it."""
    command = VerifyCredential(url=url, recipient_email=recipient_email)
    return to_response(await run(api.verify, command), api.base_url)
