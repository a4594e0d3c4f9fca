"""Presentations over HTTP: ``POST /presentations/challenges``, and the presentation branch of
``POST /verify`` and the page (:func:`verified_document`)."""

# No ``from __future__ import annotations``: FastAPI must see the dependency aliases as objects.

from fastapi import APIRouter, Response

from ..service_layer.presentations import VerifyPresentation
from .deps import Api, VerifierApi
from .refusals import refused_if_unverifiable
from .schemas_presentations import PresentationChallengePublic, PresentationVerifyResponse

router = APIRouter(tags=["presentations"])


@router.post("/presentations/challenges", status_code=201, responses={429: {}})
async def issue_challenge(api: Api) -> PresentationChallengePublic:
    """A fresh challenge and this verifier's domain, for a holder to sign in a presentation."""
    return PresentationChallengePublic.of(await api.presentations.issue_challenge())


async def presentation_report(
    api: VerifierApi, command: VerifyPresentation
) -> PresentationVerifyResponse:
    with refused_if_unverifiable():
        report = await api.presentations.verify(command)
    return PresentationVerifyResponse.of(report)


async def presentation_response(api: VerifierApi, command: VerifyPresentation) -> Response:
    shaped = await presentation_report(api, command)
    return Response(shaped.model_dump_json(), media_type="application/json")
