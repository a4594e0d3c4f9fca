"""A wallet app as the Open Badges API sees one: it registers, sends the learner to consent,
trades the code with its PKCE verifier, and calls the API with the token. The demo's wallet
chapter plays it on the running issuer; the unit tests on the ASGI app, the e2e tests too.

Each call takes an ``httpx.AsyncClient`` whose base URL is the issuer and which holds the
learner's wallet session cookie (the learner's browser, for the consent page)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

OB = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
ALL_SCOPES = " ".join(
    OB + s
    for s in ("credential.readonly", "credential.upsert", "profile.readonly", "profile.update")
)
REDIRECT_URI = "https://wallet.example/callback"


class WalletFlowError(RuntimeError):
    pass


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass
class Registered:
    client_id: str
    client_secret: str

    @property
    def auth(self) -> tuple[str, str]:
        return (self.client_id, self.client_secret)


async def register(http: httpx.AsyncClient, scope: str = ALL_SCOPES) -> Registered:
    answer = await http.post(
        "/oauth/register",
        json={
            "client_name": "Pocket Wallet",
            "client_uri": "https://wallet.example",
            "redirect_uris": [REDIRECT_URI],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_basic",
            "scope": scope,
        },
    )
    answer.raise_for_status()
    body = answer.json()
    return Registered(body["client_id"], body["client_secret"])


def authorization_params(
    client_id: str, scope: str, challenge: str, method: str = "S256"
) -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": scope,
        "state": "state-" + secrets.token_hex(4),
        "code_challenge": challenge,
        "code_challenge_method": method,
    }


def authorisation_params_for(
    client: Registered, scope: str, challenge: str, method: str = "S256"
) -> dict[str, str]:
    return authorization_params(client.client_id, scope, challenge, method)


async def consent(
    http: httpx.AsyncClient, params: dict[str, str], decision: str = "allow"
) -> dict[str, str]:
    """The learner (signed in to the wallet on ``http``) answers the consent page; the query
    the browser is sent back to the client with."""
    page = await http.get("/oauth/authorize", params=params)
    page.raise_for_status()
    answer = await http.post("/oauth/authorize", data={**params, "decision": decision})
    location = answer.headers.get("location", "")
    if answer.status_code != 302 or not location.startswith(REDIRECT_URI):
        raise WalletFlowError(f"consent did not send the browser back: {answer.status_code}")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def authorise(
    http: httpx.AsyncClient, client: Registered, scope: str = ALL_SCOPES
) -> dict[str, Any]:
    """The whole authorization code flow with PKCE: the token response."""
    verifier = secrets.token_urlsafe(48)
    params = authorization_params(client.client_id, scope, s256(verifier))
    back = await consent(http, params)
    if back.get("state") != params["state"] or "code" not in back:
        raise WalletFlowError(f"no code came back: {back}")
    answer = await exchange(http, client, back["code"], verifier)
    answer.raise_for_status()
    token: dict[str, Any] = answer.json()
    return token


async def exchange(
    http: httpx.AsyncClient, client: Registered, code: str, verifier: str
) -> httpx.Response:
    return await http.post(
        "/oauth/token",
        auth=client.auth,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
