"""The learner's own API: ask for a wallet link, list your credentials with its token."""

# No ``from __future__ import annotations``: FastAPI must see the dependency aliases as objects.

from fastapi import APIRouter, BackgroundTasks, Response

from .deps import IssuerHandlers
from .learner_auth import Access, CurrentLearner, ask_for_link
from .schemas import (
    ACCESS_LINK_ACCEPTED,
    AccessLinkRequest,
    AccessLinkResponse,
    CredentialSummaryPublic,
)
from .translate import credential_summary

router = APIRouter(tags=["learners"])


@router.post("/learners/access-links", status_code=202)
async def request_access_link(
    body: AccessLinkRequest, access: Access, tasks: BackgroundTasks
) -> AccessLinkResponse:
    """E-mail a link to the learner's credentials; the same answer whether or not the address
    is known."""
    ask_for_link(tasks, access, str(body.email))
    return AccessLinkResponse(detail=ACCESS_LINK_ACCEPTED)


@router.get("/learners/me/credentials")
async def my_credentials(
    learner_ref: CurrentLearner, access: Access, handlers: IssuerHandlers, response: Response
) -> list[CredentialSummaryPublic]:
    """Your credentials, with their status (bearer: the token of your e-mailed link)."""
    response.headers["Cache-Control"] = "no-store"
    return [credential_summary(handlers, c) for c in await access.credentials_of(learner_ref)]
