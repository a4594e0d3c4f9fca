"""The HTTP shapes of the learner's wallet: a CLR request, share links."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ..service_layer.clr import MAX_CLR_CREDENTIALS


class ClrRequest(BaseModel):
    """Bundle some of your credentials into one Comprehensive Learner Record 2.0."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"credential_ids": ["c-1", "c-2"]}]}
    )
    credential_ids: list[str] = Field(min_length=1, max_length=MAX_CLR_CREDENTIALS)


class ShareLinkPublic(BaseModel):
    """A link that shows one of your credentials to whoever has it, until you withdraw it."""

    share_id: str
    credential_id: str
    url: str
    created_at: datetime
    withdrawn_at: datetime | None = None


class ShareLinkCreate(BaseModel):
    """Share one of your credentials through a link you can withdraw."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"credential_id": "c-1"}]}
    )
    credential_id: str = Field(max_length=200)
