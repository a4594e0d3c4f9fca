"""Authlib's generic authorization server on Starlette: its requests built from ours, its
answers turned into our responses.

Authlib ships such adapters for Flask and Django only. A Starlette body is read asynchronously,
so a route reads the form or JSON first (``oauth_request`` / ``json_request``) and the server
runs, in a worker thread, on what was read (see ``service_layer/oauth.py``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import anyio.to_thread
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import (
    JsonPayload,
    JsonRequest,
    OAuth2Payload,
    OAuth2Request,
)
from fastapi import Request
from fastapi.responses import JSONResponse, Response

from ..service_layer.oauth import ObAuthorizationServer

# Token answers must not be cached (RFC 6749 § 5.1); Authlib sets these on token responses,
# and we set them on every answer of the authorization server.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class FormPayload(OAuth2Payload):  # type: ignore[misc]
    def __init__(self, items: list[tuple[str, str]]) -> None:
        self._data = dict(items)
        self._datalist: defaultdict[str, list[str]] = defaultdict(list)
        for key, value in items:
            self._datalist[key].append(value)

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._datalist


class StarletteOAuth2Request(OAuth2Request):  # type: ignore[misc]
    def __init__(
        self, request: Request, uri: str, query: list[tuple[str, str]], form: list[tuple[str, str]]
    ) -> None:
        super().__init__(request.method, uri, headers=request.headers)
        self._args = dict(query)
        self._form = dict(form)
        # What the grant reads: the query of an authorization request, the form of the others.
        self.payload = FormPayload(query if request.method == "GET" else form)

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


class StaticJsonPayload(JsonPayload):  # type: ignore[misc]
    def __init__(self, data: Any) -> None:
        self._data = data

    @property
    def data(self) -> Any:
        return self._data


async def oauth_request(request: Request, public_url: str) -> StarletteOAuth2Request:
    """Authlib's view of a request, its URL as the public base URL names it (Authlib refuses
    plain http unless to a loopback address; a proxy ending TLS makes ours http inside)."""
    form = await request.form() if request.method == "POST" else None
    form_items = [(k, v) for k, v in form.multi_items() if isinstance(v, str)] if form else []
    uri = public_url + request.url.path
    if request.url.query:
        uri += "?" + request.url.query
    return StarletteOAuth2Request(
        request, uri, list(request.query_params.multi_items()), form_items
    )


async def json_request(request: Request, public_url: str) -> JsonRequest:
    try:
        data = await request.json()
    except ValueError:
        data = None
    json_req = JsonRequest(request.method, public_url + request.url.path, request.headers)
    json_req.payload = StaticJsonPayload(data if isinstance(data, dict) else None)
    return json_req


class StarletteAuthorizationServer(ObAuthorizationServer):
    """The server whose calls take an already-read request and answer a Starlette response."""

    def create_oauth2_request(self, request: Any) -> Any:
        return request

    def create_json_request(self, request: Any) -> Any:
        return request

    def handle_response(
        self, status: int, body: Any, headers: list[tuple[str, str]] | dict[str, str]
    ) -> Response:
        merged = {**NO_STORE, **dict(headers)}
        if isinstance(body, dict):
            merged.pop("Content-Type", None)
            return JSONResponse(body, status_code=status, headers=merged)
        return Response(body or b"", status_code=status, headers=merged)

    def error_response(self, request: StarletteOAuth2Request, error: Exception) -> Response:
        """Authlib's answer to a refused request: back to the client's redirect URI with the
        error when it has one, else a JSON error."""
        answer: Response = self.handle_error_response(request, error)
        return answer

    async def token_response(self, request: StarletteOAuth2Request) -> Response:
        answer: Response = await anyio.to_thread.run_sync(self.create_token_response, request)
        return answer

    async def endpoint_response(self, name: str, request: Any) -> Response:
        answer: Response = await anyio.to_thread.run_sync(
            self.create_endpoint_response, name, request
        )
        return answer

    async def authorization_response(
        self, request: StarletteOAuth2Request, learner_ref: str, allowed: bool
    ) -> Response:
        """The redirect to the client: with a code when the learner allowed, else with
        access_denied; the request is validated again first (the form could be altered)."""

        def respond() -> Response:
            try:
                grant = self.get_consent_grant(request, end_user=learner_ref)
            except OAuth2Error as error:
                return self.handle_error_response(request, error)  # type: ignore[no-any-return]
            user = learner_ref if allowed else None
            return self.create_authorization_response(request, grant_user=user, grant=grant)  # type: ignore[no-any-return]

        answer: Response = await anyio.to_thread.run_sync(respond)
        return answer

    async def consent_grant(self, request: StarletteOAuth2Request, learner_ref: str) -> Any:
        """The validated authorization request, or Authlib's OAuth2Error."""
        return await anyio.to_thread.run_sync(
            lambda: self.get_consent_grant(request, end_user=learner_ref)
        )
