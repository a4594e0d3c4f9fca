"""The media types the issuer answers with, and response classes naming them for the OpenAPI
document (each route builds its own response)."""

from typing import Any

from fastapi.responses import JSONResponse

VC_MEDIA_TYPE = "application/vc+ld+json"
LD_MEDIA_TYPE = "application/ld+json"
DID_MEDIA_TYPE = "application/did+json"
NDJSON_MEDIA_TYPE = "application/x-ndjson"
VC_JWT_MEDIA_TYPE = "application/vc+jwt"  # VC-JOSE: the credential as a compact JWS


class VcJson(JSONResponse):
    media_type = VC_MEDIA_TYPE


class LdJson(JSONResponse):
    media_type = LD_MEDIA_TYPE


class DidJson(JSONResponse):
    media_type = DID_MEDIA_TYPE


ANY_JSON: dict[str, Any] = {"schema": {"type": "object"}}
