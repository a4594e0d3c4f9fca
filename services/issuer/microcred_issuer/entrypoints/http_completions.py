"""A provider reports one completion and gets its (one and only) credential."""

from fastapi import APIRouter, Response

from .deps import IssuerHandlers, ProviderId
from .schemas import CompletionCreate, CompletionResponse
from .translate import completion_command

router = APIRouter(tags=["completions"])


@router.post(
    "/completions",
    status_code=201,
    responses={
        200: {"model": CompletionResponse, "description": "Reported before: its credential"}
    },
)
async def report_completion(
    body: CompletionCreate, provider_id: ProviderId, response: Response, handlers: IssuerHandlers
) -> CompletionResponse:
    """Report one completion; answers with its (one and only) credential."""
    outcome = await handlers.completions.issue(completion_command(body, provider_id))
    if not outcome.created:
        response.status_code = 200
    return CompletionResponse(
        credential_id=outcome.credential_id,
        created=outcome.created,
        credential_url=handlers.urls.credential(outcome.credential_id),
    )
