"""Conventions shared by every event contract."""

from pydantic import BaseModel, ConfigDict


class Contract(BaseModel):
    """An event payload we produce: frozen, and lenient to fields added in a later minor change.

    Breaking changes get a new versioned type (``…v2``) instead of a changed model.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")


class ExternalContract(BaseModel):
    """A payload written by someone outside the ecosystem (a partner): unknown fields are
    rejected, so a typo in a field name is reported instead of silently dropped."""

    model_config = ConfigDict(frozen=True, extra="forbid")
