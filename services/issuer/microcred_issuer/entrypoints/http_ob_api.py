"""The Open Badges 3.0 API (OB 3.0 § 6): the service description document, and a learner's
credentials and profile for a client holding the learner's token with the scope each needs.

Every refusal on these routes is an ``Imsx_StatusInfo`` body, as the spec has it, not the
problem details of the issuer's other routes: ``ImsxRoute`` translates them, validation errors
of FastAPI included.
"""

# No ``from __future__ import annotations``: FastAPI must see the dependency aliases as objects.

from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from authlib.oauth2.rfc6750 import InsufficientScopeError, InvalidTokenError
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from microcred_shared.crypto.dates import parse_datetime

from ..domain.oauth import (
    CREDENTIAL_READONLY,
    CREDENTIAL_UPSERT,
    PROFILE_READONLY,
    PROFILE_UPDATE,
)
from ..service_layer.oauth import ObBearerTokens, find_access_token
from ..service_layer.ob_api import CredentialNotVerified, InvalidObData, NotTheLearners, ObApi
from .deps import IssuerHandlers
from .http_oauth import OAuthServer, public_url
from .ob_discovery import service_description

BASE = "/ims/ob/v3p0"
JSON_TYPES = ("application/json", "application/ld+json", "application/vc+ld+json")


@dataclass(frozen=True)
class ImsxError(Exception):
    status: int
    minor: str
    description: str
    major: str = "failure"
    headers: dict[str, str] | None = None


def imsx_body(major: str, minor: str, description: str) -> dict[str, Any]:
    return {
        "imsx_codeMajor": major,
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_codeMinor": {
            "imsx_codeMinorField": [
                {"imsx_codeMinorFieldName": "microcred", "imsx_codeMinorFieldValue": minor}
            ]
        },
    }


# The handler's refusals, as OB 3.0 words them (status, imsx code minor).
REFUSALS: dict[type[Exception], tuple[int, str]] = {
    InvalidObData: (400, "invalid_data"),
    NotTheLearners: (403, "forbidden"),
    CredentialNotVerified: (400, "invalid_data"),
}


class ImsxRoute(APIRoute):
    """A route whose every refusal reads as ``Imsx_StatusInfo``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handle(request)
            except ImsxError as error:
                body = imsx_body(error.major, error.minor, error.description)
                return JSONResponse(body, status_code=error.status, headers=error.headers)
            except RequestValidationError as error:
                where = {str(e["loc"][0]) for e in error.errors() if e.get("loc")}
                minor = "invalid_query_parameter" if where == {"query"} else "invalid_data"
                described = "; ".join(
                    f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()
                )
                return JSONResponse(imsx_body("failure", minor, described), status_code=400)
            except tuple(REFUSALS) as refusal:
                status, minor = REFUSALS[type(refusal)]
                reason = str(refusal)
                return JSONResponse(imsx_body("failure", minor, reason), status_code=status)

        return answer


# How every refusal of these routes reads (OB 3.0: an Imsx_StatusInfo as application/json).
IMSX_REFUSALS: dict[int | str, dict[str, Any]] = {
    "4XX": {
        "description": "Refused: an Imsx_StatusInfo (Open Badges 3.0 API)",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["imsx_codeMajor", "imsx_severity"],
                    "properties": {
                        "imsx_codeMajor": {
                            "enum": ["failure", "processing", "success", "unsupported"]
                        },
                        "imsx_severity": {"enum": ["error", "status", "warning"]},
                        "imsx_description": {"type": "string"},
                        "imsx_codeMinor": {"type": "object"},
                    },
                }
            }
        },
    }
}
router = APIRouter(
    prefix=BASE, tags=["Open Badges API"], route_class=ImsxRoute, responses=IMSX_REFUSALS
)
BEARER = ObBearerTokens()


def ob_api(handlers: IssuerHandlers) -> ObApi:
    return handlers.ob_api


Resources = Annotated[ObApi, Depends(ob_api)]


def learner_with(scope: str) -> Callable[..., Awaitable[str]]:
    """A dependency: the learner whose token the client sent, if it grants ``scope``."""

    async def learner(request: Request, server: OAuthServer) -> str:
        header = request.headers.get("authorization", "")
        kind, _, token = header.partition(" ")
        if kind.lower() != "bearer" or not token:
            raise ImsxError(
                401,
                "unauthorizedrequest",
                "an OAuth 2.0 bearer token is required",
                headers={"WWW-Authenticate": 'Bearer realm="ob"'},
            )
        found = await find_access_token(server.store, server.clock, token.strip())
        try:
            return BEARER.check(found, scope).record.learner_ref
        except InvalidTokenError as error:
            raise ImsxError(
                401,
                "unauthorizedrequest",
                "the token is unknown, expired or revoked",
                headers=dict(error.get_headers()),
            ) from error
        except InsufficientScopeError as error:
            raise ImsxError(
                403,
                "forbidden",
                f"the token does not grant {scope}",
                headers={
                    "WWW-Authenticate": (
                        f'Bearer realm="ob", error="insufficient_scope", scope="{scope}"'
                    )
                },
            ) from error

    return learner


Reader = Annotated[str, Depends(learner_with(CREDENTIAL_READONLY))]
Upserter = Annotated[str, Depends(learner_with(CREDENTIAL_UPSERT))]
ProfileReader = Annotated[str, Depends(learner_with(PROFILE_READONLY))]
ProfileUpdater = Annotated[str, Depends(learner_with(PROFILE_UPDATE))]


@router.get("/discovery", operation_id="getServiceDescription")
async def discovery(request: Request) -> JSONResponse:
    """The service description document: where to register, authorise and get tokens."""
    settings = request.app.state.issuer.settings
    return JSONResponse(service_description(request.app.state.api.handlers.urls, settings))


@router.get("/credentials", operation_id="getCredentials")
async def get_credentials(
    request: Request,
    learner_ref: Reader,
    resources: Resources,
    limit: Annotated[int | None, Query(ge=1, le=1000)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    since: str | None = None,
) -> JSONResponse:
    """The learner's credentials, a page at a time (``X-Total-Count`` and ``Link``)."""
    page = await resources.credentials(
        learner_ref, limit=limit, offset=offset, since=since_of(since)
    )
    headers = {"X-Total-Count": str(page.total)}
    if limit is not None:
        headers["Link"] = paging_links(
            public_url(request) + BASE + "/credentials", limit, offset, page.total
        )
    return JSONResponse({"credential": page.credentials}, headers=headers)


