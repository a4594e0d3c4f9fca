"""The OAuth 2.0 endpoints of the Open Badges API: client registration, the learner's consent
(the authorization endpoint), tokens and their revocation. Authlib answers each; these routes
read the request for it and show the consent page.

The consent form needs no CSRF token: it acts only with the wallet session cookie, which is
SameSite=Strict, so a form posted from another site arrives without it and is refused.
"""

# No ``from __future__ import annotations``: FastAPI must see the dependency aliases as objects.

from typing import Annotated, Any
from urllib.parse import urlsplit

from authlib.oauth2 import OAuth2Error
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse

from ..domain.oauth import OB_SCOPES, scopes_of
from .learner_auth import Access, session_learner
from .oauth_http import StarletteAuthorizationServer, json_request, oauth_request
from .wallet import page

AUTHORIZE = "/oauth/authorize"
TOKEN = "/oauth/token"  # noqa: S105 (a path, not a secret)
REVOKE = "/oauth/revoke"
REGISTER = "/oauth/register"

# How the OAuth endpoints refuse: an error object (RFC 6749 5.2, RFC 7591 3.2.2, RFC 7009 2.2.1).
OAUTH_REFUSALS: dict[int | str, dict[str, Any]] = {
    "4XX": {
        "description": "Refused: an OAuth 2.0 error response",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {"type": "string"},
                        "error_description": {"type": "string"},
                    },
                }
            }
        },
    }
}
router = APIRouter(tags=["Open Badges API: OAuth 2.0"], responses=OAUTH_REFUSALS)


def oauth_server(request: Request) -> StarletteAuthorizationServer:
    server: StarletteAuthorizationServer = request.app.state.oauth_server
    return server


OAuthServer = Annotated[StarletteAuthorizationServer, Depends(oauth_server)]


def public_url(request: Request) -> str:
    base: str = request.app.state.api.handlers.urls.base_url
    return base


@router.post(REGISTER, status_code=201)
async def register_client(request: Request, server: OAuthServer) -> Response:
    """Register a client (RFC 7591 dynamic client registration)."""
    return await server.endpoint_response(
        "client_registration", await json_request(request, public_url(request))
    )


@router.get(AUTHORIZE, response_class=HTMLResponse, include_in_schema=False)
async def ask_for_consent(request: Request, server: OAuthServer, access: Access) -> Response:
    learner_ref = session_learner(request, access)
    if learner_ref is None:
        return page("ob_consent.html", status=401, signed_out=True)
    authorization = await oauth_request(request, public_url(request))
    try:
        grant = await server.consent_grant(authorization, learner_ref)
    except OAuth2Error as error:
        if error.redirect_uri:  # the client is known and so is where to tell it (RFC 6749 4.1.2.1)
            return server.error_response(authorization, error)
        return page("ob_consent.html", status=400, error=error.description or error.error)
    return page(
        "ob_consent.html",
        client_name=grant.client.record.name,
        client_uri=grant.client.record.client_uri,
        scopes=[(s, OB_SCOPES[s]) for s in sorted(scopes_of(grant.request.scope))],
        params=consent_params(request),
        action=AUTHORIZE,
        redirect_host=urlsplit(grant.redirect_uri or "").netloc,
        refresh_days=server.options.refresh_lifetime.days,
        keep_parameters=("state",),  # a language switch must not break the client's flow
    )


@router.post(AUTHORIZE, include_in_schema=False)
async def decide_consent(request: Request, server: OAuthServer, access: Access) -> Response:
    """The learner's answer: a code for the client (allow) or access_denied (deny)."""
    learner_ref = session_learner(request, access)
    if learner_ref is None:
        return page("ob_consent.html", status=401, signed_out=True)
    authorization = await oauth_request(request, public_url(request))
    allowed = authorization.form.get("decision") == "allow"
    return await server.authorization_response(authorization, learner_ref, allowed)


@router.post(TOKEN)
async def token(request: Request, server: OAuthServer) -> Response:
    """Exchange an authorization code (with its PKCE verifier) or a refresh token."""
    return await server.token_response(await oauth_request(request, public_url(request)))


@router.post(REVOKE)
async def revoke(request: Request, server: OAuthServer) -> Response:
    """Revoke an access or refresh token (RFC 7009): the whole grant stops working."""
    return await server.endpoint_response(
        "revocation", await oauth_request(request, public_url(request))
    )


def consent_params(request: Request) -> list[tuple[str, Any]]:
    """The authorization request's parameters, carried by the consent form."""
    return [(k, v) for k, v in request.query_params.multi_items() if k != "decision"]
