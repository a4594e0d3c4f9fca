"""Endorsements: a partner company endorses (with its own API key) and withdraws; anyone reads
the signed EndorsementCredential."""

from fastapi import APIRouter, Response, status
from microcred_shared.service.http import Problem

from ..service_layer.endorsements import Endorse, WithdrawEndorsement
from .deps import IssuerHandlers, ProviderId
from .media import VC_MEDIA_TYPE
from .schemas_endorsements import EndorsementCreate, EndorsementPublic
from .translate import json_response

router = APIRouter(tags=["endorsements"])


@router.post("/endorsements", status_code=status.HTTP_201_CREATED)
async def endorse(
    body: EndorsementCreate, partner_id: ProviderId, handlers: IssuerHandlers, response: Response
) -> EndorsementPublic:
    """Endorse an achievement or a provider as the partner company the API key names (200
    with the first answer when the same request was made before)."""
    outcome = await handlers.endorsements.endorse(
        Endorse(partner_id, body.target_kind, body.target_id, body.comment, body.request_id)
    )
    if not outcome.created:
        response.status_code = status.HTTP_200_OK
    return EndorsementPublic.of(outcome.endorsement)


@router.post("/endorsements/{endorsement_id}/withdraw")
async def withdraw(
    endorsement_id: str, partner_id: ProviderId, handlers: IssuerHandlers
) -> EndorsementPublic:
    """Withdraw one of your endorsements: its bit is set in your revocation list."""
    withdrawn = await handlers.endorsements.withdraw(
        WithdrawEndorsement(endorsement_id, partner_id)
    )
    return EndorsementPublic.of(withdrawn)


@router.get("/endorsements/{endorsement_id}")
async def get_endorsement(endorsement_id: str, handlers: IssuerHandlers) -> Response:
    """The signed EndorsementCredential (its id is this URL)."""
    endorsement = await handlers.endorsements.get(endorsement_id)
    if endorsement is None:
        raise Problem(404, "Not found", f"no endorsement {endorsement_id!r}")
    return json_response(endorsement.document, VC_MEDIA_TYPE)


@router.get("/partners/{partner_id}/endorsements")
async def list_endorsements(partner_id: str, handlers: IssuerHandlers) -> list[EndorsementPublic]:
    """A partner's endorsements, withdrawn ones included (endorsements are public)."""
    return [EndorsementPublic.of(e) for e in await handlers.endorsements.of_endorser(partner_id)]