@router.post("/credentials", operation_id="upsertCredential")
async def upsert_credential(
    request: Request, learner_ref: Upserter, resources: Resources
) -> JSONResponse:
    """Store a credential issued elsewhere in the learner's wallet (verified first)."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in JSON_TYPES:
        raise ImsxError(
            415,
            "not_acceptable",
            "only a JSON-LD AchievementCredential is accepted; VC-JWT is not",
            major="unsupported",
        )
    try:
        document = await request.json()
    except ValueError as error:
        raise ImsxError(400, "invalid_data", "the body is not JSON") from error
    created = await resources.upsert(learner_ref, document)
    return JSONResponse(document, status_code=201 if created else 200)


@router.get("/profile", operation_id="getProfile")
async def get_profile(learner_ref: ProfileReader, resources: Resources) -> JSONResponse:
    """The learner's profile."""
    return JSONResponse(await resources.profile(learner_ref))


@router.put("/profile", operation_id="putProfile")
async def put_profile(
    request: Request, learner_ref: ProfileUpdater, resources: Resources
) -> JSONResponse:
    """Replace the learner's profile (the whole Profile, its id unchanged)."""
    try:
        document = await request.json()
    except ValueError as error:
        raise ImsxError(400, "invalid_data", "the body is not JSON") from error
    return JSONResponse(await resources.put_profile(learner_ref, document))


def since_of(value: str | None) -> Any:
    if value is None:
        return None
    try:
        return parse_datetime(value)
    except ValueError as error:
        raise ImsxError(
            400, "invalid_query_parameter", "since must be a date-time with a time zone"
        ) from error


def paging_links(url: str, limit: int, offset: int, total: int) -> str:
    """RFC 8288 links to the first, last, next and previous pages (OB 3.0 § 6.4)."""

    def link(at: int, rel: str) -> str:
        return f'<{url}?{urlencode({"limit": limit, "offset": at})}>; rel="{rel}"'

    last = max(0, (total - 1) // limit * limit)
    links = []
    if offset + limit < total:
        links.append(link(offset + limit, "next"))
    links += [link(last, "last"), link(0, "first")]
    if offset > 0:
        links.append(link(max(0, offset - limit), "prev"))
    return ", ".join(links)
