"""Endorsements as the catalogue lists them (public: an endorsement is a public statement)."""

from fastapi import APIRouter
from pydantic import BaseModel

from ..domain.endorsements import Endorsement
from .deps import Api

router = APIRouter(tags=["endorsements"])


class EndorsementPublic(BaseModel):
    endorsement_id: str
    endorser_id: str
    endorser_name: str
    target_kind: str
    target_id: str
    comment: str
    status: str
    credential_url: str

    @classmethod
    def of(cls, endorsement: Endorsement) -> "EndorsementPublic":
        return cls(
            endorsement_id=endorsement.endorsement_id,
            endorser_id=endorsement.endorser_id,
            endorser_name=endorsement.endorser_name,
            target_kind=endorsement.target_kind,
            target_id=endorsement.target_id,
            comment=endorsement.comment,
            status=endorsement.status,
            credential_url=endorsement.credential_url,
        )


@router.get("/achievements/{achievement_id}/endorsements")
async def achievement_endorsements(achievement_id: str, api: Api) -> list[EndorsementPublic]:
    """The partners' endorsements of an achievement, withdrawn ones included, newest first."""
    return [
        EndorsementPublic.of(e) for e in api.endorsements.of_target("achievement", achievement_id)
    ]
