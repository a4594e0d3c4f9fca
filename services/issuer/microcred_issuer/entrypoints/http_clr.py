"""A learner's Comprehensive Learner Record (CLR 2.0), signed by the ecosystem's own did:web."""

# No ``from __future__ import annotations``: FastAPI must see the dependency aliases as objects.

from fastapi import APIRouter, Response

from .deps import IssuerHandlers
from .learner_auth import CurrentLearner
from .media import VC_MEDIA_TYPE, VcJson
from .schemas_wallet import ClrRequest
from .translate import json_response

router = APIRouter(tags=["learners"])


@router.post("/learners/me/clr", response_class=VcJson)
async def build_my_clr(
    body: ClrRequest, learner_ref: CurrentLearner, handlers: IssuerHandlers
) -> Response:
    """A signed ClrCredential bundling the credentials you choose (bearer: your wallet token)."""
    document = await handlers.clr.issue(learner_ref, body.credential_ids)
    return json_response(document, VC_MEDIA_TYPE, {"Cache-Control": "no-store"})
