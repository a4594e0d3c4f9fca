"""The Open Badges API's service description document (OB 3.0 § 6.3): an OpenAPI document
naming this server's operations, its privacy policy, and the OAuth 2.0 authorization code flow
a client follows (where to register, authorise, get and refresh tokens, with the scopes)."""

from __future__ import annotations

from typing import Any

from ..config import IssuerSettings
from ..domain.oauth import (
    CREDENTIAL_READONLY,
    CREDENTIAL_UPSERT,
    OB_SCOPES,
    PROFILE_READONLY,
    PROFILE_UPDATE,
)
from ..service_layer.urls import IssuerUrls

OB_API_PATH = "/ims/ob/v3p0"
SECURITY_SCHEME = "OAuth2ACG"


def service_description(urls: IssuerUrls, settings: IssuerSettings) -> dict[str, Any]:
    # The consent page is a wallet page: it reads the session cookie set at the pages' URL.
    base_url = urls.base_url
    return {
        "openapi": "3.0.1",
        "info": {
            "title": "Open Badges API",
            "version": "3.0",
            "description": "A learner's Open Badges 3.0 credentials and profile, by their consent",
            "termsOfService": settings.ob_terms_of_service_url,
            "x-imssf-privacyPolicyUrl": settings.ob_privacy_policy_url,
        },
        "servers": [{"url": base_url + OB_API_PATH, "description": settings.ob_provider_name}],
        "paths": {
            "/credentials": {
                "get": _operation("getCredentials", CREDENTIAL_READONLY),
                "post": _operation("upsertCredential", CREDENTIAL_UPSERT),
            },
            "/profile": {
                "get": _operation("getProfile", PROFILE_READONLY),
                "put": _operation("putProfile", PROFILE_UPDATE),
            },
            "/discovery": {"get": {"operationId": "getServiceDescription", "security": []}},
        },
        "components": {
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "oauth2",
                    "description": "OAuth 2.0 Authorization Code Grant authorization",
                    "x-imssf-name": settings.ob_provider_name,
                    "x-imssf-privacyPolicyUrl": settings.ob_privacy_policy_url,
                    "x-imssf-registrationUrl": base_url + "/oauth/register",
                    "x-imssf-termsOfServiceUrl": settings.ob_terms_of_service_url,
                    "flows": {
                        "authorizationCode": {
                            "authorizationUrl": urls.pages_url + "/oauth/authorize",
                            "tokenUrl": base_url + "/oauth/token",
                            "refreshUrl": base_url + "/oauth/token",
                            "scopes": dict(OB_SCOPES),
                        }
                    },
                }
            }
        },
    }


def _operation(operation_id: str, scope: str) -> dict[str, Any]:
    return {"operationId": operation_id, "security": [{SECURITY_SCHEME: [scope]}]}
