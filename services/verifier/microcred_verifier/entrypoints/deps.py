"""What the verifier's routes depend on: read from ``app.state.api`` (set by the bootstrap)
once per request."""

# No ``from __future__ import annotations``: FastAPI must see the dependency aliases as objects.

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from ..service_layer.presentations import PresentationHandlers
from ..service_layer.verify import VerifyHandler


@dataclass(frozen=True)
class VerifierApi:
    """What the HTTP routes and pages use; ``app.state.api`` in a running app."""

    verify: VerifyHandler
    base_url: str  # where a shared verification link points
    max_depth: int  # of a JSON body
    presentations: PresentationHandlers


def verifier_api(request: Request) -> VerifierApi:
    api: VerifierApi = request.app.state.api
    return api


Api = Annotated[VerifierApi, Depends(verifier_api)]
